// Issue 14: Member 360 (单客画像). A sample member is found by their phone number (OneID joins it to the member
// card), the page shows the order and behaviour timelines the engine has for them, personal data masked until
// revealed; a member id in the Members list opens the same page, and a saved audience the member is in is listed.
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

const engine = (page, method, args) => page.evaluate(([m, a]) => globalThis.huaxiang.engine.call(m, a), [method, args]);

test('Member 360 finds a member by phone and shows their timelines', async () => {
  const page = await s.open();
  await page.click('nav [data-view="member"]');
  assert.equal(await page.isVisible('#member-nodata'), true, 'the empty state says to load data first');
  await page.click('#member-nodata [data-go="data"]');
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');

  // A buyer with events: the first member of the Members list sorted by spend.
  await page.click('nav [data-view="members"]');
  await page.waitForSelector('#member-table tbody tr [data-member-link]');
  const id = await page.getAttribute('#member-table tbody tr:first-child [data-member-link]', 'data-member-link');
  const open = await engine(page, 'memberProfile', { query: id, mask: false, limit: 100 });
  const phone = open.attributes.find((a) => a.role === 'phone').value;
  assert.match(phone, /^1\d{10}$/);
  assert.ok(open.orderTotal > 0);

  await page.click('nav [data-view="member"]');
  await page.fill('#member-query', phone);
  await page.press('#member-query', 'Enter');
  await page.waitForSelector(`#member-body[data-member="${id}"]`);
  assert.equal(await page.$$eval('#member-orders tbody tr', (rs) => rs.length), Math.min(100, open.orderTotal));
  assert.equal(await page.$$eval('#member-events tbody tr', (rs) => rs.length), Math.min(100, open.eventTotal));
  assert.equal(await page.textContent('#member-orders tbody tr:first-child td:first-child'), open.orders[0].time);
  // Masked by default; revealed on request.
  const attrs = await page.textContent('#member-attrs');
  assert.ok(!attrs.includes(phone), 'the phone is masked');
  assert.match(attrs, /\d{3}\*{4}\d{4}/);
  await page.click('#member-reveal');
  await page.waitForFunction((p) => document.querySelector('#member-attrs')?.textContent.includes(p), phone);
  assert.match(await page.textContent('[data-fact="stage"]'), /生命周期/);

  // From a member list: the Members table's id opens the same page.
  await page.click('nav [data-view="members"]');
  const second = await page.getAttribute('#member-table tbody tr:nth-child(2) [data-member-link]', 'data-member-link');
  await page.click('#member-table tbody tr:nth-child(2) [data-member-link]');
  await page.waitForSelector(`#view-member:not([hidden]) #member-body[data-member="${second}"]`);

  // A saved audience the member belongs to is listed.
  await engine(page, 'saveTag', { edit: { kind: 'audience', name: '高消费会员', rule: 'monetary > 0' }, at: new Date().toISOString(), author: '' });
  await page.click('#member-find');
  await page.waitForSelector('#member-audiences [data-audience="高消费会员"]');
  s.assertClean();
});
