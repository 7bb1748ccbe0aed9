// Issue 3: data that keeps arriving. After a first load, this week's orders are appended; the dashboard shows what
// changed, and the segment sizes equal those of a fresh page that loads every file at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, loadAll, pickFiles, root, segmentCounts } from './harness.mjs';

let s;
let dir;
before(async () => {
  s = await launch();
  dir = mkdtempSync(join(tmpdir(), 'hx-delta-'));
  execFileSync(join(root, 'target', 'debug', 'huaxiang'), ['sample', '--out', dir, '--members', '3000', '--seed', '5']);
  const [header, ...lines] = readFileSync(join(dir, 'sample_orders.csv'), 'utf8').trimEnd().split('\n');
  const late = (l) => l.includes(',2025-05-') || l.includes(',2025/5/');
  writeFileSync(join(dir, 'orders_old.csv'), [header, ...lines.filter((l) => !late(l))].join('\n'));
  writeFileSync(join(dir, 'orders_week.csv'), [header, ...lines.filter(late)].join('\n'));
});
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('appending a delta shows the changes and equals a fresh load', async () => {
  const page = await s.open();
  await pickFiles(page, [join(dir, 'sample_members.csv'), join(dir, 'orders_old.csv')]);
  await loadAll(page);
  await page.click('nav [data-view="dashboard"]');
  const first = await segmentCounts(page);
  assert.equal(await page.$('#changes .changes'), null, 'no changes after the first load');

  await page.click('nav [data-view="data"]');
  await pickFiles(page, [join(dir, 'orders_week.csv')]);
  await loadAll(page);
  await page.click('nav [data-view="dashboard"]');
  const appended = await segmentCounts(page);
  assert.notDeepEqual(appended, first);
  const changed = Number((await page.textContent('[data-fact="segment-changed"]')).replace(/,/g, ''));
  assert.ok(changed > 0, 'some members changed segment');
  assert.match(await page.textContent('[data-fact="new-buyers"]'), /^\d[\d,]*$/);

  const fresh = await s.open();
  await pickFiles(fresh, ['sample_members.csv', 'orders_old.csv', 'orders_week.csv'].map((f) => join(dir, f)));
  await loadAll(fresh);
  await fresh.click('nav [data-view="dashboard"]');
  assert.deepEqual(await segmentCounts(fresh), appended);
  s.assertClean();
});
