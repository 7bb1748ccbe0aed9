// `make bench`, catalog part (issue 19): a catalog of 2,000 tags in the app. Loads the sample data, opens the Tags
// view, imports a generated rules file of 2,000 tags (chains of ten tags each reading the one before, and many
// near-duplicates) through the view's own import button, then scrolls the catalog end to end, opens ten tags (their
// lineage is drawn) and filters the list. Prints the import time as the page sees it, the longest main-thread task
// while the Tags view is open (PerformanceObserver 'longtask'; target: none over 200 ms), the page's DOM node count
// (target < 20,000), the page's JavaScript heap, the engine's wasm memory and the resident memory of the browser's
// processes. HUAXIANG_BENCH_CATALOG_TAGS (default 2000) and HUAXIANG_BENCH_CATALOG_MEMBERS (default 2000, the sample
// data's size) change the sizes. Results go to results/bench-catalog.json (git-ignored).
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../tools/serve.mjs';
import { descendantsRss } from './proc-memory.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const num = (name, fallback) => Number(String(process.env[name] ?? fallback).replace(/_/g, ''));
const tags = num('HUAXIANG_BENCH_CATALOG_TAGS', 2000);
const members = num('HUAXIANG_BENCH_CATALOG_MEMBERS', 2000);

/** The generated rules file: chains of ten (each tag reads the one before), in 25 groups, with near-duplicates. */
function rules(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const group = `组${i % 25}`;
    const k = i % 10;
    if (k === 0) out.push(`# 第 ${i / 10} 条链的起点 / start of chain ${i / 10}\ntag 标签${i} in ${group} = frequency >= ${1 + ((i / 10) % 4)}`);
    else if (k <= 6) out.push(`tag 标签${i} in ${group} = 标签${i - 1} and monetary >= ${(i % 7) * 50}`);
    else out.push(`tag 标签${i} in ${group} = 标签${i - 1} or count(orders where category == "美妆") >= ${2 + (i % 3)}`);
  }
  return `${out.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'hx-bench-catalog-'));
const file = join(dir, 'catalog.rules');
writeFileSync(file, rules(tags));
const { server, url } = await startServer(join(root, 'dist'));
const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: process.env.HUAXIANG_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
});
let result;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
  page.setDefaultTimeout(0);
  await page.goto(url);
  await page.waitForSelector('body[data-engine="ready"]');
  await page.evaluate(async (n) => {
    await globalThis.huaxiang.engine.call('loadSample', { members: n });
    globalThis.huaxiang.loaded.push({ sample: true });
    await globalThis.huaxiang.compute();
  }, members);
  await page.click('nav [data-view="tags"]');
  await page.waitForSelector('body[data-tags="ready"]');
  // Every main-thread task over 50 ms from here on (the Tags view is open until the end).
  await page.evaluate(() => {
    globalThis.longTasks = [];
    globalThis.phase = 'import';
    new PerformanceObserver((list) => globalThis.longTasks.push(...list.getEntries().map((e) => ({ ms: e.duration, phase: globalThis.phase })))).observe({ type: 'longtask' });
  });
  const rssBefore = descendantsRss();
  const t0 = Date.now();
  await page.setInputFiles('#tag-import', file);
  await page.waitForFunction((n) => Number(document.getElementById('tag-table').dataset.rows) >= n, tags);
  const importMs = Date.now() - t0;
  const phase = (name) => page.evaluate((n) => {
    globalThis.phase = n;
  }, name);
  await page.waitForTimeout(500);
  await phase('scroll');
  // Scroll the catalog from top to bottom, open ten tags along a chain (lineage is drawn), filter the list.
  const box = await page.$('#tag-table');
  const scrollHeight = await box.evaluate((t) => t.parentElement.scrollHeight);
  for (let y = 0; y <= scrollHeight; y += 400) {
    await box.evaluate((t, top) => {
      t.parentElement.scrollTop = top;
    }, y);
    await page.waitForTimeout(16);
  }
  await phase('open');
  for (let i = 0; i < 10; i++) {
    const name = `标签${i * 197 + 5}`;
    await page.fill('#tag-filter', name);
    await page.click(`#tag-table tbody tr[data-tag="${name}"] button.link`);
    await page.waitForFunction((n) => document.getElementById('tag-editor-title').textContent.includes(n) && document.querySelector('#lineage-list li'), name);
  }
  await phase('filter');
  await page.fill('#tag-filter', '标签1');
  await page.fill('#tag-filter', '');
  await page.waitForTimeout(500);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const page_ = await page.evaluate(async () => ({
    longTasks: globalThis.longTasks,
    domNodes: document.getElementsByTagName('*').length,
    tags: globalThis.huaxiang.views.tags.report.tags.length,
    duplicateFlags: globalThis.huaxiang.views.tags.report.tags.filter((t) => t.flags.duplicateCount > 0).length,
    memory: await globalThis.huaxiang.engine.call('stats'),
  }));
  result = {
    tags,
    members,
    catalogTags: page_.tags,
    withNearDuplicates: page_.duplicateFlags,
    importMs,
    longestTaskMs: Math.max(0, ...page_.longTasks.map((x) => x.ms)),
    longestByPhase: Object.fromEntries(['import', 'scroll', 'open', 'filter'].map((p) => [p, Math.max(0, ...page_.longTasks.filter((x) => x.phase === p).map((x) => x.ms))])),
    tasksOver200Ms: page_.longTasks.filter((x) => x.ms > 200).length,
    tasksOver50Ms: page_.longTasks.length,
    domNodes: page_.domNodes,
    jsHeapUsedBytes: metrics.JSHeapUsedSize,
    wasmBytes: page_.memory?.wasmBytes ?? null,
    browserRssBytes: descendantsRss(),
    browserRssBeforeImportBytes: rssBefore,
  };
} finally {
  await context.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

const mb = (b) => (b == null ? '—' : `${(b / 1e6).toFixed(0)} MB`);
const rows = [
  ['catalog', `${result.tags.toLocaleString()} imported tags (${result.catalogTags.toLocaleString()} with the built-in ones), ${result.withNearDuplicates.toLocaleString()} flagged as near-duplicates, over ${result.members.toLocaleString()} members`],
  ['import, from the file picked to the catalog drawn (page)', `${(result.importMs / 1000).toFixed(2)} s`],
  ['longest main-thread task while the Tags view is open (target ≤ 200 ms)', `${result.longestTaskMs.toFixed(0)} ms (${result.tasksOver200Ms} over 200 ms, ${result.tasksOver50Ms} over 50 ms; longest by step: ${Object.entries(result.longestByPhase).map(([p, ms]) => `${p} ${ms.toFixed(0)} ms`).join(', ')})`],
  ['DOM nodes of the page (target < 20,000)', result.domNodes.toLocaleString()],
  ['page JavaScript heap', mb(result.jsHeapUsedBytes)],
  ['engine wasm memory (worker)', mb(result.wasmBytes)],
  ['resident memory of the browser processes (before the import)', `${mb(result.browserRssBytes)} (${mb(result.browserRssBeforeImportBytes)})`],
];
console.log('\n| catalog benchmark (headless Chromium) | figure |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(join(root, 'results', 'bench-catalog.json'), JSON.stringify(result, null, 2));
