// The Audiences view (人群圈选): an expression editor with a quick picker of tags and values, the live count with the
// attrition of each condition and a few (masked) sample members; saved audiences (catalog entries of kind
// 'audience', so they are versioned and kept in the browser's storage with the tag pack), static audiences from an
// uploaded id list, dated snapshots; and why a member is in or out. The panels below — portrait, comparison, A/B,
// export and campaign lift — live in audience-insight.js and audience-activation.js.
import { fill, h, int, memberLink, percent, shareBar, when } from '../dom.js';
import { language, pick, t } from '../i18n.js';
import { RuleEditor } from '../rule-editor.js';
import { quoteName, quoteText } from '../rule-syntax.js';
import { author } from '../tagstore.js';
import { metricLabel, valueLabel } from '../vocabulary.js';
import { InsightPanels } from './audience-insight.js';
import { ActivationPanels } from './audience-activation.js';

const $ = (id) => document.getElementById(id);
const PREVIEW_DELAY = 80;
const SAMPLES = 8;
const PICKER_VALUES = 24;

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class AudiencesView {
  constructor(app) {
    this.app = app;
    this.report = null;
    this.audiences = [];
    this.preview = null;
    this.previewSeq = 0;
    this.selected = null;
    this.dirty = true;

    this.editor = new RuleEditor($('aud-editor-root'), { id: 'aud', onChange: () => this.schedulePreview() });
    $('aud-save').addEventListener('click', () => this.save());
    $('aud-new').addEventListener('click', () => this.startNew());
    $('aud-unmask').addEventListener('change', () => this.schedulePreview(0));
    $('aud-picker-filter').addEventListener('input', () => this.renderPicker());
    $('aud-static-file').addEventListener('change', (e) => {
      const file = e.target.files?.[0];
      e.target.value = '';
      if (file) this.saveStatic(file);
    });
    $('aud-explain-run').addEventListener('click', () => this.explain());
    $('aud-explain-member').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.explain();
    });
    for (const tab of document.querySelectorAll('#view-audiences .subtabs button')) tab.addEventListener('click', () => this.showPanel(tab.dataset.panel));
    this.panel = 'explain';
    this.insight = new InsightPanels(this);
    this.activation = new ActivationPanels(this);
  }

  // ---- engine and shared helpers ----

  /** Calls the engine once the saved catalog has been restored into it. */
  async call(method, args) {
    await this.app.tagsReady;
    return this.app.engine.call(method, args);
  }

  /** Hands a changed catalog (the pack) to the app, which keeps it and tells the other views. */
  changed(pack) {
    this.app.catalogChanged(pack, this);
  }

  get computed() {
    return Boolean(this.report?.computed);
  }

  /** The expression a choice stands for: `current` (the editor's), `n:NAME` (a saved audience), `all` (none). */
  resolve(value) {
    if (value === 'current') {
      const expr = this.editor.value.trim();
      return expr ? { expr, name: $('aud-name').value.trim() || t('audCurrent'), current: true } : null;
    }
    if (value?.startsWith('n:')) {
      const name = value.slice(2);
      return { expr: quoteName(name), name, current: false, info: this.audiences.find((a) => a.name === name) };
    }
    return null;
  }

  /** Fills every audience choice (`select.aud-choice`) with the current expression and the saved audiences. */
  renderChoices() {
    for (const select of document.querySelectorAll('#view-audiences select.aud-choice')) {
      const before = select.value;
      const options = [];
      if (select.dataset.all) options.push(h('option', { value: 'all' }, t('audAllMembers')));
      if (select.dataset.current) options.push(h('option', { value: 'current' }, t('audCurrentOption')));
      for (const a of this.audiences) options.push(h('option', { value: `n:${a.name}` }, `${a.name}${a.count == null ? '' : ` (${int(a.count)})`}`));
      fill(select, options);
      if ([...select.options].some((o) => o.value === before)) select.value = before;
    }
  }

  // ---- refresh and render ----

  shown() {
    this.refresh();
    this.editor.layout();
  }

  render() {
    if ($('view-audiences').hidden) {
      this.dirty = true;
      return;
    }
    this.refresh();
  }

  /** Reads the tags (for the picker), the saved audiences and the completions again, and redraws. */
  async refresh() {
    this.dirty = false;
    try {
      const [report, audiences, completions] = await Promise.all([this.call('tags'), this.call('audiences'), this.call('completions')]);
      this.report = report;
      this.audiences = audiences;
      this.editor.setCompletions(completions);
    } catch (err) {
      if (err?.code !== 'worker_crashed') this.app.error(err);
      return;
    }
    $('aud-nodata').hidden = this.computed;
    this.renderPicker();
    this.renderList();
    this.renderChoices();
    this.insight.refresh();
    this.activation.refresh();
    this.renderPreview();
    this.schedulePreview(0);
    document.body.dataset.audiences = 'ready';
  }

  showPanel(name) {
    this.panel = name;
    for (const tab of document.querySelectorAll('#view-audiences .subtabs button')) tab.setAttribute('aria-selected', String(tab.dataset.panel === name));
    for (const panel of document.querySelectorAll('#view-audiences .aud-panel')) panel.hidden = panel.dataset.panel !== name;
    this.insight.shown(name);
    this.activation.shown(name);
  }

  // ---- the quick picker ----

  renderPicker() {
    const tags = (this.report?.tags ?? []).filter((x) => (x.valueType === 'bool' || x.valueType === 'enum') && !x.diagnostics.some((d) => d.severity === 'error'));
    const filter = $('aud-picker-filter').value.trim().toLowerCase();
    const matches = (x) => !filter || x.name.toLowerCase().includes(filter) || x.group.toLowerCase().includes(filter)
      || (x.values ?? []).some((v) => v.value.toLowerCase().includes(filter));
    const groups = new Map();
    for (const x of tags.filter(matches)) {
      const group = x.kind === 'audience' ? t('audSavedGroup') : x.group || t('audNoGroup');
      if (!groups.has(group)) groups.set(group, []);
      groups.get(group).push(x);
    }
    const count = (n) => (this.computed ? h('span', { class: 'num' }, int(n)) : null);
    fill($('aud-picker-body'), [...groups].map(([group, list]) => h('div', { class: 'picker-group' },
      h('div', { class: 'picker-title' }, group),
      list.map((x) => (x.valueType === 'bool'
        ? h('button', { type: 'button', class: 'chip', dataset: { pick: x.name }, title: x.description || x.name, onclick: () => this.pick(quoteName(x.name)) }, x.name, count(x.count))
        : h('span', { class: 'chip-set', dataset: { pickTag: x.name } }, h('span', { class: 'chip-label' }, x.name),
          (x.values ?? []).filter((v) => v.value !== '').slice(0, PICKER_VALUES).map((v) => h('button', {
            type: 'button', class: 'chip', dataset: { pick: x.name, value: v.value }, onclick: () => this.pickValue(x.name, v.value),
          }, valueLabel(v.value), count(v.count)))))))));
  }

  /** Adds a condition to the expression, joined as the picker says. */
  pick(condition) {
    const join = $('aud-join').value;
    const text = this.editor.value.trimEnd();
    let next;
    if (!text) next = join === 'and not' ? `not ${condition}` : condition;
    else next = `${text} ${join} ${condition}`;
    this.editor.setValue(next);
  }

  /** Adds `tag == "value"`; a second value of the tag the expression ends with widens it to `tag in [...]`. */
  pickValue(tag, value) {
    const q = quoteName(tag);
    const text = this.editor.value.trimEnd();
    if ($('aud-join').value !== 'and not') {
      const one = new RegExp(`${escapeRegExp(q)} == ("(?:[^"\\\\]|\\\\.)*")$`).exec(text);
      const many = new RegExp(`${escapeRegExp(q)} in \\[((?:"(?:[^"\\\\]|\\\\.)*"(?:, )?)+)\\]$`).exec(text);
      const found = one ?? many;
      if (found) {
        const listed = found[1];
        if (listed.includes(quoteText(value))) return;
        this.editor.setValue(`${text.slice(0, found.index)}${q} in [${listed}, ${quoteText(value)}]`);
        return;
      }
    }
    this.pick(`${q} == ${quoteText(value)}`);
  }

  // ---- live count, attrition and samples ----

  schedulePreview(delay = PREVIEW_DELAY) {
    clearTimeout(this.previewTimer);
    $('aud-count').dataset.state = 'checking';
    this.previewTimer = setTimeout(() => this.runPreview(), delay);
  }

  async runPreview() {
    const seq = ++this.previewSeq;
    const expr = this.editor.value;
    if (!expr.trim()) {
      this.preview = null;
      this.editor.setDiagnostics([], expr);
      this.renderPreview();
      return;
    }
    try {
      const result = await this.call('audiencePreview', { expr, samples: SAMPLES, mask: !$('aud-unmask').checked });
      if (seq !== this.previewSeq) return;
      this.preview = { ...result, expr };
      this.editor.setDiagnostics(result.diagnostics, expr);
    } catch (err) {
      if (seq !== this.previewSeq) return;
      this.preview = null;
      if (err.code !== 'worker_crashed') this.app.error(err);
    }
    this.renderPreview();
  }

  renderPreview() {
    const p = this.preview;
    const count = $('aud-count');
    count.dataset.state = 'done';
    if (!p || p.expr !== this.editor.value) {
      count.textContent = this.editor.value.trim() ? '' : t('audEmpty');
      count.dataset.count = '';
      fill($('aud-problems'));
      fill($('aud-attrition'));
      fill($('aud-samples'));
      this.editor.placeCallout();
      return;
    }
    const errors = p.diagnostics.some((d) => d.severity === 'error');
    count.dataset.count = p.count ?? '';
    if (errors) count.textContent = t('liveHasErrors');
    else if (p.count == null) count.textContent = t('liveNoData');
    else count.textContent = t('audCount', int(p.count), percent(p.share), int(p.members));
    fill($('aud-problems'), p.diagnostics.map((d) => h('li', { class: d.severity, dataset: { code: d.code } },
      h('button', { type: 'button', class: 'link', onclick: () => {
        this.editor.textarea.focus();
        this.editor.textarea.setSelectionRange(d.start16, d.end16);
        this.editor.placeCallout();
      } }, `${t(`severity_${d.severity}`)} · ${t('lineCol', d.line, d.col)}`), ' ', pick(d))));
    const steps = p.count == null ? [] : p.steps;
    fill($('aud-attrition'), steps.length ? [
      h('thead', {}, h('tr', {}, ['#', t('audCondition'), t('audAlone'), t('audRemaining'), t('audRemoved')].map((c) => h('th', {}, c)))),
      h('tbody', {}, steps.map((s, i) => h('tr', { dataset: { step: String(i) } },
        h('td', { class: 'num' }, String(i + 1)),
        h('td', {}, h('code', {}, s.condition)),
        h('td', { class: 'num' }, int(s.alone)),
        h('td', { class: 'num', dataset: { cell: 'remaining' } }, shareBar(p.members ? s.remaining / p.members : 0), int(s.remaining)),
        h('td', { class: 'num', dataset: { cell: 'removed' } }, i === 0 ? '—' : `−${int(s.removed)} (${percent(s.removedShare)})`)))),
    ] : []);
    const samples = p.count == null ? [] : p.samples;
    fill($('aud-samples'), samples.length ? [
      h('thead', {}, h('tr', {}, [t('memberId'), t('name'), metricLabel('recency'), metricLabel('frequency'), metricLabel('monetary'), t('segment'), ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, samples.map((m) => h('tr', { dataset: { member: m.id } },
        h('td', {}, memberLink(this.app, m.id)), h('td', { dataset: { cell: 'name' } }, m.name),
        h('td', { class: 'num' }, m.recency ?? '—'), h('td', { class: 'num' }, String(m.frequency)), h('td', { class: 'num' }, m.monetary ?? '—'),
        h('td', {}, language() === 'en' ? m.segmentEn : m.segment),
        h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => this.explainSample(m.id) }, t('audWhy')))))),
    ] : []);
    this.editor.render();
  }

  // ---- saving, opening, snapshots, static audiences ----

  startNew() {
    this.selected = null;
    $('aud-name').value = '';
    $('aud-group').value = '';
    $('aud-description').value = '';
    $('aud-builder-title').textContent = t('audBuilder');
    this.editor.setValue('');
  }

  /** Starts a new audience from an expression (a dashboard figure's members) and counts it at once. */
  openExpression(expr) {
    this.startNew();
    this.editor.setValue(expr);
    this.schedulePreview(0);
    this.editor.textarea.focus();
  }

  /** Opens a saved audience: a dynamic one's rule in the editor; a static audience or snapshot by its name. */
  open(name) {
    const a = this.audiences.find((x) => x.name === name);
    if (!a) return;
    this.selected = a.kind === 'dynamic' ? a.name : null;
    $('aud-name').value = a.kind === 'dynamic' ? a.name : '';
    $('aud-group').value = a.kind === 'dynamic' ? a.group : '';
    $('aud-description').value = a.kind === 'dynamic' ? a.description : '';
    $('aud-builder-title').textContent = a.kind === 'dynamic' ? `${t('audBuilder')} · ${a.name}` : t('audBuilder');
    this.editor.setValue(a.kind === 'dynamic' ? a.rule : quoteName(a.name));
    this.editor.textarea.focus();
  }

  async save() {
    const name = $('aud-name').value.trim();
    const rule = this.editor.value.trim();
    if (!name) {
      this.app.error({ zh: t('audNameNeeded'), en: t('audNameNeeded') });
      $('aud-name').focus();
      return;
    }
    if (!rule) {
      this.app.error({ zh: t('audRuleNeeded'), en: t('audRuleNeeded') });
      return;
    }
    const same = this.audiences.find((a) => a.name === name);
    const other = (this.report?.tags ?? []).find((x) => x.name === name);
    if ((same && same.kind !== 'dynamic') || (!same && other)) {
      this.app.error({ zh: `已经有叫“${name}”的定义了，请换一个名字。`, en: `Something is already called “${name}”; choose another name.` });
      return;
    }
    // Saving under the name of the audience being edited adds a version; under another name, a new audience.
    const previousName = same ? name : null;
    const edit = { kind: 'audience', name, previousName, group: $('aud-group').value.trim(), description: $('aud-description').value, owner: author(), rule };
    try {
      const { report, pack } = await this.call('saveTag', { edit, at: new Date().toISOString(), author: author() });
      this.report = report;
      this.changed(pack);
      const versions = JSON.parse(pack).definitions.find((d) => d.name === name)?.history?.length ?? 1;
      this.app.message(() => t('saved', name, versions));
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.selected = name;
    $('aud-builder-title').textContent = `${t('audBuilder')} · ${name}`;
    await this.refresh();
  }

  async remove(name, button) {
    if (button.dataset.confirm !== 'true') {
      button.dataset.confirm = 'true';
      button.textContent = t('confirmDelete');
      setTimeout(() => {
        button.dataset.confirm = '';
        button.textContent = t('delete');
      }, 4000);
      return;
    }
    try {
      const { pack } = await this.call('removeTag', { name });
      this.changed(pack);
      this.app.message(() => t('deleted', name));
    } catch (err) {
      this.app.error(err);
      return;
    }
    if (this.selected === name) this.selected = null;
    await this.refresh();
  }

  /** Freezes an audience as `NAME_YYYYMMDD` (the local date; `_HHMM` added when that name is taken). */
  async snapshot(name) {
    const now = new Date();
    const p = (n) => String(n).padStart(2, '0');
    const day = `${name}_${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}`;
    const taken = (n) => (this.report?.tags ?? []).some((x) => x.name === n);
    const snapshot = taken(day) ? `${day}_${p(now.getHours())}${p(now.getMinutes())}` : day;
    try {
      const { saved, pack } = await this.call('snapshotAudience', { name, snapshot, at: now.toISOString(), author: author() });
      this.changed(pack);
      this.app.message(() => t('audSnapshotSaved', saved.name, int(saved.members)));
    } catch (err) {
      this.app.error(err);
      return;
    }
    await this.refresh();
  }

  /** Creates (or adds a version to) a static audience from a file of ids; says how many matched nobody. */
  async saveStatic(file) {
    const name = $('aud-static-name').value.trim() || file.name.replace(/\.[^.]*$/, '');
    const box = $('aud-static-result');
    fill(box);
    try {
      const { saved, pack } = await this.call('saveStaticAudience', { request: { name, file }, at: new Date().toISOString(), author: author() });
      this.changed(pack);
      const m = saved.matched;
      fill(box, h('div', { class: 'message static-result', dataset: { members: String(saved.members), unmatched: String(m.unmatched) } },
        h('p', {}, t('audStaticSaved', saved.name, int(m.ids), int(m.matched), int(saved.members), int(m.unmatched), int(m.duplicates))),
        m.unmatchedIds.length ? h('p', { class: 'note' }, `${t('audUnmatched')}: ${m.unmatchedIds.slice(0, 20).join(', ')}${m.unmatched > 20 ? ' …' : ''}`) : null));
      $('aud-static-name').value = '';
    } catch (err) {
      this.app.error(err);
      return;
    }
    await this.refresh();
  }

  renderList() {
    const kindName = (k) => t(`audKind_${k}`);
    const rows = this.audiences.map((a) => {
      const del = h('button', { type: 'button', class: 'danger small', onclick: (e) => this.remove(a.name, e.currentTarget) }, t('delete'));
      return h('tr', { dataset: { audience: a.name, kind: a.kind } },
        h('td', { dataset: { cell: 'name' } }, h('button', { type: 'button', class: 'link', onclick: () => this.open(a.name) }, a.name),
          a.snapshotOf ? h('div', { class: 'note' }, t('audSnapshotOf', a.snapshotOf)) : null),
        h('td', { dataset: { cell: 'kind' } }, kindName(a.kind)),
        h('td', { class: 'num', dataset: { cell: 'count' } }, a.count == null ? (a.stored == null ? '—' : `${int(a.stored)}*`) : int(a.count)),
        h('td', { dataset: { cell: 'updated' } }, when(a.updated)),
        h('td', { class: 'num', dataset: { cell: 'versions' } }, String(a.versions)),
        h('td', { class: 'row-actions' },
          a.kind === 'dynamic' ? h('button', { type: 'button', class: 'small', dataset: { action: 'snapshot' }, disabled: !this.computed, title: t('audSnapshotHint'), onclick: () => this.snapshot(a.name) }, t('audSnapshot')) : null,
          h('button', { type: 'button', class: 'small', dataset: { action: 'portrait' }, disabled: !this.computed, onclick: () => this.insight.portraitOf(a.name) }, t('audPanel_portrait')),
          del));
    });
    fill($('aud-list'),
      h('thead', {}, h('tr', {}, [t('audName'), t('tagKind'), t('count'), t('updated'), t('versions'), ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 6, class: 'note' }, t('audNoneSaved')))));
  }

  // ---- why is a member in or out ----

  explainSample(id) {
    this.showPanel('explain');
    $('aud-explain-target').value = 'current';
    $('aud-explain-member').value = id;
    this.explain();
    $('aud-explain-result').scrollIntoView?.({ block: 'nearest' });
  }

  async explain() {
    const target = this.resolve($('aud-explain-target').value);
    const member = $('aud-explain-member').value.trim();
    const box = $('aud-explain-result');
    if (!target || !member) {
      fill(box, h('p', { class: 'note' }, t('audExplainNeeds')));
      return;
    }
    try {
      const e = await this.call('explainMember', { target: target.expr, member, mask: !$('aud-explain-unmask').checked });
      const verdict = e.held === true ? t('audIn') : e.held === false ? t('audOut') : `${t('value')}: ${e.value ?? t('audMissing')}`;
      fill(box, h('div', { class: 'explanation', dataset: { held: String(e.held) } },
        h('p', { class: 'verdict' }, h('strong', {}, e.member), e.name ? ` · ${e.name}` : '', ' — ', h('span', { class: `held-${e.held}` }, verdict), ` (${target.name})`),
        h('ul', { class: 'explain-tree' }, this.explainNode(e.tree))));
    } catch (err) {
      fill(box, h('p', { class: 'error' }, pick(err)));
    }
  }

  explainNode(node) {
    const mark = node.held === true ? '✓' : node.held === false ? '✗' : '•';
    const values = node.values.map((v) => `${v.name} = ${v.value ?? t('audMissing')}`).join('; ');
    return h('li', { class: `explain-node held-${node.held}`, dataset: { held: String(node.held), kind: node.kind } },
      h('span', { class: 'mark', 'aria-label': node.held === true ? t('audHeld') : node.held === false ? t('audNotHeld') : '' }, mark), ' ',
      h('code', {}, node.text),
      node.kind === 'tag' || node.kind === 'list' ? h('span', { class: 'note' }, ` · ${t(node.kind === 'list' ? 'audListNode' : 'audTagNode')}`) : null,
      values ? h('span', { class: 'values' }, values) : null,
      node.children.length ? h('ul', {}, node.children.map((c) => this.explainNode(c))) : null);
  }
}
