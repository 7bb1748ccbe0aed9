// Issue 2: a CSV in through the file input, the progress bar finishes, the charts and the segment table show the
// hand-checked counts, the console stays clean and no request leaves the origin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, launch, loadAll, pickFiles, segmentCounts, fact } from './harness.mjs';

// Hand-checked in tests/native/rfm.rs: the RFM segments of tests/fixtures/rfm_small.csv as of 2025-07-01.
const EXPECTED = {
  important_value: 1, important_develop: 1, important_retain: 1, important_win_back: 1,
  general_value: 2, general_develop: 0, general_retain: 2, general_win_back: 2,
};

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  await s?.close();
});

test('a UTF-8 order file loads and shows the hand-checked RFM segments', async () => {
  const page = await s.open();
  await pickFiles(page, [fixture('rfm_small.csv')]);
  const kind = await page.$eval('.file-card .kind-select', (el) => el.value);
  assert.equal(kind, 'orders');
  await loadAll(page);
  await page.click('nav [data-view="dashboard"]');
  assert.deepEqual(await segmentCounts(page), EXPECTED);
  assert.equal((await page.textContent('[data-kpi="buyers"] .kpi-value')).trim(), '10');
  assert.equal((await page.textContent('[data-kpi="as-of"] .kpi-value')).trim(), '2025-07-01');
  // Both charts drew a canvas, and ECharts' own text description carries the counts it drew.
  for (const id of ['#segment-chart', '#dash-trend']) {
    await page.waitForSelector(`${id}[data-rendered="true"] canvas`);
    const size = await page.$eval(`${id} canvas`, (c) => c.width * c.height);
    assert.ok(size > 0, `${id} canvas has a size`);
  }
  const label = await page.getAttribute('#segment-chart', 'aria-label');
  assert.match(label, /重要价值客户.*1/);
  assert.match(label, /一般挽留客户.*2/);
  s.assertClean();
});
