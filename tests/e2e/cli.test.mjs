// Issue 2, point 4: the command line and the browser run the same core, so `huaxiang profile` and the page give the
// same segment sizes for the same file. Also the built-in sample data and the language switch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, launch, loadAll, pickFiles, root, segmentCounts } from './harness.mjs';

const cli = join(root, 'target', 'debug', process.platform === 'win32' ? 'huaxiang.exe' : 'huaxiang');

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

function profile(args) {
  const out = mkdtempSync(join(tmpdir(), 'hx-cli-'));
  try {
    execFileSync(cli, ['profile', ...args, '--out', out], { stdio: 'pipe' });
    return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

for (const name of ['rfm_small.csv', 'rfm_small_gbk.csv']) {
  test(`the CLI and the browser agree on ${name}`, async () => {
    const summary = profile(['--orders', fixture(name)]);
    const fromCli = Object.fromEntries(summary.segments.map((seg) => [seg.key, seg.count]));
    const page = await s.open();
    await pickFiles(page, [fixture(name)]);
    await loadAll(page);
    await page.click('nav [data-view="dashboard"]');
    assert.deepEqual(await segmentCounts(page), fromCli);
    assert.equal(Object.values(fromCli).reduce((a, b) => a + b, 0), summary.buyers);
    s.assertClean();
  });
}

test('the sample data loads, and the UI switches to English and back', async () => {
  const page = await s.open();
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  await page.waitForSelector('#view-dashboard:not([hidden]) #segment-chart[data-rendered="true"] canvas');
  assert.equal((await page.textContent('[data-kpi="members"] .kpi-value')).trim(), '2,000');
  const counts = await segmentCounts(page);
  const buyers = Number((await page.textContent('[data-kpi="buyers"] .kpi-value')).replace(/,/g, ''));
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), buyers);
  assert.ok(Object.values(counts).filter((c) => c > 0).length >= 6, 'the sample fills most segments');
  assert.match(await page.textContent('#segment-table tbody tr:first-child'), /重要价值客户/);

  await page.click('#lang-toggle');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('#segment-table tbody tr:first-child'), /Important value/);
  assert.equal((await page.textContent('nav [data-view="dashboard"]')).trim(), 'Dashboard');
  // The choice survives a reload.
  await page.reload();
  await page.waitForSelector('body[data-engine="ready"]');
  assert.equal((await page.textContent('nav [data-view="data"]')).trim(), 'Data');
  await page.click('#lang-toggle');
  assert.equal((await page.textContent('nav [data-view="data"]')).trim(), '数据');
  s.assertClean();
});
