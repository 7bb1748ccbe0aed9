// The tag catalog kept in the workspace storage (storage.js, IndexedDB): the tag pack (the engine's exportPack
// JSON: rules, audiences, settings) is saved after every change and imported again when the engine starts or is
// restarted after a crash, so rules the user wrote are never lost. The operator's name ("author" of each version)
// is remembered here too.
import { get, remove, set } from './storage.js';

const PACK_KEY = 'tagPack';
const BAD_PACK_KEY = 'tagPack.unreadable';
const AUTHOR_KEY = 'author';
const EVALUATING_KEY = 'hx.evaluating';
const GOOD_KEY = 'hx.tagPack.good';
const QUARANTINE_KEY = 'hx.quarantine';

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

// --- Quarantine: a rule that stopped the engine is kept aside instead of stopping it again ---
// While rules are being evaluated a mark is kept in storage; when every evaluation has finished, the rules of the
// saved pack are remembered as good. If the engine stops (a crash, a tab killed for memory, the user's stop button)
// with the mark set, the definitions new or changed since the last good evaluation are taken out of the pack and
// kept under their own key: listed, not evaluated, and put back by the user when they choose.
// These three marks live in localStorage, not in the workspace store: the mark must be on disk synchronously before
// the evaluation that may stop the engine begins (IndexedDB writes land later). "Forget everything" clears them.

const local = () => globalThis.localStorage ?? null;

const readJson = (key, fallback) => {
  try {
    return JSON.parse((key === PACK_KEY ? get(PACK_KEY) : local()?.getItem(key)) ?? 'null') ?? fallback;
  } catch {
    return fallback;
  }
};

/** Notes whether rules are being evaluated; when evaluation ends, the saved pack's rules are remembered as good. */
export function markEvaluating(on) {
  if (on) {
    local()?.setItem(EVALUATING_KEY, '1');
    return;
  }
  local()?.removeItem(EVALUATING_KEY);
  const definitions = readJson(PACK_KEY, null)?.definitions;
  if (!Array.isArray(definitions)) return;
  const good = Object.fromEntries(definitions.map((d) => [d.name, d.rule]));
  try {
    local()?.setItem(GOOD_KEY, JSON.stringify(good));
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
  if (!local()?.getItem(EVALUATING_KEY)) return [];
  local()?.removeItem(EVALUATING_KEY);
  const pack = readJson(PACK_KEY, null);
  if (!Array.isArray(pack?.definitions)) return [];
  const good = readJson(GOOD_KEY, {});
  const suspect = (d) => good[d.name] !== d.rule;
  const moved = pack.definitions.filter(suspect);
  if (!moved.length) return [];
  pack.definitions = pack.definitions.filter((d) => !suspect(d));
  local()?.setItem(QUARANTINE_KEY, JSON.stringify([...quarantined(), ...moved.map((definition) => ({ definition, at }))]));
  savePack(JSON.stringify(pack));
  return moved.map((d) => d.name);
}

/** Takes `name` out of the quarantine; returns a pack of that one definition to import (merge) again. */
export function release(name) {
  const list = quarantined();
  const item = list.find((q) => q.definition?.name === name);
  if (!item) return null;
  local()?.setItem(QUARANTINE_KEY, JSON.stringify(list.filter((q) => q !== item)));
  const pack = readJson(PACK_KEY, {});
  return JSON.stringify({ format: pack.format ?? 'huaxiang-tag-pack', version: pack.version ?? 1, definitions: [item.definition] });
}
