// The tag catalog kept in the workspace storage (storage.js, IndexedDB): the tag pack (the engine's exportPack
// JSON: rules, audiences, settings) is saved after every change and imported again when the engine starts or is
// restarted after a crash, so rules the user wrote are never lost. The operator's name ("author" of each version)
// is remembered here too.
import { get, remove, set } from './storage.js';

const PACK_KEY = 'tagPack';
const BAD_PACK_KEY = 'tagPack.unreadable';
const AUTHOR_KEY = 'author';

/** The saved pack JSON, or `null`. */
export function savedPack() {
  return get(PACK_KEY);
}

/** Saves the pack JSON (a failed write is reported by `storage.flushed()`). */
export function savePack(json) {
  set(PACK_KEY, json);
}

/**
 * Imports the saved pack into a fresh engine. Resolves to the number of definitions restored; when the saved
 * pack cannot be read it is moved aside (kept, not deleted) and the engine's error is thrown.
 */
export async function restorePack(engine) {
  const json = savedPack();
  if (!json) return 0;
  // A catalog the user emptied is saved as a pack without definitions: nothing to restore (the engine refuses
  // to import an empty pack, so that a user's import of one is not silent).
  try {
    if (JSON.parse(json)?.definitions?.length === 0) return 0;
  } catch {
    // Not JSON: the engine's import below reports it and moves it aside.
  }
  try {
    return (await engine.call('importPack', { json, merge: false })).count;
  } catch (err) {
    if (err?.code === 'bad_pack') {
      set(BAD_PACK_KEY, json);
      remove(PACK_KEY);
    }
    throw err;
  }
}

/** The remembered operator name ('' when none). */
export function author() {
  return get(AUTHOR_KEY) ?? '';
}

/** Remembers the operator name. */
export function setAuthor(name) {
  set(AUTHOR_KEY, String(name ?? '').trim());
}
