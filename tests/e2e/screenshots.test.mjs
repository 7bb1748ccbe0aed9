// Issue 14: the README's screenshots, made by the test suite in headless Chromium on a 1280-pixel-wide laptop
// screen: the Dashboard, Member 360, the tag editor and the audience portrait over the sample data, in Chinese.
// Each is written to docs/screenshots/*.png, so they always show the current UI. The test also checks that no view
// is wider than the screen (usable at 1280 px).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, root } from './harness.mjs';

const OUT = join(root, 'docs', 'screenshots');
let s;
before(async () => {
  s = await launch();
  mkdirSync(OUT, { recursive: true });
});
after(async () => {
  await s?.close();
});

async function shoot(page, name) {
  await page.waitForTimeout(300); // charts settle after their first frame
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 1280, `${name}: the page is ${wide} px wide`);
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
}

test('screenshots of the main views at 1280 px', async () => {
  const page = await s.open();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  await page.click('nav [data-view="tags"]');
  await page.click('#tag-examples');
  await page.waitForSelector('#tag-table tr[data-tag]');
  await page.evaluate(() => document.querySelector('#messages').replaceChildren());

  await page.click('nav [data-view="dashboard"]');
  await page.waitForSelector('#dash-more[data-ready="true"]');
  await page.waitForSelector('#dash-trend[data-rendered="true"] canvas');
  await page.evaluate(() => document.querySelector('#dash-more h2').scrollIntoView());
  await shoot(page, 'dashboard');

  const id = await page.evaluate(async () => (await globalThis.huaxiang.engine.call('memberPage', { offset: 0, limit: 1, sort: 'frequency', desc: true })).rows[0].id);
  await page.evaluate((m) => globalThis.huaxiang.openMember(m), id);
  await page.waitForSelector(`#member-body[data-member="${id}"]`);
  await shoot(page, 'member');

  await page.click('nav [data-view="tags"]');
  const tag = await page.getAttribute('#tag-table tr[data-builtin="false"]', 'data-tag');
  await page.click(`#tag-table tr[data-tag="${tag}"] button.link`);
  await page.waitForSelector('#rule-count:not(:empty)');
  await shoot(page, 'tag-editor');

  await page.click('nav [data-view="audiences"]');
  await page.evaluate(() => globalThis.huaxiang.openAudience('rfm.segment == "重要价值客户" and lifecycle == "活跃"'));
  await page.waitForFunction(() => document.querySelector('#aud-count').dataset.count !== '');
  await page.click('#view-audiences .subtabs [data-panel="portrait"]');
  await page.click('#aud-portrait-run');
  await page.waitForSelector('#aud-portrait-body[data-state="done"]');
  await page.evaluate(() => document.querySelector('#aud-portrait-body').scrollIntoView());
  await shoot(page, 'audience-portrait');
  s.assertClean();
});
