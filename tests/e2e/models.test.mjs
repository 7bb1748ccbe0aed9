// Issue 13, point 4: on the sample data the Models view fits clusters and CLV in the worker with the progress bar,
// shows the cluster descriptions and the CLV histogram, `clv` reads in an audience expression, and the figures equal
// those of `huaxiang model clv` on the same sample files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, root } from './harness.mjs';

const cli = join(root, 'target', 'debug', process.platform === 'win32' ? 'huaxiang.exe' : 'huaxiang');

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

/** `huaxiang model clv` on the sample files the page's sample button loads (same seed, 2,000 members). */
function cliClv() {
  const dir = mkdtempSync(join(tmpdir(), 'hx-models-'));
  try {
    execFileSync(cli, ['sample', '--out', dir], { stdio: 'pipe' });
    const out = join(dir, 'clv');
    execFileSync(cli, ['model', 'clv', '--orders', join(dir, 'sample_orders.csv'), '--members', join(dir, 'sample_members.csv'),
      '--events', join(dir, 'sample_events.csv'), '--out', out], { stdio: 'pipe' });
    const report = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const rows = readFileSync(join(out, 'members.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
    return { report, over500: rows.filter((r) => Number(r[3]) > 500).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records every state the progress bar goes through from now on. */
async function watchProgress(page) {
  await page.evaluate(() => {
    globalThis.progressStates = [];
    const box = document.getElementById('progress');
    new MutationObserver(() => globalThis.progressStates.push(box.dataset.state)).observe(box, { attributes: true, attributeFilter: ['data-state'] });
  });
}

test('the Models view fits clusters and CLV like the CLI, and clv reads in an audience', async () => {
  const { report, over500 } = cliClv();
  const page = await s.open();
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  await page.click('nav [data-view="models"]');
  await page.waitForSelector('#view-models:not([hidden]) button[data-model="cluster"]:not([disabled])');

  await watchProgress(page);
  await page.fill('#cluster-k', '4');
  await page.click('button[data-model="cluster"]');
  await page.waitForSelector('#cluster-table tbody tr[data-cluster="4"]');
  assert.ok((await page.evaluate(() => globalThis.progressStates)).includes('running'), 'the progress bar showed the fit');
  const descriptions = await page.$$eval('#cluster-table tbody tr', (rows) => rows.map((r) => r.lastElementChild.textContent));
  assert.equal(descriptions.length, 4);
  assert.ok(descriptions.some((d) => /高频|低频|近期活跃|久未购买|高消费|低消费/.test(d)), descriptions.join(' / '));

  await watchProgress(page);
  await page.click('button[data-model="clv"]');
  await page.waitForSelector('#clv-histogram[data-rendered="true"] canvas');
  assert.ok((await page.evaluate(() => globalThis.progressStates)).includes('running'));
  const fact = (i) => page.textContent(`[data-fact="clv-${i}"]`);
  const round = (x, d) => Number(x.toFixed(d)).toString();
  const b = report.bgnbd;
  assert.equal(await fact(2), [b.r, b.alpha, b.a, b.b].map((x) => round(x, 3)).join(', '));
  assert.equal(await fact(5), round(report.total_clv, 2));
  assert.equal(await fact(0), report.buyers.toLocaleString('en-US'));

  // The cluster tag's column and clv in an audience expression.
  await page.click('nav [data-view="audiences"]');
  await page.waitForSelector('body[data-audiences="ready"]');
  await page.fill('#aud-input', 'clv > 500');
  await page.waitForFunction(() => {
    const c = document.querySelector('#aud-count');
    return c.dataset.state === 'done' && c.dataset.count !== '';
  });
  assert.equal(Number(await page.getAttribute('#aud-count', 'data-count')), over500);
  await page.fill('#aud-input', 'cluster == 4');
  await page.waitForFunction(() => {
    const c = document.querySelector('#aud-count');
    return c.dataset.state === 'done' && c.dataset.count !== '' && Number(c.dataset.count) > 0;
  });
  s.assertClean();
});
