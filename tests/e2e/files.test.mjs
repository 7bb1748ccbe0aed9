// Issues 2 and 3 in the browser: GBK with Chinese headers, members joined to orders, malformed rows reported with
// their lines, a member XLSX + GBK orders + an events file whose id column the user maps by hand, the quality report,
// OneID figures, and the mapping remembered for the next upload of the same header.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fact, fixture, launch, loadAll, pickFiles } from './harness.mjs';

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

test('GBK orders and a member file: members joined, malformed rows listed with line and column', async () => {
  const page = await s.open();
  await pickFiles(page, [fixture('rfm_small_gbk.csv'), fixture('members_small.csv')]);
  assert.match(await page.textContent('.file-card[data-file="rfm_small_gbk.csv"] header'), /GBK/);
  await loadAll(page);
  assert.equal(await fact(page, 'members-without-orders', '#quality-overall'), '1');
  const card = '.file-quality[data-file="rfm_small_gbk.csv"]';
  assert.equal(await fact(page, 'rows-read', card), '29');
  assert.equal(await fact(page, 'rows-skipped', card), '2');
  const problems = await page.$$eval(`${card} table.problems tbody tr`, (rows) => rows.map((r) => [...r.cells].slice(0, 3).map((c) => c.textContent)));
  assert.deepEqual(problems, [['29', '实付金额', 'abc'], ['30', '下单时间', 'not-a-date']]);
  await page.click('nav [data-view="dashboard"]');
  assert.equal((await page.textContent('[data-kpi="members"] .kpi-value')).trim(), '11');
  await page.click('nav [data-view="members"]');
  await page.selectOption('#member-sort', 'id');
  await page.uncheck('#member-desc');
  await page.waitForSelector('#member-table tr[data-member="00101"]');
  const first = await page.$eval('#member-table tr[data-member="00101"]', (r) => [r.cells[0].textContent, r.cells[1].textContent]);
  assert.deepEqual(first, ['00101', '张伟']);
  s.assertClean();
});

test('member XLSX + GBK orders + events with a hand-mapped id column + identity file', async () => {
  const page = await s.open();
  const files = ['oneid/members.xlsx', 'oneid/orders_gbk.csv', 'oneid/events_ambiguous.csv', 'oneid/identity.csv'].map((f) => fixture(f));
  await pickFiles(page, files);
  const events = '.file-card[data-file="events_ambiguous.csv"]';
  // "用户标识" is not a known header and its values could be anything: the card says which column is missing.
  await page.waitForSelector(`${events} .preview-error`);
  assert.equal(await page.$eval(`${events} .load-one`, (b) => b.disabled), true);
  assert.equal(await page.$eval(`${events} .role-select[data-column="0"]`, (el) => el.value), '');
  await page.selectOption(`${events} .role-select[data-column="0"]`, 'device_id');
  await page.waitForFunction((sel) => !document.querySelector(`${sel} .preview-error`), events);
  assert.equal(await page.$eval(`${events} .role-select[data-column="0"]`, (el) => el.value), 'device_id');
  await loadAll(page);

  assert.equal(await fact(page, 'rows-read', '#quality-overall'), '17');
  assert.equal(await fact(page, 'rows-skipped', '#quality-overall'), '2');
  assert.equal(await fact(page, 'event-only', '#quality-overall'), '1');
  assert.equal(await fact(page, 'buyers-without-member', '#quality-overall'), '1');
  const orders = '.file-quality[data-file="orders_gbk.csv"]';
  assert.equal(await fact(page, 'rows-skipped', orders), '2');
  const lines = await page.$$eval(`${orders} table.problems tbody tr`, (rows) => rows.map((r) => r.cells[0].textContent));
  assert.deepEqual(lines, ['6', '7']);
  assert.equal(await fact(page, 'rows-loaded', '.file-quality[data-file="events_ambiguous.csv"]'), '4');
  assert.match(await page.textContent('.identity-count'), /13\D+7/);
  const conflict = await page.textContent('.conflicts li');
  assert.match(conflict, /13800138001/);
  assert.match(conflict, /C101/);
  assert.match(conflict, /C105/);

  // The same header again: the hand-made mapping comes back.
  await pickFiles(page, [fixture('oneid/events_ambiguous.csv')]);
  assert.equal(await page.$eval(`${events} .role-select[data-column="0"]`, (el) => el.value), 'device_id');
  assert.ok(await page.$(`${events} .note`));
  s.assertClean();
});

test('a people-joining rule change relinks without reading files again', async () => {
  const page = await s.open();
  await pickFiles(page, ['oneid/members.xlsx', 'oneid/orders_gbk.csv', 'oneid/events.csv', 'oneid/identity.csv'].map((f) => fixture(f)));
  await loadAll(page);
  assert.match(await page.textContent('.identity-count'), /13\D+7/);
  await page.uncheck('.link-kind[value="phone"]');
  await page.click('#apply-rule');
  await page.waitForFunction(() => !/13\D+7/.test(document.querySelector('.identity-count').textContent));
  assert.equal(await page.$('.conflicts'), null, 'no conflict once phones do not join people');
  s.assertClean();
});
