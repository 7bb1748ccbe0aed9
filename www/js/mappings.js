// Column mappings remembered per file header, so next week's export with the same columns loads the way the user
// corrected it last time. Only the header text and the chosen roles are stored (no data values), in the workspace
// storage (storage.js, IndexedDB).
import { get, keys, remove, set } from './storage.js';

const PREFIX = 'mapping:';

function keyOf(report) {
  return PREFIX + report.columns.map((c) => c.header).join('\u0001');
}

/** The remembered `{ kind, roles }` for a file with this header, or null. */
export function recall(report) {
  if (!report?.hasHeader || !report.columns?.length) return null;
  const value = get(keyOf(report));
  return value && Array.isArray(value.roles) ? value : null;
}

/** Remembers the mapping a file was loaded with. */
export function remember(report) {
  if (!report?.hasHeader || !report.columns?.length) return;
  set(keyOf(report), { kind: report.kind, roles: report.columns.map((c) => c.role ?? null) });
}

/** Forgets every remembered mapping. */
export function forgetMappings() {
  for (const key of keys(PREFIX)) remove(key);
}
