// The Tags view: the catalog as a sortable list with coverage and governance flags, the rule editor (highlighting,
// problems under the text as you type, live count, completion), the visual builder, version history with word diffs
// and revert, the lineage graph, and tag packs / rules files in and out. Every change to the catalog is saved in the
// browser's storage (tagstore.js) so it survives a reload and a restarted engine.
import { lineageChart } from '../charts.js';
import { fill, h, int, percent } from '../dom.js';
import { language, pick, t } from '../i18n.js';
import { RuleBuilder } from '../rule-builder.js';
import { RuleEditor } from '../rule-editor.js';
import { author, setAuthor } from '../tagstore.js';
import { valueLabel } from '../vocabulary.js';

/** The example tags: one of each kind of rule (attributes, RFM, aggregates with windows, sequences, case, audiences). */
const EXAMPLE_RULES = `# 重要价值客户 / RFM important-value members
tag 高价值会员 in 价值 = rfm.segment == "重要价值客户"
# 大多数订单用了优惠 / most orders used a discount
tag 促销敏感 in 偏好 = share(orders, discount) >= 0.6 and count(orders) >= 3
# 近半年买过三次以上美妆护肤 / three or more beauty purchases in half a year
tag 美妆达人 in 兴趣 = count(orders where category in ["美妆", "护肤"], last 180d) >= 3
# 超过 90 天没有购买 / no purchase for over 90 days
tag 沉默会员 in 生命周期 = days_since(last(orders.time)) > 90
# 最近 30 天浏览过但没有下单 / browsed in the last 30 days without buying
tag 浏览未购 in 行为 = count(events where type == "view", last 30d) > 0 and count(orders, last 30d) == 0
# 加购后 3 天内没有付款 / added to cart and did not pay within 3 days
tag 加购未付 in 行为 = did(events where type == "add_cart") then not did(orders) within 3d
tag 年龄段 in 人口属性 = case when age < 25 then "Z世代" when age < 35 then "青年" else "其他" end
# 值得唤醒的高价值沉默会员 / high-value dormant members worth winning back
audience 唤醒对象 = 高价值会员 and 沉默会员 and not 促销敏感
`;

const $ = (id) => document.getElementById(id);
const CHECK_DELAY = 150;
/** A catalog longer than this is drawn as a window of rows around the scroll position (rows of fixed height). */
const VIRTUAL_FROM = 150;
const ROW_HEIGHT = 34;
const OVERSCAN = 10;
const LIFECYCLE = ['newDays', 'activeDays', 'dormantDays', 'atRiskDays'];

const COLUMNS = [
  ['name', 'tagName'],
  ['group', 'tagGroup'],
  ['kind', 'tagKind'],
  ['coverage', 'coverage'],
  ['updated', 'updated'],
  ['versions', 'versions'],
  ['flags', 'flags'],
];

/** An ISO time as local `YYYY-MM-DD HH:mm` (other text as it is). */
function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A version's note (`created`, `edited`, `reverted to v2`, `renamed from X`, `imported`) in the current language. */
function noteText(note) {
  let m;
  if ((m = /^reverted to v(\d+)$/.exec(note))) return t('note_reverted', m[1]);
  if ((m = /^renamed from (.*)$/s.exec(note))) return t('note_renamed', m[1]);
  if (['created', 'edited', 'imported'].includes(note)) return t(`note_${note}`);
  return note;
}

/** An edit as text with its keys in a fixed order, to tell whether anything changed. */
const snapshot = (edit) => JSON.stringify(edit, Object.keys(edit).sort());

/** Offers `text` as a file download (a blob URL, so nothing leaves the page). */
function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export class TagsView {
  constructor(app) {
    this.app = app;
    this.report = null;
    this.definitions = [];
    this.completions = [];
    this.selected = null;
    this.sort = { key: null, desc: false };
    this.checkSeq = 0;
    /** Unsaved edits by definition name ('' for a new one), kept when another definition is opened. */
    this.drafts = new Map();
    this.lastCheck = null;
    this.dirty = true;
    // A change made elsewhere (an audience saved, lists forgotten): read the catalog again when next shown.
    app.on('catalog', ({ source }) => {
      if (source !== this) this.dirty = true;
    });

    this.editor = new RuleEditor($('rule-editor-root'), { onChange: () => this.scheduleCheck() });
    this.builder = new RuleBuilder($('builder-body'), {
      context: () => this.builderContext(),
      write: (text) => {
        this.editor.setValue(text);
        this.editor.textarea.focus();
      },
    });
    this.builder.readFromEditor = () => this.builder.read(this.editor.value);

    $('tag-author').value = author();
    $('tag-author').addEventListener('change', (e) => setAuthor(e.target.value));
    $('tag-new').addEventListener('click', () => this.startNew());
    $('tag-save').addEventListener('click', () => this.save());
    $('tag-delete').addEventListener('click', () => this.remove());
    $('tag-copy').addEventListener('click', () => this.copy());
    $('tag-discard').addEventListener('click', () => this.discardDraft());
    $('tag-export').addEventListener('click', () => this.exportPack());
    $('tag-export-sql').addEventListener('click', () => this.exportSql());
    $('tag-examples').addEventListener('click', () => this.loadExamples());
    $('tag-export-rules').addEventListener('click', () => this.exportRules());
    $('tag-import').addEventListener('change', (e) => {
      const file = e.target.files?.[0];
      e.target.value = '';
      if (file) this.importFile(file);
    });
    $('tag-filter').addEventListener('input', () => this.renderCatalog());
    for (const id of ['tag-name', 'tag-kind']) $(id).addEventListener('input', () => this.scheduleCheck());
    $('set-apply').addEventListener('click', () => this.applySettings());
    $('diff-from').addEventListener('change', () => this.showDiff());
    $('diff-to').addEventListener('change', () => this.showDiff());
    this.startNew();
  }

  // ---- engine ----

  /** Calls the engine once the saved catalog has been restored into it. */
  async call(method, args) {
    await this.app.tagsReady;
    return this.app.engine.call(method, args);
  }

  /** Takes a catalog change: the new report, and the pack saved in the browser's storage. */
  changed({ report, pack }) {
    this.report = report;
    this.definitions = JSON.parse(pack).definitions ?? [];
    this.app.catalogChanged(pack, this);
  }

  shown() {
    if (this.dirty) this.refresh();
    else this.editor.layout();
  }

  render() {
    if ($('view-tags').hidden) {
      this.dirty = true;
      return;
    }
    this.refresh();
  }

  /** Reads the report, the pack (for histories) and the completions again, and redraws. */
  async refresh() {
    this.dirty = false;
    try {
      const [report, pack, completions] = await Promise.all([this.call('tags'), this.call('exportPack'), this.call('completions')]);
      this.report = report;
      this.definitions = JSON.parse(pack).definitions ?? [];
      this.completions = completions;
      this.editor.setCompletions(completions);
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.renderAll();
    this.scheduleCheck();
    document.body.dataset.tags = 'ready';
  }

  renderAll() {
    $('tags-nodata').hidden = Boolean(this.report?.computed);
    fill($('tag-groups'), [...new Set((this.report?.tags ?? []).map((x) => x.group).filter(Boolean))].map((g) => h('option', { value: g })));
    this.renderSettings();
    this.renderCatalog();
    this.renderEditorState();
    this.renderCheck();
    this.renderHistory();
    this.renderLineage();
    this.builder.render();
  }

  info(name = this.selected) {
    return this.report?.tags.find((x) => x.name === name) ?? null;
  }

  // ---- catalog ----

  renderCatalog() {
    const tags = this.report?.tags ?? [];
    const filter = $('tag-filter').value.trim().toLowerCase();
    let rows = tags.filter((x) => !filter || x.name.toLowerCase().includes(filter) || x.group.toLowerCase().includes(filter));
    const { key, desc } = this.sort;
    if (key) {
      const value = (x) => ({
        name: x.name, group: x.group, kind: `${x.kind}/${x.valueType}`, coverage: x.share, updated: x.updated, versions: x.versions,
        flags: Number(x.flags.empty) * 8 + Number(x.flags.nearEmpty) * 4 + Number((x.flags.duplicateCount ?? x.flags.duplicates.length) > 0) * 2 + Number(x.flags.unused),
      })[key];
      rows = [...rows].sort((a, b) => {
        const va = value(a);
        const vb = value(b);
        const c = typeof va === 'number' ? va - vb : String(va).localeCompare(String(vb), language() === 'zh' ? 'zh-CN' : 'en');
        return desc ? -c : c;
      });
    }
    const computed = Boolean(this.report?.computed);
    const head = h('tr', {}, COLUMNS.map(([k, word]) => h('th', { 'aria-sort': key === k ? (desc ? 'descending' : 'ascending') : 'none', dataset: { sort: k } },
      h('button', { type: 'button', class: 'sort', onclick: () => this.sortBy(k) }, t(word), key === k ? (desc ? ' ▼' : ' ▲') : ''))));
    this.catalogRows = rows;
    this.catalogComputed = computed;
    const table = $('tag-table');
    // Thousands of tags: only the rows in view (and a few more) are in the DOM, between two spacer rows.
    const virtual = rows.length > VIRTUAL_FROM;
    table.classList.toggle('virtual', virtual);
    table.dataset.rows = String(rows.length);
    this.catalogBody = h('tbody', {});
    fill(table, h('thead', {}, head), this.catalogBody);
    const box = table.parentElement;
    if (!this.scrollWired) {
      this.scrollWired = true;
      box.addEventListener('scroll', () => {
        if (!table.classList.contains('virtual') || this.scrollFrame) return;
        this.scrollFrame = requestAnimationFrame(() => {
          this.scrollFrame = null;
          this.renderCatalogWindow();
        });
      });
    }
    if (!virtual) fill(this.catalogBody, rows.map((x) => this.catalogRow(x)));
    else this.renderCatalogWindow();
  }

  /** Draws the rows of a long catalog that are in view. */
  renderCatalogWindow() {
    const rows = this.catalogRows ?? [];
    const box = $('tag-table').parentElement;
    const view = Math.max(box.clientHeight, ROW_HEIGHT * 12);
    const first = Math.max(0, Math.floor(box.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((box.scrollTop + view) / ROW_HEIGHT) + OVERSCAN);
    const spacer = (n) => {
      const td = h('td', { colspan: String(COLUMNS.length) });
      td.style.height = `${n * ROW_HEIGHT}px`; // through the CSSOM: the page's CSP allows no inline style attribute
      return h('tr', { class: 'spacer', 'aria-hidden': 'true' }, td);
    };
    fill(this.catalogBody, first > 0 ? spacer(first) : null, rows.slice(first, last).map((x) => this.catalogRow(x)),
      last < rows.length ? spacer(rows.length - last) : null);
  }

  /** One row of the catalog table. */
  catalogRow(x) {
    const computed = this.catalogComputed;
    return h('tr', {
      class: x.name === this.selected ? 'selected' : '',
      dataset: { tag: x.name, builtin: String(x.builtin) },
      onclick: () => this.open(x.name),
    },
    h('td', { dataset: { cell: 'name' } }, h('button', { type: 'button', class: 'link', onclick: (e) => { e.stopPropagation(); this.open(x.name); } }, x.name),
      x.builtin ? h('span', { class: 'badge', title: t('flagBuiltin') }, t('readOnly')) : null),
    h('td', { dataset: { cell: 'group' } }, x.group),
    h('td', { dataset: { cell: 'kind' } }, `${t(`kind_${x.kind}`)} · ${t(`valueType_${x.valueType}`)}`),
    h('td', { dataset: { cell: 'coverage' }, class: 'coverage' }, computed && x.valueType !== 'none'
      ? [bar(x.share), h('span', { class: 'num' }, `${percent(x.share)} · ${int(x.count)}`)]
      : '—'),
    h('td', { dataset: { cell: 'updated' } }, when(x.updated)),
    h('td', { dataset: { cell: 'versions' }, class: 'num' }, x.builtin ? '—' : String(x.versions)),
    h('td', { dataset: { cell: 'flags' } }, flagChips(x)));
  }

  sortBy(key) {
    this.sort = this.sort.key === key ? { key, desc: !this.sort.desc } : { key, desc: key === 'coverage' || key === 'updated' || key === 'versions' };
    this.renderCatalog();
  }

  // ---- editor ----

  /** Keeps unsaved changes of the definition being edited, to give them back when it is opened again. */
  stashDraft() {
    if (this.builtin || this.pristine === undefined) return;
    const edit = this.edit();
    const key = this.selected ?? '';
    if (snapshot(edit) !== this.pristine) this.drafts.set(key, edit);
    else this.drafts.delete(key);
  }

  /** Fills the fields from `edit`, or from the draft kept for the same definition; remembers the saved state. */
  fillFields(edit) {
    this.pristine = snapshot({ ...edit, previousName: this.selected && !this.builtin ? this.selected : null });
    const draft = this.drafts.get(this.selected ?? '');
    const shown = draft ?? edit;
    $('tag-name').value = shown.name;
    $('tag-kind').value = shown.kind;
    $('tag-group').value = shown.group;
    $('tag-owner').value = shown.owner;
    $('tag-description').value = shown.description;
    this.editor.setValue(shown.rule, { notify: false });
    this.builder.read(shown.rule);
    $('tag-draft').hidden = !draft;
  }

  /** Drops the unsaved changes of the definition being edited. */
  discardDraft() {
    this.drafts.delete(this.selected ?? '');
    this.pristine = undefined;
    if (this.selected) this.open(this.selected);
    else this.startNew();
  }

  startNew() {
    this.stashDraft();
    this.selected = null;
    this.builtin = false;
    this.fillFields({ kind: 'tag', name: '', group: '', description: '', owner: '', rule: '' });
    this.lastCheck = null;
    if (this.report) this.renderAll();
    else this.renderEditorState();
    this.scheduleCheck();
  }

  /** Opens a definition in the editor. */
  open(name) {
    const x = this.info(name);
    if (!x) return;
    this.stashDraft();
    this.selected = name;
    this.builtin = x.builtin;
    // Built-in tags carry a description in each language; a user's tag has the one its author wrote.
    const description = x.builtin && language() === 'en' ? x.descriptionEn : x.description;
    this.fillFields({ kind: x.kind, name: x.name, group: x.group, description, owner: x.owner, rule: x.rule });
    this.lastCheck = null;
    this.renderAll();
    this.scheduleCheck(0);
  }

  copy() {
    const x = this.info();
    const rule = this.editor.value;
    this.startNew();
    if (x) {
      $('tag-name').value = `${x.name}_${t('copySuffix')}`;
      $('tag-group').value = x.builtin ? '' : x.group;
      $('tag-description').value = x.builtin && language() === 'en' ? x.descriptionEn : x.description;
    }
    this.editor.setValue(rule);
  }

  renderEditorState() {
    const ro = this.builtin;
    $('tag-editor-title').textContent = this.selected ? `${t('editor')} · ${this.selected}` : t('editorNew');
    $('tag-readonly').hidden = !ro;
    for (const id of ['tag-name', 'tag-kind', 'tag-group', 'tag-owner', 'tag-description']) $(id).disabled = ro;
    this.editor.readOnly = ro;
    $('tag-save').disabled = ro;
    $('tag-delete').disabled = ro || !this.selected;
    $('tag-copy').disabled = !this.selected;
    $('tag-delete').textContent = t('delete');
    this.confirming = false;
  }

  /** The edit the fields describe. */
  edit() {
    return {
      kind: $('tag-kind').value,
      name: $('tag-name').value,
      previousName: this.selected && !this.builtin ? this.selected : null,
      group: $('tag-group').value.trim(),
      description: $('tag-description').value,
      owner: $('tag-owner').value.trim(),
      rule: this.editor.value,
    };
  }

  scheduleCheck(delay = CHECK_DELAY) {
    clearTimeout(this.checkTimer);
    $('rule-count').textContent = t('checking');
    $('rule-count').dataset.state = 'checking';
    this.checkTimer = setTimeout(() => this.check(), delay);
  }

  /** Checks the rule as typed: problems at their span, and the members it would cover. */
  async check() {
    const seq = ++this.checkSeq;
    const edit = this.edit();
    if (this.builtin) {
      // A built-in tag is read-only: show what the report says of it.
      const x = this.info();
      this.lastCheck = x && { diagnostics: x.diagnostics, valueType: x.valueType, count: this.report.computed ? x.count : null, share: x.share, values: x.values, rule: edit.rule };
      this.editor.setDiagnostics(x?.diagnostics ?? [], edit.rule);
      this.renderCheck();
      return;
    }
    if (!edit.rule.trim()) {
      this.lastCheck = null;
      this.editor.setDiagnostics([], edit.rule);
      this.renderCheck();
      return;
    }
    try {
      const result = await this.call('checkRule', { edit });
      if (seq !== this.checkSeq) return;
      this.lastCheck = { ...result, rule: edit.rule };
      this.editor.setDiagnostics(result.diagnostics, edit.rule);
    } catch (err) {
      if (seq !== this.checkSeq) return;
      this.lastCheck = null;
      if (err.code !== 'worker_crashed') this.app.error(err);
    }
    this.renderCheck();
  }

  renderCheck() {
    const c = this.lastCheck;
    const count = $('rule-count');
    const problems = $('rule-problems');
    count.dataset.state = 'done';
    if (!c || c.rule !== this.editor.value) {
      count.textContent = '';
      fill(problems);
      fill($('rule-values'));
      this.editor.placeCallout();
      return;
    }
    const errors = c.diagnostics.some((d) => d.severity === 'error');
    count.dataset.count = c.count ?? '';
    if (errors) count.textContent = t('liveHasErrors');
    else if (!this.report?.computed || c.count === null) count.textContent = t('liveNoData');
    else if (c.valueType === 'number') count.textContent = t('liveCountNumber', int(c.count));
    else count.textContent = t('liveCount', int(c.count), percent(c.share));
    fill(problems, c.diagnostics.map((d) => h('li', { class: d.severity, dataset: { code: d.code, start16: String(d.start16), end16: String(d.end16) } },
      h('button', { type: 'button', class: 'link', onclick: () => {
        this.editor.textarea.focus();
        this.editor.textarea.setSelectionRange(d.start16, d.end16);
        this.editor.placeCallout();
      } }, `${t(`severity_${d.severity}`)} · ${t('lineCol', d.line, d.col)}`), ' ', pick(d))));
    fill($('rule-values'), c.values?.length
      ? h('table', { class: 'grid values' }, h('caption', {}, t('values')),
        h('tbody', {}, c.values.slice(0, 12).map((v) => h('tr', {}, h('td', {}, valueLabel(v.value)), h('td', { class: 'num' }, int(v.count)), h('td', { class: 'num' }, percent(v.share))))))
      : null);
    this.editor.render();
  }

  async save() {
    const edit = this.edit();
    // Saving under the name of another definition would add a version to it: refuse, as a rename does.
    const name0 = edit.name.trim();
    if (name0 !== (edit.previousName ?? '') && this.info(name0)) {
      this.app.error({ zh: `已经有叫“${name0}”的定义了，请换一个名字。`, en: `Something is already called “${name0}”; choose another name.` });
      return;
    }
    const before = this.definitions.find((d) => d.name === (edit.previousName ?? edit.name.trim()))?.history?.length ?? 0;
    try {
      const result = await this.call('saveTag', { edit, at: new Date().toISOString(), author: $('tag-author').value.trim() });
      this.changed(result);
    } catch (err) {
      this.app.error(err);
      return;
    }
    const name = edit.name.trim();
    const after = this.definitions.find((d) => d.name === name)?.history?.length ?? 0;
    this.app.message(after > before || edit.previousName !== name ? t('saved', name, after) : t('unchanged'));
    this.drafts.delete(this.selected ?? '');
    this.drafts.delete(name);
    this.pristine = undefined;
    this.open(name);
  }

  async remove() {
    if (!this.selected || this.builtin) return;
    if (!this.confirming) {
      this.confirming = true;
      $('tag-delete').textContent = t('confirmDelete');
      clearTimeout(this.confirmTimer);
      this.confirmTimer = setTimeout(() => this.renderEditorState(), 4000);
      return;
    }
    const name = this.selected;
    try {
      this.changed(await this.call('removeTag', { name }));
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.app.message(() => t('deleted', name));
    this.drafts.delete(name);
    this.pristine = undefined;
    this.startNew();
  }

  // ---- history, diff, lineage ----

  renderHistory() {
    const entry = !this.builtin && this.definitions.find((d) => d.name === this.selected);
    $('tag-history-box').hidden = !entry;
    if (!entry) return;
    const history = entry.history ?? [];
    const last = history[history.length - 1]?.version;
    fill($('tag-history'),
      h('thead', {}, h('tr', {}, [t('version'), t('time'), t('by'), t('rule'), ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, [...history].reverse().map((v) => h('tr', { dataset: { version: String(v.version) } },
        h('td', { class: 'num' }, `v${v.version}`),
        h('td', {}, when(v.at)),
        h('td', {}, v.author),
        h('td', {}, h('code', {}, v.rule), h('div', { class: 'note' }, noteText(v.note))),
        h('td', {}, v.version === last ? h('span', { class: 'note' }, t('current'))
          : h('button', { type: 'button', class: 'revert', onclick: () => this.revert(v.version) }, t('revert')))))));
    const options = (sel) => history.map((v) => h('option', { value: String(v.version), selected: v.version === sel }, `v${v.version}`));
    const to = last;
    const from = history.length > 1 ? history[history.length - 2].version : last;
    fill($('diff-from'), options(from));
    fill($('diff-to'), options(to));
    this.showDiff();
  }

  async showDiff() {
    const name = this.selected;
    const from = Number($('diff-from').value);
    const to = Number($('diff-to').value);
    if (!name || !from || !to) {
      fill($('tag-diff'));
      return;
    }
    try {
      const parts = await this.call('tagDiff', { name, from, to });
      if (name !== this.selected) return;
      fill($('tag-diff'), parts.map((p) => (p.op === 'insert' ? h('ins', {}, p.text) : p.op === 'delete' ? h('del', {}, p.text) : p.text)));
    } catch (err) {
      this.app.error(err);
    }
  }

  async revert(version) {
    const name = this.selected;
    try {
      this.changed(await this.call('revertTag', { name, version, at: new Date().toISOString(), author: $('tag-author').value.trim() }));
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.app.message(() => t('reverted', name, version));
    this.drafts.delete(name);
    this.pristine = undefined;
    this.open(name);
  }

  async renderLineage() {
    const name = this.selected;
    $('tag-lineage-box').hidden = !name;
    if (!name) return;
    try {
      const g = await this.call('lineage', { name });
      if (name !== this.selected) return;
      const kindName = (k) => t(`lineageKind_${k}`);
      const label = new Map(g.nodes.map((n) => [n.id, n.label]));
      fill($('lineage-list'), g.edges.map((e) => h('li', { dataset: { from: e.from, to: e.to } }, `${label.get(e.from)} → ${label.get(e.to)}`)),
        g.moreUp || g.moreDown ? h('li', { class: 'note', dataset: { more: `${g.moreUp}/${g.moreDown}` } }, t('lineageMore', g.moreUp, g.moreDown)) : null);
      if (!$('view-tags').hidden) lineageChart($('lineage-chart'), g, kindName);
    } catch (err) {
      $('tag-lineage-box').hidden = true;
      if (err.code !== 'no_such_tag') this.app.error(err);
    }
  }

  // ---- settings ----

  renderSettings() {
    const settings = this.report?.settings;
    if (!settings) return;
    $('set-rfm-monetary').value = settings.rfmMonetary;
    for (const key of LIFECYCLE) {
      const input = $(`set-${key}`);
      input.value = settings.lifecycle[key] ?? '';
      input.placeholder = this.report.thresholds ? String(this.report.thresholds[key]) : '';
    }
  }

  async applySettings() {
    const lifecycle = {};
    for (const key of LIFECYCLE) {
      const text = $(`set-${key}`).value.trim();
      const days = Number(text);
      if (text && !(Number.isInteger(days) && days >= 1 && days <= 36500)) {
        this.app.error({ zh: t('badDays'), en: t('badDays') });
        $(`set-${key}`).focus();
        return;
      }
      lifecycle[key] = text ? days : null;
    }
    try {
      this.changed(await this.call('setSettings', { settings: { rfmMonetary: $('set-rfm-monetary').value, lifecycle } }));
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.app.message(() => t('settingsApplied'));
    // RFM and the lifecycle feed the dashboard too: compute again when data is loaded.
    if (this.app.loaded.length) await this.app.compute();
    else await this.refresh();
  }

  // ---- packs and rules files ----

  async exportPack() {
    try {
      const json = await this.call('exportPack');
      download(json, `huaxiang-tags-${new Date().toISOString().slice(0, 10)}.json`, 'application/json');
    } catch (err) {
      this.app.error(err);
    }
  }

  /** Downloads the catalog as SQL for a warehouse; definitions that could not be exported are named. */
  async exportSql() {
    try {
      const dialect = $('tag-sql-dialect').value;
      const out = await this.call('exportSql', { dialect, asOf: document.getElementById('as-of')?.value });
      download(out.sql, `huaxiang-tags-${dialect}-${new Date().toISOString().slice(0, 10)}.sql`, 'application/sql;charset=utf-8');
      const skipped = out.defs.filter((d) => !d.column);
      if (skipped.length) this.app.message(`${t('sqlSkipped')}: ${skipped.map((d) => `${d.name} (${pick({ zh: d.skippedZh, en: d.skippedEn })})`).join('; ')}`, 'warning');
    } catch (err) {
      this.app.error(err);
    }
  }

  async exportRules() {
    try {
      const text = await this.call('rulesText');
      download(text, `huaxiang-rules-${new Date().toISOString().slice(0, 10)}.txt`, 'text/plain;charset=utf-8');
    } catch (err) {
      this.app.error(err);
    }
  }

  /** Adds the example tags (those of the product brief) so a new user sees each kind of rule at work. */
  async loadExamples() {
    const file = new File([EXAMPLE_RULES], t('exampleTagsFile'), { type: 'text/plain' });
    await this.importFile(file);
  }

  /** Imports a tag pack (JSON) or a rules text file; problems are listed with their line and column. */
  async importFile(file) {
    const text = await file.text();
    const box = $('tag-import-problems');
    fill(box);
    try {
      let n;
      let diagnostics = [];
      if (text.replace(/^\uFEFF/, '').trimStart().startsWith('{')) {
        const result = await this.call('importPack', { json: text, merge: $('tag-import-merge').checked });
        this.changed(result);
        n = result.count;
      } else {
        const result = await this.call('importRules', { text, at: new Date().toISOString(), author: $('tag-author').value.trim() });
        this.changed(result);
        n = result.saved;
        diagnostics = result.diagnostics;
      }
      this.app.message(() => t('imported', n));
      if (diagnostics.length) {
        fill(box, h('div', { class: 'message error import-problems' }, h('p', {}, `${file.name}: ${t('importProblems')}`),
          h('ul', {}, diagnostics.map((d) => h('li', {}, `${t('lineCol', d.line, d.col)}: ${pick(d)}`))),
          h('button', { type: 'button', class: 'close', onclick: () => fill(box) }, '×')));
      }
    } catch (err) {
      this.app.error(err);
      return;
    }
    if (this.selected && !this.info(this.selected)) this.startNew();
    else this.renderAll();
    await this.refresh();
  }

  builderContext() {
    // The same object while nothing it is made from changed, so the builder's field list is made once.
    const memo = this.contextMemo;
    if (memo && memo.report === this.report && memo.selected === this.selected && memo.completions === this.completions) return memo.value;
    const value = this.makeBuilderContext();
    this.contextMemo = { report: this.report, selected: this.selected, completions: this.completions, value };
    return value;
  }

  makeBuilderContext() {
    const values = {};
    for (const c of this.completions) {
      if (c.kind !== 'value') continue;
      (values[c.en] ??= []).push(c.label.slice(1, -1));
    }
    const headers = this.completions.filter((c) => c.kind === 'attribute' && c.en === 'member file column').map((c) => c.label);
    const tags = (this.report?.tags ?? []).filter((x) => x.name !== this.selected);
    return { tags, values, headers };
  }
}

/** A coverage bar (its width set through CSSOM: the CSP allows no inline style attributes). */
function bar(share) {
  const fillEl = h('span');
  fillEl.style.width = `${Math.max(0, Math.min(100, 100 * share)).toFixed(1)}%`;
  return h('span', { class: 'bar', 'aria-hidden': 'true' }, fillEl);
}

function flagChips(x) {
  const chips = [];
  const f = x.flags;
  if (x.diagnostics.some((d) => d.severity === 'error')) chips.push(['errors', t('flagErrors')]);
  if (f.empty) chips.push(['empty', t('flagEmpty')]);
  if (f.nearEmpty) chips.push(['near-empty', t('flagNearEmpty')]);
  // Near-duplicates are summarised: the first one named, the rest counted (a tag can have hundreds).
  const dups = f.duplicateCount ?? f.duplicates.length;
  if (dups) chips.push(['duplicate', dups > 1 ? t('flagDuplicates', f.duplicates[0], dups - 1) : t('flagDuplicate', f.duplicates[0])]);
  if (f.unused) chips.push(['unused', t('flagUnused')]);
  return chips.map(([kind, text]) => h('span', { class: `flag flag-${kind}`, dataset: { flag: kind } }, text));
}
