// Syntax highlighting of rule text for the editor. A small tokenizer that follows the engine's lexer
// (src/rules/lexer.rs: Chinese punctuation and quotes, `30d`/`30天` durations, `60%`, backtick names, `#` comments)
// closely enough to colour text; the engine remains the judge of what is valid. The highlighted copy is built from
// DOM nodes and text nodes only, so typed or imported text never becomes markup. Offsets are UTF-16 code units,
// as a <textarea> and the engine's `start16`/`end16` count them. Keywords and duration units are the engine's own
// (js/vocabulary.js).
import { isDurationUnit, isKeyword } from './vocabulary.js';

const NAME_START = /[\p{Alphabetic}_]/u;
const NAME_CHAR = /[\p{Alphabetic}\p{N}_]/u;
const QUOTES = { '"': '"', "'": "'", '“': '”', '‘': '’', '「': '」', '『': '』' };
const OPERATORS = ['==', '!=', '<>', '<=', '>=', '=', '<', '>', '≤', '≥', '≠', '+', '-', '*', '/'];
const PUNCTUATION = '()（）[]【】［］,，、.';

/** Whether `name` can be written bare in a rule (otherwise it needs backticks). */
export function isBareName(name) {
  if (!name || isKeyword(name)) return false;
  const chars = [...name];
  return NAME_START.test(chars[0]) && chars.every((c) => NAME_CHAR.test(c));
}

/**
 * `name` as a rule writes it, exactly as the engine's `quote_name` (src/rules/lexer.rs) does: bare, or in backticks
 * with `` ` `` and `\` escaped by a backslash and control characters as `\n`, `\r`, `\t` or `\u{…}`, so the
 * result is one line the engine reads back as `name` (an e2e test compares the two on hostile names).
 */
export function quoteName(name) {
  if (isBareName(name)) return name;
  let out = '`';
  for (const c of name) {
    if (c === '`') out += '\\`';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (/[\p{Cc}\u2028\u2029]/u.test(c)) out += `\\u{${c.codePointAt(0).toString(16)}}`;
    else out += c;
  }
  return `${out}\``;
}

/** The name a backtick-quoted name stands for (the inverse of `quoteName`); a bare name is itself. */
export function unquoteName(text) {
  if (!text.startsWith('`')) return text;
  const inner = text.endsWith('`') && text.length > 1 ? text.slice(1, -1) : text.slice(1);
  const simple = { '`': '`', '\\': '\\', n: '\n', r: '\r', t: '\t' };
  return inner.replace(/\\(u\{([0-9a-fA-F]{1,6})\}|[`\\nrt])/g, (all, what, hex) => {
    if (hex === undefined) return simple[what];
    const cp = parseInt(hex, 16);
    return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : all;
  });
}

/** `value` as a rule's text literal, in straight double quotes with `\`, `"` and `”` (which also closes it) escaped. */
export function quoteText(value) {
  return `"${String(value).replace(/\\/g, '\\\\').replace(/["”]/g, '\\$&')}"`;
}

const charAt = (text, i) => {
  const cp = text.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
};

/**
 * Splits rule text into tokens `{ start, end, type, text }` (UTF-16 offsets). Types: `comment`, `string`
 * (`open: true` when unterminated), `quoted` (a backtick name), `number`, `duration`, `keyword`, `function`,
 * `name` (possibly dotted, `orders.category`), `operator`, `punct`, `bad`.
 */
export function tokenize(text) {
  const tokens = [];
  let i = 0;
  const push = (start, end, type, extra = {}) => tokens.push({ start, end, type, text: text.slice(start, end), ...extra });
  while (i < text.length) {
    const c = charAt(text, i);
    const start = i;
    if (/\s/u.test(c)) {
      i += c.length;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      push(start, i, 'comment');
      continue;
    }
    if (QUOTES[c]) {
      const close = QUOTES[c];
      i += c.length;
      let closed = false;
      while (i < text.length && text[i] !== '\n') {
        const ch = charAt(text, i);
        if (ch === '\\' && /["'\\”]/.test(text[i + 1] ?? '')) {
          i += 2;
          continue;
        }
        i += ch.length;
        if (ch === close || (c === '"' && ch === '”')) {
          closed = true;
          break;
        }
      }
      push(start, i, 'string', { open: !closed });
      continue;
    }
    if (c === '`') {
      i += 1;
      while (i < text.length && text[i] !== '`' && text[i] !== '\n') i += text[i] === '\\' && (text[i + 1] === '`' || text[i + 1] === '\\') ? 2 : 1;
      if (text[i] === '`') i++;
      push(start, i, 'quoted');
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      while (i < text.length && /[0-9_.]/.test(text[i])) i++;
      if (text[i] === '%' || text[i] === '％') {
        push(start, i + 1, 'number');
        i += 1;
        continue;
      }
      let j = i;
      while (j < text.length && NAME_CHAR.test(charAt(text, j))) j += charAt(text, j).length;
      const unit = text.slice(i, j).toLowerCase();
      if (unit && isDurationUnit(unit)) push(start, j, 'duration');
      else if (unit) push(start, j, 'bad');
      else push(start, i, 'number');
      i = j;
      continue;
    }
    if (NAME_START.test(c)) {
      const word = () => {
        while (i < text.length && NAME_CHAR.test(charAt(text, i))) i += charAt(text, i).length;
      };
      word();
      // A dotted name (`rfm.segment`, `orders.category`) is one token for colouring.
      while (text[i] === '.' && NAME_START.test(charAt(text, i + 1))) {
        i += 1;
        word();
      }
      const name = text.slice(start, i);
      let k = i;
      while (k < text.length && (text[k] === ' ' || text[k] === '\t')) k++;
      const call = text[k] === '(' || text[k] === '（';
      const type = !name.includes('.') && isKeyword(name) ? 'keyword' : call ? 'function' : 'name';
      push(start, i, type);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      i += op.length;
      push(start, i, 'operator');
      continue;
    }
    i += c.length;
    push(start, i, PUNCTUATION.includes(c) ? 'punct' : 'bad');
  }
  return tokens;
}

/**
 * Fills `pre` with the highlighted copy of `text`. `classify(name)` names the kind of a known name (`tag`,
 * `metric`, `column`, `attribute`, `table`, …) for its colour. Each diagnostic `{ start16, end16, severity }` gets a
 * wavy underline: a `.squiggle` element carrying `data-start16`, `data-end16` and `data-index`; one that covers
 * no text is marked by an empty `.squiggle.point`. `caret` (an offset) places an empty `.caret-mark` there.
 */
export function renderHighlight(pre, text, { classify = () => null, diagnostics = [], caret = null } = {}) {
  const tokens = tokenize(text);
  const len = text.length;
  const marks = [];
  diagnostics.forEach((d, index) => {
    let start = Math.max(0, Math.min(len, d.start16 ?? 0));
    let end = Math.max(0, Math.min(len, d.end16 ?? start));
    if (end < start) [start, end] = [end, start];
    // An empty span at a character marks that character, unless it is a line break or the end.
    if (end === start && start < len && text[start] !== '\n') end = start + charAt(text, start).length;
    marks.push({ start, end, index, severity: d.severity === 'warning' ? 'warning' : 'error' });
  });
  const cuts = new Set([0, len]);
  for (const t of tokens) cuts.add(t.start).add(t.end);
  for (const m of marks) cuts.add(m.start).add(m.end);
  if (caret !== null && caret >= 0 && caret <= len) cuts.add(caret);
  const points = [...cuts].sort((a, b) => a - b);

  const frag = document.createDocumentFragment();
  const pointMarks = (at) => {
    for (const m of marks) {
      if (m.start === at && m.end === at) {
        const el = document.createElement('span');
        el.className = `squiggle point ${m.severity}`;
        Object.assign(el.dataset, { start16: String(m.start), end16: String(m.end), index: String(m.index) });
        frag.append(el);
      }
    }
  };
  let t = 0;
  let group = null;
  let groupMark = null;
  for (let p = 0; p < points.length; p++) {
    const a = points[p];
    if (caret === a) {
      const el = document.createElement('span');
      el.className = 'caret-mark';
      (group ?? frag).append(el);
    }
    pointMarks(a);
    const b = points[p + 1];
    if (b === undefined || b <= a) continue;
    while (t < tokens.length && tokens[t].end <= a) t++;
    const token = tokens[t] && tokens[t].start <= a ? tokens[t] : null;
    const mark = marks.filter((m) => m.start <= a && m.end >= b && m.end > m.start).sort((x, y) => (x.severity === y.severity ? 0 : x.severity === 'error' ? -1 : 1))[0] ?? null;
    if (mark !== groupMark) {
      group = null;
      groupMark = mark;
      if (mark) {
        group = document.createElement('span');
        group.className = `squiggle ${mark.severity}`;
        Object.assign(group.dataset, { start16: String(mark.start), end16: String(mark.end), index: String(mark.index) });
        frag.append(group);
      }
    }
    const piece = text.slice(a, b);
    let node;
    if (token) {
      node = document.createElement('span');
      let type = token.type;
      if (type === 'name' || type === 'quoted') {
        const name = type === 'quoted' ? token.text.replace(/^`|`$/g, '') : token.text;
        const kind = classify(name) ?? (name.includes('.') ? classify(name.split('.')[0]) : null);
        if (kind) type = `name ${kind}`;
      }
      if (type === 'string' && token.open) type = 'string open';
      node.className = `tok ${type}`;
      node.textContent = piece;
    } else {
      node = document.createTextNode(piece);
    }
    (group ?? frag).append(node);
  }
  // A trailing space gives a final empty line its height, as the textarea shows it.
  frag.append(document.createTextNode(' '));
  pre.replaceChildren(frag);
}
