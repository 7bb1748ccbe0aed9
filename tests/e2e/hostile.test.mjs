// Issue 16 in the browser: a file of 100,000 columns is previewed with a mapping table of the columns that matter
// (those with a role and the first few, the rest a page at a time) and loads; no console error, nothing off the
// origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, loadAll, pickFiles } from './harness.mjs';

let s;
let dir;
before(async () => {
  s = await launch();
  dir = mkdtempSync(join(tmpdir(), 'hx-hostile-'));
});
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a file of 100,000 columns previews a bounded mapping table and loads', async () => {
  const n = 100_000;
  const extra = Array.from({ length: n }, (_, i) => `c${i}`).join(',');
  const lines = [`member_id,order_time,amount,${extra}`];
  for (let r = 0; r < 5; r++) lines.push(`M${r},2025-01-0${r + 1},10,${Array(n).fill('x').join(',')}`);
  const file = join(dir, 'wide.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const page = await s.open();
  await page.click('nav [data-view="data"]');
  await pickFiles(page, [file]);
  const card = '.file-card[data-file="wide.csv"]';
  const selects = await page.$$eval(`${card} select.role-select`, (l) => l.length);
  assert.ok(selects <= 60 + 3, `${selects} role menus`);
  const hidden = Number(await page.getAttribute(`${card} table.mapping`, 'data-hidden'));
  assert.equal(selects + hidden, n + 3, 'every column is either shown or counted');
  await page.click(`${card} button.more-columns`);
  await page.waitForFunction((c) => document.querySelectorAll(`${c} select.role-select`).length > 500, card);
  await loadAll(page);
  const rows = await page.textContent('[data-fact="rows-read"]');
  assert.match(rows, /^5$/);
  s.assertClean();
});
