// The workspace that survives (issue 14): rules and the rest kept in IndexedDB across a reload, moved there from
// the localStorage of earlier versions, exported to one file and imported in another browser profile; the opt-in
// data snapshot in the Origin Private File System restoring the data after a reload without the files; and
// "forget everything" leaving every storage of the origin empty.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture, launch, loadAll, pickFiles, segmentCounts } from './harness.mjs';

let s;
before(async () => {
  s = await launch({ downloads: true });
});
after(async () => {
  await s?.close();
});

const engine = (page, method, args) => page.evaluate(([m, a]) => globalThis.huaxiang.engine.call(m, a), [method, args]);

async function ready(page) {
  await page.reload();
  await page.waitForSelector('body[data-engine="ready"]');
}

/** Everything the origin keeps, as counts: IndexedDB databases, OPFS entries, web storage, caches, workers. */
const storages = (page) => page.evaluate(async () => {
  const opfs = [];
  for await (const name of (await navigator.storage.getDirectory()).keys()) opfs.push(name);
  return {
    indexedDB: (await indexedDB.databases()).map((d) => d.name),
    opfs,
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    caches: await caches.keys(),
    serviceWorkers: (await navigator.serviceWorker.getRegistrations()).length,
  };
});

async function saveRule(page, name, rule) {
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"] #tag-table tbody tr[data-builtin="true"]');
  await page.click('#tag-new');
  await page.fill('#tag-name', name);
  await page.fill('#rule-input', rule);
  await page.waitForSelector('#rule-count[data-state="done"]');
  await page.click('#tag-save');
  await page.waitForSelector(`#tag-table tbody tr[data-tag="${name}"]`);
}

test('a rule edited is found again after a reload, kept in IndexedDB; entries of earlier versions move there', async () => {
  const page = await s.open();
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  await saveRule(page, '复购会员', 'frequency >= 2');
  await page.fill('#rule-input', 'frequency >= 3');
  await page.waitForSelector('#rule-count[data-state="done"]');
  await page.click('#tag-save');
  await page.waitForSelector('#tag-history tbody tr[data-version="2"]');
  await page.evaluate(() => globalThis.huaxiang.storage.flushed());
  assert.equal(await page.evaluate(() => localStorage.getItem('hx.tagPack')), null, 'nothing in localStorage');
  assert.ok((await storages(page)).indexedDB.includes('huaxiang'));

  await ready(page);
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('#tag-table tbody tr[data-tag="复购会员"]');
  assert.equal((await page.textContent('#tag-table tbody tr[data-tag="复购会员"] [data-cell="versions"]')).trim(), '2');
  assert.match(await engine(page, 'rulesText'), /复购会员 = frequency >= 3/);

  // A pack and a mapping kept in localStorage by an earlier version are moved into IndexedDB on start.
  const pack = await page.evaluate(() => globalThis.huaxiang.storage.get('tagPack'));
  await page.evaluate(() => globalThis.huaxiang.storage.forgetEverything());
  await page.evaluate((p) => {
    localStorage.setItem('hx.tagPack', p);
    localStorage.setItem('hx.mapping.会员编号\u0001手机号', JSON.stringify({ kind: 'members', roles: ['member_id', 'phone'] }));
    localStorage.setItem('hx.lang', 'zh');
  }, pack);
  await ready(page);
  await page.evaluate(() => globalThis.huaxiang.storage.flushed());
  assert.match(await engine(page, 'rulesText'), /复购会员 = frequency >= 3/);
  // Only the language stays, and the quarantine's marks (tagstore.js: written synchronously before an evaluation).
  const quarantineMarks = ['hx.evaluating', 'hx.tagPack.good', 'hx.quarantine'];
  assert.deepEqual(await page.evaluate((q) => Object.keys(localStorage).filter((k) => !q.includes(k)), quarantineMarks), ['hx.lang'], 'moved out of localStorage');
  assert.deepEqual(await page.evaluate(() => globalThis.huaxiang.storage.get('mapping:会员编号\u0001手机号')), { kind: 'members', roles: ['member_id', 'phone'] });
  await ready(page);
  assert.match(await engine(page, 'rulesText'), /复购会员 = frequency >= 3/, 'and found there after the next reload');
  s.assertClean();
});

test('a workspace exported to one file is imported in another browser profile', async () => {
  const page = await s.open();
  await saveRule(page, '女性会员', 'gender == "女"');
  await page.fill('#tag-author', '李雷');
  await page.dispatchEvent('#tag-author', 'change');
  await page.evaluate(() => globalThis.huaxiang.storage.flushed());
  await page.click('nav [data-view="data"]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#workspace-export')]);
  const path = await download.path();
  const exported = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(exported.format, 'huaxiang-workspace');
  assert.ok(JSON.parse(exported.entries.tagPack).definitions.some((d) => d.name === '女性会员'));

  const other = await launch();
  try {
    const fresh = await other.open();
    assert.doesNotMatch(await fresh.evaluate(() => globalThis.huaxiang.engine.call('rulesText')), /女性会员/);
    await fresh.setInputFiles('#workspace-import', path);
    await fresh.waitForSelector('#messages .message');
    assert.match(await fresh.evaluate(() => globalThis.huaxiang.engine.call('rulesText')), /女性会员 = gender == "女"/);
    assert.equal(await fresh.evaluate(() => globalThis.huaxiang.storage.get('author')), '李雷');
    await fresh.reload();
    await fresh.waitForSelector('body[data-engine="ready"]');
    await fresh.click('nav [data-view="tags"]');
    await fresh.waitForSelector('#tag-table tbody tr[data-tag="女性会员"]');
    other.assertClean();
  } finally {
    await other.close();
  }
  s.assertClean();
});

test('the opt-in data snapshot restores the data after a reload without the files; forget everything empties every storage', async () => {
  const page = await s.open();
  await page.evaluate(() => globalThis.huaxiang.storage.forgetEverything());
  await ready(page);
  await page.check('#snapshot-keep');
  await pickFiles(page, [fixture('members_small.csv'), fixture('rfm_small.csv')]);
  await loadAll(page);
  const snapshotFile = () => page.evaluate(async () => {
    try {
      return (await (await (await navigator.storage.getDirectory()).getFileHandle('workspace.hxsnap')).getFile()).size;
    } catch {
      return 0;
    }
  });
  await page.waitForFunction(async () => {
    try {
      return (await (await (await navigator.storage.getDirectory()).getFileHandle('workspace.hxsnap')).getFile()).size > 0;
    } catch {
      return false;
    }
  });
  assert.ok((await snapshotFile()) > 100);
  await page.click('nav [data-view="dashboard"]');
  const segments = await segmentCounts(page);
  const summary = await page.evaluate(() => globalThis.huaxiang.summary);
  const rfm = await engine(page, 'memberPage', { offset: 0, limit: 50, sort: 'monetary', desc: true });
  assert.ok(summary.members > 0 && Object.values(segments).some((n) => n > 0));

  await ready(page);
  await page.waitForSelector('body[data-snapshot="restored"]');
  assert.deepEqual(await page.evaluate(() => globalThis.huaxiang.loaded.map((f) => Boolean(f.snapshot))), [true], 'no file was read');
  const restored = await page.evaluate(() => globalThis.huaxiang.summary);
  delete summary.memory;
  delete restored.memory;
  assert.deepEqual(restored, summary);
  assert.deepEqual(await engine(page, 'memberPage', { offset: 0, limit: 50, sort: 'monetary', desc: true }), rfm);
  await page.click('nav [data-view="dashboard"]');
  assert.deepEqual(await segmentCounts(page), segments);
  await page.click('nav [data-view="data"]');
  assert.ok(await page.isChecked('#snapshot-keep'));

  // Forget everything: every storage of the origin is empty after, the engine holds nothing.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.evaluate(() => sessionStorage.setItem('x', '1'));
  const full = await storages(page);
  assert.ok(full.indexedDB.length && full.opfs.length && full.caches.length && full.serviceWorkers && full.sessionStorage.length, JSON.stringify(full));
  page.once('dialog', (d) => d.accept());
  await page.click('#forget-button');
  await page.waitForSelector('body[data-forgotten]');
  assert.deepEqual(await storages(page), { indexedDB: [], opfs: [], localStorage: [], sessionStorage: [], caches: [], serviceWorkers: 0 });
  assert.equal(await page.evaluate(() => globalThis.huaxiang.summary), null);
  assert.equal((await engine(page, 'files')).length, 0);
  assert.equal(await page.isChecked('#snapshot-keep'), false);
  s.assertClean();
});
