// The in-browser half of the huaxiang vs DuckDB-WASM benchmark. Both engines get the same `File` objects and run
// the same steps; every step is timed as the page sees it (huaxiang runs in its module worker, DuckDB-WASM in its
// own worker, so both times include the message round trip).
//
// An engine is an object with one async method per step name (`reset`, then the steps in order) returning a small
// result for the cross-check; adding a step (100 tags, audiences, portraits) means adding a method to both engines
// and its name to STEPS.
import * as duckdb from '@duckdb/duckdb-wasm';
import { LOAD, RFM, SEGMENTS } from './duckdb-sql.js';

/** The timed steps, in order; each run starts from an empty engine (`reset`, not timed). */
export const STEPS = ['load', 'rfm'];

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
  return {
    name: 'huaxiang',
    init: () => call('init'),
    reset: () => call('reset'),
    load: (files) => call('load', { files: files.map(({ file, kind }) => ({ file, kind })) }),
    rfm: () => call('rfm'),
    stats: () => call('stats'),
  };
}

/** DuckDB-WASM: the single-thread `eh` bundle served from the local site; files registered as browser file handles. */
function duckDb() {
  let db;
  let conn;
  const base = new URL('/bench-modules/@duckdb/duckdb-wasm/dist/', location.href).href;
  const query = async (sql) => (await conn.query(sql)).toArray().map((row) => row.toJSON());
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
      const [{ version }] = await query('SELECT version() AS version');
      return { version, bundle: bundle.mainModule.split('/').pop() };
    },
    async reset() {
      for (const t of ['rfm', 'events', 'orders', 'members']) await conn.query(`DROP TABLE IF EXISTS ${t}`);
      return {};
    },
    async load(files) {
      const rows = [];
      for (const { file, kind } of files) {
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
      const [{ asOf, buyers }] = await query('SELECT (SELECT CAST(max(ordered_at) AS DATE) + 1 FROM orders)::VARCHAR AS "asOf", count(*)::INTEGER AS buyers FROM rfm');
      return { asOf, buyers, segments };
    },
    async stats() {
      const [{ bytes }] = await query('SELECT sum(memory_usage_bytes)::DOUBLE AS bytes FROM duckdb_memory()');
      return { duckdbMemoryBytes: bytes };
    },
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

const engines = [huaxiang(), duckDb()];
const inits = Promise.all(engines.map((e) => e.init()));

window.bench = {
  ready: inits.then(() => true),

  /** Runs every step `runs` times in each engine (alternating engines, to spread the machine's noise). */
  async run({ names, runs = 3 }) {
    const [hxInfo, duckInfo] = await inits;
    const input = await files(names);
    const bytes = input.reduce((k, f) => k + f.file.size, 0);
    const times = Object.fromEntries(engines.map((e) => [e.name, Object.fromEntries(STEPS.map((s) => [s, []]))]));
    const results = {};
    const stats = {};
    for (let run = 0; run < runs; run++) {
      for (const engine of engines) {
        await engine.reset();
        for (const step of STEPS) {
          const t0 = performance.now();
          const result = await engine[step](input);
          times[engine.name][step].push(performance.now() - t0);
          if (run === 0) (results[engine.name] ??= {})[step] = result;
        }
        // After the first run: wasm memory only grows, so huaxiang's figure is its peak over everything so far.
        if (run === 0) stats[engine.name] = await engine.stats();
        log(`run ${run + 1}: ${engine.name} ${STEPS.map((s) => `${s} ${times[engine.name][s].at(-1).toFixed(0)} ms`).join(', ')}`);
      }
    }
    stats.huaxiang.wasmBytesAfterAllRuns = (await engines[0].stats()).wasmBytes;
    const medians = Object.fromEntries(Object.entries(times).map(([e, t]) => [e, Object.fromEntries(STEPS.map((s) => [s, median(t[s])]))]));
    return { bytes, runs, files: input.map((f) => ({ name: f.file.name, kind: f.kind, bytes: f.file.size })), times, medians, results, stats, duckdb: duckInfo, huaxiang: hxInfo };
  },
};
