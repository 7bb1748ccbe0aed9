// Embedding (issue 14): www/embed-example.html, a mock admin console under a strict CSP (no inline script or
// style, no eval), drives <hx-profiler> through its ES-module API: it loads files by URL, adds a rule and counts an
// audience, receiving `load` and `count` events; the element hides personal columns (`hide-pii`), offers no export
// (`no-export`), keeps its styles to itself and switches language by its `lang` attribute.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture, launch } from './harness.mjs';

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

test('the embed example loads data through the API, receives a count event, and hides PII', async () => {
  const page = await s.context.newPage();
  await page.goto(new URL('embed-example.html', s.url).href);
  await page.waitForSelector('hx-profiler[data-engine="ready"]');
  // The host listens like any admin page would.
  await page.evaluate(() => {
    window.events = [];
    const el = document.getElementById('profiler');
    for (const name of ['load', 'count', 'error']) el.addEventListener(name, (e) => window.events.push({ name, detail: e.detail }));
  });
  await page.click('#load-demo');
  await page.waitForSelector('hx-profiler table.members tbody tr');
  await page.waitForFunction(() => window.events.some((e) => e.name === 'load'));
  const load = await page.evaluate(() => window.events.find((e) => e.name === 'load').detail);
  assert.deepEqual(load.files.map((f) => f.name), ['members.csv', 'orders.csv']);
  assert.ok(load.summary.buyers > 0);

  await page.waitForFunction(() => document.getElementById('profiler').engine !== null);
  await page.click('#count-repeat');
  await page.waitForSelector('body[data-last-count]');
  const count = await page.evaluate(() => window.events.find((e) => e.name === 'count').detail);
  assert.equal(count.expr, '复购会员');
  // The rule's count against the RFM table's frequencies (another path through the engine).
  const all = await page.evaluate(() => document.getElementById('profiler').members({ limit: 1000 }));
  assert.equal(count.count, all.rows.filter((r) => r.frequency >= 2).length);
  assert.ok(count.count > 0 && count.count < all.total);
  assert.equal(await page.getAttribute('hx-profiler output', 'data-count'), String(count.count));

  // Typing an expression in the element counts too.
  await page.fill('hx-profiler input.expr', 'frequency >= 1');
  await page.click('hx-profiler form.audience button[type="submit"]');
  await page.waitForFunction(() => window.events.filter((e) => e.name === 'count').length === 2);
  assert.equal(await page.evaluate(() => window.events.at(-1).detail.count), load.summary.buyers);

  // PII hidden: no name column, no name anywhere in the element, none through the API; no export.
  const names = readFileSync(fixture('members_small.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
  const text = await page.evaluate(() => document.getElementById('profiler').shadowRoot.textContent);
  assert.deepEqual(names.filter((n) => text.includes(n)), []);
  assert.ok(!(await page.$$eval('hx-profiler table.members th', (l) => l.map((x) => x.textContent))).includes('姓名'));
  assert.ok(all.rows.every((r) => !('name' in r)) && all.rows.some((r) => r.id));
  assert.equal(await page.$('hx-profiler button.export'), null);
  const refused = await page.evaluate(() => document.getElementById('profiler').exportAudience('frequency >= 1').then(() => null, (e) => e.code));
  assert.equal(refused, 'export_disabled');

  // Styles stay inside: the host's `table { border: 3px solid red }` does not reach the element's tables.
  assert.equal(await page.$eval('hx-profiler table.members', (t) => getComputedStyle(t).borderTopWidth), '0px');
  assert.equal(await page.$eval('hx-profiler', (el) => el.shadowRoot.querySelector('.hx') !== null && document.querySelector('.hx') === null), true);

  // The language attribute switches the element's words.
  await page.evaluate(() => document.getElementById('profiler').setAttribute('lang', 'en'));
  assert.equal(await page.textContent('hx-profiler header strong'), 'Member profile');
  assert.ok((await page.textContent('hx-profiler table.segments')).length > 0);
  s.assertClean();
});

test('without hide-pii the names show, and files load as File objects too', async () => {
  const page = await s.context.newPage();
  await page.goto(new URL('embed-example.html', s.url).href);
  await page.waitForSelector('hx-profiler[data-engine="ready"]');
  const members = readFileSync(fixture('members_small.csv'), 'utf8');
  const orders = readFileSync(fixture('rfm_small.csv'), 'utf8');
  const rows = await page.evaluate(async ([m, o]) => {
    const el = document.getElementById('profiler');
    el.removeAttribute('hide-pii');
    await el.load([new File([m], 'm.csv'), { file: new File([o], 'o.csv'), kind: 'orders' }]);
    return (await el.members({ limit: 3 })).rows;
  }, [members, orders]);
  assert.ok(rows.every((r) => typeof r.name === 'string' && r.name.length > 0));
  assert.ok((await page.$$eval('hx-profiler table.members th', (l) => l.map((x) => x.textContent))).includes('姓名'));
  s.assertClean();
});
