// The safety promises: text from a file never becomes markup, a crashed engine is restarted with the files
// reloaded, a file too large for the tab is refused with a clear message and nothing loaded before is lost, and
// Cancel stops a file without losing earlier data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, launch, loadAll, pickFiles, segmentCounts } from './harness.mjs';

let s;
let dir;
before(async () => {
  s = await launch();
  dir = mkdtempSync(join(tmpdir(), 'hx-safety-'));
});
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes an orders CSV of about `mb` megabytes. */
function bigOrders(name, mb) {
  const lines = ['order_id,member_id,order_time,amount'];
  const rows = Math.ceil((mb * 1e6) / 42);
  for (let i = 0; i < rows; i++) lines.push(`O${i},M${(i * 7919) % 50000},2025-0${1 + (i % 9)}-1${i % 10} 10:00:00,${(i % 500) + 0.5}`);
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
}

test('markup in a file stays text', async () => {
  const page = await s.open();
  const path = join(dir, 'evil.csv');
  writeFileSync(path, '会员编号,姓名,<b id="hx-bold">x</b>\n' +
    '"<img src=x onerror=""window.__pwned=1"">",<script>window.__pwned=2</script>,"<svg onload=""window.__pwned=3"">"\n');
  const orders = join(dir, 'evil_orders.csv');
  writeFileSync(orders, 'member_id,order_time,amount\n"<img src=x onerror=""window.__pwned=1"">",2025-05-01,10\n');
  await pickFiles(page, [path, orders]);
  await loadAll(page);
  await page.click('nav [data-view="members"]');
  await page.waitForSelector('#member-table tbody tr');
  assert.equal(await page.$('main img, main script, main svg, #hx-bold'), null, 'no element was made from file text');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.match(await page.textContent('#member-table tbody tr'), /<img src=x onerror="window.__pwned=1">/);
  assert.match(await page.textContent('#member-table tbody tr'), /<script>window.__pwned=2<\/script>/);
  s.assertClean();
});

test('a crashed engine is restarted and the loaded files come back', async () => {
  const page = await s.open();
  await pickFiles(page, [fixture('rfm_small.csv')]);
  await loadAll(page);
  await page.click('nav [data-view="dashboard"]');
  const before = await segmentCounts(page);
  const code = await page.evaluate(() => globalThis.huaxiang.engine.call('crashForTest').then(() => 'none', (e) => e.code));
  assert.equal(code, 'worker_crashed');
  await page.waitForSelector('.message.warning');
  await page.waitForFunction(() => globalThis.huaxiang.engine.restarts === 1 && globalThis.huaxiang.loaded.length === 1);
  await page.waitForSelector('#progress[data-state="done"]');
  assert.deepEqual(await segmentCounts(page), before);
  s.assertClean();
});

test('a file too large for the memory budget is refused by name and earlier data stays', async () => {
  const page = await s.open();
  await pickFiles(page, [fixture('rfm_small.csv')]);
  await loadAll(page);
  const big = bigOrders('big_orders.csv', 12);
  await page.evaluate(() => globalThis.huaxiang.engine.call('setMemoryLimit', { bytes: 2 << 20 }));
  await pickFiles(page, [big]);
  await page.click('.file-card[data-file="big_orders.csv"] .load-one');
  await page.waitForSelector('#progress[data-state="error"]');
  const message = await page.textContent('.message.error');
  assert.match(message, /big_orders\.csv/);
  assert.match(message, /命令行|拆分/);
  await page.click('nav [data-view="dashboard"]');
  assert.equal((await page.textContent('[data-kpi="buyers"] .kpi-value')).trim(), '10');
  // Filter the expected console noise: none is allowed, the refusal is a handled message.
  s.assertClean();
});

test('Cancel stops a file and keeps what was loaded before', async () => {
  const page = await s.open();
  await pickFiles(page, [fixture('rfm_small.csv')]);
  await loadAll(page);
  const big = bigOrders('cancel_orders.csv', 60);
  await pickFiles(page, [big]);
  await page.click('.file-card[data-file="cancel_orders.csv"] .load-one');
  await page.click('#cancel-button');
  await page.waitForSelector('#progress[data-state="cancelled"]');
  assert.ok(await page.$('.file-card[data-file="cancel_orders.csv"]'), 'the cancelled file stays in the list to load later');
  await page.click('nav [data-view="dashboard"]');
  assert.equal((await page.textContent('[data-kpi="buyers"] .kpi-value')).trim(), '10');
  s.assertClean();
});
