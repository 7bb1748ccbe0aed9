// The in-browser half of the benchmarks: drives the same engine worker the app uses (www/worker.js through
// www/js/client.js), so the figures are what a user's page sees. The Node driver (bench/run.mjs) puts files into
// the file input and calls the functions exported on `window.bench`.
import { Engine } from '/js/client.js';

const engine = new Engine(new URL('/worker.js', location.href));
const log = (line) => {
  document.getElementById('log').textContent += `${line}\n`;
};

window.bench = {
  ready: engine.ready.then(() => true),

  /** Loads the files now in the file input (kinds in the same order) and reports times and memory. */
  async load(kinds) {
    const files = [...document.getElementById('files').files];
    const results = [];
    for (const [i, file] of files.entries()) {
      const t0 = performance.now();
      const report = await engine.call('load', { file, options: { kind: kinds[i] } });
      const ms = performance.now() - t0;
      results.push({ name: file.name, bytes: file.size, ms, rows: report.rowsRead, skipped: report.rowsSkipped });
      log(`${file.name}: ${(file.size / 1e6).toFixed(0)} MB in ${(ms / 1000).toFixed(2)} s`);
    }
    const t0 = performance.now();
    const summary = await engine.call('compute', {});
    const computeMs = performance.now() - t0;
    const stats = await engine.call('stats');
    return { files: results, computeMs, buyers: summary.buyers, orders: summary.orders, memory: summary.memory, wasmBytes: stats.wasmBytes };
  },
};
