// Issue 12's front-end plumbing in the browser: the core's vocabulary (metric labels in both languages, rule
// keywords, roles) reaches the page in the worker's `init` reply and is what the page shows; every plain method the
// worker dispatches generically (www/js/methods.js) is a method of the built Workspace with that many arguments;
// the app's wasm module exports no benchmark helper; and a catalog change in one view reaches another through the
// app's `catalog` event. No console error, no request off the origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './harness.mjs';

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

test('the core vocabulary reaches the page and is what it shows', async () => {
  const page = await s.open();
  const { fromEngine, onPage } = await page.evaluate(async () => {
    const { vocabulary } = await import('/js/vocabulary.js');
    return { fromEngine: (await globalThis.huaxiang.engine.call('init')).vocabulary, onPage: vocabulary() };
  });
  assert.deepEqual(onPage, fromEngine, 'the page holds the engine vocabulary as sent');
  const recency = fromEngine.metrics.find((m) => m.key === 'recency');
  assert.deepEqual([recency.zh, recency.en, recency.type], ['最近消费天数', 'Days since last purchase', 'num']);
  assert.ok(fromEngine.metrics.every((m) => m.zh && m.en), 'every metric has both labels');
  for (const word of ['tag', 'between', 'within', 'did']) assert.ok(fromEngine.keywords.includes(word), word);
  assert.ok(fromEngine.durationUnits.includes('天'));
  assert.ok(fromEngine.roles.some((r) => r.role === 'member_id' && r.kinds.includes('members')));
  assert.deepEqual(fromEngine.fileKinds.map((k) => k.key), ['members', 'orders', 'events', 'identity']);

  // Labels on the page are the core's, in both languages.
  const sortLabel = () => page.textContent('#member-sort option[value="recency"]');
  assert.equal(await sortLabel(), recency.zh);
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"]');
  await page.click('#builder summary');
  assert.equal(await page.textContent('.builder-row[data-row="0"] .b-field option[value="m:recency"]'), `${recency.zh} · recency`);
  await page.click('#lang-toggle');
  assert.equal(await sortLabel(), recency.en);
  assert.equal(await page.textContent('.builder-row[data-row="0"] .b-field option[value="m:recency"]'), `${recency.en} · recency`);
  await page.click('#lang-toggle');

  // The editor colours the engine's keywords and duration units.
  await page.fill('#rule-input', 'recency between 1 and 30 or did(events, last 7天)');
  const tokens = await page.$$eval('.rule-highlight .tok', (l) => l.map((x) => [x.textContent, x.className]));
  const kind = (text) => tokens.find(([t]) => t === text)?.[1] ?? '';
  assert.match(kind('between'), /keyword/);
  assert.match(kind('did'), /keyword/);
  assert.match(kind('7天'), /duration/);
  s.assertClean();
});

test('the worker method table matches the built Workspace; the app module exports no benchmark helper', async () => {
  const page = await s.open();
  const found = await page.evaluate(async () => {
    const pkg = await import('/pkg/huaxiang.js');
    const { METHODS, parameters } = await import('/js/methods.js');
    const proto = pkg.Workspace.prototype;
    return {
      exports: Object.keys(pkg),
      members: Object.getOwnPropertyNames(proto),
      methods: Object.keys(METHODS).map((name) => ({ name, declared: parameters(name).length, actual: typeof proto[name] === 'function' ? proto[name].length : -1 })),
    };
  });
  assert.ok(found.exports.includes('Workspace') && found.exports.includes('vocabulary'));
  assert.deepEqual(found.exports.filter((name) => /^bench/i.test(name)), [], 'pkg/huaxiang.js exports no bench* function');
  assert.ok(!found.members.includes('loadSynthetic'), 'the app Workspace has no loadSynthetic');
  assert.ok(found.methods.length >= 30);
  for (const m of found.methods) assert.equal(m.actual, m.declared, `Workspace.${m.name}: declared with ${m.declared} arguments`);

  // An unknown method is refused by name; a plain one answers through the generic dispatch.
  const unknown = await page.evaluate(() => globalThis.huaxiang.engine.call('noSuchMethod').catch((e) => e.code));
  assert.equal(unknown, 'unknown_method');
  assert.ok(Array.isArray(await page.evaluate(() => globalThis.huaxiang.engine.call('files'))));
  s.assertClean();
});

test('an audience saved in the Audiences view reaches the Tags view through the app', async () => {
  const page = await s.open();
  await page.click('nav [data-view="data"]');
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  // The Tags view is drawn (so nothing is pending) before the change is made elsewhere.
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"] #tag-table tbody tr[data-builtin="true"]');
  const heard = page.evaluate(() => new Promise((resolve) => globalThis.huaxiang.on('catalog', ({ pack }) => resolve(JSON.parse(pack).definitions.map((d) => d.name)))));
  await page.click('nav [data-view="audiences"]');
  await page.waitForSelector('body[data-audiences="ready"]');
  await page.fill('#aud-input', 'monetary > 300');
  await page.fill('#aud-name', '管道测试');
  await page.click('#aud-save');
  await page.waitForSelector('#aud-list tbody tr[data-audience="管道测试"]');
  assert.ok((await heard).includes('管道测试'), 'the catalog event carries the new pack');
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('#tag-table tbody tr[data-tag="管道测试"]');
  s.assertClean();
});
