// The main thread's handle on the engine worker. Requests carry an id and replies are matched by it; progress
// messages for a request go to its `onProgress`. If the worker dies (a wasm trap or an out-of-memory abort), every
// pending request fails with `worker_crashed`, a fresh worker is started, and `onRestart` lets the app replay
// its files — rules and other state the user typed live on the main thread and are never lost.

export class EngineError extends Error {
  constructor({ code, zh, en, message }) {
    super(en || message || code);
    this.code = code;
    this.zh = zh || message || code;
    this.en = en || message || code;
  }
}

export class Engine {
  constructor(url = new URL('../worker.js', import.meta.url)) {
    this.url = url;
    this.nextId = 1;
    this.pending = new Map();
    this.onRestart = null;
    this.restarts = 0;
    this.start();
  }

  start() {
    this.worker = new Worker(this.url, { type: 'module' });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.crashed(e.message || 'worker error');
    };
    this.ready = this.call('init');
  }

  receive(msg) {
    const job = this.pending.get(msg.id);
    if (!job) return;
    if (msg.progress) {
      job.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.error) {
      job.reject(new EngineError(msg.error));
      if (msg.error.code === 'worker_crashed') this.crashed(msg.error.en);
    } else {
      job.resolve(msg.result);
    }
  }

  /** Calls `method` in the worker; resolves to its result or rejects with an {@link EngineError}. */
  call(method, args = {}, { onProgress, transfer = [] } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, method, args }, transfer);
    });
  }

  /** Asks the worker to stop the file it is reading; the pending `load` then rejects with `cancelled`. */
  cancel() {
    this.worker.postMessage({ method: 'cancel' });
  }

  crashed(reason) {
    if (this.restarting) return;
    this.restarting = true;
    this.worker.terminate();
    const error = new EngineError({ code: 'worker_crashed', zh: '计算引擎意外停止', en: `The engine stopped unexpectedly (${reason})` });
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
    this.restarts += 1;
    this.start();
    this.restarting = false;
    queueMicrotask(() => this.onRestart?.());
  }
}
