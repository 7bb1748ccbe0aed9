// The tag catalog kept in the browser's own storage: the tag pack (the engine's exportPack JSON) is saved after
// every change and imported again when the engine starts or is restarted after a crash, so rules the user wrote
// are never lost. The operator's name ("author" of each version) is remembered here too.

const PACK_KEY = 'hx.tagPack';
const BAD_PACK_KEY = 'hx.tagPack.unreadable';
const AUTHOR_KEY = 'hx.author';

const storage = () => globalThis.localStorage ?? null;

/** The saved pack JSON, or `null`. */
export function savedPack() {
  return storage()?.getItem(PACK_KEY) ?? null;
}

/** Saves the pack JSON; throws a `{ code, zh, en }` error when the browser refuses (storage full). */
export function savePack(json) {
  try {
    storage()?.setItem(PACK_KEY, json);
  } catch (err) {
    throw Object.assign(new Error('storage_full'), {
      code: 'storage_full',
      zh: `标签包无法保存到浏览器存储（${err?.name ?? err}）：请导出标签包留底。`,
      en: `The tag pack could not be saved in the browser's storage (${err?.name ?? err}); export it to keep a copy.`,
    });
  }
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
      storage()?.setItem(BAD_PACK_KEY, json);
      storage()?.removeItem(PACK_KEY);
    }
    throw err;
  }
}

/** The remembered operator name ('' when none). */
export function author() {
  return storage()?.getItem(AUTHOR_KEY) ?? '';
}

/** Remembers the operator name. */
export function setAuthor(name) {
  storage()?.setItem(AUTHOR_KEY, String(name ?? '').trim());
}
