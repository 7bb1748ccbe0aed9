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

// Methods that may evaluate rules (every tag is evaluated on first use). While one is pending, `busy` counts it
// and `onBusy(busy)` is told, so the app can offer to stop a long evaluation and can tell, after a crash, that
// the rules were being evaluated (www/js/tagstore.js quarantines the rules changed since the last good run).
const EVALUATES = new Set([
  'tags', 'tagMembers', 'tagCount', 'lineage', 'audienceCount', 'audiencePreview', 'audienceMembers', 'audienceTags',
  'audiences', 'explainMember', 'portrait', 'crosstab', 'compareAudiences', 'splitAudience', 'splitMembers',
  'campaignLift', 'exportAudience', 'exportSql', 'importPack', 'importRules', 'saveTag', 'revertTag', 'removeTag',
  'setSettings', 'checkRule',
]);

export class Engine {
  constructor(url = new URL('../worker.js', import.meta.url)) {
    this.url = url;
    this.nextId = 1;
    this.pending = new Map();
    this.onRestart = null;
    this.restarts = 0;
    this.busy = 0;
    this.onBusy = null;
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
    if (job.evaluates) this.settled();
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
    const evaluates = EVALUATES.has(method);
    if (evaluates) {
      this.busy += 1;
      this.onBusy?.(this.busy);
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, evaluates });
      this.worker.postMessage({ id, method, args }, transfer);
    });
  }

  /** Asks the worker to stop the file it is reading; the pending `load` then rejects with `cancelled`. */
  cancel() {
    this.worker.postMessage({ method: 'cancel' });
  }

  settled() {
    this.busy = Math.max(0, this.busy - 1);
    this.onBusy?.(this.busy);
  }

  /**
   * Stops whatever the engine is doing (a rule evaluating for too long): the worker is ended and replaced as after
   * a crash, pending requests fail with `cancelled`, and `onRestart` restores the rules and reloads the files.
   */
  stop() {
    this.crashed('stopped by the user', { code: 'cancelled', zh: '已停止计算', en: 'The computation was stopped.' });
  }

  crashed(reason, stopped = null) {
    if (this.restarting) return;
    this.restarting = true;
    this.worker.terminate();
    this.lastStop = stopped ? 'stopped' : 'crashed';
    this.busy = 0;
    const error = new EngineError(stopped ?? { code: 'worker_crashed', zh: '计算引擎意外停止', en: `The engine stopped unexpectedly (${reason})` });
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
    this.restarts += 1;
    this.start();
    this.restarting = false;
    queueMicrotask(() => this.onRestart?.());
  }
}
