// What the Audiences view keeps in the browser's own storage besides the tag pack: saved A/B splits (only the
// request — audience, salt, arms, stratification — since the same request gives the same arms again) and the
// export log (when, which audience, how many rows, which columns, masked or hashed). Neither holds member data.

const SPLITS_KEY = 'hx.splits';
const LOG_KEY = 'hx.exportLog';
const MAX_LOG = 500;

const storage = () => globalThis.localStorage ?? null;

function read(key) {
  try {
    const value = JSON.parse(storage()?.getItem(key) ?? '[]');
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function write(key, list) {
  try {
    storage()?.setItem(key, JSON.stringify(list));
  } catch (err) {
    throw Object.assign(new Error('storage_full'), {
      code: 'storage_full',
      zh: `无法保存到浏览器存储（${err?.name ?? err}）。`,
      en: `Could not save to the browser's storage (${err?.name ?? err}).`,
    });
  }
}

/** Saved splits, newest first: `[{ name, request, savedAt, arms: [{ name, count }] }]`. */
export function savedSplits() {
  return read(SPLITS_KEY);
}

/** Saves a split under its name (replacing one of the same name). */
export function saveSplit(split) {
  write(SPLITS_KEY, [split, ...savedSplits().filter((s) => s.name !== split.name)]);
}

/** Removes a saved split. */
export function removeSplit(name) {
  write(SPLITS_KEY, savedSplits().filter((s) => s.name !== name));
}

/** The export log, newest first. */
export function exportLog() {
  return read(LOG_KEY);
}

/** Adds an entry (the engine's export-log entry) to the log; the oldest entries beyond 500 are dropped. */
export function logExport(entry) {
  write(LOG_KEY, [entry, ...exportLog()].slice(0, MAX_LOG));
}

/** Empties the export log. */
export function clearExportLog() {
  storage()?.removeItem(LOG_KEY);
}
