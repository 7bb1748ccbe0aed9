// `make bench`, DuckDB-WASM part (issue 6): the same work in huaxiang and in DuckDB-WASM, side by side in one
// headless Chromium session, over the sample dataset of HUAXIANG_BENCH_MEMBERS members (default 100,000) with
// about 10 orders and 30 events per member (HUAXIANG_BENCH_ORDERS_PER_MEMBER, HUAXIANG_BENCH_EVENTS_PER_MEMBER):
//   load      — members + orders + events CSV from `File` objects (huaxiang streams them into its module worker in
//               4 MiB chunks; DuckDB reads them through registerFileHandle + CREATE TABLE … AS SELECT … FROM
//               read_csv, cleaning money and dates, plus views that give the normalised tables the tag SQL reads);
//   rfm       — the RFM table and its 8 segments (DuckDB: the SQL in bench/page/duckdb-sql.js, from docs/rfm.md);
//   tags      — the generated pack of 100 tags (`benchRules`): huaxiang from the rule text to every tag's result;
//               DuckDB runs the engine's own DuckDB export of the same pack (CREATE TABLE member_tags);
//   counts    — 1,000 random audience expressions (`benchAudiences`) counted one request at a time (DuckDB:
//               SELECT count(*) over the tag table joined with monetary and attributes, built as part of the step);
//   portraits — 20 portraits (shares in the audience and in every member per tag value and attribute, TGI).
// Before each huaxiang run, the touch-every-byte baseline streams the same files through the same worker
// pipeline into a wasm function that only reads every byte. The native CLI's figures for the same steps on the
// same files come from `cargo bench --bench steps`, run first.
//
// HUAXIANG_BENCH_DUCKDB_COMPRESS=1 keeps DuckDB's tables in a compressed in-memory database (ATTACH ':memory:'
// (COMPRESS)), which is what lets it hold the data at 1M members in a tab; the default is DuckDB's default.
// Each step is the median of HUAXIANG_BENCH_RUNS runs (default 3), engines alternating, each run from an empty
// engine. Every result is cross-checked (segment sizes, every tag's count and value counts, every audience count,
// every portrait count, between the two engines and against the native run); the run fails loudly on a mismatch.
//
// The data is generated once with the release CLI (`huaxiang sample`) and cached in HUAXIANG_BENCH_DATA (default a
// folder under the system temp dir). DuckDB-WASM comes from bench/node_modules (`make bench-deps`).
// Results: printed as Markdown, and written to results/bench-duckdb-N.json and .md (N members; git-ignored).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ISOLATED, startServer } from '../tools/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const num = (name, fallback) => Number(String(process.env[name] ?? fallback).replace(/_/g, ''));
const members = num('HUAXIANG_BENCH_MEMBERS', 100_000);
const runs = num('HUAXIANG_BENCH_RUNS', 3);
const ordersPer = num('HUAXIANG_BENCH_ORDERS_PER_MEMBER', 10);
const eventsPer = num('HUAXIANG_BENCH_EVENTS_PER_MEMBER', 30);
const workload = { seed: 7, tags: 100, audiences: 1000, portraits: 20, duckdbCompress: process.env.HUAXIANG_BENCH_DUCKDB_COMPRESS === '1' };
const cli = join(root, 'target', 'release', 'huaxiang');
const modules = join(root, 'bench', 'node_modules');
const wasmFile = join(root, 'dist', 'pkg', 'huaxiang_bg.wasm');
const names = { members: 'sample_members.csv', orders: 'sample_orders.csv', events: 'sample_events.csv' };

for (const [path, fix] of [
  [cli, 'cargo build --release --bin huaxiang'],
  [join(root, 'dist', 'pkg', 'huaxiang.js'), 'make site'],
  [join(root, 'pkg-bench', 'huaxiang.js'), 'make wasm-bench'],
  [join(modules, '@duckdb', 'duckdb-wasm', 'dist', 'duckdb-eh.wasm'), 'make bench-deps'],
]) {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`${fix}\` first (or \`make bench\`)`);
}

/** The sample dataset, generated once (into a scratch folder renamed when complete). */
function dataset() {
  const dir = join(process.env.HUAXIANG_BENCH_DATA ?? join(tmpdir(), 'huaxiang-bench'), `sample-${members}-o${ordersPer}-e${eventsPer}`);
  if (!existsSync(dir)) {
    mkdirSync(dirname(dir), { recursive: true });
    const scratch = mkdtempSync(`${dir}-partial-`);
    console.log(`generating the sample dataset for ${members.toLocaleString()} members in ${dir} …`);
    const rates = ['--orders-per-member', String(ordersPer), '--events-per-member', String(eventsPer)];
    execFileSync(cli, ['sample', '--out', scratch, '--members', String(members), ...rates], { stdio: 'inherit' });
    renameSync(scratch, dir);
  }
  return dir;
}

const dataDir = dataset();

// The native CLI's figures on the same files (one run; see bench/steps.rs).
console.log('native steps: cargo bench --bench steps …');
execFileSync('cargo', ['bench', '--locked', '--bench', 'steps'], { cwd: root, stdio: 'inherit', env: { ...process.env, HUAXIANG_BENCH_FILES: dataDir } });
const native = JSON.parse(readFileSync(join(root, 'results', 'bench-steps-native.json'), 'utf8'));

const { server, url } = await startServer(join(root, 'dist'), 0, {
  '/bench/': join(root, 'bench', 'page'),
  // The engine with the `bench` feature's helpers (benchRules, benchTouch), built by `make wasm-bench`.
  '/pkg-bench/': join(root, 'pkg-bench'),
  '/bench-modules/': modules,
  '/bench-data/': dataDir,
}, ISOLATED);
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
  browser = await page.evaluate((args) => window.bench.run(args), { names, runs, ...workload });
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

// Cross-checks: both engines (and the native run) must give the same results, or the run fails. A step is compared
// between the engines when both finished it in the first run, and huaxiang's result with the native one's.
const mismatches = [];
const differ = (what, a, b, labels = ['huaxiang', 'DuckDB']) => {
  if (a !== b) mismatches.push(`${what}: ${labels[0]} ${a}, ${labels[1]} ${b}`);
};
const R = browser.results;
const failed = browser.failed;
const hx = R.huaxiang ?? {};
const dk = R.duckdb ?? {};
const hxRfm = hx.rfm;
if (hxRfm) {
  const keys = [...new Set([...Object.keys(hxRfm.segments), ...Object.keys(dk.rfm?.segments ?? {}), ...Object.keys(native.segments)])].sort();
  for (const k of keys) differ(`segment ${k}`, hxRfm.segments[k] ?? 0, native.segments[k] ?? 0, ['browser', 'native']);
  if (dk.rfm) {
    differ('analysis date', hxRfm.asOf, dk.rfm.asOf);
    differ('buyers', hxRfm.buyers, dk.rfm.buyers);
    for (const k of keys) differ(`segment ${k}`, hxRfm.segments[k] ?? 0, dk.rfm.segments[k] ?? 0);
  }
}
if (hx.tags) {
  const hxTags = new Map(hx.tags.tags.map((t) => [t.name, t]));
  for (const [name, t] of hxTags) differ(`tag ${name} count`, t.count, native.tagCounts[name]?.count, ['browser', 'native']);
  if (dk.tags) {
    differ('members', hxRfm.members, dk.tags.members);
    const dkTags = new Map(dk.tags.tags.map((t) => [t.name, t]));
    differ('tags evaluated', hxTags.size, dkTags.size);
    for (const [name, t] of hxTags) {
      const d = dkTags.get(name);
      if (!d) {
        mismatches.push(`tag ${name}: no DuckDB column`);
        continue;
      }
      differ(`tag ${name} count`, t.count, d.count);
      for (const v of new Set([...Object.keys(t.values), ...Object.keys(d.values)])) differ(`tag ${name} = ${v}`, t.values[v] ?? 0, d.values[v] ?? 0);
    }
  }
}
const hxCounts = hx.counts?.counts ?? [];
if (hx.counts) {
  differ('audience expressions counted', hxCounts.length, native.audienceCounts.length, ['browser', 'native']);
  hxCounts.forEach((c, i) => differ(`audience #${i + 1} count`, c, native.audienceCounts[i], ['browser', 'native']));
  if (dk.counts) {
    differ('audience expressions counted', hxCounts.length, dk.counts.counts.length);
    hxCounts.forEach((c, i) => differ(`audience #${i + 1} count`, c, dk.counts.counts[i]));
  }
}
let portraitValues = 0;
if (hx.portraits && dk.portraits) {
  hx.portraits.portraits.forEach((h, i) => {
    const d = dk.portraits.portraits[i];
    differ(`portrait #${i + 1} audience`, h.audience, d.audience);
    differ(`portrait #${i + 1} base`, h.base, d.base);
    for (const [dim, values] of Object.entries(d.dims)) {
      if (!h.dims[dim]) {
        mismatches.push(`portrait #${i + 1}: huaxiang has no dimension ${dim}`);
        continue;
      }
      for (const v of new Set([...Object.keys(values), ...Object.keys(h.dims[dim])])) {
        if ((values[v] ?? 0) === 0 && (h.dims[dim][v] ?? 0) === 0) continue;
        differ(`portrait #${i + 1} ${dim} = ${v}`, h.dims[dim][v] ?? 0, values[v] ?? 0);
        portraitValues++;
      }
    }
  });
}

// Figures.
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** The percentile `p` of times pooled over every run: the smallest time at or above that share of them. */
const pct = (runsOfTimes, p) => {
  const s = runsOfTimes.flat().sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil(s.length * p))) - 1];
};
const M = browser.medians;
const T = browser.times;
const sumOf = (engine, steps) => {
  const n = Math.min(...steps.map((s) => T[engine][s].length));
  return n ? med(Array.from({ length: n }, (_, i) => steps.reduce((k, s) => k + T[engine][s][i], 0))) : undefined;
};
const loaded = hx.load ?? dk.load;
const fileRows = (kind) => loaded?.files.find((f) => f.name === names[kind]).rowsLoaded;
const counts = { members: hxRfm?.members ?? native.members, orders: fileRows('orders') ?? native.orders, events: fileRows('events') ?? native.events };
const mb = browser.bytes / 1e6;
const touchMs = med(browser.touch);
const hxHeld = browser.stats.huaxiang?.afterLoad.held;
const wasmPeak = browser.stats.huaxiang?.afterLoad.wasmBytes;
const duckMemory = (when) => browser.stats.duckdb?.[when]?.duckdbMemoryBytes;
const memoryTarget = 150 * counts.members + 16 * counts.orders + 12 * counts.events;
const wasmGzip = existsSync(wasmFile) ? gzipSync(readFileSync(wasmFile), { level: 9 }).length : null;
const pcts = (engine, step) => ({ p50: pct(browser.perRequest[engine][step] ?? [], 0.5), p99: pct(browser.perRequest[engine][step] ?? [], 0.99) });
const engineCount = pcts('huaxiang', 'countsEngine');
const p = { hx: pcts('huaxiang', 'counts'), dk: pcts('duckdb', 'counts'), hxPortrait: pcts('huaxiang', 'portraits'), dkPortrait: pcts('duckdb', 'portraits') };
const mbs = (ms) => (ms === undefined ? '—' : (mb / (ms / 1000)).toFixed(1));
const MB = (bytes) => (bytes === undefined ? '—' : `${(bytes / 1e6).toFixed(0)} MB`);

const fmt = (ms) => (ms === undefined || ms === null || Number.isNaN(ms) ? '—' : ms < 1 ? `${ms.toFixed(3)} ms` : ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);
/** huaxiang ÷ DuckDB with `digits` decimals, or a dash when either is missing. */
const ratio = (h, d, digits = 2) => (h === undefined || d === undefined || Number.isNaN(h / d) ? '—' : (h / d).toFixed(digits));
const met = (ok) => (ok === undefined ? 'not measured' : ok ? 'met' : '**not met**');
/** `test(h, d)` when both figures exist. */
const when = (h, d, test) => (h === undefined || d === undefined || Number.isNaN(h) || Number.isNaN(d) ? undefined : test(h, d));
/** Count percentiles by what an expression reads: yes/no tags only, `monetary`, or an enumerated tag's values. */
const kindOf = (expr) => (/monetary/.test(expr) ? 'monetary' : / in \[/.test(expr) ? 'enumerated values' : 'yes/no tags only');
const byKind = (engine) => {
  const groups = {};
  for (const times of browser.perRequest[engine].counts) times.forEach((t, i) => (groups[kindOf(browser.workload.list[i])] ??= [[]])[0].push(t));
  return groups;
};
const kinds = ['yes/no tags only', 'monetary', 'enumerated values'].map((k) => {
  const n = browser.workload.list.filter((e) => kindOf(e) === k).length;
  const of = (engine) => byKind(engine)[k];
  const cell = (engine) => (of(engine) ? `p50 ${fmt(pct(of(engine), 0.5))}, p99 ${fmt(pct(of(engine), 0.99))}` : '—');
  return `${k} (${n}): huaxiang ${cell('huaxiang')}; DuckDB ${cell('duckdb')}`;
});
const H = M.huaxiang;
const D = M.duckdb;
const loadRfm = { hx: sumOf('huaxiang', ['load', 'rfm']), dk: sumOf('duckdb', ['load', 'rfm']), native: (native.loadSeconds + native.rfmSeconds) * 1000 };
const row = (name, h, d, n, target, ok, digits) => [name, fmt(h), fmt(d), ratio(h, d, digits), fmt(n), target, target ? met(ok) : ''];
/** Table rows: step, huaxiang, DuckDB, huaxiang/DuckDB, native CLI, target, met. */
const rows = [
  row('load members + orders + events CSV', H.load, D.load, native.loadSeconds * 1000, ''),
  row('RFM table + 8 segments', H.rfm, D.rfm, native.rfmSeconds * 1000, ''),
  row('**load + RFM**', loadRfm.hx, loadRfm.dk, loadRfm.native, '≤ 0.33', when(loadRfm.hx, loadRfm.dk, (h, d) => h <= d / 3)),
  ['ingest MB/s (load step)', mbs(H.load), mbs(D.load), '', mbs(native.loadSeconds * 1000), '', ''],
  ['touch-every-byte baseline MB/s (same worker pipeline)', mbs(touchMs), '', '', '', '', ''],
  ['**ingest as % of the baseline**', H.load ? `${((100 * touchMs) / H.load).toFixed(1)} %` : '—', '', '', '', '≥ 40 %', met(when(touchMs, H.load, (t, h) => t / h >= 0.4))],
  row(`**${browser.workload.tags} tags** (rules given → every result)`, H.tags, D.tags, native.tagsSeconds * 1000, '≤ 0.5', when(H.tags, D.tags, (h, d) => h <= d / 2)),
  row(`${browser.workload.expressions.toLocaleString()} audience counts, total`, H.counts, D.counts, native.countsSeconds * 1000, ''),
  row('**audience count p50** (as seen by the page)', p.hx.p50, p.dk.p50, native.countP50Ms, '≤ 0.02', when(p.hx.p50, p.dk.p50, (h, d) => h <= d / 50), 3),
  row('**audience count p99** (as seen by the page)', p.hx.p99, p.dk.p99, native.countP99Ms, '< 16 ms', when(p.hx.p99, 0, (h) => h < 16), 3),
  row(`${browser.workload.portraits} portraits, total`, H.portraits, D.portraits, native.portraitsSeconds * 1000, ''),
  [
    'portrait p50 / p99',
    `${fmt(p.hxPortrait.p50)} / ${fmt(p.hxPortrait.p99)}`,
    `${fmt(p.dkPortrait.p50)} / ${fmt(p.dkPortrait.p99)}`,
    ratio(p.hxPortrait.p50, p.dkPortrait.p50),
    `${fmt(native.portraitP50Ms)} / ${fmt(native.portraitP99Ms)}`,
    '',
    '',
  ],
  [
    '**memory after load** (data held)',
    hxHeld
      ? `${MB(hxHeld.bytes)} = ${((hxHeld.parts.identifiers + hxHeld.parts.members) / counts.members).toFixed(0)} B/member, ` +
        `${(hxHeld.parts.orders / counts.orders).toFixed(1)} B/order, ${(hxHeld.parts.events / counts.events).toFixed(1)} B/event`
      : '—',
    `${MB(duckMemory('afterLoad'))} (duckdb_memory())`,
    '',
    MB(native.heldBytes),
    `≤ ${MB(memoryTarget)} (150/16/12 B)`,
    met(hxHeld && hxHeld.bytes <= memoryTarget),
  ],
  ['**peak memory during load** (wasm memory after load)', MB(wasmPeak), `${MB(duckMemory('afterSteps'))} after every step (duckdb_memory())`, '', '', `< ${MB(2 * memoryTarget)} (2×)`, met(when(wasmPeak, 0, (w) => w < 2 * memoryTarget))],
  ['**core .wasm, gzip -9**', wasmGzip === null ? '—' : `${(wasmGzip / 1e6).toFixed(2)} MB`, '', '', '', '≤ 1.5 MB', wasmGzip === null ? '' : met(wasmGzip <= 1.5e6)],
];
// The step an engine failed in shows how long it ran before failing.
const stepRow = { load: 0, rfm: 1, tags: 6, counts: 7, portraits: 10 };
for (const [engine, f] of Object.entries(failed)) rows[stepRow[f.step]][engine === 'huaxiang' ? 1 : 2] = `failed after ${fmt(f.ms)}`;
const files = browser.files.map((f) => `${f.kind} ${(f.bytes / 1e6).toFixed(1)} MB`).join(', ');
const lines = [
  `## huaxiang vs DuckDB-WASM (${browser.duckdb.version}, ${browser.duckdb.bundle}, ${browser.duckdb.threads} thread, memory_limit ${browser.duckdb.memoryLimit}${browser.duckdb.compressed ? ', compressed in-memory database' : ''}), headless Chromium, ${members.toLocaleString()} members`,
  '',
  `Data: ${counts.members.toLocaleString()} members, ${counts.orders.toLocaleString()} orders, ${counts.events.toLocaleString()} events loaded; ${files} (${mb.toFixed(0)} MB CSV). ` +
    `Machine: ${cpus().length} cores. Median of ${runs} runs, engines alternating, each from an empty engine; time as seen by the page; ` +
    `native CLI: one run of \`cargo bench --bench steps\` on the same files (read into memory first).`,
  '',
  '| step | huaxiang | DuckDB-WASM | huaxiang / DuckDB | native CLI | target | |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
  `Tags: ${browser.workload.tags} of the ${browser.workload.generated.tags} generated (${browser.workload.skipped.length} skipped by the SQL export${browser.workload.skipped.length ? `: ${browser.workload.skipped.map((s) => s.name).join(', ')}` : ''}); ` +
    `DuckDB's audience table (tags joined with monetary and attributes) took ${fmt(dk.counts?.prepareMs)} of its counts step in the first run.`,
  `Audience counts by what the expression reads (as seen by the page): ${kinds.join('; ')}.`,
  `Timing: the page is ${browser.isolated ? 'cross-origin isolated (performance.now() to 5 µs)' : '**not** cross-origin isolated (performance.now() to 100 µs)'}; ` +
    `the bare round trip from the page to huaxiang's worker and back takes p50 ${fmt(browser.roundTrip?.p50)}, p99 ${fmt(browser.roundTrip?.p99)}, a floor under every count the page sees; ` +
    `inside the worker, a huaxiang count takes p50 ${fmt(engineCount.p50)}, p99 ${fmt(engineCount.p99)}.`,
  ...Object.entries(failed).map(
    ([engine, f]) =>
      `**${engine} failed** in run ${f.run}, step ${f.step}, after ${fmt(f.ms)}: ${f.error.split('\n')[0]}` +
      (f.again ? `; in run ${f.again.run} it then failed in step ${f.again.step} and ran no more.` : `; it ran the steps before that in every run.`),
  ),
  `Load per file, first run (huaxiang / DuckDB): ${browser.files
    .map((f) => {
      const ms = (engine) => R[engine]?.load?.files.find((x) => x.name === f.name).ms;
      return `${f.kind} ${fmt(ms('huaxiang'))} / ${fmt(ms('duckdb'))}`;
    })
    .join('; ')}.`,
  '',
  Object.keys(failed).length
    ? `Cross-checked what both engines finished (${mismatches.length} differences).`
    : mismatches.length
    ? `**Results differ (${mismatches.length}):** ${mismatches.slice(0, 20).join('; ')}`
    : `Both engines and the native run agree: analysis date ${hxRfm?.asOf}, ${hxRfm?.buyers.toLocaleString()} buyers, the 8 segment sizes, ` +
      `every tag's count and values, all ${hxCounts.length} audience counts and ${portraitValues.toLocaleString()} portrait counts.`,
];
const markdown = lines.join('\n');
console.log(`\n${markdown}`);
mkdirSync(join(root, 'results'), { recursive: true });
writeFileSync(
  join(root, 'results', `bench-duckdb-${members}${workload.duckdbCompress ? '-compressed' : ''}.json`),
  JSON.stringify({ members, runs, counts, rows, pooled: p, touchMs, memoryTarget, wasmGzip, native, browser, mismatches }, null, 1),
);
writeFileSync(join(root, 'results', `bench-duckdb-${members}${workload.duckdbCompress ? '-compressed' : ''}.md`), `${markdown}\n`);
if (mismatches.length) {
  console.error(`\n${mismatches.length} results differ between the engines: see results/bench-duckdb-${members}.json`);
  process.exitCode = 1;
}
