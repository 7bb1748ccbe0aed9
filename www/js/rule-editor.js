// The rule editor: a transparent <textarea> over a highlighted <pre> copy of its text (rule-syntax.js), problems
// underlined at their span with the message of the one nearest the cursor shown right under it, and a completion
// popup (columns, metrics, tags, functions, keywords and known values) driven by the engine's completions().
// The editor does not talk to the engine: it reports changes through `onChange` and is given diagnostics back.
import { h } from './dom.js';
import { pick, t } from './i18n.js';
import { isBareName, quoteName, renderHighlight, tokenize } from './rule-syntax.js';

const NAME_CHAR = /[\p{Alphabetic}\p{N}_.]/u;
const MAX_ITEMS = 12;
const RANK = { tag: 0, audience: 0, metric: 1, column: 2, attribute: 3, table: 4, function: 5, value: 6, keyword: 7 };

/** A completion's name as a rule writes it: definitions in backticks when needed, dotted paths as they are. */
function insertName(c) {
  if (c.kind !== 'tag' && c.kind !== 'audience' && c.label.split('.').every((part) => isBareName(part))) return c.label;
  return quoteName(c.label);
}

export class RuleEditor {
  /**
   * `root` is an empty element to build the editor in. `onChange(text)` is called (debounced by the caller) after
   * every edit; `onAccept` after a completion is inserted. `id` prefixes the ids of the editor's elements
   * (`rule-input`, `rule-complete`, `rule-callout`; `rule-problems` is the caller's list of problems), so a page
   * can hold more than one editor.
   */
  constructor(root, { onChange = () => {}, id = 'rule' } = {}) {
    this.onChange = onChange;
    this.id = id;
    this.items = [];
    this.kinds = new Map();
    this.diagnostics = [];
    this.popupItems = [];
    this.active = 0;
    this.pre = h('pre', { class: 'rule-highlight', 'aria-hidden': 'true' });
    this.textarea = h('textarea', {
      class: 'rule-input', id: `${id}-input`, spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', rows: 2,
      'aria-autocomplete': 'list', 'aria-controls': `${id}-complete`, 'aria-describedby': `${id}-problems`,
    });
    this.callout = h('div', { class: 'rule-callout', id: `${id}-callout`, role: 'status', hidden: true });
    this.popup = h('ul', { class: 'rule-complete', id: `${id}-complete`, role: 'listbox', hidden: true });
    this.box = h('div', { class: 'rule-editor' }, this.pre, this.textarea, this.callout, this.popup);
    root.append(this.box);
    this.textarea.addEventListener('input', () => this.edited());
    this.textarea.addEventListener('keydown', (e) => this.keydown(e));
    this.textarea.addEventListener('click', () => this.placeCallout());
    this.textarea.addEventListener('keyup', (e) => {
      if (e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End') this.placeCallout();
    });
    this.textarea.addEventListener('blur', () => setTimeout(() => this.closePopup(), 150));
    new ResizeObserver(() => this.layout()).observe(this.box);
    this.render();
  }

  get value() {
    return this.textarea.value;
  }

  /** Replaces the text (without an undo step) and checks it again. */
  setValue(text, { notify = true } = {}) {
    this.textarea.value = text;
    this.diagnostics = [];
    this.closePopup();
    this.render();
    if (notify) this.onChange(text);
  }

  set readOnly(yes) {
    this.textarea.readOnly = yes;
    this.box.classList.toggle('readonly', yes);
  }

  /** The completion list from the engine: `[{ label, kind, zh, en }]`. */
  setCompletions(items) {
    this.items = items ?? [];
    this.kinds = new Map();
    for (const c of this.items) if (c.kind !== 'value' && c.kind !== 'keyword' && !this.kinds.has(c.label)) this.kinds.set(c.label, c.kind);
    this.render();
  }

  /** Problems of the current text, located by UTF-16 offsets. Ignored if the text changed since it was sent. */
  setDiagnostics(diagnostics, forText = this.value) {
    if (forText !== this.value) return;
    this.diagnostics = diagnostics ?? [];
    this.render();
  }

  edited() {
    this.diagnostics = [];
    this.render();
    if (this.accepting) this.closePopup();
    else this.complete(false);
    this.onChange(this.value);
  }

  /** Draws the highlighted copy, sizes the textarea to its text and places the message. */
  render() {
    renderHighlight(this.pre, this.value, {
      classify: (name) => this.kinds.get(name) ?? null,
      diagnostics: this.diagnostics,
      caret: this.textarea.selectionEnd ?? null,
    });
    this.layout();
  }

  layout() {
    const ta = this.textarea;
    ta.style.height = 'auto';
    ta.style.height = `${ta.scrollHeight + 2}px`;
    this.placeCallout();
  }

  /** The diagnostic to show: the one under the cursor, else the first error, else the first. */
  current() {
    const at = this.textarea.selectionStart;
    const d = this.diagnostics;
    return d.find((x) => at >= x.start16 && at <= x.end16) ?? d.find((x) => x.severity === 'error') ?? d[0] ?? null;
  }

  /** Shows the current diagnostic's message directly under its underlined span. */
  placeCallout() {
    const d = this.current();
    if (!d) {
      this.callout.hidden = true;
      return;
    }
    const index = this.diagnostics.indexOf(d);
    const mark = this.pre.querySelector(`.squiggle[data-index="${index}"]`);
    this.callout.textContent = pick(d);
    this.callout.dataset.severity = d.severity;
    this.callout.dataset.index = String(index);
    this.callout.hidden = false;
    if (!mark) return;
    const box = this.box.getBoundingClientRect();
    const rect = mark.getClientRects()[0] ?? mark.getBoundingClientRect();
    const width = this.callout.offsetWidth;
    const left = Math.max(0, Math.min(rect.left - box.left, box.width - width));
    this.callout.style.left = `${left}px`;
    this.callout.style.top = `${rect.bottom - box.top + 7}px`;
    this.callout.style.setProperty('--arrow', `${Math.max(6, rect.left - box.left - left + 6)}px`);
  }

  // ---- completion ----

  /** The text being typed before the cursor (a name, possibly dotted, or a `"` value) and where it starts. */
  prefix() {
    const text = this.value;
    const end = this.textarea.selectionEnd;
    let start = end;
    while (start > 0) {
      const prev = text.codePointAt(start - 1) >= 0xdc00 && text.codePointAt(start - 1) <= 0xdfff ? 2 : 1;
      const ch = text.slice(start - prev, start);
      if (!NAME_CHAR.test(ch)) break;
      start -= prev;
    }
    if (start > 0 && (text[start - 1] === '"' || text[start - 1] === '“')) start -= 1;
    // No completion inside a comment, or inside a finished string.
    const token = tokenize(text).find((tk) => tk.start < end && tk.end >= end);
    if (token?.type === 'comment') return null;
    if (token?.type === 'string' && !(token.open && token.start === start)) return null;
    return { start, end, text: text.slice(start, end) };
  }

  /** Opens (or refreshes) the popup for the text before the cursor; `force` opens it with no prefix. */
  complete(force) {
    const p = this.prefix();
    if (!p || (!p.text && !force) || this.textarea.readOnly) {
      this.closePopup();
      return;
    }
    const typed = p.text.replace(/^[“"]/, '');
    const lower = typed.toLowerCase();
    const value = /^[“"]/.test(p.text);
    const found = [];
    for (const c of this.items) {
      if (value !== (c.kind === 'value')) continue;
      if (c.kind === 'keyword' && lower.length < 2) continue;
      const label = value ? c.label.slice(1, -1) : c.label;
      const l = label.toLowerCase();
      let insert = value ? c.label : c.kind === 'function' ? `${c.label}(` : insertName(c);
      let score;
      if (!lower || l.startsWith(lower)) score = 0;
      else if (!lower.includes('.') && l.includes('.') && l.slice(l.lastIndexOf('.') + 1).startsWith(lower)) {
        // `cat` offers `category`, as written inside `where`.
        score = 1;
        insert = label.slice(label.lastIndexOf('.') + 1);
      } else if (l.includes(lower)) score = 2;
      else continue;
      if (!value && insert === typed) continue;
      found.push({ ...c, insert, shown: value ? c.label : insert.replace(/\($/, ''), score });
    }
    found.sort((a, b) => a.score - b.score || (RANK[a.kind] ?? 9) - (RANK[b.kind] ?? 9) || a.shown.length - b.shown.length);
    const seen = new Set();
    this.popupItems = found.filter((c) => !seen.has(c.insert) && seen.add(c.insert)).slice(0, MAX_ITEMS);
    this.from = p.start;
    if (!this.popupItems.length) {
      this.closePopup();
      return;
    }
    this.active = 0;
    this.drawPopup();
  }

  drawPopup() {
    this.popup.replaceChildren(...this.popupItems.map((c, i) => h('li', {
      role: 'option', id: `${this.id}-complete-${i}`, class: `kind-${c.kind}`, 'aria-selected': String(i === this.active), dataset: { insert: c.insert },
      onmousedown: (e) => {
        e.preventDefault();
        this.accept(i);
      },
    }, h('span', { class: 'label' }, c.shown), h('span', { class: 'kind' }, t(`completionKind_${c.kind}`)), h('span', { class: 'note' }, pick(c)))));
    this.textarea.setAttribute('aria-activedescendant', `${this.id}-complete-${this.active}`);
    this.textarea.setAttribute('aria-expanded', 'true');
    this.popup.hidden = false;
    this.render();
    const mark = this.pre.querySelector('.caret-mark');
    if (mark) {
      const box = this.box.getBoundingClientRect();
      const rect = mark.getBoundingClientRect();
      const left = Math.max(0, Math.min(rect.left - box.left, box.width - this.popup.offsetWidth));
      this.popup.style.left = `${left}px`;
      this.popup.style.top = `${rect.bottom - box.top + 2}px`;
    }
    this.popup.children[this.active]?.scrollIntoView({ block: 'nearest' });
  }

  closePopup() {
    if (this.popup.hidden) return;
    this.popup.hidden = true;
    this.popupItems = [];
    this.textarea.removeAttribute('aria-activedescendant');
    this.textarea.setAttribute('aria-expanded', 'false');
  }

  accept(i) {
    const c = this.popupItems[i];
    if (!c) return;
    const ta = this.textarea;
    ta.focus();
    ta.setSelectionRange(this.from, ta.selectionEnd);
    this.accepting = true;
    try {
      // execCommand keeps the browser's undo history; fall back to setRangeText where it is unavailable.
      if (!document.execCommand?.('insertText', false, c.insert)) {
        ta.setRangeText(c.insert, this.from, ta.selectionEnd, 'end');
        this.edited();
      }
    } finally {
      this.accepting = false;
    }
    this.closePopup();
  }

  keydown(e) {
    if ((e.ctrlKey || e.metaKey) && e.key === ' ') {
      e.preventDefault();
      this.complete(true);
      return;
    }
    if (this.popup.hidden) return;
    const n = this.popupItems.length;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.drawPopup();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      this.accept(this.active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.closePopup();
    }
  }
}
