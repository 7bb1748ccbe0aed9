// What the Audiences view keeps in the browser's own storage besides the tag pack: saved A/B splits (only the
// request — audience, salt, arms, stratification — since the same request gives the same arms again) and the
// export log (when, which audience, how many rows, which columns, masked or hashed). Neither holds member data.
// Both live in the workspace storage (storage.js, IndexedDB).
import { get, remove, set } from './storage.js';

const SPLITS_KEY = 'splits';
const LOG_KEY = 'exportLog';
const MAX_LOG = 500;

function read(key) {
  const value = get(key, []);
  return Array.isArray(value) ? value : [];
}

function write(key, list) {
  set(key, list);
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
  remove(LOG_KEY);
}
