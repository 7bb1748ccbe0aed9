// The tag catalog kept in the browser's own storage: the tag pack (the engine's exportPack JSON) is saved after
// every change and imported again when the engine starts or is restarted after a crash, so rules the user wrote
// are never lost. The operator's name ("author" of each version) is remembered here too.

const PACK_KEY = 'hx.tagPack';
const BAD_PACK_KEY = 'hx.tagPack.unreadable';
const AUTHOR_KEY = 'hx.author';
const EVALUATING_KEY = 'hx.evaluating';
const GOOD_KEY = 'hx.tagPack.good';
const QUARANTINE_KEY = 'hx.quarantine';

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

// --- Quarantine: a rule that stopped the engine is kept aside instead of stopping it again ---
// While rules are being evaluated a mark is kept in storage; when every evaluation has finished, the rules of the
// saved pack are remembered as good. If the engine stops (a crash, a tab killed for memory, the user's stop button)
// with the mark set, the definitions new or changed since the last good evaluation are taken out of the pack and
// kept under their own key: listed, not evaluated, and put back by the user when they choose.

const readJson = (key, fallback) => {
  try {
    return JSON.parse(storage()?.getItem(key) ?? 'null') ?? fallback;
  } catch {
    return fallback;
  }
};

/** Notes whether rules are being evaluated; when evaluation ends, the saved pack's rules are remembered as good. */
export function markEvaluating(on) {
  if (on) {
    storage()?.setItem(EVALUATING_KEY, '1');
    return;
  }
  storage()?.removeItem(EVALUATING_KEY);
  const definitions = readJson(PACK_KEY, null)?.definitions;
  if (!Array.isArray(definitions)) return;
  const good = Object.fromEntries(definitions.map((d) => [d.name, d.rule]));
  try {
    storage()?.setItem(GOOD_KEY, JSON.stringify(good));
  } catch {
    // Storage full: the previous record stays, which only makes more rules suspects after a crash.
  }
}

/** The definitions kept aside, each `{ definition, at }`. */
export function quarantined() {
  const list = readJson(QUARANTINE_KEY, []);
  return Array.isArray(list) ? list : [];
}

/**
 * After the engine stopped: if it stopped while evaluating, moves the definitions new or changed since the last
 * good evaluation out of the saved pack into the quarantine. Returns the names moved.
 */
export function quarantineSuspects(at = new Date().toISOString()) {
  if (!storage()?.getItem(EVALUATING_KEY)) return [];
  storage()?.removeItem(EVALUATING_KEY);
  const pack = readJson(PACK_KEY, null);
  if (!Array.isArray(pack?.definitions)) return [];
  const good = readJson(GOOD_KEY, {});
  const suspect = (d) => good[d.name] !== d.rule;
  const moved = pack.definitions.filter(suspect);
  if (!moved.length) return [];
  pack.definitions = pack.definitions.filter((d) => !suspect(d));
  storage()?.setItem(QUARANTINE_KEY, JSON.stringify([...quarantined(), ...moved.map((definition) => ({ definition, at }))]));
  savePack(JSON.stringify(pack));
  return moved.map((d) => d.name);
}

/** Takes `name` out of the quarantine; returns a pack of that one definition to import (merge) again. */
export function release(name) {
  const list = quarantined();
  const item = list.find((q) => q.definition?.name === name);
  if (!item) return null;
  storage()?.setItem(QUARANTINE_KEY, JSON.stringify(list.filter((q) => q !== item)));
  const pack = readJson(PACK_KEY, {});
  return JSON.stringify({ format: pack.format ?? 'huaxiang-tag-pack', version: pack.version ?? 1, definitions: [item.definition] });
}
