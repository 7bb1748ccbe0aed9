// The huaxiang side of the DuckDB-WASM comparison: a module worker that owns the wasm engine, as the app's worker
// does. Files arrive as `File` objects and are streamed in chunks through beginFile/push/finishFile, read ahead by
// a reader worker (the app's own `www/js/file-reader.js`); each step is timed here (engine time) while the page times the round trip
// (time as seen by the page).
import init, { Workspace, benchAudiences, benchRules, benchTouch } from '/pkg-bench/huaxiang.js';
import { AHEAD, CHUNK, readSlice } from '/js/file-reader.js';

/** Streams each `{ file }` in CHUNK slices read ahead, as `load` does, handing every chunk (a Uint8Array) to `use`. */
async function stream(files, use) {
  for (const { file } of files) {
    const read = (offset) => (offset < file.size ? readSlice(file, offset, Math.min(file.size, offset + CHUNK)) : null);
    const ahead = Array.from({ length: AHEAD }, (_, k) => read(k * CHUNK));
    for (let offset = 0; offset < file.size; offset += CHUNK) {
      const bytes = await ahead.shift();
      ahead.push(read(offset + AHEAD * CHUNK));
      use(bytes);
    }
  }
}

let ws = null;
let memory = null;

const steps = {
  async init() {
    memory = (await init()).memory;
    return {};
  },
  /** A fresh workspace, so every run loads from nothing (wasm memory never shrinks: its size is the peak). */
  reset() {
    ws?.free();
    ws = new Workspace();
    return {};
  },
  /** Streams each `{ file, kind }` into the workspace, reading ahead as the app does; returns the rows read per file. */
  async load({ files }) {
    const loaded = [];
    for (const { file, kind } of files) {
      const t0 = performance.now();
      ws.beginFile(file.name, { kind, size: file.size });
      // As www/worker.js does: the next chunks are already being read (by the reader worker) while the engine parses.
      const read = (offset) => (offset < file.size ? readSlice(file, offset, Math.min(file.size, offset + CHUNK)) : null);
      const ahead = Array.from({ length: AHEAD }, (_, k) => read(k * CHUNK));
      for (let offset = 0; offset < file.size; offset += CHUNK) {
        const bytes = await ahead.shift();
        ahead.push(read(offset + AHEAD * CHUNK));
        ws.push(bytes);
      }
      const report = ws.finishFile();
      loaded.push({ name: file.name, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded, rowsSkipped: report.rowsSkipped, ms: performance.now() - t0 });
    }
    return { files: loaded };
  },
  /**
   * The workload, untimed: the generated pack (`tags` rules), `audiences` audience expressions over it, and the
   * engine's DuckDB export of the pack, made on a workspace loaded with the head (`head` bytes) of each file: the
   * export reads only the columns the files have, not their rows.
   */
  async prepare({ files, seed, tags, audiences, head }) {
    const w = new Workspace();
    try {
      for (const { file, kind } of files) {
        w.beginFile(file.name, { kind });
        w.push(new Uint8Array(await file.slice(0, Math.min(file.size, head)).arrayBuffer()));
        w.finishFile();
      }
      w.compute();
      const rules = benchRules(seed, tags);
      const problems = w.importRules(rules, '2025-06-01T00:00:00', 'bench');
      if (problems.length) throw new Error(`the generated pack has problems: ${JSON.stringify(problems.slice(0, 3))}`);
      const { sql, defs } = w.exportSql('duckdb');
      return { rules, expressions: benchAudiences(seed, tags, audiences), sql, defs };
    } finally {
      w.free();
    }
  },
  /** The touch-every-byte baseline: the same chunks as `load`, each only read by `benchTouch` in wasm. */
  async touch({ files }) {
    let check = 0;
    await stream(files, (chunk) => {
      check = (check + benchTouch(chunk)) >>> 0;
    });
    return { check };
  },
  /** The RFM table and its 8 segments (the default analysis date: the day after the latest order). */
  rfm() {
    const s = ws.compute();
    return { asOf: s.asOf, members: s.members, buyers: s.buyers, orders: s.orders, segments: Object.fromEntries(s.segments.map((g) => [g.key, g.count])) };
  },
  /** The rule pack given as text, until every tag's result is computed (the tag report the page shows). */
  tags({ rules }) {
    const problems = ws.importRules(rules, '2025-06-01T00:00:00', 'bench');
    if (problems.length) throw new Error(`the pack has problems: ${JSON.stringify(problems.slice(0, 3))}`);
    const report = ws.tags();
    return { tags: report.tags.filter((t) => !t.builtin).map((t) => ({ name: t.name, count: t.count, values: Object.fromEntries(t.values.map((v) => [v.value, v.count])) })) };
  },
  /** One audience count (the page sends them one at a time and times each round trip). */
  count({ expr }) {
    const c = ws.audienceCount(expr);
    if (c.count === undefined || c.count === null) throw new Error(`${expr}: ${JSON.stringify(c.diagnostics)}`);
    return { count: c.count };
  },
  /** One portrait against every member, returned whole (what the page would draw). */
  portrait({ expr }) {
    return ws.portrait({ audience: expr });
  },
  /** Nothing: the page times the bare round trip with it. */
  ping() {
    return {};
  },
  stats() {
    return { wasmBytes: memory.buffer.byteLength, held: ws.memory() };
  },
};

self.onmessage = async ({ data: { id, step, args } }) => {
  try {
    const t0 = performance.now();
    const result = await steps[step](args ?? {});
    self.postMessage({ id, result, engineMs: performance.now() - t0 });
  } catch (err) {
    self.postMessage({ id, error: String(err?.en ?? err?.message ?? err) });
  }
};
