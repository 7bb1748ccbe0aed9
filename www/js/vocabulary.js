// The core's vocabulary on the page: metric names with their labels in both languages, the rule language's keywords
// and duration units, file kinds, identifier kinds and column roles. It comes from the engine (the worker's `init`
// reply, built by src/engine/vocabulary.rs from the core's own tables); the page keeps no copy of any of it, and a
// tidy test checks that none creeps back into www/.
import { pick } from './i18n.js';

let words = { metrics: [], keywords: [], durationUnits: [], fileKinds: [], idKinds: [], roles: [] };
let keywordSet = new Set();
let unitSet = new Set();

/** Takes the vocabulary from the engine's `init` reply. */
export function setVocabulary(vocabulary) {
  words = { ...words, ...vocabulary };
  keywordSet = new Set(words.keywords);
  unitSet = new Set(words.durationUnits);
}

/** The whole vocabulary: `{ metrics, keywords, durationUnits, fileKinds, idKinds, roles }`. */
export const vocabulary = () => words;

/** Whether `word` (any case) is a keyword of the rule language. */
export const isKeyword = (word) => keywordSet.has(word.toLowerCase());

/** Whether `unit` (any case) turns a number into a duration (`d`, `天`, `h` …). */
export const isDurationUnit = (unit) => unitSet.has(unit.toLowerCase());

/** A metric's label (`recency` → 最近消费天数 / Days since last purchase) in the current language. */
export function metricLabel(key) {
  const metric = words.metrics.find((m) => m.key === key);
  return metric ? pick(metric) : key;
}

/** A metric's Chinese name, which rules accept too and the built-in tag of that metric bears (`RFM分群`). */
export const metricZh = (key) => words.metrics.find((m) => m.key === key)?.zh ?? key;

/** A file kind's label (`members` → 会员表 / Members) in the current language. */
export function fileKindLabel(key) {
  const kind = words.fileKinds.find((k) => k.key === key);
  return kind ? pick(kind) : key;
}

/**
 * A built-in value (an RFM segment, one of the 11 segments, a lifecycle stage — as rules write it) in the current
 * language; any other value (the user's own data) as it is.
 */
export function valueLabel(value) {
  const word = (words.values ?? []).find((w) => w.key === value);
  return word ? pick(word) : value;
}
