// The tags benchmark's engine worker: owns one wasm Workspace, as the app's worker does, and times each step
// inside the worker (engine time); the page times the same calls through postMessage (time as seen by the page).
import init, { Workspace, benchAudiences, benchRules } from '/pkg-bench/huaxiang.js';

let ws = null;
let memory = null;

const steps = {
  async init() {
    memory = (await init()).memory;
    ws = new Workspace();
    return {};
  },
  load({ seed, members, orders, events }) {
    ws.loadSynthetic(seed, members, orders, events);
    const summary = ws.compute();
    return { members: summary.members, orders: summary.orders, events: summary.quality.events };
  },
  rules({ seed, n }) {
    const problems = ws.importRules(benchRules(seed, n), '2025-06-01T00:00:00', 'bench');
    return { problems };
  },
  tags() {
    const report = ws.tags();
    const errors = report.tags.reduce((k, t) => k + t.diagnostics.filter((d) => d.severity === 'error').length, 0);
    return { tags: report.tags.length, evaluated: report.evaluated.length, errors };
  },
  edit({ name, rule }) {
    const report = ws.saveTag({ name, group: '基准', rule }, '2025-06-01T00:01:00', 'bench');
    return { evaluated: report.evaluated };
  },
  expressions({ seed, tags, n }) {
    return { expressions: benchAudiences(seed, tags, n) };
  },
  /** Counts one audience expression (the page times the round trip; `engineMs` is the time inside the worker). */
  count({ expr }) {
    const c = ws.audienceCount(expr);
    if (c.count === undefined || c.count === null) throw new Error(`${expr}: ${JSON.stringify(c.diagnostics)}`);
    return { count: c.count, bitmapOnly: c.bitmapOnly, scanned: c.scanned };
  },
  portrait({ audience }) {
    const p = ws.portrait({ audience });
    return { traits: p.traits.length };
  },
  stats() {
    return { wasmBytes: memory.buffer.byteLength };
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
