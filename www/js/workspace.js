// The workspace beyond one tab's life: export and import of the kept workspace (storage.js) as one file, the
// opt-in data snapshot in the Origin Private File System (written and read by the engine worker, so the bytes
// never cross to this thread), "forget everything", and the service worker that lets the app open offline.
import { h, bytes as formatBytes, int } from './dom.js';
import { t } from './i18n.js';
import { exportWorkspace, flushed, forgetEverything, get, importWorkspace, set } from './storage.js';
import { savedPack } from './tagstore.js';

const $ = (id) => document.getElementById(id);
const KEEP_KEY = 'snapshot.keep';

/** Whether the user opted in to keeping the data snapshot. */
export function keepsSnapshot() {
  return get(KEEP_KEY) === true;
}

/** Wires the workspace buttons of the Data view; restores the kept snapshot, if any. */
export async function setupWorkspace(app) {
  registerServiceWorker();
  $('workspace-export').addEventListener('click', () => {
    const json = JSON.stringify(exportWorkspace(), null, 1);
    const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const a = h('a', { href: url, download: `huaxiang-workspace-${new Date().toISOString().slice(0, 10)}.json`, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  $('workspace-import').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    try {
      const count = await importWorkspace(await file.text());
      await restoreCatalog(app);
      $('snapshot-keep').checked = keepsSnapshot();
      app.message(t('workspaceImported', int(count)));
    } catch (err) {
      app.error(err);
    }
  });
  const keep = $('snapshot-keep');
  keep.checked = keepsSnapshot();
  keep.addEventListener('change', async () => {
    set(KEEP_KEY, keep.checked);
    try {
      if (keep.checked) await saveSnapshot(app);
      else await app.engine.call('dropSnapshot');
    } catch (err) {
      app.error(err);
    }
  });
  // Every computation follows new data or a new date; the snapshot is written only when the data changed.
  app.on('computed', () => {
    if (keepsSnapshot()) saveSnapshot(app).catch((err) => app.error(err));
  });
  app.forgetEverything = () => forgetAll(app);
  if (keepsSnapshot() && !app.loaded.length) await restoreSnapshot(app);
}

/** Writes the data snapshot when the data changed since the last one. */
export async function saveSnapshot(app) {
  if (!app.loaded.length) return;
  const out = await app.engine.call('saveSnapshot');
  if (out?.saved) app.message(t('snapshotSaved', formatBytes(out.bytes)));
}

/** Restores the kept snapshot into the engine and computes; false when there is none. */
export async function restoreSnapshot(app) {
  const started = performance.now();
  try {
    app.progress('running', t('reading'), 0);
    const out = await app.engine.call('restoreSnapshot');
    if (!out) {
      app.progress('idle');
      return false;
    }
    app.loaded.push({ snapshot: true, file: { name: t('snapshotName') } });
    await app.compute();
    const ms = Math.round(performance.now() - started);
    app.message(t('snapshotRestored', formatBytes(out.bytes), ms));
    document.body.dataset.snapshotMs = String(ms);
    document.body.dataset.snapshot = 'restored';
    return true;
  } catch (err) {
    app.progress('error', '', 1);
    app.error(err);
    return false;
  }
}

/** Imports the kept tag pack into the engine (after a workspace import) and tells every view. */
async function restoreCatalog(app) {
  const json = savedPack();
  if (!json) return;
  try {
    if (JSON.parse(json)?.definitions?.length === 0) return;
  } catch {
    // The engine reports it.
  }
  const out = await app.engine.call('importPack', { json, merge: false });
  app.catalogChanged(out.pack);
}

/**
 * Forgets everything: the engine is replaced by a fresh one (no data, no rules), then every storage of the origin
 * is emptied. The tab keeps working; what is saved from now on is kept again.
 */
async function forgetAll(app) {
  if (!globalThis.confirm(t('forgetConfirm'))) return false;
  app.engine.worker.terminate();
  app.engine.start();
  await app.engine.ready;
  app.loaded = [];
  app.summary = null;
  app.tagsReady = Promise.resolve();
  const pack = await app.engine.call('exportPack');
  app.catalogChanged(pack);
  try {
    await flushed();
  } catch {
    // Forgotten below in any case.
  }
  const left = await forgetEverything();
  $('snapshot-keep').checked = false;
  app.progress('idle');
  app.render();
  if (left.length) app.message(t('forgetLeft') + left.join(', '), 'error');
  else app.message(t('forgotten'));
  document.body.dataset.forgotten = String(Date.now());
  return true;
}

/** Registers the service worker (sw.js beside the page) that keeps the app for offline starts. */
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !globalThis.isSecureContext) return;
  navigator.serviceWorker.register(new URL('../sw.js', import.meta.url)).catch(() => {});
}
