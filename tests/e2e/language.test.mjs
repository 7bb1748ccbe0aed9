// Issue 14: every view in each language. With the sample data loaded and a tag, an audience and a member open, the
// test walks Data, Dashboard, Members, Member 360, Tags and Audiences in Chinese and in English and reads every
// visible text node outside the user's own data (table data cells, names marked `data-user`, rule text, inputs).
// In English no CJK character may appear; in Chinese no English word but those of an allowlist (RFM, CSV, ID …).
// Switching back and forth is live: the progress bar follows the language too.
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

/** Words that stay in Latin letters in the Chinese UI: names of formats, standards, products and measures. */
const ALLOW = new Set(`Ctrl RFM R F M CLV ID IDs OneID UnionID OpenID TGI CSV TSV TXT XLSX XLSM JSON JSONL SQL DuckDB ClickHouse Spark
UTF BOM GBK GB A B Q K KiB MiB GiB B k BG NBD Gamma Z k-means Jaccard MD SHA Excel English E Gamma-Gamma`.split(/\s+/));

const VIEWS = ['data', 'dashboard', 'members', 'member', 'tags', 'audiences', 'models'];

/** The visible UI text of the page that is not the user's data. */
function uiText() {
  const skip = (el) => el.closest('td, [data-user], [lang]:not(html), code, pre, textarea, .rule-editor, .rule-input, .file-card .mapping, [data-file], .message .data, .aud-picker, #tag-table, #aud-list');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const text = n.textContent.trim();
    if (!text || !el || skip(el) || el.closest('[hidden]') || !el.checkVisibility?.()) continue;
    if (el.closest('select') && !el.closest('option')) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll('input[placeholder]')) if (el.checkVisibility?.()) out.push(el.placeholder);
  return out;
}

async function walk(page, lang) {
  const problems = [];
  for (const view of VIEWS) {
    await page.click(`nav [data-view="${view}"]`);
    await page.waitForTimeout(200);
    if (view === 'dashboard') await page.waitForSelector('#dash-more[data-ready="true"]');
    for (const text of await page.evaluate(uiText)) {
      if (lang === 'en' && /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/.test(text)) problems.push(`${view}: ${text}`);
      if (lang === 'zh') {
        const words = text.match(/[A-Za-z][A-Za-z-]*/g) ?? [];
        const bad = words.filter((w) => !ALLOW.has(w) && !/^[RFM]\d$/.test(w) && !/^(R|F|M)$/.test(w));
        if (bad.length) problems.push(`${view}: ${text} [${bad.join(' ')}]`);
      }
    }
  }
  return problems;
}

test('every view reads in one language, and switching is live', async () => {
  const page = await s.open();
  await page.click('#sample-button');
  await page.waitForSelector('#progress[data-state="done"]');
  assert.equal((await page.textContent('#progress-text')).trim(), '完成');
  // Something in each view: an example tag pack, an audience expression, a member.
  await page.click('nav [data-view="tags"]');
  await page.click('#tag-examples');
  await page.waitForSelector('#tag-table tr[data-tag]');
  await page.click('nav [data-view="audiences"]');
  await page.evaluate(() => globalThis.huaxiang.openAudience('rfm.segment11 == "Champions"'));
  await page.waitForFunction(() => document.querySelector('#aud-count').dataset.count !== '');
  const id = await page.evaluate(async () => (await globalThis.huaxiang.engine.call('memberPage', { offset: 0, limit: 1, sort: 'monetary', desc: true })).rows[0].id);
  await page.evaluate((m) => globalThis.huaxiang.openMember(m), id);
  await page.waitForSelector('#member-body[data-member]');

  const zh = await walk(page, 'zh');
  await page.click('#lang-toggle');
  assert.equal((await page.textContent('#progress-text')).trim(), 'Done', 'the progress bar follows the language');
  const en = await walk(page, 'en');
  assert.deepEqual(en, [], 'Chinese text in the English UI');
  assert.deepEqual(zh, [], 'English words in the Chinese UI');
  // Built-in values are named in the language chosen: the 11-segment value reads in Chinese after switching back.
  await page.click('#lang-toggle');
  await page.click('nav [data-view="member"]');
  assert.match(await page.textContent('[data-fact="stage"]'), /生命周期/);
  s.assertClean();
});
