// Building DOM from data. Text always goes in through `textContent` (never innerHTML), so nothing from an
// uploaded file can become markup or script.

/**
 * Creates an element: `h('td', { class: 'num', dataset: { segment: 'x' } }, 'text', child)`.
 * Attributes named `on…` take listeners; `dataset` sets data attributes; strings and numbers become text nodes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table from a header row and body rows (arrays of cells; a cell may be a node or text). */
export function table(el, head, rows, rowAttrs = () => ({})) {
  return fill(
    el,
    h('thead', {}, h('tr', {}, head.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r, i) => h('tr', rowAttrs(i), r.map((c) => h('td', typeof c === 'number' ? { class: 'num' } : {}, c))))),
  );
}

/** Formats an integer with thousands separators. */
export function int(n) {
  return Number(n ?? 0).toLocaleString('en-US');
}

/** Formats a share 0..1 as a percentage with one decimal. */
export function percent(x) {
  return `${(100 * (x ?? 0)).toFixed(1)}%`;
}

/** Formats a byte count. */
export function bytes(n) {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

/** An ISO time as local `YYYY-MM-DD HH:mm` (other text as it is). */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A bar for a share 0..1 (width through CSSOM: the CSP allows no inline style attributes). */
export function shareBar(share, kind = '') {
  const fillEl = h('span');
  fillEl.style.width = `${Math.max(0, Math.min(100, 100 * (share ?? 0))).toFixed(1)}%`;
  return h('span', { class: `bar ${kind}`, 'aria-hidden': 'true' }, fillEl);
}

/**
 * A number for people to read at a glance: in Chinese, 万 and 亿 from ten thousand on (`12.3万`, `1.05亿`); in
 * English, thousands separators up to a million, then `1.2M` / `3.4B`. Below ten thousand, the whole number.
 */
export function compact(n) {
  const x = Number(n ?? 0);
  const abs = Math.abs(x);
  const trim = (v, unit) => `${Number(v.toFixed(abs >= 1e10 || (abs >= 1e5 && abs < 1e8) ? 1 : 2))}${unit}`;
  if (document.documentElement.lang.startsWith('zh')) {
    if (abs >= 1e8) return trim(x / 1e8, '亿');
    if (abs >= 1e4) return trim(x / 1e4, '万');
  } else {
    if (abs >= 1e9) return trim(x / 1e9, 'B');
    if (abs >= 1e6) return trim(x / 1e6, 'M');
  }
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** An amount of money in yuan, at a glance (`¥12.3万` in Chinese, `¥123,456` in English). */
export function money(yuan) {
  const x = Number(yuan ?? 0);
  return `${x < 0 ? '-' : ''}¥${compact(Math.abs(x) >= 1e4 ? Math.abs(x) : Math.round(Math.abs(x) * 100) / 100)}`;
}

/** A member id that opens Member 360 on that member (every member list in the app shows ids this way). */
export function memberLink(app, id) {
  return h('button', { type: 'button', class: 'link member-link', dataset: { memberLink: id }, onclick: (e) => { e.stopPropagation(); app.openMember(id); } }, id);
}
