// Issue 14: the Dashboard (总览) on the sample data. Every figure on the page is the engine's (the dashboard DTO,
// itself checked against an independent count in tests/native/dashboard.rs), the R × F grid adds up to the buyers
// of the computation, and clicking a grid cell, a cohort cell, a lifecycle stage or a headline figure opens the
// audience builder on an expression whose live count is the figure clicked. Numbers read in 万 in Chinese.
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

async function loadSample(page) {
  await page.click('nav [data-view="data"]');
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
}

/** Clicks `selector` and returns the live count the audience builder shows for the expression it opened. */
async function countAfterClick(page, selector) {
  const expr = await page.getAttribute(selector, 'data-audience');
  await page.click(selector);
  await page.waitForSelector('#view-audiences:not([hidden])');
  await page.waitForFunction((e) => {
    const c = document.querySelector('#aud-count');
    return globalThis.huaxiang.views.audiences.editor.value === e && c.dataset.state === 'done' && c.dataset.count !== '';
  }, expr);
  const count = Number(await page.getAttribute('#aud-count', 'data-count'));
  await page.click('nav [data-view="dashboard"]');
  await page.waitForSelector('#dash-more[data-ready="true"]');
  return { expr, count };
}

test('the dashboard shows the engine figures and each figure opens its audience with the same count', async () => {
  const page = await s.open();
  await loadSample(page);
  await page.click('nav [data-view="dashboard"]');
  await page.waitForSelector('#dash-more[data-ready="true"]');
  const d = await engine(page, 'dashboard', { periodDays: 30 });
  const summary = await page.evaluate(() => globalThis.huaxiang.summary);

  // The analysis date box shows the date in force (not an empty mm/dd/yyyy).
  assert.equal(await page.inputValue('#as-of'), summary.asOf);
  assert.equal(d.asOf, summary.asOf);

  // Headline figures: the page shows the engine's values.
  for (const k of d.kpis) {
    assert.equal(await page.getAttribute(`[data-dash-kpi="${k.key}"]`, 'data-value'), String(k.value ?? ''), k.key);
  }
  const buyers = d.kpis.find((k) => k.key === 'buyers');
  assert.ok(buyers.value > 0);
  // The grid adds up to the buyers of the computation; every cell shows the engine's count.
  const cells = await page.$$eval('#dash-grid td[data-r] button', (bs) => bs.map((b) => [Number(b.closest('td').dataset.r), Number(b.closest('td').dataset.f), Number(b.dataset.count)]));
  assert.equal(cells.length, 25);
  for (const [r, f, n] of cells) assert.equal(n, d.grid.counts[r - 1][f - 1], `R${r} F${f}`);
  assert.equal(cells.reduce((a, [, , n]) => a + n, 0), summary.buyers);
  // Axis labels carry each score's range of values.
  assert.match(await page.textContent('#dash-grid th[data-score="R5"]'), /\d+(–\d+)? 天/);
  assert.match(await page.textContent('#dash-grid th[data-score="F1"]'), /\d+(–\d+)? 次/);
  // Lifecycle stages and cohorts.
  const stages = await page.$$eval('#dash-lifecycle [data-stage] .num', (xs) => xs.map((x) => Number(x.dataset.count)));
  assert.deepEqual(stages, d.lifecycle.map((b) => b.count));
  assert.equal(stages.reduce((a, b) => a + b, 0), summary.members);
  const cohortCells = await page.$$eval('#dash-cohorts tbody button', (bs) => bs.map((b) => Number(b.dataset.count)));
  assert.deepEqual(cohortCells, d.cohorts.flatMap((c) => c.cells));
  // Trend chart drawn; the month table has twelve months.
  await page.waitForSelector('#dash-trend[data-rendered="true"] canvas');
  assert.equal(await page.$$eval('#dash-trend-table tbody tr', (rs) => rs.length), 12);
  // Numbers in 万 in Chinese: the revenue of the year is well above ten thousand yuan.
  assert.match(await page.textContent('#dash-trend-table tbody tr:last-child'), /万|¥\d/);
  assert.match(await page.textContent('[data-dash-kpi="revenue"] .kpi-value'), /^¥[\d.]+万?$/);

  // Clicks open the matching audience with the figure's count.
  const busiest = cells.reduce((a, b) => (b[2] > a[2] ? b : a));
  const grid = await countAfterClick(page, `#dash-grid td[data-r="${busiest[0]}"][data-f="${busiest[1]}"] button`);
  assert.equal(grid.count, busiest[2]);
  assert.equal(grid.expr, `rfm.r == ${busiest[0]} and rfm.f == ${busiest[1]}`);
  const active = d.lifecycle.find((b) => b.key === 'active');
  assert.equal((await countAfterClick(page, '#dash-lifecycle [data-stage="active"] button')).count, active.count);
  const cohort = d.cohorts.find((c) => c.cells.length > 1 && c.cells[1] > 0);
  const k = d.cohorts.indexOf(cohort);
  assert.equal((await countAfterClick(page, `#dash-cohorts tbody tr:nth-child(${k + 1}) button >> nth=1`)).count, cohort.cells[1]);
  assert.equal((await countAfterClick(page, '[data-dash-kpi="buyers"]')).count, buyers.audienceCount);
  assert.equal((await countAfterClick(page, '#segment-table tbody tr:first-child button')).count, summary.segments[0].count);

  // By keyboard: arrow keys move between the tabs, focus is visible, Enter on a grid cell opens its audience.
  await page.focus('nav [data-view="dashboard"]');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('#view-members:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'members');
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('#dash-more[data-ready="true"]');
  const cell = `#dash-grid td[data-r="${busiest[0]}"][data-f="${busiest[1]}"] button`;
  await page.focus(cell);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  assert.notEqual(await page.$eval(cell, (b) => getComputedStyle(b).outlineStyle), 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  await page.waitForFunction((e) => globalThis.huaxiang.views.audiences.editor.value === e, grid.expr);
  s.assertClean();
});
