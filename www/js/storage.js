// The workspace the browser keeps: one IndexedDB database ("huaxiang", store "workspace") holding the tag pack
// (rules, audiences, settings), the operator's name, remembered column mappings, saved splits, the export log and
// saved views, each under its own key. Nothing here holds member data; the opt-in data snapshot lives in the
// Origin Private File System (see snapshot.js).
//
// The modules that keep things (tagstore.js, audience-store.js, mappings.js) read and write synchronously: this
// module loads every entry into memory once at start-up (`openStorage`), answers reads from there and writes
// through to IndexedDB in the background (`flushed()` settles when every write has landed). Entries older versions
// kept in localStorage under `hx.*` are moved here on first start (the language choice stays in localStorage).
//
// The database is created on the first write only, so a browser that never saved anything — or one whose
// workspace was just forgotten — holds no database at all.

const DB = 'huaxiang';
const STORE = 'workspace';
/** The file format of an exported workspace. */
export const WORKSPACE_FORMAT = 'huaxiang-workspace';
export const WORKSPACE_VERSION = 1;
/** localStorage keys of earlier versions and the keys they move to. */
const LEGACY = [
  ['hx.tagPack', 'tagPack'],
  ['hx.tagPack.unreadable', 'tagPack.unreadable'],
  ['hx.author', 'author'],
  ['hx.splits', 'splits'],
  ['hx.exportLog', 'exportLog'],
];
const LEGACY_MAPPING = 'hx.mapping.';

const cache = new Map();
let db = null;
let opening = null;
let writes = Promise.resolve();
let failed = null;

const idb = () => globalThis.indexedDB ?? null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
}

async function exists() {
  if (!idb()) return false;
  if (typeof idb().databases !== 'function') return true;
  return (await idb().databases()).some((d) => d.name === DB);
}

/** Opens (creating when asked) the database. */
function connect() {
  if (db) return Promise.resolve(db);
  opening ??= new Promise((resolve, reject) => {
    const req = idb().open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => {
      db = req.result;
      // Another tab deleting the database ("forget everything") closes this connection.
      db.onversionchange = () => {
        db.close();
        db = null;
        opening = null;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
  }).finally(() => {
    opening = null;
  });
  return opening;
}

/** Loads every entry into memory, moving what earlier versions kept in localStorage. Call once before reading. */
export async function openStorage() {
  cache.clear();
  if (idb() && (await exists())) {
    const store = (await connect()).transaction(STORE).objectStore(STORE);
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    keys.forEach((k, i) => cache.set(k, values[i]));
  }
  migrate();
}

function migrate() {
  const local = globalThis.localStorage;
  if (!local) return;
  const moves = LEGACY.filter(([from]) => local.getItem(from) !== null);
  for (const key of Object.keys(local)) if (key.startsWith(LEGACY_MAPPING)) moves.push([key, `mapping:${key.slice(LEGACY_MAPPING.length)}`]);
  for (const [from, to] of moves) {
    let value = local.getItem(from);
    if (to === 'splits' || to === 'exportLog' || to.startsWith('mapping:')) {
      try {
        value = JSON.parse(value);
      } catch {
        continue;
      }
    }
    if (!cache.has(to)) set(to, value);
  }
  // Removed once the entries are safely in the database.
  if (moves.length) flushed().then(() => moves.forEach(([from]) => local.removeItem(from)), () => {});
}

/** The value kept under `key`, or `fallback`. */
export function get(key, fallback = null) {
  return cache.has(key) ? cache.get(key) : fallback;
}

/** Every key starting with `prefix`. */
export function keys(prefix = '') {
  return [...cache.keys()].filter((k) => k.startsWith(prefix));
}

function persist(apply) {
  if (!idb()) return;
  writes = writes.then(async () => {
    const tx = (await connect()).transaction(STORE, 'readwrite');
    apply(tx.objectStore(STORE));
    await done(tx);
  }).catch((err) => {
    failed = err;
  });
}

/** Keeps `value` (anything structured-clonable) under `key`. */
export function set(key, value) {
  cache.set(key, value);
  persist((store) => store.put(value, key));
}

/** Removes `key`. */
export function remove(key) {
  if (!cache.delete(key)) return;
  persist((store) => store.delete(key));
}

/**
 * Settles when every write so far has reached the database; rejects (once) with a `storage_full`-style error
 * when one failed, so the caller can tell the user.
 */
export async function flushed() {
  await writes;
  if (failed) {
    const err = failed;
    failed = null;
    throw Object.assign(new Error('storage_failed'), {
      code: 'storage_failed',
      zh: `无法保存到浏览器存储（${err?.name ?? err}）：请导出工作区留底。`,
      en: `Could not save to the browser's storage (${err?.name ?? err}); export the workspace to keep a copy.`,
    });
  }
}

/** The whole workspace as one JSON-able object: every entry, with the format and version. */
export function exportWorkspace(now = new Date()) {
  return { format: WORKSPACE_FORMAT, version: WORKSPACE_VERSION, exportedAt: now.toISOString(), entries: Object.fromEntries(cache) };
}

/**
 * Replaces the workspace by an exported one (its text or parsed object); returns the number of entries. Throws a
 * `{ code, zh, en }` error for a file that is not an exported workspace.
 */
export async function importWorkspace(input) {
  let value = input;
  try {
    if (typeof input === 'string') value = JSON.parse(input);
  } catch {
    value = null;
  }
  if (value?.format !== WORKSPACE_FORMAT || typeof value.entries !== 'object' || value.entries === null) {
    throw Object.assign(new Error('bad_workspace'), { code: 'bad_workspace', zh: '这不是画像导出的工作区文件。', en: 'This is not a workspace file exported by huaxiang.' });
  }
  if (value.version > WORKSPACE_VERSION) {
    throw Object.assign(new Error('bad_workspace'), {
      code: 'bad_workspace',
      zh: `工作区文件是第 ${value.version} 版格式，本程序只能读取第 ${WORKSPACE_VERSION} 版及以前的格式。`,
      en: `The workspace file has format version ${value.version}; this build reads up to version ${WORKSPACE_VERSION}.`,
    });
  }
  for (const key of [...cache.keys()]) remove(key);
  const entries = Object.entries(value.entries);
  for (const [key, v] of entries) set(key, v);
  await flushed();
  return entries.length;
}

/**
 * Forgets everything this origin keeps: the IndexedDB database, the Origin Private File System (the data
 * snapshot), localStorage and sessionStorage, Cache Storage and service worker registrations. Resolves to the list
 * of what could not be removed (empty when all went).
 */
export async function forgetEverything() {
  const left = [];
  try {
    await writes;
  } catch {
    // A failed write is forgotten with the rest.
  }
  cache.clear();
  db?.close();
  db = null;
  if (idb()) {
    const names = typeof idb().databases === 'function' ? (await idb().databases()).map((d) => d.name) : [DB];
    for (const name of names) {
      try {
        await request(idb().deleteDatabase(name));
      } catch {
        left.push(`indexedDB:${name}`);
      }
    }
  }
  try {
    const root = await navigator.storage?.getDirectory?.();
    if (root) for await (const name of root.keys()) await root.removeEntry(name, { recursive: true });
  } catch {
    left.push('opfs');
  }
  globalThis.localStorage?.clear();
  globalThis.sessionStorage?.clear();
  try {
    if (globalThis.caches) for (const name of await caches.keys()) await caches.delete(name);
  } catch {
    left.push('caches');
  }
  try {
    const registrations = (await navigator.serviceWorker?.getRegistrations?.()) ?? [];
    for (const r of registrations) await r.unregister();
  } catch {
    left.push('serviceWorker');
  }
  return left;
}
