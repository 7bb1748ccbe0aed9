// The engine worker: owns the wasm instance and every byte of member data. The main thread sends requests
// `{ id, method, args }` and gets `{ id, result }`, `{ id, error }` or `{ id, progress }` back. Requests run one at a
// time in arrival order; only `cancel` is handled at once, so it can stop a file being read.
//
// Most methods are plain: a Workspace method of the same name, declared in one line of js/methods.js and dispatched
// generically (Perspective's `view_method` is the model). Explicit code is kept for what is special: start-up and
// reading files (`handlers`) and changing the catalog (`catalog`, whose replies carry the tag pack the page keeps).
import init, { Workspace, sampleEventsCsv, sampleMembersCsv, sampleOrdersCsv, version, vocabulary } from './pkg/huaxiang.js';
import { AHEAD, CHUNK, readSlice } from './js/file-reader.js';
import { METHODS, positional } from './js/methods.js';
import { CHANGES_DATA, dataChanged, snapshotHandlers } from './js/snapshot-file.js';

const PREVIEW_BYTES = 1 << 20;
const SAMPLE_SEED = 20250601;

let ws = null;
let wasmMemory = null;
let cancelRequested = false;
let queue = Promise.resolve();

/**
 * Catalog changes: each returns its result under a name, and the dispatch adds the pack (the catalog as JSON) that
 * the page keeps in its workspace storage (js/storage.js), so the catalog survives a reload or a restarted engine.
 */
const catalog = {
  saveTag: ({ edit, at, author }) => ({ report: ws.saveTag(edit, at, author ?? '') }),
  removeTag: ({ name }) => ({ report: ws.removeTag(name) }),
  revertTag: ({ name, version, at, author }) => ({ report: ws.revertTag(name, version, at, author ?? '') }),
  setSettings: ({ settings }) => ({ report: ws.setSettings(settings) }),
  importPack: ({ json, merge = false }) => ({ count: ws.importPack(json, merge), report: ws.tags() }),
  importRules: ({ text, at, author }) => ({ ...ws.importRules(text, at, author ?? ''), report: ws.tags() }),
  /** `request.file` (a File of ids, one a line or in the first column) is read here, in the worker. */
  async saveStaticAudience({ request: { file, ...rest }, at, author }) {
    return { saved: ws.saveStaticAudience(file ? { ...rest, text: await file.text() } : rest, at, author ?? '') };
  },
  snapshotAudience: ({ name, snapshot, at, author }) => ({ saved: ws.snapshotAudience(name, snapshot || undefined, at, author ?? '') }),
  // Models are catalog entries: a fit keeps its request in the pack (docs/models.md).
  fitModel: ({ request }) => ({ report: ws.fitModel(request) }),
  removeModel: ({ model }) => ({ removed: ws.removeModel(model) }),
  saveLookalikeAudience: ({ request, at, author }) => ({ saved: ws.saveLookalikeAudience(request, at, author ?? '') }),
};

const isWorkbook = (name, head) =>
  /\.(xlsx|xlsm)$/i.test(name) || (head && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04);

/** Throws `cancelled` when the user pressed Cancel since the file was opened. */
function checkCancel() {
  if (cancelRequested) {
    ws.cancelFile();
    throw Object.assign(new Error('cancelled'), { code: 'cancelled', zh: '已取消导入，之前导入的数据都还在。', en: 'Loading was cancelled; everything loaded before is kept.' });
  }
}

/**
 * Reads a text file in chunks into the open workspace file, reporting progress at most every 100 ms. The next
 * AHEAD chunks are already being read (off this thread) while the engine parses the current one.
 */
async function streamInto(name, size, readChunk, options, progress) {
  ws.beginFile(name, { ...options, size });
  let last = 0;
  let rows = 0;
  const read = (offset) => (offset < size ? readChunk(offset, Math.min(size, offset + CHUNK)) : null);
  const ahead = Array.from({ length: AHEAD }, (_, k) => read(k * CHUNK));
  try {
    for (let offset = 0; offset < size; offset += CHUNK) {
      checkCancel();
      const bytes = await ahead.shift();
      ahead.push(read(offset + AHEAD * CHUNK));
      checkCancel();
      rows = ws.push(bytes);
      const now = performance.now();
      if (now - last > 100) {
        last = now;
        progress({ phase: 'reading', name, bytes: Math.min(size, offset + CHUNK), total: size, rows });
      }
    }
  } finally {
    // Reads still under way when the load stops (cancelled or failed) are left to finish unobserved.
    ahead.forEach((next) => next?.catch(() => {}));
  }
  const report = ws.finishFile();
  progress({ phase: 'reading', name, bytes: size, total: size, rows: report.rowsRead });
  return report;
}

/** The special methods: start-up, reading files, and the test hooks. */
const handlers = {
  /** Starts the engine; the reply carries the core's vocabulary (metrics, keywords, roles …), so the page keeps no copy. */
  async init() {
    if (!ws) {
      wasmMemory = (await init()).memory;
      ws = new Workspace();
    }
    return { version: version(), vocabulary: vocabulary() };
  },

  async preview({ file, options }) {
    const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    const workbook = isWorkbook(file.name, head);
    const bytes = new Uint8Array(await (workbook ? file : file.slice(0, PREVIEW_BYTES)).arrayBuffer());
    return ws.preview(file.name, bytes, workbook || file.size <= bytes.length, options ?? {});
  },

  async load({ file, options }, progress) {
    cancelRequested = false;
    const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    if (isWorkbook(file.name, head)) {
      progress({ phase: 'reading', name: file.name, bytes: 0, total: file.size, rows: 0 });
      const bytes = new Uint8Array(await file.arrayBuffer());
      checkCancel();
      const report = ws.loadWorkbook(file.name, bytes, options ?? {});
      progress({ phase: 'reading', name: file.name, bytes: file.size, total: file.size, rows: report.rowsRead });
      return report;
    }
    const read = (from, to) => readSlice(file, from, to);
    return streamInto(file.name, file.size, read, options ?? {}, progress);
  },

  async loadSample({ members = 2000 }, progress) {
    cancelRequested = false;
    const reports = [];
    for (const [name, kind, bytes] of [
      ['示例会员.csv', 'members', sampleMembersCsv(SAMPLE_SEED, members)],
      ['示例订单.csv', 'orders', sampleOrdersCsv(SAMPLE_SEED, members)],
      ['示例行为.csv', 'events', sampleEventsCsv(SAMPLE_SEED, members)],
    ]) {
      reports.push(await streamInto(name, bytes.length, async (a, b) => bytes.subarray(a, b), { kind }, progress));
    }
    return reports;
  },

  /** The size of the wasm linear memory; it never shrinks, so it is the peak the engine needed. */
  stats: () => ({ wasmBytes: wasmMemory.buffer.byteLength }),
  // A deliberate trap, used by the end-to-end test that checks the app survives a crashed engine.
  crashForTest() {
    throw new WebAssembly.RuntimeError('unreachable');
  },
};

// The opt-in data snapshot in the Origin Private File System: saveSnapshot, restoreSnapshot, dropSnapshot.
Object.assign(handlers, snapshotHandlers(() => ws));

async function dispatch(method, args, progress) {
  if (!ws && method !== 'init') await handlers.init();
  if (CHANGES_DATA.has(method)) dataChanged();
  if (Object.hasOwn(handlers, method)) return handlers[method](args, progress);
  if (Object.hasOwn(catalog, method)) return { ...(await catalog[method](args)), pack: ws.exportPack() };
  if (Object.hasOwn(METHODS, method)) return ws[method](...positional(method, args)) ?? null;
  throw Object.assign(new Error(method), { code: 'unknown_method', zh: `未知请求 ${method}`, en: `Unknown request ${method}` });
}

function describe(err) {
  if (err && typeof err.code === 'string') return { code: err.code, zh: err.zh ?? err.message, en: err.en ?? err.message };
  // Anything else (a wasm trap, running out of memory) leaves the wasm instance unusable: report a crash so the
  // main thread replaces this worker.
  const text = String(err?.message ?? err);
  return { code: 'worker_crashed', zh: `计算引擎意外停止：${text}`, en: `The engine stopped unexpectedly: ${text}` };
}

self.onmessage = (event) => {
  const { id, method, args } = event.data;
  if (method === 'cancel') {
    cancelRequested = true;
    return;
  }
  const progress = (p) => self.postMessage({ id, progress: p });
  queue = queue.then(async () => {
    try {
      self.postMessage({ id, result: await dispatch(method, args ?? {}, progress) });
    } catch (err) {
      self.postMessage({ id, error: describe(err) });
    }
  });
};
