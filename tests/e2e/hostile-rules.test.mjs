// Issue 16 in the browser, rules: a rule of thousands of chained terms and a chain of thousands of tags are
// answered with a message (line and column, in the page's language) or evaluated, without stopping the engine;
// a rule being evaluated when the engine stops (here: stopped by the user, as the Cancel button does during a long
// evaluation) is set aside on restart — kept, listed, not evaluated — and can be put back; the same happens when
// the page itself is reloaded after dying mid-evaluation. Earlier tags stay; nothing leaves the origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './harness.mjs';

let s;
let dir;
before(async () => {
  s = await launch();
  dir = mkdtempSync(join(tmpdir(), 'hx-hostile-rules-'));
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

const report = (page) => page.evaluate(() => globalThis.huaxiang.engine.call('tags'));
const count = (r, name) => r.tags.find((t) => t.name === name)?.count;

test('thousands of chained terms get a message; thousands of chained tags are evaluated', async () => {
  const page = await s.open();
  await loadSample(page);
  await openTags(page);
  const n = 3000;
  const lines = [`tag 长 = ${Array(5000).fill('frequency >= 1').join(' or ')}`];
  for (let i = 0; i < n - 1; i++) lines.push(`tag t${i} = t${i + 1} and frequency >= 1`);
  lines.push(`tag t${n - 1} = frequency >= 1`);
  const file = join(dir, 'hostile.rules.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  await page.setInputFiles('#tag-import', file);
  await page.waitForSelector('.import-problems li');
  const problem = await page.textContent('.import-problems li');
  assert.match(problem, /第 1 行/);
  assert.match(problem, /条件太长/);
  assert.ok(problem.length < 500, `${problem.length} characters`);
  const r = await report(page);
  assert.ok(count(r, 't0') > 0 && count(r, 't0') === count(r, `t${n - 1}`));
  assert.equal(count(r, '长'), undefined, 'the refused rule was not saved');
  assert.equal(await page.evaluate(() => globalThis.huaxiang.engine.restarts), 0, 'the engine never stopped');
  s.assertClean();
});

test('a rule being evaluated when the engine stops is set aside, kept and can be put back', async () => {
  const page = await s.open();
  await loadSample(page);
  await openTags(page);
  await page.evaluate(() => globalThis.huaxiang.engine.call('importRules', { text: 'tag 老客 = frequency >= 2', at: '', author: '' })
    .then(async () => globalThis.huaxiang.catalogChanged(await globalThis.huaxiang.engine.call('exportPack'))));
  const before = count(await report(page), '老客');
  assert.ok(before > 0);
  // A definition saved but never evaluated to the end: the engine is stopped while it evaluates.
  await page.evaluate(() => {
    const pack = JSON.parse(globalThis.huaxiang.storage.get('tagPack'));
    pack.definitions.push({ ...pack.definitions[0], name: '慢', rule: 'frequency >= 1', history: [] });
    globalThis.huaxiang.storage.set('tagPack', JSON.stringify(pack));
    globalThis.huaxiang.engine.call('tags').catch(() => {});
    globalThis.huaxiang.engine.stop();
  });
  await page.waitForSelector('#quarantine li[data-name="慢"]');
  await page.waitForFunction(() => globalThis.huaxiang.loaded.length > 0 && !globalThis.huaxiang.replaying);
  const stored = await page.evaluate(() => JSON.parse(globalThis.huaxiang.storage.get('tagPack')).definitions.map((d) => d.name));
  assert.ok(!stored.includes('慢') && stored.includes('老客'), stored.join());
  let r = await report(page);
  assert.equal(count(r, '慢'), undefined, 'not evaluated');
  assert.equal(count(r, '老客'), before, 'earlier tags unchanged');

  await page.click('#quarantine li[data-name="慢"] button.release');
  await page.waitForFunction(() => !document.querySelector('#quarantine'));
  r = await report(page);
  assert.ok(count(r, '慢') > 0, 'put back and evaluated');
  s.assertClean();
});

test('a page that died while evaluating sets the new rule aside when it is opened again', async () => {
  const page = await s.open();
  await openTags(page);
  await page.evaluate(async () => {
    globalThis.huaxiang.storage.set('tagPack', JSON.stringify({
      format: 'huaxiang-tag-pack', version: 1,
      definitions: [{ kind: 'tag', name: '新规则', rule: 'frequency >= 3' }],
    }));
    localStorage.setItem('hx.evaluating', '1');
    await globalThis.huaxiang.storage.flushed();
  });
  await page.reload();
  await page.waitForSelector('#quarantine li[data-name="新规则"]');
  await openTags(page);
  assert.equal(count(await report(page), '新规则'), undefined);
  s.assertClean();
});
