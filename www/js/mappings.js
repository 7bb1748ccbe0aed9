// Column mappings remembered per file header, so next week's export with the same columns loads the way the user
// corrected it last time. Only the header text and the chosen roles are stored (no data values).

const PREFIX = 'hx.mapping.';

function keyOf(report) {
  return PREFIX + report.columns.map((c) => c.header).join('\u0001');
}

/** The remembered `{ kind, roles }` for a file with this header, or null. */
export function recall(report) {
  if (!report?.hasHeader || !report.columns?.length) return null;
  try {
    return JSON.parse(localStorage.getItem(keyOf(report)) ?? 'null');
  } catch {
    return null;
  }
}

/** Remembers the mapping a file was loaded with. */
export function remember(report) {
  if (!report?.hasHeader || !report.columns?.length) return;
  const value = { kind: report.kind, roles: report.columns.map((c) => c.role ?? null) };
  try {
    localStorage.setItem(keyOf(report), JSON.stringify(value));
  } catch {
    // Storage full or disabled: the mapping is simply not remembered.
  }
}

/** Forgets every remembered mapping. */
export function forgetMappings() {
  for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX)) localStorage.removeItem(key);
}
