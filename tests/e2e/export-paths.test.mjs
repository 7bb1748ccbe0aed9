// Issue 12: one export path. The app's download of an audience (through the Audiences view's export panel) and
// `huaxiang audience` with the same columns and options give the same bytes, on the fixture of formula prefixes,
// phone shapes, e-mail and phone keys and fractional metrics (tests/fixtures/export/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, launch, loadAll, pickFiles, root } from './harness.mjs';

const cli = join(root, 'target', 'debug', process.platform === 'win32' ? 'huaxiang.exe' : 'huaxiang');
const ALL = 'monetary > -1 or not 老客';

let s;
let dir;
before(async () => {
  s = await launch({ downloads: true });
  dir = mkdtempSync(join(tmpdir(), 'hx-export-'));
});
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the app downloads the same bytes as huaxiang audience', async () => {
  const page = await s.open();
  await pickFiles(page, [fixture('export', 'members.csv'), fixture('export', 'orders.csv')]);
  await loadAll(page);

  // The fixture's rules and one audience of everyone, through the Tags view's rules import.
  const rules = join(dir, 'export.rules.txt');
  writeFileSync(rules, `${readFileSync(fixture('export', 'pack.rules'), 'utf8')}audience 全部 = ${ALL}\n`);
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"]');
  await page.setInputFiles('#tag-import', rules);
  await page.waitForSelector('#tag-table tbody tr[data-tag="城市"]');

  // Export it masked, with SHA-256 phones and the fractional metrics and the formula-like columns ticked.
  await page.click('nav [data-view="audiences"]');
  await page.waitForSelector('body[data-audiences="ready"]');
  await page.click('#view-audiences .subtabs [data-panel="export"]');
  await page.selectOption('#aud-export-audience', 'n:全部');
  await page.waitForSelector('#aud-export-columns input[data-key="member_id"]');
  for (const key of ['attr:city', 'attr:note', 'tag:均价', 'tag:天均', 'tag:城市']) {
    await page.check(`#aud-export-columns input[data-key="${key}"]`);
  }
  await page.selectOption('#aud-export-hash', 'sha256');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#aud-export-run')]);
  const path = join(dir, 'app.csv');
  await dl.saveAs(path);
  const app = readFileSync(path);

  // The same columns, headers and options through the command line.
  const picked = await page.$$eval('#aud-export-columns input[data-key]:checked', (inputs) =>
    inputs.map((i) => [i.dataset.key, i.parentElement.textContent.trim()]));
  const columns = picked.map(([key, label]) => `${key}=${label}`).join(',');
  const out = join(dir, 'cli.csv');
  execFileSync(cli, ['audience', '--members', fixture('export', 'members.csv'), '--orders', fixture('export', 'orders.csv'),
    '--rules', rules, '--expr', '全部', '--out', out, '--mask', '--hash', 'sha256', '--columns', columns], { stdio: 'pipe' });
  const file = readFileSync(out);
  assert.equal(app.toString('utf8'), file.toString('utf8'), 'the same text');
  assert.ok(app.equals(file), 'the same bytes');
  // And it is the hostile fixture: quotes before formulas, masked phones, hashed mainland mobiles.
  const text = app.toString('utf8');
  assert.match(text, /'@北京/);
  assert.match(text, /'＋深圳/);
  assert.match(text, /z\*\*\*@example\.com/);
  assert.match(text, /[0-9a-f]{64}/);
  s.assertClean();
});
