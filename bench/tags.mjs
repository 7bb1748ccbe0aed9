// `make bench`, tags part: evaluates the generated pack of rule tags over generated members, orders and events in
// headless Chromium (the engine in a module worker, as in the app), counts 1,000 random audience expressions one
// request at a time (p50/p99, engine and page) and draws 20 portraits, and prints the figures next to the native run
// of `cargo bench --bench tags` (results/bench-tags-native.json, written just before by make bench).
//
// Sizes: HUAXIANG_BENCH_MEMBERS (default 1,000,000), HUAXIANG_BENCH_ORDERS (ten per member), HUAXIANG_BENCH_EVENTS
// (five per member), HUAXIANG_BENCH_TAGS (300). Results go to results/bench-tags.json (git-ignored).
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ISOLATED, startServer } from '../tools/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const num = (name, fallback) => Number(String(process.env[name] ?? fallback).replace(/_/g, ''));
const members = num('HUAXIANG_BENCH_MEMBERS', 1_000_000);
const size = { members, orders: num('HUAXIANG_BENCH_ORDERS', members * 10), events: num('HUAXIANG_BENCH_EVENTS', members * 5), n: num('HUAXIANG_BENCH_TAGS', 300) };

// The engine with the `bench` feature's helpers (loadSynthetic, benchRules): `make wasm-bench` builds it into pkg-bench/.
if (!existsSync(join(root, 'pkg-bench', 'huaxiang.js'))) throw new Error('pkg-bench/ is missing: run `make wasm-bench` first (or `make bench`)');
const { server, url } = await startServer(join(root, 'dist'), 0, { '/bench/': join(root, 'bench', 'page'), '/pkg-bench/': join(root, 'pkg-bench') }, ISOLATED);
const profile = mkdtempSync(join(tmpdir(), 'hx-bench-tags-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.HUAXIANG_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
});
let browser;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
  page.setDefaultTimeout(0);
  await page.goto(`${url}bench/tags.html`);
  await page.evaluate(() => window.bench.ready);
  browser = await page.evaluate((s) => window.bench.run(s), size);
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

const nativePath = join(root, 'results', 'bench-tags-native.json');
const native = existsSync(nativePath) ? JSON.parse(readFileSync(nativePath, 'utf8')) : null;
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const perTag = (ms, tags) => `${(ms / tags).toFixed(1)} ms per tag`;
const tags = browser.full.tags;
const rows = [
  ['data', `${browser.load.members.toLocaleString()} members, ${browser.load.orders.toLocaleString()} orders, ${browser.load.events.toLocaleString()} events`],
  ['evaluate every tag, first time (engine, in the worker)', `${s(browser.full.engineMs)} = ${perTag(browser.full.engineMs, tags)} (${tags} tags)`],
  ['evaluate every tag, first time (as seen by the page)', s(browser.full.pageMs)],
  ['native, same pack and data', native && native.members === browser.load.members ? `${native.evaluateSeconds.toFixed(2)} s = ${perTag(native.evaluateSeconds * 1000, native.tags)}` : 'not run for this size'],
  ['edit one rule: re-evaluated', `${browser.edit.evaluated.join(', ')} in ${s(browser.edit.pageMs)} (page)`],
  ['report again, nothing changed', `${s(browser.cached.pageMs)} (page), ${browser.cached.evaluated} evaluated`],
  [`audience count, ${browser.audiences.n} random expressions (engine, in the worker)`, `p50 ${browser.audiences.engine.p50.toFixed(3)} ms, p99 ${browser.audiences.engine.p99.toFixed(2)} ms, max ${browser.audiences.engine.max.toFixed(2)} ms (${browser.audiences.bitmapOnly} tags only, ${browser.audiences.scanned} scanned by the evaluator)`],
  ['audience count (as seen by the page, through the worker)', `p50 ${browser.audiences.page.p50.toFixed(3)} ms, p99 ${browser.audiences.page.p99.toFixed(2)} ms, max ${browser.audiences.page.max.toFixed(2)} ms`],
  ['native audience count', native && native.members === browser.load.members && native.audienceP50Ms !== undefined ? `p50 ${native.audienceP50Ms.toFixed(3)} ms, p99 ${native.audienceP99Ms.toFixed(2)} ms` : 'not run for this size'],
  [`${browser.portrait.n} full portraits against every member (page)`, `first ${s(browser.portrait.firstMs)}, p50 ${s(browser.portrait.pageMs)}, max ${s(browser.portrait.maxMs)} (up to ${browser.portrait.traits} traits)`],
  ['native portraits', native && native.members === browser.load.members && native.portraitFirstSeconds !== undefined ? `first ${native.portraitFirstSeconds.toFixed(3)} s, p50 ${native.portraitSeconds.toFixed(3)} s` : 'not run for this size'],
  ['load synthetic columns + OneID + RFM (page)', s(browser.load.pageMs)],
  ['engine wasm memory', `${(browser.wasmBytes / 1e6).toFixed(0)} MB`],
];
console.log('\n| tags benchmark (headless Chromium) | figure |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(join(root, 'results', 'bench-tags.json'), JSON.stringify({ size, browser, native }, null, 2));
