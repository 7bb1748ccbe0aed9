// The visual rule builder: rows of field · operator · value (with an optional `last N d` window and a category or
// event-type filter for aggregates), each optionally negated, joined by and / or. It writes rule text into the
// editor, and reads back rules of the same shape, so the builder and the text editor edit the same rule.
import { h } from './dom.js';
import { language, pick, t } from './i18n.js';
import { quoteName, quoteText, tokenize, unquoteName } from './rule-syntax.js';
import { vocabulary } from './vocabulary.js';

/** Aggregates over orders or events: `[function, table, column, argument, zh, en, type]`. */
const AGGREGATES = [
  ['count', 'orders', '', '', '订单行数', 'Order rows', 'num'],
  ['sum', 'orders', 'amount', '', '订单金额合计', 'Total order amount', 'num'],
  ['avg', 'orders', 'amount', '', '平均订单金额', 'Mean order amount', 'num'],
  ['max', 'orders', 'amount', '', '最大订单金额', 'Largest order amount', 'num'],
  ['distinct', 'orders', 'category', '', '购买品类数', 'Categories bought', 'num'],
  ['share', 'orders', '', 'discount > 0', '优惠订单行占比', 'Share of discounted order rows', 'num'],
  ['top', 'orders', 'category', '', '最常购买品类', 'Most bought category', 'text', 'orders.category'],
  ['top', 'orders', 'channel', '', '最常用渠道', 'Most used channel', 'text', 'orders.channel'],
  ['count', 'events', '', '', '行为条数', 'Event rows', 'num'],
];

/** Member attributes offered as text fields (column roles; their labels are the engine's). */
const ATTRIBUTES = ['gender', 'city', 'level'];

const FILTER = { orders: 'category', events: 'type' };
const OPS = {
  num: ['>', '>=', '<', '<=', '==', '!=', 'between'],
  text: ['==', '!=', 'in', 'not in', 'contains'],
  any: ['==', '!=', '>', '>=', '<', '<=', 'in', 'not in', 'contains'],
  bool: ['is'],
};

const aggExpr = ([fn, table, column, arg], filter, days) => {
  const values = splitList(filter);
  const where = values.length ? ` where ${FILTER[table]} in [${values.map(quoteText).join(', ')}]` : '';
  const source = `${table}${column ? `.${column}` : ''}${where}`;
  return `${fn}(${source}${arg ? `, ${arg}` : ''}${days ? `, last ${days}d` : ''})`;
};

/** Items of a typed list: `美妆, 护肤` or `"美妆", "护肤"`. */
function splitList(text) {
  const s = String(text ?? '').trim();
  if (!s) return [];
  if (/^["“]/.test(s)) {
    return tokenize(s).filter((tk) => tk.type === 'string').map((tk) => unquote(tk.text));
  }
  return s.split(/[,，、]/).map((x) => x.trim()).filter(Boolean);
}

function unquote(lit) {
  const body = lit.slice(1, lit.length - (/["”'’」』]$/.test(lit) && lit.length > 1 ? 1 : 0));
  return body.replace(/\\(["'\\”])/g, '$1');
}

const isNumber = (v) => /^-?\d+(\.\d+)?%?$/.test(String(v).trim());

export class RuleBuilder {
  /**
   * `root` gets the builder. `context()` returns `{ tags, values }`: the catalog's tags (name, valueType, values)
   * and the known values of columns (`orders.category` → [..]). `write(text)` puts rule text into the editor.
   */
  constructor(root, { context, write }) {
    this.context = context;
    this.write = write;
    this.rows = [];
    this.list = h('div', { class: 'builder-rows' });
    this.note = h('p', { class: 'note builder-note' });
    root.append(
      this.list,
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'builder-add', onclick: () => this.add() }, t('builderAdd')),
        h('button', { type: 'button', id: 'builder-read', onclick: () => this.readFromEditor?.() }, t('builderRead')),
        h('button', { type: 'button', class: 'primary', id: 'builder-write', onclick: () => this.emit() }, t('builderWrite'))),
      this.note);
    this.root = root;
    this.add();
  }

  /** Every field the builder offers: `{ key, expr, label, type, group, values, window }`. */
  fields() {
    // The list is made once per context (the catalog's report) and language: a catalog of thousands of tags
    // would otherwise be walked on every redraw.
    const context = this.context();
    if (this.fieldsMemo?.context === context && this.fieldsMemo.lang === language()) return this.fieldsMemo.fields;
    const fields = this.makeFields(context);
    this.fieldsMemo = { context, lang: language(), fields };
    return fields;
  }

  makeFields(context) {
    const zh = language() === 'zh';
    const { tags = [], values = {} } = context;
    const valuesOf = (tagName) => tags.find((x) => x.name === tagName)?.values?.map((v) => v.value) ?? [];
    const out = [];
    // The engine's metrics (js/vocabulary.js); a time is offered as the days since it. A text metric's values are
    // those of the built-in tag of the same Chinese name (RFM分群, 生命周期), when there is one.
    for (const m of vocabulary().metrics) {
      const time = m.type === 'time';
      const expr = time ? `days_since(${m.key})` : m.key;
      const label = time ? t('builderDaysSince', pick(m)) : pick(m);
      out.push({ key: `m:${expr}`, expr, label: `${label} · ${expr}`, type: time ? 'num' : m.type, group: 'metric', values: m.type === 'text' ? valuesOf(m.zh) : [] });
    }
    for (const a of AGGREGATES) {
      const [fn, table, column, arg, z, e, type, known] = a;
      const name = `${fn}(${table}${column ? `.${column}` : ''}${arg ? `, ${arg}` : ''})`;
      out.push({ key: `a:${name}`, agg: a, expr: name, label: zh ? `${z} · ${name}` : `${e} · ${name}`, type, group: 'aggregate', values: values[known] ?? [], window: true, filterValues: values[`${table}.${FILTER[table]}`] ?? [] });
    }
    for (const role of vocabulary().roles.filter((r) => ATTRIBUTES.includes(r.role))) {
      out.push({ key: `p:${role.role}`, expr: role.role, label: `${pick(role)} · ${role.role}`, type: 'text', group: 'attribute', values: [] });
    }
    for (const name of context.headers ?? []) out.push({ key: `p:${name}`, expr: quoteName(name), label: name, type: 'any', group: 'attribute', values: [] });
    for (const tag of tags) {
      const type = tag.valueType === 'bool' ? 'bool' : tag.valueType === 'enum' ? 'text' : tag.valueType === 'number' ? 'num' : null;
      if (!type) continue;
      out.push({ key: `t:${tag.name}`, expr: quoteName(tag.name), label: tag.name, type, group: 'tag', values: (tag.values ?? []).map((v) => v.value) });
    }
    return out;
  }

  add(state = {}) {
    const row = { connector: 'and', not: false, field: 'm:monetary', op: '>', value: '', value2: '', days: '', filter: '', ...state };
    this.rows.push(row);
    this.render();
    return row;
  }

  render() {
    const fields = this.fields();
    const groups = ['metric', 'aggregate', 'attribute', 'tag'];
    this.list.replaceChildren(...this.rows.map((row, i) => {
      const field = fields.find((f) => f.key === row.field) ?? fields[0];
      const ops = OPS[field.type];
      if (!ops.includes(row.op)) row.op = ops[0];
      const listId = `builder-values-${i}`;
      const filterId = `builder-filter-${i}`;
      const set = (patch, redraw = false) => {
        Object.assign(row, patch);
        if (redraw) this.render();
      };
      return h('div', { class: 'builder-row', dataset: { row: String(i) } },
        i === 0 ? h('span', { class: 'connector-first' }, t('builderWhere'))
          : h('select', { class: 'b-connector', 'aria-label': t('builderConnector'), onchange: (e) => set({ connector: e.target.value }) },
            ['and', 'or'].map((c) => h('option', { value: c, selected: row.connector === c }, t(`builder_${c}`)))),
        h('label', { class: 'b-not' }, h('input', { type: 'checkbox', checked: row.not, onchange: (e) => set({ not: e.target.checked }) }), ' ', t('builder_not')),
        fieldSelect(fields, groups, field, (key) => set({ field: key, value: '', value2: '' }, true)),
        field.window ? [
          h('input', { class: 'b-filter', list: filterId, value: row.filter, placeholder: t(`builderFilter_${field.agg[1]}`), 'aria-label': t(`builderFilter_${field.agg[1]}`), oninput: (e) => set({ filter: e.target.value }) }),
          h('datalist', { id: filterId }, (field.filterValues ?? []).map((v) => h('option', { value: v }))),
        ] : null,
        h('select', { class: 'b-op', 'aria-label': t('builderOp'), onchange: (e) => set({ op: e.target.value }, true) },
          ops.map((o) => h('option', { value: o, selected: o === row.op }, t(`op_${o.replace(' ', '_')}`)))),
        field.type === 'bool' ? null : [
          h('input', { class: 'b-value', list: listId, value: row.value, 'aria-label': t('builderValue'), placeholder: row.op === 'in' || row.op === 'not in' ? t('builderListHint') : '', oninput: (e) => set({ value: e.target.value }) }),
          h('datalist', { id: listId }, (field.values ?? []).map((v) => h('option', { value: v }))),
          row.op === 'between' ? [' ', t('builder_and'), ' ', h('input', { class: 'b-value2', value: row.value2, 'aria-label': t('builderValue'), oninput: (e) => set({ value2: e.target.value }) })] : null,
        ],
        field.window ? h('label', { class: 'b-window' }, t('builderLast'), ' ',
          h('input', { type: 'number', min: 1, step: 1, class: 'b-days', value: row.days, 'aria-label': t('builderDays'), oninput: (e) => set({ days: e.target.value }) }), ' ', t('builderDaysUnit')) : null,
        h('button', { type: 'button', class: 'quiet b-remove', 'aria-label': t('remove'), onclick: () => {
          this.rows.splice(i, 1);
          if (!this.rows.length) this.add();
          else this.render();
        } }, '×'));
    }));
  }

  /** One row as rule text, or `null` when it is incomplete. */
  rowText(row, fields) {
    const field = fields.find((f) => f.key === row.field);
    if (!field) return null;
    const days = Number(row.days) > 0 ? Math.round(Number(row.days)) : 0;
    const left = field.agg ? aggExpr(field.agg, row.filter, days) : field.expr;
    const lit = (v) => {
      const s = String(v).trim();
      if (field.type === 'num' || (field.type === 'any' && isNumber(s))) return s;
      return quoteText(s);
    };
    let text;
    if (field.type === 'bool') text = left;
    else {
      if (String(row.value).trim() === '') return null;
      if (row.op === 'between') {
        if (String(row.value2).trim() === '') return null;
        text = `${left} between ${lit(row.value)} and ${lit(row.value2)}`;
      } else if (row.op === 'in' || row.op === 'not in') text = `${left} ${row.op} [${splitList(row.value).map(lit).join(', ')}]`;
      else if (row.op === 'contains') text = `contains(${left}, ${quoteText(String(row.value).trim())})`;
      else text = `${left} ${row.op} ${lit(row.value)}`;
    }
    return row.not ? `not ${text}` : text;
  }

  /** The rule the rows make. */
  text() {
    const fields = this.fields();
    let out = '';
    for (const row of this.rows) {
      const part = this.rowText(row, fields);
      if (part === null) continue;
      out = out ? `${out} ${row.connector} ${part}` : part;
    }
    return out;
  }

  emit() {
    const text = this.text();
    if (!text) {
      this.note.textContent = t('builderIncomplete');
      return;
    }
    this.note.textContent = '';
    this.write(text);
  }

  /** Sets the rows from rule text of the builder's shape; returns false (and keeps the rows) when it cannot. */
  read(text) {
    const rows = parseRows(text.trim(), this.fields());
    if (!rows) {
      this.note.textContent = text.trim() ? t('builderCannotRead') : '';
      return false;
    }
    this.note.textContent = '';
    this.rows = rows.length ? rows : [];
    if (!this.rows.length) this.add();
    else this.render();
    return true;
  }
}

/** Splits rule text at top-level `and` / `or` (not the `and` of `between … and …`) into `{ connector, text }`. */
function splitTop(text) {
  const parts = [];
  let depth = 0;
  let from = 0;
  let connector = 'and';
  let between = false;
  for (const tk of tokenize(text)) {
    if (tk.type === 'punct' && /[(（[【［]/.test(tk.text)) depth++;
    else if (tk.type === 'punct' && /[)）\]】］]/.test(tk.text)) depth--;
    else if (tk.type === 'keyword' && depth === 0) {
      const kw = tk.text.toLowerCase();
      if (kw === 'between') between = true;
      else if (kw === 'and' && between) between = false;
      else if (kw === 'and' || kw === 'or') {
        parts.push({ connector, text: text.slice(from, tk.start).trim() });
        connector = kw;
        from = tk.end;
      }
    }
  }
  parts.push({ connector, text: text.slice(from).trim() });
  return parts;
}

/** The first comparison at bracket depth 0 of one condition: an operator, `[not] in`, or `between`. */
function topLevel(text) {
  const out = {};
  let depth = 0;
  let prev = null;
  for (const tk of tokenize(text)) {
    if (tk.type === 'punct' && /[(（[【［]/.test(tk.text)) depth++;
    else if (tk.type === 'punct' && /[)）\]】］]/.test(tk.text)) depth--;
    else if (depth === 0 && !out.op && !out.in && !out.between) {
      const kw = tk.type === 'keyword' ? tk.text.toLowerCase() : '';
      if (tk.type === 'operator' && /^(==|!=|<>|<=|>=|=|<|>|≤|≥|≠)$/.test(tk.text)) out.op = tk;
      else if (kw === 'in') out.in = { start: prev?.text.toLowerCase() === 'not' ? prev.start : tk.start, end: tk.end, negated: prev?.text.toLowerCase() === 'not' };
      else if (kw === 'between') out.between = tk;
    }
    prev = tk;
  }
  if (out.op) out.op = { ...out.op, text: { '<>': '!=', '≤': '<=', '≥': '>=', '≠': '!=' }[out.op.text] ?? out.op.text };
  return out;
}

function parseRows(text, fields) {
  if (!text) return [];
  const rows = [];
  const norm = (s) => s.replace(/\s+/g, ' ').trim();
  const value = (s) => {
    const v = s.trim();
    return /^["“'‘「『]/.test(v) ? unquote(v) : v;
  };
  for (const part of splitTop(text)) {
    let s = part.text;
    const row = { connector: part.connector, not: false, value: '', value2: '', days: '', filter: '' };
    const neg = /^not\s+(.*)$/is.exec(s);
    if (neg) {
      row.not = true;
      s = neg[1];
    }
    let left;
    let m;
    const top = topLevel(s);
    if ((m = /^contains\((.+),\s*(".*")\s*\)$/s.exec(s))) [left, row.op, row.value] = [m[1], 'contains', value(m[2])];
    else if (top.between) {
      const rest = /^\s*(\S+)\s+and\s+(\S+)\s*$/is.exec(s.slice(top.between.end));
      if (!rest) return null;
      [left, row.op, row.value, row.value2] = [s.slice(0, top.between.start), 'between', value(rest[1]), value(rest[2])];
    } else if (top.in) {
      const list = /^\s*\[(.*)\]\s*$/s.exec(s.slice(top.in.end));
      if (!list) return null;
      [left, row.op, row.value] = [s.slice(0, top.in.start), top.in.negated ? 'not in' : 'in', splitList(list[1]).join(', ')];
    } else if (top.op) {
      const right = s.slice(top.op.end).trim();
      // Only a single value on the right (a number, a text or a name), not an expression.
      if (tokenize(right).length !== 1 && !/^-\s*\d+(\.\d+)?%?$/.test(right)) return null;
      [left, row.op, row.value] = [s.slice(0, top.op.start), top.op.text === '=' ? '==' : top.op.text, value(right)];
    } else [left, row.op] = [s, 'is'];
    left = norm(left);
    const agg = /^(\w+)\(\s*(orders|events)(?:\.(\w+))?(?:\s+where\s+(?:category|type)\s+in\s+\[(.*?)\])?(\s*,\s*discount > 0)?(?:\s*,\s*last\s+(\d+)\s*d)?\s*\)$/.exec(left);
    let field;
    if (agg) {
      field = fields.find((f) => f.agg && f.agg[0] === agg[1] && f.agg[1] === agg[2] && f.agg[2] === (agg[3] ?? '') && (f.agg[3] !== '') === Boolean(agg[5]));
      row.filter = splitList(agg[4] ?? '').join(', ');
      row.days = agg[6] ?? '';
    } else {
      field = fields.find((f) => !f.agg && (norm(f.expr) === left || f.expr === quoteName(unquoteName(left))));
    }
    if (!field) return null;
    if (row.op === 'is' && field.type !== 'bool') return null;
    if (!OPS[field.type].includes(row.op)) return null;
    row.field = field.key;
    rows.push(row);
  }
  return rows;
}

/** Past this many fields (a catalog of thousands of tags), the field picker is filled when it is first used. */
const LAZY_FIELDS = 300;

/** The picker of a row's field, in groups. A long list holds only the chosen field until it gets focus. */
function fieldSelect(fields, groups, field, choose) {
  const options = (all) => groups.map((g) => h('optgroup', { label: t(`builderGroup_${g}`) },
    fields.filter((f) => f.group === g && (all || f.key === field.key)).map((f) => h('option', { value: f.key, selected: f.key === field.key }, f.label))));
  const lazy = fields.length > LAZY_FIELDS;
  const select = h('select', { class: 'b-field', 'aria-label': t('builderField'), dataset: { lazy: String(lazy) }, onchange: (e) => choose(e.target.value) }, options(!lazy));
  if (lazy) {
    const fill = () => {
      if (select.dataset.lazy !== 'true') return;
      select.dataset.lazy = 'false';
      select.replaceChildren(...options(true));
      select.value = field.key;
    };
    select.addEventListener('focus', fill);
    select.addEventListener('pointerdown', fill);
  }
  return select;
}
