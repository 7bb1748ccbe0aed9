// The in-browser half of the tags benchmark: runs each step in a module worker that owns the wasm engine and
// reports both the engine's own time (measured in the worker) and the time the page waited for the reply.
const worker = new Worker(new URL('tags-worker.js', import.meta.url), { type: 'module' });
let nextId = 1;
const pending = new Map();
worker.onmessage = ({ data }) => {
  const job = pending.get(data.id);
  pending.delete(data.id);
  if (data.error) job.reject(new Error(data.error));
  else job.resolve({ ...data.result, engineMs: data.engineMs, pageMs: performance.now() - job.t0 });
};
const call = (step, args) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, t0: performance.now() });
    worker.postMessage({ id, step, args });
  });
const log = (line) => {
  document.getElementById('log').textContent += `${line}\n`;
};

window.bench = {
  ready: call('init').then(() => true),

  /** Loads synthetic data, imports `n` generated tags, evaluates them all, edits one and evaluates again. */
  async run({ seed = 7, members, orders, events, n }) {
    const load = await call('load', { seed, members, orders, events });
    log(`loaded ${load.members} members, ${load.orders} orders, ${load.events} events in ${(load.pageMs / 1000).toFixed(2)} s`);
    const rules = await call('rules', { seed, n });
    if (rules.problems.length) throw new Error(`the generated pack has problems: ${JSON.stringify(rules.problems[0])}`);
    const full = await call('tags');
    if (full.errors) throw new Error(`${full.errors} rule errors`);
    log(`${full.tags} tags evaluated in ${(full.pageMs / 1000).toFixed(2)} s`);
    const edit = await call('edit', { name: 'b005', rule: 'avg(orders.amount, last 60d) > 120' });
    const cached = await call('tags');
    // 1,000 random audience expressions, one request each, as the builder sends them while the user types.
    const { expressions } = await call('expressions', { seed, tags: n, n: 1000 });
    const engine = [];
    const page = [];
    let bitmapOnly = 0;
    let scanned = 0;
    for (const expr of expressions) {
      const r = await call('count', { expr });
      engine.push(r.engineMs);
      page.push(r.pageMs);
      bitmapOnly += r.bitmapOnly ? 1 : 0;
      scanned += r.scanned ? 1 : 0;
    }
    const pct = (xs, p) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length, Math.max(1, Math.ceil(s.length * p))) - 1];
    };
    const audiences = {
      n: expressions.length,
      bitmapOnly,
      scanned,
      engine: { p50: pct(engine, 0.5), p99: pct(engine, 0.99), max: pct(engine, 1) },
      page: { p50: pct(page, 0.5), p99: pct(page, 0.99), max: pct(page, 1) },
    };
    log(`audiences: p50 ${audiences.page.p50.toFixed(2)} ms, p99 ${audiences.page.p99.toFixed(2)} ms (page)`);
    // 20 portraits of the first expressions against every member (the first one also builds what the next reuse).
    const times = [];
    let traits = 0;
    for (const audience of expressions.slice(0, 20)) {
      const p = await call('portrait', { audience });
      times.push(p.pageMs);
      traits = Math.max(traits, p.traits);
    }
    const portrait = { n: times.length, traits, firstMs: times[0], pageMs: pct(times, 0.5), maxMs: pct(times, 1) };
    const stats = await call('stats');
    return { load, full, edit, cached, audiences, portrait, wasmBytes: stats.wasmBytes };
  },
};
