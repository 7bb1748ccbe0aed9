// Issue 5 in the browser: the Audiences view. Three tags come in as a rules file through the Tags view; an audience
// is built from them by clicking the quick picker, and its live count, attrition and masked samples match the
// engine (and a brute-force count over the tags' members). Saved, it has a portrait whose charts are drawn and whose
// top trait is the engine's; split 90/10 its arms add up to it; exported as CSV the file has the header, one row
// per member (every row satisfying the expression), masked phones and names and no cell a spreadsheet would run
// as a formula. Static audiences, snapshots, explanations, an arm's XLSX export and campaign lift work too, and
// the saved audience, split and export log survive a reload. No console error, no request off the origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './harness.mjs';

const RULES = [
  'tag 高消费 in 价值 = monetary > 300',
  'tag 女性会员 in 属性 = gender == "女"',
  'tag 近期活跃 in 生命周期 = recency <= 120',
  // Values a spreadsheet would run as formulas, to be neutralised in the export.
  'tag 风险标记 = case when frequency >= 3 then "=HYPERLINK(\\"http://x\\")" when frequency >= 1 then "-1+2" else "@x" end',
].join('\n');
const EXPR = '高消费 and 女性会员 and not 近期活跃';
const NAME = '测试人群';

let s;
let dir;
before(async () => {
  s = await launch({ downloads: true });
  dir = mkdtempSync(join(tmpdir(), 'hx-aud-'));
});
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

const engine = (page, method, args) => page.evaluate(([m, a]) => globalThis.huaxiang.engine.call(m, a), [method, args]);

async function loadSample(page) {
  await page.click('nav [data-view="data"]');
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
}

async function openAudiences(page) {
  await page.click('nav [data-view="audiences"]');
  await page.waitForSelector('body[data-audiences="ready"]');
}

/** Waits until the live count answers for the expression in the editor. */
async function settled(page) {
  await page.waitForFunction(() => {
    const c = document.querySelector('#aud-count');
    return c.dataset.state === 'done' && c.dataset.count !== '';
  });
  return Number(await page.getAttribute('#aud-count', 'data-count'));
}

/** RFC 4180 records of a CSV text. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

async function download(page, click, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(click)]);
  const path = join(dir, name);
  await dl.saveAs(path);
  return { path, suggested: dl.suggestedFilename(), bytes: readFileSync(path) };
}

test('build from three tags, count, portrait, 90/10 split, masked CSV export, and a reload keeps it', async () => {
  const page = await s.open();
  await loadSample(page);

  // Three tags (and one with formula-like values) through the Tags view's rules import.
  const rules = join(dir, 'audience.rules.txt');
  writeFileSync(rules, `${RULES}\n`);
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"]');
  await page.setInputFiles('#tag-import', rules);
  await page.waitForSelector('#tag-table tbody tr[data-tag="风险标记"]');

  // Build the audience by clicking the picker: and, and, and not.
  await openAudiences(page);
  await page.click('#aud-picker-body button.chip[data-pick="高消费"]');
  await page.click('#aud-picker-body button.chip[data-pick="女性会员"]');
  await page.selectOption('#aud-join', 'and not');
  await page.click('#aud-picker-body button.chip[data-pick="近期活跃"]');
  assert.equal(await page.inputValue('#aud-input'), EXPR);
  const count = await settled(page);
  const engineCount = (await engine(page, 'audienceCount', { expr: EXPR })).count;
  assert.equal(count, engineCount, 'the live count is the engine\'s');
  // … and a brute-force count over the three tags' members.
  const brute = await page.evaluate(async () => {
    const e = globalThis.huaxiang.engine;
    const [a, b, c] = await Promise.all(['高消费', '女性会员', '近期活跃'].map((name) => e.call('tagMembers', { name })));
    const sb = new Set(b);
    const sc = new Set(c);
    return [...a].filter((p) => sb.has(p) && !sc.has(p)).length;
  });
  assert.equal(count, brute);
  assert.ok(count > 50 && count < 2000, `count ${count}`);
  assert.match(await page.textContent('#aud-count'), new RegExp(`人群 ${count.toLocaleString('en-US')} 人`));

  // Attrition: one step per condition, ending at the count; samples are masked.
  const steps = await page.$$eval('#aud-attrition tbody tr', (rows) => rows.map((r) => ({
    condition: r.cells[1].textContent, remaining: Number(r.querySelector('[data-cell="remaining"]').textContent.replace(/,/g, '')),
  })));
  assert.deepEqual(steps.map((x) => x.condition), ['高消费', '女性会员', 'not 近期活跃']);
  assert.equal(steps[2].remaining, count);
  assert.ok(steps[0].remaining > steps[1].remaining && steps[1].remaining > steps[2].remaining);
  const names = await page.$$eval('#aud-samples tbody [data-cell="name"]', (cells) => cells.map((c) => c.textContent));
  assert.ok(names.length >= 5);
  for (const n of names) assert.match(n, /^\p{Script=Han}{1,2}\*+$/u, `masked sample name ${n}`);

  // Why is a sample member in: every condition of the chain held.
  await page.click('#aud-samples tbody tr:first-child button.link:not(.member-link)');
  await page.waitForSelector('#aud-explain-result .explanation[data-held="true"]');
  const held = await page.$$eval('#aud-explain-result .explain-tree > li > ul > li', (l) => l.map((x) => x.dataset.held));
  assert.deepEqual(held, ['true', 'true', 'true']);

  // Save it: listed with its count, versioned in the catalog, kept in the browser's storage.
  await page.fill('#aud-name', NAME);
  await page.click('#aud-save');
  const row = `#aud-list tbody tr[data-audience="${NAME}"]`;
  await page.waitForSelector(row);
  assert.equal((await page.textContent(`${row} [data-cell="count"]`)).trim(), count.toLocaleString('en-US'));
  assert.equal((await page.textContent(`${row} [data-cell="kind"]`)).trim(), '动态');
  assert.ok(await page.evaluate((n) => JSON.parse(globalThis.huaxiang.storage.get('tagPack')).definitions.some((d) => d.name === n && d.kind === 'audience'), NAME));

  // Portrait against every member: every chart drawn, the top trait the engine's.
  await page.click(`${row} button[data-action="portrait"]`);
  await page.waitForSelector('#aud-portrait-body[data-state="done"]');
  const charts = await page.$$eval('#aud-portrait-body .chart:not([hidden])', (els) => els.filter((el) => el.closest('[hidden]') === null)
    .map((el) => ({ rendered: el.dataset.rendered === 'true', canvas: Boolean(el.querySelector('canvas')) })));
  assert.ok(charts.length >= 10, `${charts.length} charts`);
  assert.ok(charts.every((c) => c.rendered && c.canvas), 'every chart container has a canvas');
  const portrait = await engine(page, 'portrait', { request: { audience: NAME } });
  const top = await page.$eval('#aud-traits tbody tr[data-trait="0"]', (r) => ({ dimension: r.dataset.dimension, value: r.dataset.value, tgi: r.dataset.tgi }));
  assert.deepEqual(top, { dimension: portrait.traits[0].dimension, value: portrait.traits[0].value, tgi: portrait.traits[0].tgi == null ? '' : String(portrait.traits[0].tgi) });
  assert.equal(await page.$$eval('#aud-traits tbody tr', (l) => l.length), Math.min(15, portrait.traits.length));
  // The highest TGI among the listed traits is the engine's.
  const listed = portrait.traits.slice(0, 15);
  const maxTgi = Math.max(...listed.map((x) => x.tgi ?? 0));
  const shownTgi = await page.$$eval('#aud-traits tbody tr', (rows) => Math.max(...rows.map((r) => Number(r.dataset.tgi || 0))));
  assert.equal(shownTgi, maxTgi);
  assert.equal(await page.textContent('#aud-portrait-kpis [data-kpi="audience"] .kpi-value'), `${NAME} · ${count.toLocaleString('en-US')}`);
  // A cross-tab of two dimensions adds up to the audience.
  await page.selectOption('#aud-cross-row', '高消费');
  await page.click('#aud-cross-run');
  await page.waitForSelector('#aud-cross-chart[data-rendered="true"] canvas');
  const crossTotal = await page.$$eval('#aud-cross-table tbody tr', (rows) => rows.reduce((n, r) => n + Number(r.cells[r.cells.length - 1].textContent.replace(/,/g, '')), 0));
  assert.equal(crossTotal, count);

  // A/B: 90/10 by default, the salt derived from the name; arm sizes add up to the audience.
  await page.click('#view-audiences .subtabs [data-panel="ab"]');
  await page.selectOption('#aud-ab-audience', `n:${NAME}`);
  assert.equal(await page.inputValue('#aud-ab-salt'), NAME);
  assert.deepEqual(await page.$$eval('#aud-ab-arms .arm-ratio', (l) => l.map((x) => Number(x.value))), [90, 10]);
  await page.click('#aud-ab-run');
  await page.waitForSelector('#aud-ab-table');
  const arms = await page.$$eval('#aud-ab-table tbody tr[data-arm]', (rows) => rows.map((r) => ({ name: r.dataset.arm, count: Number(r.dataset.count) })));
  assert.deepEqual(arms.map((a) => a.name), ['实验组', '对照组']);
  assert.equal(arms[0].count + arms[1].count, count);
  assert.ok(Math.abs(arms[0].count / count - 0.9) < 0.04, `test share ${arms[0].count / count}`);
  assert.equal(await page.$$eval('#aud-balance tbody tr', (l) => l.length), 3);
  const split = await engine(page, 'splitAudience', { request: { audience: NAME, salt: NAME, arms: [{ name: '实验组', ratio: 90 }, { name: '对照组', ratio: 10 }] } });
  assert.deepEqual(split.arms.map((a) => a.count), arms.map((a) => a.count));
  await page.click('#aud-ab-save');
  await page.waitForSelector('#aud-splits tbody tr[data-split]');

  // Export as CSV: masked by default; the formula-like tag column is added.
  await page.click('#view-audiences .subtabs [data-panel="export"]');
  await page.selectOption('#aud-export-audience', `n:${NAME}`);
  await page.waitForSelector('#aud-export-columns input[data-key="tag:近期活跃"]:checked');
  assert.equal(await page.isChecked('#aud-export-mask'), true);
  assert.equal(await page.isChecked('#aud-export-columns input[data-key="tag:风险标记"]'), false);
  await page.check('#aud-export-columns input[data-key="tag:风险标记"]');
  const csv = await download(page, '#aud-export-run', 'audience.csv');
  assert.match(csv.suggested, /\.csv$/);
  assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
  const records = parseCsv(csv.bytes.toString('utf8').slice(1));
  const header = records[0];
  assert.deepEqual(header, ['会员编号', '姓名', '手机号', '最近消费天数', '消费次数', '消费金额', 'RFM分群', '高消费', '女性会员', '近期活跃', '风险标记']);
  const body = records.slice(1);
  assert.equal(body.length, count, 'one row per member');
  assert.equal(new Set(body.map((r) => r[0])).size, count, 'each member once');
  const col = (name) => header.indexOf(name);
  for (const r of body) {
    assert.equal(r.length, header.length);
    // Every row satisfies the expression, so with the count equal the rows are exactly the audience.
    assert.deepEqual([r[col('高消费')], r[col('女性会员')], r[col('近期活跃')]], ['1', '1', '0']);
    assert.match(r[col('手机号')], /^1\d{2}\*{4}\d{4}$/, `masked phone ${r[col('手机号')]}`);
    assert.match(r[col('姓名')], /^\p{Script=Han}{1,2}\*+$/u, `masked name ${r[col('姓名')]}`);
    assert.match(r[col('风险标记')], /^'[=\-@]/, 'formula-like text is neutralised');
    for (const cell of r) assert.ok(!/^[=+\-@]/.test(cell) || /^-?\d+(\.\d+)?$/.test(cell), `unescaped cell ${cell}`);
  }
  await page.waitForSelector(`#aud-export-log tbody tr[data-rows="${count}"]`);
  assert.match(await page.textContent('#aud-export-result'), new RegExp(`已导出 ${count.toLocaleString('en-US')} 行`));

  // Reload: the member data is gone, the saved audience, the split and the export log are not.
  await page.reload();
  await page.waitForSelector('body[data-engine="ready"]');
  await openAudiences(page);
  await page.waitForSelector(row);
  assert.equal((await page.textContent(`${row} [data-cell="versions"]`)).trim(), '1');
  assert.equal(await page.$$eval('#aud-splits tbody tr[data-split]', (l) => l.length), 1);
  assert.equal(await page.$$eval('#aud-export-log tbody tr[data-rows]', (l) => l.length), 1);
  await page.click(`${row} button.link`);
  assert.equal(await page.inputValue('#aud-input'), EXPR);
  // With the data loaded again the count is back.
  await loadSample(page);
  await openAudiences(page);
  await page.waitForFunction(([r, n]) => document.querySelector(`${r} [data-cell="count"]`)?.textContent.trim() === n, [row, count.toLocaleString('en-US')]);
  s.assertClean();
});

test('static audience from ids, a snapshot, an arm as XLSX with hashed phones, campaign lift, and markup stays text', async () => {
  const page = await s.open();
  // The tags and audiences come back from the browser's storage; the data is loaded again.
  await loadSample(page);
  await openAudiences(page);
  await page.waitForSelector(`#aud-list tbody tr[data-audience="${NAME}"]`);

  // A static audience from an id file: a header line and an unknown id match nobody.
  const keys = (await engine(page, 'exportAudience', { request: { audience: NAME, columns: [{ key: 'member_id' }], options: { mask: false } }, at: '2025-07-01T00:00:00Z' }));
  const ids = Buffer.from(keys.bytes).toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1, 11);
  assert.equal(ids.length, 10);
  const file = join(dir, 'ids.csv');
  writeFileSync(file, `会员编号,备注\n${ids.map((id) => `${id},x`).join('\n')}\nNOBODY-1,x\n`);
  await page.fill('#aud-static-name', '线下名单');
  await page.setInputFiles('#aud-static-file', file);
  await page.waitForSelector('#aud-static-result .static-result');
  assert.equal(await page.getAttribute('#aud-static-result .static-result', 'data-members'), '10');
  assert.equal(await page.getAttribute('#aud-static-result .static-result', 'data-unmatched'), '2');
  await page.waitForSelector('#aud-list tbody tr[data-audience="线下名单"][data-kind="static"]');
  assert.equal((await page.textContent('#aud-list tbody tr[data-audience="线下名单"] [data-cell="count"]')).trim(), '10');

  // A dated snapshot of the dynamic audience.
  await page.click(`#aud-list tbody tr[data-audience="${NAME}"] button[data-action="snapshot"]`);
  await page.waitForSelector('#aud-list tbody tr[data-kind="snapshot"]');
  const snap = await page.$eval('#aud-list tbody tr[data-kind="snapshot"]', (r) => ({ name: r.dataset.audience, count: r.querySelector('[data-cell="count"]').textContent.trim() }));
  assert.match(snap.name, new RegExp(`^${NAME}_\\d{8}$`));
  const count = (await engine(page, 'audienceCount', { expr: NAME })).count;
  assert.equal(snap.count, count.toLocaleString('en-US'));

  // Compare the static list with the audience it came from: all ten are in both.
  await page.click('#view-audiences .subtabs [data-panel="compare"]');
  await page.selectOption('#aud-compare-a', `n:${NAME}`);
  await page.selectOption('#aud-compare-b', 'n:线下名单');
  await page.click('#aud-compare-run');
  await page.waitForSelector('#aud-overlap-chart[data-rendered="true"] canvas');
  assert.equal(await page.textContent('#aud-overlap [data-fact="both"]'), '10');
  assert.equal(await page.textContent('#aud-overlap [data-fact="b-only"]'), '0');

  // The control arm of the saved split as XLSX with SHA-256 phones: a zip holding a sheet.
  await page.click('#view-audiences .subtabs [data-panel="export"]');
  const control = await page.$eval('#aud-export-arm', (sel) => [...sel.options].find((o) => o.value.includes('对照组')).value);
  await page.selectOption('#aud-export-arm', control);
  await page.selectOption('#aud-export-hash', 'sha256');
  await page.selectOption('#aud-export-format', 'xlsx');
  const xlsx = await download(page, '#aud-export-run', 'arm.xlsx');
  assert.match(xlsx.suggested, /\.xlsx$/);
  assert.equal(xlsx.bytes.subarray(0, 2).toString('latin1'), 'PK');
  const [saved] = await page.evaluate(() => globalThis.huaxiang.storage.get('splits'));
  const controlCount = saved.arms.find((a) => a.name === '对照组').count;
  const log = await page.evaluate(() => globalThis.huaxiang.storage.get('exportLog')[0]);
  assert.equal(log.rows, controlCount);
  assert.equal(log.hash, 'sha256');
  assert.ok(log.columns.includes('手机号_sha256'), log.columns.join(','));
  assert.equal(log.format, 'xlsx');

  // Campaign lift over the last 30 days of the sample: a row per arm, the interval chart drawn.
  await page.click('#view-audiences .subtabs [data-panel="lift"]');
  await page.click('#aud-lift-run');
  await page.waitForSelector('#aud-lift-chart[data-rendered="true"] canvas');
  assert.equal(await page.$$eval('#aud-lift-arms tbody tr', (l) => l.length), 2);
  assert.equal(await page.$$eval('#aud-lift-comparisons tbody tr', (l) => l.length), 1);

  // Markup typed as a name or found in an id file stays text.
  const evil = '<img src=x onerror="window.__pwned=1">';
  writeFileSync(file, `${evil}\n`);
  await page.fill('#aud-static-name', `<b id="hx-bold">${evil}</b>`);
  await page.setInputFiles('#aud-static-file', file);
  await page.waitForSelector('#aud-static-result .static-result[data-members="0"]');
  assert.match(await page.textContent('#aud-static-result'), /<img src=x/);
  assert.equal(await page.$('main img, #hx-bold'), null);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  s.assertClean();
});

test('forget everything clears uploaded lists and snapshots (member ids) and the rules from the browser and the engine', async () => {
  const page = await s.open();
  await page.evaluate(() => globalThis.huaxiang.storage.forgetEverything());
  await page.reload();
  await page.waitForSelector('body[data-engine="ready"]');
  await loadSample(page);
  await engine(page, 'importRules', { text: 'tag 女性会员 = gender == "女"\naudience 女客 = 女性会员\n', at: '2025-06-01T00:00:00Z', author: 't' });
  const { pack } = await engine(page, 'saveStaticAudience', { request: { name: '线下名单', ids: ['00000100', '00000101'] }, at: '2025-06-01T00:00:00Z', author: 't' });
  await page.evaluate((p) => globalThis.huaxiang.catalogChanged(p), pack);
  await engine(page, 'snapshotAudience', { name: '女客', at: '2025-06-01T00:00:00Z', author: 't' }).then((r) => page.evaluate((p) => globalThis.huaxiang.catalogChanged(p), r.pack));
  const before = await page.evaluate(() => globalThis.huaxiang.storage.get('tagPack'));
  assert.ok(before.includes('"members"') && before.includes('00000100'), 'the lists are in storage before');
  await page.click('nav [data-view="data"]');
  page.once('dialog', (d) => d.accept());
  await page.click('#forget-button');
  await page.waitForSelector('body[data-forgotten]');
  assert.equal(await page.evaluate(() => globalThis.huaxiang.storage.get('tagPack')), null);
  assert.deepEqual(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)), []);
  const tags = await engine(page, 'tags');
  assert.deepEqual(tags.tags.filter((t) => !t.builtin).map((t) => t.name), [], 'the engine holds no rule of the user');
  s.assertClean();
});
