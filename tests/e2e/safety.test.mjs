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

// Issue 16: every request of a whole session (load, every view, tags, an audience, a portrait, an export) is a GET
// of a static file of the site on the page's origin, without a body and without a query, and none carries a
// piece of the uploaded file. Requests are recorded for the whole browser context (the page and its workers).
test('a whole session requests only same-origin static files and sends no uploaded data', async () => {
  const marker = 'PRIVACYMARK7f3a';
  const file = join(dir, 'private-orders.csv');
  writeFileSync(file, `order_id,member_id,order_time,amount,city\n${[1, 2, 3, 4, 5, 6].map((i) =>
    `O${i},${marker}${i},2025-0${i}-0${i},${i}00.50,${marker}City`).join('\n')}\n`);
  const requests = [];
  const record = (req) => requests.push({ url: req.url(), method: req.method(), body: req.postData() });
  s.context.on('request', record);
  try {
    const page = await s.open();
    await pickFiles(page, [file]);
    await loadAll(page);
    for (const view of ['dashboard', 'members', 'tags', 'audiences', 'data']) {
      await page.click(`nav [data-view="${view}"]`);
    }
    await page.waitForSelector('body[data-tags="ready"]');
    const out = await page.evaluate(async () => {
      const e = globalThis.huaxiang.engine;
      await e.call('importRules', { text: 'tag 买过 = frequency >= 1\naudience 人群 = 买过', at: '', author: '' });
      const count = (await e.call('audienceCount', { expr: '人群' })).count;
      await e.call('portrait', { request: { audience: '人群' } });
      const file = await e.call('exportAudience', { request: { audience: '人群', columns: [{ key: 'member_id' }], options: { mask: false } }, at: '2025-07-01T00:00:00Z' });
      await e.call('exportSql', { dialect: 'duckdb' });
      return { count, exported: JSON.stringify(file).length };
    });
    assert.ok(out.count > 0 && out.exported > 0);
  } finally {
    s.context.off('request', record);
  }
  // The worker's own requests are seen (its script and the wasm it fetches), so nothing it sends goes unchecked.
  assert.ok(requests.some((r) => r.url.endsWith('/worker.js')) && requests.some((r) => r.url.endsWith('.wasm')), requests.map((r) => r.url).join(' '));
  for (const r of requests) {
    if (r.url.startsWith('blob:') || r.url.startsWith('data:')) continue;
    const u = new URL(r.url);
    assert.equal(u.origin, s.origin, r.url);
    assert.equal(r.method, 'GET', r.url);
    assert.equal(r.body ?? null, null, `${r.url} has a body`);
    assert.equal(u.search, '', `${r.url} has a query`);
    assert.ok(!decodeURIComponent(r.url).includes(marker), `${r.url} carries uploaded data`);
    assert.match(u.pathname, /^\/(|[\w./-]+\.(html|js|mjs|css|wasm|svg|json|png|woff2?|ttf|map))$/, `${r.url} is a static file`);
  }
  s.assertClean();
});
