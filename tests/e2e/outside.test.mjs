// Issue 19 in the app: bugs found from outside. A JSON Lines orders file loads whole; an unclosed quote and an
// absurd amount are listed as rows to check; a date in 9999 does not move the analysis date without a warning; a
// tag pack with wrong keys or nothing in it is refused with a message; the progress bar names the file that
// failed and does not keep its text for the next load; names the page quotes (quoteName) are read back by the
// engine as exactly themselves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fact, fixture, launch, loadAll, pickFiles } from './harness.mjs';

let s;
let dir;
before(async () => {
  s = await launch();
  dir = mkdtempSync(join(tmpdir(), 'hx-outside-'));
});
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const write = (name, text) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const ordersCsv = (rows) => `订单号,会员编号,下单时间,实付金额,备注\n${rows.map((r, i) => `O${i},${r.join(',')}`).join('\n')}\n`;

test('a JSON Lines orders file loads every row, as the CLI does', async () => {
  const page = await s.open();
  const path = fixture('formats', 'orders.jsonl');
  await pickFiles(page, [path]);
  await loadAll(page);
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).length;
  const scope = '.file-quality[data-file="orders.jsonl"]';
  assert.equal(Number(await fact(page, 'rows-read', scope)), lines);
  assert.equal(Number(await fact(page, 'rows-loaded', scope)), 27);
  assert.equal(Number(await fact(page, 'rows-skipped', scope)), 2);
  s.assertClean();
});

test('an unclosed quote and an absurd amount are listed as rows to check; no row is lost', async () => {
  const page = await s.open();
  const rows = Array.from({ length: 25 }, (_, i) => [`M${i}`, `2025-01-${String((i % 28) + 1).padStart(2, '0')} 10:00:00`, i === 5 ? '300000000' : '10', i === 0 ? '"12 寸披萨' : `备注${i}`]);
  const path = write('quote.csv', ordersCsv(rows));
  await pickFiles(page, [path]);
  await loadAll(page);
  const scope = '.file-quality[data-file="quote.csv"]';
  assert.equal(Number(await fact(page, 'rows-loaded', scope)), 25);
  const warned = await page.$$eval(`${scope} table.warnings tbody tr`, (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[3].textContent]));
  assert.equal(warned.length, 2, JSON.stringify(warned));
  assert.equal(warned[0][0], '2');
  assert.match(warned[0][1], /第 2 行.*双引号/);
  assert.equal(warned[1][0], '7');
  assert.match(warned[1][1], /1 亿元/);
  s.assertClean();
});

test('a date in 9999 leaves the default analysis date with the real orders, and the dashboard says why', async () => {
  const page = await s.open();
  const path = write('dates.csv', ordersCsv([['M1', '2025-03-01 10:00:00', '10', 'a'], ['M2', '9999-12-31 10:00:00', '10', 'b']]));
  await pickFiles(page, [path]);
  await loadAll(page);
  await page.click('nav [data-view="dashboard"]');
  assert.equal((await page.textContent('[data-kpi="as-of"] .kpi-value')).trim(), '2025-03-02');
  const warning = await page.textContent('[data-warning="as-of"]');
  assert.match(warning, /9999/);
  assert.match(warning, /2025-03-02/);
  s.assertClean();
});

test('the progress bar names the file that failed and starts clean for the next load', async () => {
  const page = await s.open();
  const bad = write('bad.csv', 'a,b\n1,2\n');
  const good = fixture('rfm_small.csv');
  await pickFiles(page, [bad, good]);
  await page.click('#load-all');
  await page.waitForSelector('#progress[data-state="error"]');
  const text = await page.textContent('#progress-text');
  assert.match(text, /bad\.csv/);
  assert.match(text, /2 个文件中有 1 个|1 of 2 files/);
  assert.doesNotMatch(text, /rfm_small/);
  // The bad file stays pending; remove it and load another good file: no trace of bad.csv on the bar.
  await page.evaluate(() => {
    const data = globalThis.huaxiang.views.data;
    data.pending = [];
    data.renderPending();
  });
  await pickFiles(page, [fixture('members_small.csv')]);
  await page.click('#load-all');
  await page.waitForSelector('#progress[data-state="done"]');
  assert.doesNotMatch(await page.textContent('#progress-text'), /bad\.csv/);
  // Only the error message of the failed load was logged to the page, naming the file.
  const messages = await page.$$eval('#messages .message.error', (els) => els.map((e) => e.textContent));
  assert.ok(messages.some((m) => m.includes('bad.csv')), JSON.stringify(messages));
  s.assertClean();
});

test('a tag pack with wrong keys, or with nothing in it, is refused with a message', async () => {
  const page = await s.open();
  await page.click('nav [data-view="tags"]');
  const before = await page.evaluate(() => globalThis.huaxiang.engine.call('exportPack'));
  for (const [name, json, pattern] of [
    ['wrong.json', JSON.stringify({ format: 'huaxiang-tag-pack', tags: [{ name: 'a', rule: 'frequency > 1' }] }), /definitions|tags/],
    ['empty.json', JSON.stringify({ format: 'huaxiang-tag-pack', version: 1, definitions: [] }), /没有任何标签|holds no tags/],
  ]) {
    await page.evaluate(() => document.querySelectorAll('#messages .message').forEach((m) => m.remove()));
    await page.setInputFiles('#tag-import', write(name, json));
    await page.waitForSelector('#messages .message.error');
    assert.match(await page.textContent('#messages .message.error'), pattern, name);
  }
  assert.equal(await page.evaluate(() => globalThis.huaxiang.engine.call('exportPack')), before, 'nothing changed');
  s.assertClean();
});

test('names the page quotes are read back by the engine as exactly themselves', async () => {
  const page = await s.open();
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  const names = ['a`b', 'x\ntag 注入 = count(orders) >= 0\n#', 'c:\\tmp\\`x`', '\u001b]0;t\u0007', 'and', '会员 等级', 'vip', 'tab\there', '\\u{41}', '😀'];
  const result = await page.evaluate(async (names) => {
    const { quoteName, unquoteName } = await import('/js/rule-syntax.js');
    const engine = globalThis.huaxiang.engine;
    const definitions = names.map((name, i) => ({ kind: 'tag', name, rule: `frequency >= ${1 + (i % 3)}` }));
    await engine.call('importPack', { json: JSON.stringify({ format: 'huaxiang-tag-pack', version: 1, definitions }), merge: true });
    const out = [];
    for (const [i, name] of names.entries()) {
      const quoted = quoteName(name);
      const check = await engine.call('audienceCount', { expr: quoted });
      const direct = await engine.call('audienceCount', { expr: `frequency >= ${1 + (i % 3)}` });
      out.push({ name, quoted, oneLine: !/[\n\r]/.test(quoted), back: unquoteName(quoted) === name, count: check.count, want: direct.count, diagnostics: check.diagnostics.length });
    }
    return out;
  }, names);
  for (const r of result) {
    assert.ok(r.oneLine && r.back, JSON.stringify(r));
    assert.equal(r.diagnostics, 0, JSON.stringify(r));
    assert.equal(r.count, r.want, JSON.stringify(r));
  }
  // The rule text the app exports holds no injected definition.
  const text = await page.evaluate(() => globalThis.huaxiang.engine.call('rulesText'));
  assert.doesNotMatch(text, /^tag 注入/m);
  s.assertClean();
});

test('a catalog of 600 tags: rows drawn as a window, near-duplicates summarised, lineage around the selected tag', async () => {
  const page = await s.open();
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"]');
  // Chains of 20 tags, each reading the one before (most with the same members: near-duplicates).
  const lines = Array.from({ length: 600 }, (_, i) => (i % 20 === 0 ? `tag 链${i} = frequency >= 1` : `tag 链${i} = 链${i - 1} and monetary >= 0`));
  await page.setInputFiles('#tag-import', write('chain.rules', `${lines.join('\n')}\n`));
  await page.waitForFunction(() => Number(document.getElementById('tag-table').dataset.rows) >= 600);
  const drawn = await page.$$eval('#tag-table tbody tr:not(.spacer)', (rows) => rows.length);
  assert.ok(drawn > 5 && drawn < 100, `${drawn} rows in the DOM for 600 tags`);
  // Scrolled to the end, the last rows are drawn.
  await page.$eval('#tag-table', (t) => {
    t.parentElement.scrollTop = t.parentElement.scrollHeight;
  });
  await page.waitForFunction(() => [...document.querySelectorAll('#tag-table tbody tr[data-tag]')].some((r) => r.dataset.tag === '链599'));
  // One chip per tag for its near-duplicates, naming one and counting the rest (once the flags are computed: the
  // first report can arrive before them on a busy machine).
  await page.waitForSelector('#tag-table tbody tr[data-tag="链599"] [data-flag="duplicate"]');
  const chips = await page.$$eval('#tag-table tbody tr[data-tag="链599"] [data-flag="duplicate"]', (els) => els.map((e) => e.textContent));
  assert.equal(chips.length, 1, JSON.stringify(chips));
  assert.match(chips[0], /等 \d+ 个|and \d+ more/);
  // The lineage of a tag in the middle of a chain is drawn three steps each way, and says what is left out.
  await page.fill('#tag-filter', '链210');
  await page.click('#tag-table tbody tr[data-tag="链210"] button.link');
  await page.waitForSelector('#lineage-list li[data-more]');
  const edges = await page.$$eval('#lineage-list li[data-from]', (els) => els.length);
  assert.ok(edges <= 12, `${edges} edges drawn`);
  assert.equal(await page.getAttribute('#lineage-list li[data-more]', 'data-more'), '1/1');
  s.assertClean();
});
