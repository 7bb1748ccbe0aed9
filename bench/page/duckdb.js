// The in-browser half of the huaxiang vs DuckDB-WASM benchmark. Both engines get the same `File` objects and run
// the same steps; every step is timed as the page sees it (huaxiang runs in its module worker, DuckDB-WASM in its
// own worker, so both times include the message round trip).
//
// An engine is an object with one async method per step name (`reset`, then the steps in order), each given the
// workload (files, rules, expressions) and returning a small result for the cross-check. A result may carry
// `timedMs`: the part of the step that is the work itself, when the method also gathers figures for the
// cross-check (DuckDB's tag counts); the page then records that instead of the whole call. Steps made of many
// requests (counts, portraits) also return the time of each request as the page saw it.
import * as duckdb from '@duckdb/duckdb-wasm';
import { AUDIENCE_TABLE, DROP, LOAD, PORTRAIT_ATTRIBUTES, RFM, SEGMENTS, audienceSql, ident, portraitSql } from './duckdb-sql.js';

/** The timed steps, in order; each run starts from an empty engine (`reset`, not timed). */
export const STEPS = ['load', 'rfm', 'tags', 'counts', 'portraits'];

const log = (line) => {
  document.getElementById('log').textContent += `${line}\n`;
};

/** huaxiang: the wasm engine in a module worker, as in the app. */
function huaxiang() {
  const worker = new Worker(new URL('duckdb-huaxiang-worker.js', import.meta.url), { type: 'module' });
  let nextId = 1;
  const pending = new Map();
  worker.onmessage = ({ data }) => {
    const job = pending.get(data.id);
    pending.delete(data.id);
    if (data.error) job.reject(new Error(data.error));
    else job.resolve({ ...data.result, engineMs: data.engineMs });
  };
  const call = (step, args) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, step, args });
    });
  const fileArgs = (files) => files.map(({ file, kind }) => ({ file, kind }));
  return {
    name: 'huaxiang',
    init: () => call('init'),
    prepare: (files, options) => call('prepare', { files: fileArgs(files), ...options }),
    touch: (w) => call('touch', { files: fileArgs(w.files) }),
    reset: () => call('reset'),
    load: (w) => call('load', { files: fileArgs(w.files) }),
    rfm: () => call('rfm'),
    tags: (w) => call('tags', { rules: w.rules }),
    /** The bare round trip to the worker, `n` times (its floor bounds every count the page sees). */
    async ping(n) {
      const times = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await call('ping');
        times.push(performance.now() - t0);
      }
      return times;
    },
    async counts(w) {
      const counts = [];
      const times = [];
      const engineTimes = [];
      for (const expr of w.expressions) {
        const t0 = performance.now();
        const r = await call('count', { expr });
        times.push(performance.now() - t0);
        counts.push(r.count);
        engineTimes.push(r.engineMs);
      }
      return { counts, times, engineTimes };
    },
    async portraits(w) {
      const portraits = [];
      const times = [];
      for (const expr of w.portraits) {
        const t0 = performance.now();
        const p = await call('portrait', { expr });
        times.push(performance.now() - t0);
        const dims = Object.fromEntries(p.dimensions.map((d) => [d.name, Object.fromEntries(d.values.map((v) => [v.value, v.audienceCount]))]));
        portraits.push({ audience: p.audience, base: p.base, dims });
      }
      return { portraits, times };
    },
    stats: () => call('stats'),
  };
}

/** DuckDB-WASM: the single-thread `eh` bundle served from the local site; files registered as browser file handles. */
function duckDb() {
  let db;
  let conn;
  const base = new URL('/bench-modules/@duckdb/duckdb-wasm/dist/', location.href).href;
  const query = async (sql) => (await conn.query(sql)).toArray().map((row) => row.toJSON());
  const memory = async () => (await query('SELECT sum(memory_usage_bytes)::DOUBLE AS bytes FROM duckdb_memory()'))[0].bytes;
  return {
    name: 'duckdb',
    async init() {
      const bundle = await duckdb.selectBundle({
        mvp: { mainModule: `${base}duckdb-mvp.wasm`, mainWorker: `${base}duckdb-browser-mvp.worker.js` },
        eh: { mainModule: `${base}duckdb-eh.wasm`, mainWorker: `${base}duckdb-browser-eh.worker.js` },
      });
      db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(bundle.mainWorker));
      await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
      await db.open({});
      conn = await db.connect();
      // Otherwise a use of a known extension tries to download it (no network here) and fails.
      await conn.query('SET autoload_known_extensions=false');
      const [{ version, limit, threads }] = await query("SELECT version() AS version, current_setting('memory_limit') AS limit, current_setting('threads')::INTEGER AS threads");
      return { version, memoryLimit: limit, threads, bundle: bundle.mainModule.split('/').pop() };
    },
    /**
     * Keeps the tables in a compressed in-memory database (`ATTACH ':memory:' (COMPRESS)`) instead of the default
     * uncompressed one: what a DuckDB user would try when the data does not fit in the tab.
     */
    async compress() {
      await conn.query("ATTACH ':memory:' AS hx_compressed (COMPRESS)");
      await conn.query('USE hx_compressed');
      return {};
    },
    async reset() {
      for (const what of DROP) await conn.query(`DROP ${what}`);
      return {};
    },
    /** Loads and cleans each file into its table (and the normalised views the tag SQL reads). */
    async load(w) {
      const rows = [];
      for (const { file, kind } of w.files) {
        const t0 = performance.now();
        await db.registerFileHandle(file.name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
        await conn.query(LOAD[kind].replace('{file}', file.name));
        const ms = performance.now() - t0;
        const [{ n }] = await query(`SELECT count(*)::INTEGER AS n FROM ${kind}`);
        rows.push({ name: file.name, rowsLoaded: n, ms });
      }
      return { files: rows };
    },
    async rfm() {
      await conn.query(RFM);
      const segments = Object.fromEntries((await query(SEGMENTS)).map((r) => [r.segment, r.n]));
      const [{ asOf, buyers }] = await query('SELECT (SELECT CAST(max(ordered_at) AS DATE) + 1 FROM orders_t)::VARCHAR AS "asOf", count(*)::INTEGER AS buyers FROM rfm');
      return { asOf, buyers, segments };
    },
    /** The engine's own DuckDB export of the pack, creating member_tags (timed); then every tag's counts (not). */
    async tags(w) {
      const t0 = performance.now();
      await conn.query(w.sql);
      const timedMs = performance.now() - t0;
      const tags = [];
      const flags = w.columns.filter((c) => c.pack && c.value === 'bool');
      const [row] = await query(`SELECT ${flags.map((c) => `count(*) FILTER (WHERE ${ident(c.column)})::INTEGER AS ${ident(c.name)}`).join(', ')} FROM member_tags`);
      for (const c of flags) tags.push({ name: c.name, count: row[c.name], values: {} });
      for (const c of w.columns.filter((c) => c.pack && c.value === 'text')) {
        const values = Object.fromEntries((await query(`SELECT ${ident(c.column)} AS v, count(*)::INTEGER AS n FROM member_tags WHERE ${ident(c.column)} IS NOT NULL GROUP BY 1`)).map((r) => [r.v, r.n]));
        tags.push({ name: c.name, count: Object.values(values).reduce((a, b) => a + b, 0), values });
      }
      const [{ members }] = await query('SELECT count(*)::INTEGER AS members FROM member_tags');
      return { tags, members, timedMs };
    },
    /** Materialises the audience table (part of the step's time), then counts each expression in its own query. */
    async counts(w) {
      const t0 = performance.now();
      await conn.query(AUDIENCE_TABLE);
      const prepareMs = performance.now() - t0;
      const counts = [];
      const times = [];
      for (const sql of w.sqlExpressions) {
        const t1 = performance.now();
        counts.push((await query(`SELECT count(*)::INTEGER AS n FROM hx_audience WHERE ${sql}`))[0].n);
        times.push(performance.now() - t1);
      }
      return { counts, times, prepareMs };
    },
    async portraits(w) {
      const portraits = [];
      const times = [];
      for (const sql of w.sqlPortraits) {
        const t0 = performance.now();
        const rows = await query(sql);
        times.push(performance.now() - t0);
        const dims = {};
        for (const r of rows) (dims[r.dim] ??= {})[r.value] = r.a;
        portraits.push({ audience: rows[0]?.na ?? 0, base: rows[0]?.nb ?? 0, dims });
      }
      return { portraits, times };
    },
    stats: async () => ({ duckdbMemoryBytes: await memory() }),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Fetches the generated CSVs from the local server as blobs and wraps them as `File`s, as a file picker gives them. */
async function files(names) {
  const out = [];
  for (const [kind, name] of Object.entries(names)) {
    const blob = await (await fetch(`/bench-data/${name}`)).blob();
    out.push({ kind, file: new File([blob], name, { type: 'text/csv' }) });
  }
  return out;
}

/** The tag names an expression or rule reads (`b001` …). */
const tagNames = (text) => [...text.matchAll(/\bb\d{3}\b/g)].map((m) => m[0]);

/**
 * The workload both engines run: the pack without the tags the SQL export skipped (and the expressions that read
 * them), the SQL, and each expression and portrait translated for DuckDB.
 */
async function workload(hx, input, { seed, tags, audiences, portraits }) {
  const p = await hx.prepare(input, { seed, tags, audiences, head: 8 << 20 });
  const packNames = new Set(tagNames(p.rules));
  const skipped = p.defs.filter((d) => d.column === null || d.column === undefined).map((d) => ({ name: d.name, why: d.skippedEn }));
  const skippedNames = new Set(skipped.map((d) => d.name));
  const rules = p.rules
    .split('\n')
    .filter((l) => l && !skippedNames.has(tagNames(l)[0]))
    .join('\n');
  const columns = p.defs
    .filter((d) => d.kind === 'tag' && d.column)
    .map((d) => ({ name: d.name, column: d.column, value: d.value, pack: packNames.has(d.name) }));
  const byName = new Map(columns.map((c) => [c.name, c.column]));
  const expressions = p.expressions.filter((e) => tagNames(e).every((n) => !skippedNames.has(n)));
  const portraitExprs = expressions.slice(0, portraits);
  const flags = columns.filter((c) => c.value === 'bool').map((c) => [c.name, c.column]);
  const enums = [...columns.filter((c) => c.value === 'text').map((c) => [c.name, c.column]), ...PORTRAIT_ATTRIBUTES];
  return {
    files: input,
    rules,
    sql: p.sql,
    columns,
    skipped,
    generated: { tags: packNames.size, expressions: p.expressions.length },
    expressions,
    sqlExpressions: expressions.map((e) => audienceSql(e, byName)),
    portraits: portraitExprs,
    sqlPortraits: portraitExprs.map((e) => portraitSql(audienceSql(e, byName), flags, enums)),
  };
}

const engines = [huaxiang(), duckDb()];
const inits = Promise.all(engines.map((e) => e.init()));

window.bench = {
  ready: inits.then(() => true),

  /**
   * Runs every step `runs` times in each engine (alternating engines, to spread the machine's noise), and the
   * touch-every-byte baseline once per run before huaxiang's steps.
   */
  async run({ names, runs = 3, seed = 7, tags = 100, audiences = 1000, portraits = 20, duckdbCompress = false }) {
    const [hxInfo, duckInfo] = await inits;
    const [hx, duck] = engines;
    if (duckdbCompress) await duck.compress();
    duckInfo.compressed = duckdbCompress;
    const input = await files(names);
    const bytes = input.reduce((k, f) => k + f.file.size, 0);
    const w = await workload(hx, input, { seed, tags, audiences, portraits });
    log(`workload: ${w.rules.split('\n').length} tags (${w.skipped.length} skipped by the SQL export), ${w.expressions.length} expressions, ${w.portraits.length} portraits`);
    const times = Object.fromEntries(engines.map((e) => [e.name, Object.fromEntries(STEPS.map((s) => [s, []]))]));
    const touch = [];
    const perRequest = { huaxiang: { counts: [], portraits: [] }, duckdb: { counts: [], portraits: [] } };
    const results = {};
    const stats = {};
    const failed = {};
    for (let run = 0; run < runs; run++) {
      for (const engine of engines) {
        // An engine that failed a step still runs the steps before it in later runs, so they get a median too.
        const f = failed[engine.name];
        const steps = f ? (f.again ? [] : STEPS.slice(0, STEPS.indexOf(f.step))) : STEPS;
        if (!steps.length) continue;
        await engine.reset();
        if (engine === hx) {
          const t0 = performance.now();
          await hx.touch(w);
          touch.push(performance.now() - t0);
        }
        for (const step of steps) {
          const t0 = performance.now();
          let result;
          try {
            result = await engine[step](w);
          } catch (err) {
            // An engine that fails (out of memory at a large size, say) is reported; the other one carries on. A later
            // failure (of a step it finished before) is logged, and the engine runs no more.
            const error = String(err?.message ?? err);
            if (failed[engine.name]) failed[engine.name].again = { run: run + 1, step, error };
            else failed[engine.name] = { run: run + 1, step, ms: performance.now() - t0, error };
            log(`run ${run + 1}: ${engine.name} ${step} failed: ${error}`);
            break;
          }
          times[engine.name][step].push(result.timedMs ?? performance.now() - t0);
          if (result.times) perRequest[engine.name][step].push(result.times);
          if (result.engineTimes) (perRequest[engine.name].countsEngine ??= []).push(result.engineTimes);
          if (run === 0) (results[engine.name] ??= {})[step] = result;
          // After the first load: wasm memory never shrinks, so huaxiang's figure here is the peak of the load.
          if (run === 0 && step === 'load') stats[engine.name] = { afterLoad: await engine.stats() };
        }
        if (run === 0 && !failed[engine.name]) stats[engine.name].afterSteps = await engine.stats();
        log(`run ${run + 1}: ${engine.name} ${steps.filter((s) => times[engine.name][s].length > run).map((s) => `${s} ${times[engine.name][s].at(-1).toFixed(0)} ms`).join(', ')}`);
      }
    }
    if (!failed.huaxiang) stats.huaxiang.afterAllRuns = await hx.stats();
    const ping = (await hx.ping(1000)).sort((a, b) => a - b);
    const medians = Object.fromEntries(Object.entries(times).map(([e, t]) => [e, Object.fromEntries(STEPS.filter((s) => t[s].length).map((s) => [s, median(t[s])]))]));
    return {
      bytes,
      runs,
      files: input.map((f) => ({ name: f.file.name, kind: f.kind, bytes: f.file.size })),
      workload: { tags: w.rules.split('\n').length, generated: w.generated, skipped: w.skipped, expressions: w.expressions.length, list: w.expressions, portraits: w.portraits.length, sql: w.sql },
      times,
      touch,
      perRequest,
      medians,
      results,
      stats,
      failed,
      duckdb: duckInfo,
      huaxiang: hxInfo,
      // Whether the page is cross-origin isolated (performance.now() to 5 µs rather than 100 µs), and the worker's
      // bare round trip (p50, p99), the floor under every count as the page sees it.
      isolated: self.crossOriginIsolated,
      roundTrip: { p50: ping[499], p99: ping[989] },
    };
  },
};
