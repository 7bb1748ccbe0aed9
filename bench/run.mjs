// `make bench`: benchmarks that print figures (never pass/fail timing tests).
//
// ingest — a generated orders CSV of about HUAXIANG_BENCH_GB gigabytes (default 1) is loaded from a File in headless
// Chromium through the app's own worker; prints MB/s, the engine's peak wasm memory, the browser's peak resident
// memory (all its processes, sampled every 100 ms) and bytes held per order. The same file through the native CLI
// gives the machine's native figure for comparison.
//
// Results are printed and written to results/bench-ingest.json (git-ignored).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../tools/serve.mjs';
import { descendantsRss } from './proc-memory.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'target', 'release', 'huaxiang');
const gb = Number(process.env.HUAXIANG_BENCH_GB ?? 1);
const dataDir = join(process.env.HUAXIANG_BENCH_DATA ?? join(tmpdir(), 'huaxiang-bench'), `orders-${gb}gb`);

/** Generates (once) an orders file of about `gb` GB with the deterministic sample generator. */
function ordersFile() {
  const path = join(dataDir, 'sample_orders.csv');
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    // The sample has about 99 bytes of orders per member.
    const members = Math.round((gb * 1e9) / 99);
    console.log(`generating ${gb} GB of orders (${members.toLocaleString()} members) in ${dataDir} …`);
    execFileSync(cli, ['sample', '--out', dataDir, '--members', String(members), '--only', 'orders'], { stdio: 'inherit' });
  }
  return path;
}

const mb = (b) => (b / 1e6).toFixed(0);

async function ingestInBrowser(path) {
  const { server, url } = await startServer(join(root, 'dist'), 0, { '/bench/': join(root, 'bench', 'page') });
  const profile = mkdtempSync(join(tmpdir(), 'hx-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.HUAXIANG_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
    await page.goto(`${url}bench/`);
    await page.evaluate(() => window.bench.ready);
    await page.setInputFiles('#files', [path]);
    let peak = descendantsRss();
    const baseline = peak;
    const timer = setInterval(() => {
      peak = Math.max(peak, descendantsRss());
    }, 100);
    const result = await page.evaluate(() => window.bench.load(['orders']));
    clearInterval(timer);
    return { ...result, peakRss: peak, baselineRss: baseline };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

function ingestNative(path) {
  const out = mkdtempSync(join(tmpdir(), 'hx-bench-cli-'));
  const t0 = performance.now();
  execFileSync(cli, ['profile', '--orders', path, '--out', out], { stdio: 'ignore' });
  const ms = performance.now() - t0;
  rmSync(out, { recursive: true, force: true });
  return { ms };
}

const path = ordersFile();
const bytes = statSync(path).size;
console.log(`orders file: ${mb(bytes)} MB`);
const browser = await ingestInBrowser(path);
const native = ingestNative(path);
const f = browser.files[0];
const rows = [
  ['file', `${mb(bytes)} MB, ${f.rows.toLocaleString()} rows (${f.skipped} skipped)`],
  ['browser load (File → wasm, chunks of 4 MiB)', `${(f.ms / 1000).toFixed(2)} s = ${(bytes / 1e6 / (f.ms / 1000)).toFixed(1)} MB/s`],
  ['browser compute (OneID + RFM)', `${(browser.computeMs / 1000).toFixed(2)} s`],
  ['engine peak wasm memory', `${mb(browser.wasmBytes)} MB`],
  ['browser peak resident memory (all processes)', `${mb(browser.peakRss)} MB (idle before load: ${mb(browser.baselineRss)} MB)`],
  ['held after load', `${mb(browser.memory.bytes)} MB = ${browser.memory.perOrder.toFixed(1)} B/order, ${browser.memory.perMember.toFixed(1)} B/member`],
  ['native CLI profile (load + RFM + write)', `${(native.ms / 1000).toFixed(2)} s = ${(bytes / 1e6 / (native.ms / 1000)).toFixed(1)} MB/s`],
];
console.log('\n| ingest benchmark | figure |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(join(root, 'results', 'bench-ingest.json'), JSON.stringify({ bytes, browser, native }, null, 2));
