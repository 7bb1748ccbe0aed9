// `make bench`, DuckDB-WASM part (issue 6): the same work in huaxiang and in DuckDB-WASM, side by side in one
// headless Chromium session, over the sample dataset of HUAXIANG_BENCH_MEMBERS members (default 100,000):
//   load   — members + orders + events CSV from `File` objects (huaxiang streams them into its module worker in
//            4 MiB chunks; DuckDB reads them through registerFileHandle + CREATE TABLE … AS SELECT … FROM read_csv);
//   rfm    — the RFM table and its 8 segments (DuckDB: the SQL in bench/page/duckdb-sql.js, written from docs/rfm.md).
// Each step is the median of HUAXIANG_BENCH_RUNS runs (default 3) from an empty engine; the segment sizes of both
// engines are compared, so a figure is only printed for matching results.
//
// The data is generated once with the release CLI (`huaxiang sample`) and cached in HUAXIANG_BENCH_DATA (default a
// folder under the system temp dir). DuckDB-WASM comes from bench/node_modules (`make bench-deps`).
// Results: printed as Markdown, and written to results/bench-duckdb.json and results/bench-duckdb.md (git-ignored).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../tools/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const num = (name, fallback) => Number(String(process.env[name] ?? fallback).replace(/_/g, ''));
const members = num('HUAXIANG_BENCH_MEMBERS', 100_000);
const runs = num('HUAXIANG_BENCH_RUNS', 3);
const cli = join(root, 'target', 'release', 'huaxiang');
const modules = join(root, 'bench', 'node_modules');
const names = { members: 'sample_members.csv', orders: 'sample_orders.csv', events: 'sample_events.csv' };

for (const [path, fix] of [
  [cli, 'cargo build --release --bin huaxiang'],
  [join(root, 'dist', 'pkg', 'huaxiang.js'), 'make site'],
  [join(modules, '@duckdb', 'duckdb-wasm', 'dist', 'duckdb-eh.wasm'), 'make bench-deps'],
]) {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`${fix}\` first (or \`make bench\`)`);
}

/** The sample dataset for `members`, generated once (into a scratch folder renamed when complete). */
function dataset() {
  const dir = join(process.env.HUAXIANG_BENCH_DATA ?? join(tmpdir(), 'huaxiang-bench'), `sample-${members}`);
  if (!existsSync(dir)) {
    mkdirSync(dirname(dir), { recursive: true });
    const scratch = mkdtempSync(`${dir}-partial-`);
    console.log(`generating the sample dataset for ${members.toLocaleString()} members in ${dir} …`);
    execFileSync(cli, ['sample', '--out', scratch, '--members', String(members)], { stdio: 'inherit' });
    renameSync(scratch, dir);
  }
  return dir;
}

const dataDir = dataset();
const { server, url } = await startServer(join(root, 'dist'), 0, {
  '/bench/': join(root, 'bench', 'page'),
  '/bench-modules/': modules,
  '/bench-data/': dataDir,
});
const profile = mkdtempSync(join(tmpdir(), 'hx-bench-duckdb-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.HUAXIANG_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  // The site's Content-Security-Policy forbids inline scripts, and DuckDB-WASM's module needs an (inline) import map.
  bypassCSP: true,
  args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
});
let browser;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
  page.on('pageerror', (e) => console.error('page:', e.message));
  page.setDefaultTimeout(0);
  await page.goto(`${url}bench/duckdb.html`);
  await page.evaluate(() => window.bench.ready);
  browser = await page.evaluate((args) => window.bench.run(args), { names, runs });
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

// Cross-check: both engines must find the same analysis date, buyers and segment sizes.
const hx = browser.results.huaxiang.rfm;
const dk = browser.results.duckdb.rfm;
const keys = [...new Set([...Object.keys(hx.segments), ...Object.keys(dk.segments)])].sort();
const mismatches = keys.filter((k) => (hx.segments[k] ?? 0) !== (dk.segments[k] ?? 0)).map((k) => `${k}: huaxiang ${hx.segments[k] ?? 0}, DuckDB ${dk.segments[k] ?? 0}`);
if (hx.asOf !== dk.asOf) mismatches.unshift(`analysis date: huaxiang ${hx.asOf}, DuckDB ${dk.asOf}`);
if (hx.buyers !== dk.buyers) mismatches.unshift(`buyers: huaxiang ${hx.buyers}, DuckDB ${dk.buyers}`);

// Per-run totals of load + RFM (the issue's first target), then medians.
const total = (engine) => browser.times[engine].load.map((t, i) => t + browser.times[engine].rfm[i]);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const steps = [
  ['load members + orders + events CSV', browser.medians.huaxiang.load, browser.medians.duckdb.load],
  ['RFM table + 8 segments', browser.medians.huaxiang.rfm, browser.medians.duckdb.rfm],
  ['load + RFM', med(total('huaxiang')), med(total('duckdb'))],
];
const mbs = (ms) => (browser.bytes / 1e6 / (ms / 1000)).toFixed(0);
const fmt = (ms) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);
const rows = browser.files.map((f) => {
  const loaded = browser.results.huaxiang.load.files.find((x) => x.name === f.name);
  return `${f.kind} ${(f.bytes / 1e6).toFixed(1)} MB, ${loaded.rowsRead.toLocaleString()} rows`;
});
const lines = [
  `## huaxiang vs DuckDB-WASM (${browser.duckdb.version}, ${browser.duckdb.bundle}), headless Chromium, ${members.toLocaleString()} members`,
  '',
  `Data: ${rows.join('; ')}. Median of ${runs} runs, each from an empty engine; time as seen by the page.`,
  '',
  '| step | huaxiang | DuckDB-WASM | huaxiang / DuckDB |',
  '|---|---|---|---|',
  ...steps.map(([name, h, d]) => `| ${name} | ${fmt(h)} | ${fmt(d)} | ${(h / d).toFixed(2)} |`),
  `| ingest MB/s (load step) | ${mbs(steps[0][1])} | ${mbs(steps[0][2])} | |`,
  `| memory | wasm ${(browser.stats.huaxiang.wasmBytes / 1e6).toFixed(0)} MB after the first run (peak: wasm memory only grows), data held ${(browser.stats.huaxiang.held.bytes / 1e6).toFixed(0)} MB | ${(browser.stats.duckdb.duckdbMemoryBytes / 1e6).toFixed(0)} MB (duckdb_memory()) | |`,
  '',
  `Load per file, first run (huaxiang / DuckDB): ${browser.files
    .map((f) => {
      const ms = (engine) => browser.results[engine].load.files.find((x) => x.name === f.name).ms;
      return `${f.kind} ${fmt(ms('huaxiang'))} / ${fmt(ms('duckdb'))}`;
    })
    .join('; ')}.`,
  '',
  mismatches.length ? `**Results differ:** ${mismatches.join('; ')}` : `Both engines agree: analysis date ${hx.asOf}, ${hx.buyers.toLocaleString()} buyers, the same 8 segment sizes.`,
];
const markdown = lines.join('\n');
console.log(`\n${markdown}`);
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(join(root, 'results', 'bench-duckdb.json'), JSON.stringify({ members, runs, browser, mismatches }, null, 2));
writeFileSync(join(root, 'results', 'bench-duckdb.md'), `${markdown}\n`);
if (mismatches.length) process.exitCode = 1;
