// The huaxiang side of the DuckDB-WASM comparison: a module worker that owns the wasm engine, as the app's worker
// does. Files arrive as `File` objects and are streamed in chunks through beginFile/push/finishFile; each step is
// timed here (engine time) while the page times the round trip (time as seen by the page).
import init, { Workspace } from '/pkg/huaxiang.js';

const CHUNK = 4 << 20;

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
  /** Streams each `{ file, kind }` into the workspace; returns the rows read per file. */
  async load({ files }) {
    const loaded = [];
    for (const { file, kind } of files) {
      const t0 = performance.now();
      ws.beginFile(file.name, { kind, size: file.size });
      for (let offset = 0; offset < file.size; offset += CHUNK) {
        ws.push(new Uint8Array(await file.slice(offset, Math.min(file.size, offset + CHUNK)).arrayBuffer()));
      }
      const report = ws.finishFile();
      loaded.push({ name: file.name, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded, rowsSkipped: report.rowsSkipped, ms: performance.now() - t0 });
    }
    return { files: loaded };
  },
  /** The RFM table and its 8 segments (the default analysis date: the day after the latest order). */
  rfm() {
    const s = ws.compute();
    return { asOf: s.asOf, buyers: s.buyers, orders: s.orders, segments: Object.fromEntries(s.segments.map((g) => [g.key, g.count])) };
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
