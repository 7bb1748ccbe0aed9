// Issue 4 in the browser: the Tags view. A rule typed with an error shows the message (with its "did you mean")
// right under the underlined span, in the chosen language; fixed and saved, the tag shows its coverage in the
// catalog; edited again it has two versions with a word diff; after a page reload (and after a crashed engine) the
// catalog and the history are still there. Markup typed into a rule, a name or an imported rules file stays text.
// Unsaved drafts are kept; revert makes an old version current; tag packs go out as a download and come back
// in; the builder and the completion popup write rule text; settings travel with the pack.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './harness.mjs';

let s;
let dir;
const dialogs = [];
before(async () => {
  s = await launch({ downloads: true });
  s.context.on('page', (page) => page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  }));
  dir = mkdtempSync(join(tmpdir(), 'hx-tags-'));
});
after(async () => {
  await s?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function loadSample(page) {
  await page.click('nav [data-view="data"]');
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
}

async function openTags(page) {
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"] #tag-table tbody tr[data-builtin="true"]');
}

/** Replaces the rule text (as typing would: an input event) and waits for the engine's check to come back. */
async function setRule(page, text) {
  await page.fill('#rule-input', text);
  await page.waitForSelector('#rule-count[data-state="done"]');
}

const rect = (page, selector) => page.$eval(selector, (el) => {
  const r = el.getBoundingClientRect();
  return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
});

test('a rule with an error, fixed, saved twice: coverage, versions and diff survive a reload and a crash', async () => {
  const page = await s.open();
  await loadSample(page);
  await openTags(page);
  await page.fill('#tag-name', '高消费会员');
  await page.fill('#tag-group', '价值');
  await page.click('#rule-input');
  const wrong = 'frequency >= 2 and monetery > 500';
  await page.keyboard.type(wrong);
  await page.waitForSelector('#rule-callout:not([hidden])');
  await page.waitForSelector('#rule-count[data-state="done"]');

  // The message names the likely intended column, in Chinese first.
  const callout = (await page.textContent('#rule-callout')).trim();
  assert.match(callout, /monetery/);
  assert.match(callout, /您是不是想写“monetary”/);
  // The underline covers exactly the misspelt word, at the engine's UTF-16 offsets.
  const squiggle = '.rule-highlight .squiggle.error';
  const marked = await page.$eval(squiggle, (el) => ({ text: el.textContent, start: Number(el.dataset.start16), end: Number(el.dataset.end16) }));
  assert.deepEqual(marked, { text: 'monetery', start: wrong.indexOf('monetery'), end: wrong.indexOf('monetery') + 'monetery'.length });
  assert.equal(await page.$$eval('.rule-highlight .squiggle', (l) => l.length), 1);
  // … and the message sits right under that span, not under the start of the line.
  const under = await rect(page, squiggle);
  const box = await rect(page, '#rule-callout');
  const start = await rect(page, '.rule-highlight');
  assert.ok(under.left - start.left > 100, 'the misspelt word is well into the line');
  assert.ok(Math.abs(box.left - under.left) <= 2, `message starts under the span (${box.left} vs ${under.left})`);
  assert.ok(box.top >= under.bottom && box.top - under.bottom < 16, `message is just below the span (${box.top} vs ${under.bottom})`);
  const listed = await page.$eval('#rule-problems li', (li) => ({ start: li.dataset.start16, text: li.textContent }));
  assert.equal(listed.start, String(wrong.indexOf('monetery')));
  assert.match(listed.text, /第 1 行第 20 列/);
  assert.match(await page.textContent('#rule-count'), /改正错误/);

  // The same message in English after switching the language.
  await page.click('#lang-toggle');
  await page.waitForFunction(() => /Did you mean “monetary”/.test(document.querySelector('#rule-callout').textContent));
  await page.click('#lang-toggle');
  await page.waitForFunction(() => /您是不是想写/.test(document.querySelector('#rule-callout').textContent));

  // Fixed: no mark, no message, and a live count.
  await setRule(page, 'frequency >= 2 and monetary > 500');
  assert.equal(await page.$('.rule-highlight .squiggle'), null);
  assert.equal(await page.isHidden('#rule-callout'), true);
  const first = Number(await page.getAttribute('#rule-count', 'data-count'));
  assert.ok(first > 0 && first < 2000, `live count ${first}`);
  assert.match(await page.textContent('#rule-count'), new RegExp(`覆盖 ${first.toLocaleString('en-US')} 人`));

  await page.fill('#tag-author', '王小明');
  await page.dispatchEvent('#tag-author', 'change');
  await page.click('#tag-save');
  const row = '#tag-table tbody tr[data-tag="高消费会员"]';
  await page.waitForSelector(row);
  assert.equal((await page.textContent(`${row} [data-cell="group"]`)).trim(), '价值');
  assert.match(await page.textContent(`${row} [data-cell="coverage"]`), new RegExp(`${first.toLocaleString('en-US')}$`));
  assert.ok(await page.$(`${row} [data-cell="coverage"] .bar > span`), 'coverage has a bar');
  assert.equal(await page.evaluate(() => globalThis.huaxiang.engine.call('tagCount', { name: '高消费会员' })), first);
  assert.match(await page.textContent(`${row} [data-cell="flags"]`), /未使用/);

  // A second version.
  await setRule(page, 'frequency >= 2 and monetary > 800');
  const second = Number(await page.getAttribute('#rule-count', 'data-count'));
  assert.ok(second < first);
  await page.click('#tag-save');
  await page.waitForSelector('#tag-history tbody tr[data-version="2"]');
  assert.equal((await page.textContent(`${row} [data-cell="versions"]`)).trim(), '2');
  await page.waitForSelector('#tag-diff ins');
  assert.equal(await page.textContent('#tag-diff del'), '500');
  assert.equal(await page.textContent('#tag-diff ins'), '800');
  assert.match(await page.textContent('#tag-history tbody tr[data-version="1"]'), /王小明/);
  await page.waitForSelector('#lineage-chart[data-rendered="true"] canvas');
  assert.deepEqual(await page.$$eval('#lineage-list li', (l) => l.map((x) => x.textContent).sort()), ['frequency → 高消费会员', 'monetary → 高消费会员']);

  // Reload: the member data is gone (it is never stored), the catalog and its history are back.
  await page.reload();
  await page.waitForSelector('body[data-engine="ready"]');
  await openTags(page);
  await page.waitForSelector(row);
  assert.equal((await page.textContent(`${row} [data-cell="versions"]`)).trim(), '2');
  assert.equal((await page.textContent(`${row} [data-cell="coverage"]`)).trim(), '—');
  await page.click(`${row} button.link`);
  await page.waitForSelector('#tag-history tbody tr[data-version="2"]');
  assert.equal(await page.$$eval('#tag-history tbody tr', (l) => l.length), 2);
  assert.equal(await page.inputValue('#rule-input'), 'frequency >= 2 and monetary > 800');
  assert.equal(await page.inputValue('#tag-author'), '王小明', 'the operator name is remembered');

  // With the data loaded again, the coverage is back.
  await loadSample(page);
  await openTags(page);
  await page.waitForFunction((r) => /\d/.test(document.querySelector(`${r} [data-cell="coverage"]`)?.textContent ?? ''), row);
  assert.match(await page.textContent(`${row} [data-cell="coverage"]`), new RegExp(`${second.toLocaleString('en-US')}$`));

  // A crashed engine comes back with the tags.
  const code = await page.evaluate(() => globalThis.huaxiang.engine.call('crashForTest').then(() => 'none', (e) => e.code));
  assert.equal(code, 'worker_crashed');
  await page.waitForFunction(() => globalThis.huaxiang.engine.restarts === 1 && globalThis.huaxiang.loaded.length === 1);
  await page.waitForSelector('#progress[data-state="done"]');
  assert.equal(await page.evaluate(() => globalThis.huaxiang.engine.call('tagCount', { name: '高消费会员' })), second);
  await page.waitForFunction((r) => /\d/.test(document.querySelector(`${r} [data-cell="coverage"]`)?.textContent ?? ''), row);
  assert.equal((await page.textContent(`${row} [data-cell="versions"]`)).trim(), '2');
  s.assertClean();
});

test('markup in a rule, a name or an imported rules file stays text', async () => {
  const page = await s.open();
  await openTags(page);
  const evil = '<img src=x onerror=alert(1)>';
  const name = '<b id="hx-bold">粗体</b>';
  await page.click('#tag-new');
  await page.fill('#tag-name', name);
  await setRule(page, `name == "${evil}" or city == "<script>window.__pwned=1</script>"`);
  assert.equal(await page.$('.rule-highlight .squiggle'), null);
  assert.match(await page.textContent('.rule-highlight'), /<img src=x onerror=alert\(1\)>/);
  await page.click('#tag-save');
  await page.waitForSelector('#tag-history tbody tr[data-version="1"]');
  // A second version, so the diff shows the markup too.
  await setRule(page, `name == "${evil}"`);
  await page.click('#tag-save');
  await page.waitForSelector('#tag-history tbody tr[data-version="2"]');
  await page.waitForSelector('#tag-diff del');
  assert.match(await page.textContent('#tag-diff'), /<script>window.__pwned=1<\/script>/);
  assert.match(await page.textContent('#tag-history'), /<img src=x onerror=alert\(1\)>/);
  const names = await page.$$eval('#tag-table tbody tr', (rows) => rows.map((r) => r.dataset.tag));
  assert.ok(names.includes(name));

  const rules = join(dir, 'evil.rules.txt');
  writeFileSync(rules, '# <svg onload="window.__pwned=2">说明</svg>\ntag 坏标签 = name == "<iframe src=x></iframe>"\ntag 错标签 = monetery >> 1\n');
  await page.setInputFiles('#tag-import', rules);
  await page.waitForSelector('#tag-table tbody tr[data-tag="坏标签"]');
  await page.waitForSelector('.import-problems li');
  assert.match(await page.textContent('.import-problems'), /evil\.rules\.txt/);
  assert.match(await page.textContent('.import-problems li'), /第 3 行/);
  await page.click('#tag-table tbody tr[data-tag="坏标签"] button.link');
  await page.waitForFunction(() => document.querySelector('#tag-description').value.includes('<svg'));

  assert.equal(await page.$('main img, main script, main svg, main iframe, #hx-bold'), null, 'no element was made from typed or imported text');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(dialogs, []);
  s.assertClean();
});

test('packs out and back in; the builder and completion write rule text', async () => {
  const page = await s.open();
  await openTags(page);

  // The visual builder writes the rule into the editor, and reads it back.
  await page.click('#tag-new');
  await page.click('#builder summary');
  await page.selectOption('.builder-row[data-row="0"] .b-field', 'a:count(orders)');
  await page.selectOption('.builder-row[data-row="0"] .b-op', '>=');
  await page.fill('.builder-row[data-row="0"] .b-value', '3');
  await page.fill('.builder-row[data-row="0"] .b-filter', '美妆, 护肤');
  await page.fill('.builder-row[data-row="0"] .b-days', '180');
  await page.click('#builder-add');
  await page.selectOption('.builder-row[data-row="1"] .b-connector', 'and');
  await page.check('.builder-row[data-row="1"] .b-not input');
  await page.selectOption('.builder-row[data-row="1"] .b-field', 'm:lifecycle');
  await page.selectOption('.builder-row[data-row="1"] .b-op', 'in');
  await page.fill('.builder-row[data-row="1"] .b-value', '流失, 流失预警');
  await page.click('#builder-write');
  const built = 'count(orders where category in ["美妆", "护肤"], last 180d) >= 3 and not lifecycle in ["流失", "流失预警"]';
  assert.equal(await page.inputValue('#rule-input'), built);
  await page.waitForSelector('#rule-count[data-state="done"]');
  assert.equal(await page.$('.rule-highlight .squiggle.error'), null, 'the builder writes a valid rule');
  await page.click('.builder-row[data-row="1"] .b-remove');
  await page.click('#builder-read');
  assert.equal(await page.$$eval('.builder-row', (l) => l.length), 2);
  assert.equal(await page.inputValue('.builder-row[data-row="1"] .b-value'), '流失, 流失预警');

  // Completion: keyboard-driven popup.
  await page.fill('#rule-input', '');
  await page.click('#rule-input');
  await page.keyboard.type('rfm.');
  await page.waitForSelector('#rule-complete:not([hidden]) li');
  const offered = await page.$$eval('#rule-complete li', (l) => l.map((x) => x.dataset.insert));
  assert.deepEqual(offered.slice(0, 3), ['rfm.r', 'rfm.f', 'rfm.m']);
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute('#rule-complete li[aria-selected="true"]', 'data-insert'), 'rfm.f');
  await page.keyboard.press('Enter');
  await page.keyboard.type(' >= 3 and monet');
  await page.waitForSelector('#rule-complete:not([hidden]) li');
  assert.equal(await page.getAttribute('#rule-complete li[aria-selected="true"]', 'data-insert'), 'monetary');
  await page.keyboard.press('Enter');
  await page.keyboard.type(' > 100 and 高消');
  await page.waitForSelector('#rule-complete:not([hidden]) li[data-insert="高消费会员"]');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#rule-input'), 'rfm.f >= 3 and monetary > 100 and 高消费会员');
  await page.keyboard.type(' and count(orders where cat');
  await page.waitForSelector('#rule-complete:not([hidden]) li[data-insert="category"]');
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('#rule-complete'), true);

  // Opening another tag keeps the unsaved draft; it comes back until discarded.
  const draft = await page.inputValue('#rule-input');
  await page.click('#tag-table tbody tr[data-tag="价值分层"] button.link');
  assert.equal(await page.isHidden('#tag-draft'), true);
  await page.click('#tag-new');
  assert.equal(await page.inputValue('#rule-input'), draft);
  assert.equal(await page.isVisible('#tag-draft'), true);
  await page.click('#tag-discard');
  assert.equal(await page.inputValue('#rule-input'), '');

  // Revert: version 1 comes back as version 3.
  await page.click('#tag-table tbody tr[data-tag="高消费会员"] button.link');
  await page.click('#tag-history tbody tr[data-version="1"] button.revert');
  await page.waitForSelector('#tag-history tbody tr[data-version="3"]');
  assert.equal(await page.inputValue('#rule-input'), 'frequency >= 2 and monetary > 500');
  assert.match(await page.textContent('#tag-history tbody tr[data-version="3"]'), /恢复到第 1 版/);

  // Export the pack, delete a tag, import the pack again (merge): the tag is back with its history.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tag-export')]);
  const file = join(dir, 'pack.json');
  await download.saveAs(file);
  const pack = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(pack.format, 'huaxiang-tag-pack');
  const saved = pack.definitions.find((d) => d.name === '高消费会员');
  assert.equal(saved.history.length, 3);
  await page.click('#tag-table tbody tr[data-tag="高消费会员"] button.link');
  await page.click('#tag-delete');
  await page.click('#tag-delete');
  await page.waitForSelector('#tag-table tbody tr[data-tag="高消费会员"]', { state: 'detached' });
  await page.setInputFiles('#tag-import', file);
  await page.waitForSelector('#tag-table tbody tr[data-tag="高消费会员"]');
  assert.equal((await page.textContent('#tag-table tbody tr[data-tag="高消费会员"] [data-cell="versions"]')).trim(), '3');
  const stored = await page.evaluate(() => JSON.parse(globalThis.huaxiang.storage.get('tagPack')).definitions.map((d) => d.name));
  assert.ok(stored.includes('高消费会员'));

  // Settings travel with the pack.
  await page.click('#tag-settings summary');
  await page.fill('#set-activeDays', '45');
  await page.click('#set-apply');
  await page.waitForFunction(() => JSON.parse(globalThis.huaxiang.storage.get('tagPack')).settings.lifecycle.activeDays === 45);
  assert.match(await page.evaluate(() => globalThis.huaxiang.engine.call('rulesText')), /set lifecycle\.active_days = 45/);
  s.assertClean();
});

test('the example tags load in one click, every one of them evaluates, and the sequence tag finds members', async () => {
  const page = await s.open();
  await page.evaluate(() => globalThis.huaxiang.storage.forgetEverything());
  await page.reload();
  await page.waitForSelector('body[data-engine="ready"]');
  await loadSample(page);
  await openTags(page);
  await page.click('#tag-examples');
  await page.waitForSelector('#tag-table tbody tr[data-tag="唤醒对象"]');
  const report = await page.evaluate(() => window.huaxiang.engine.call('tags'));
  const examples = report.tags.filter((t) => !t.builtin);
  assert.equal(examples.length, 8);
  for (const t of examples) assert.deepEqual(t.diagnostics, [], `${t.name} has no problem`);
  const count = (name) => examples.find((t) => t.name === name).count;
  assert.ok(count('加购未付') > 0 && count('加购未付') < report.members, 'the sample has carts left unpaid, and not by everyone');
  assert.ok(count('浏览未购') > 0 && count('唤醒对象') > 0);
  s.assertClean();
});
