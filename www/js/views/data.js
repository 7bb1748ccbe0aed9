// The Data view: pick or drop files, check and correct the detected mapping of each, load them with a progress
// bar, and read the quality report and the identity (OneID) summary.
import { bytes, fill, h, int, percent, table } from '../dom.js';
import { pick, t, language } from '../i18n.js';
import { recall, remember } from '../mappings.js';
import { fileKindLabel, vocabulary } from '../vocabulary.js';

const $ = (id) => document.getElementById(id);
const ENCODINGS = ['', 'utf-8', 'gbk', 'utf-16le', 'utf-16be'];
// Columns the mapping table shows at first (beside every column with a role), and how many more a click adds.
const MAPPING_COLUMNS = 60;
const MAPPING_PAGE = 500;
// The cleaning rules with a switch (docs/ingest.md, "Cleaning"), by their settings key and rule code.
const SWITCHES = [
  ['idNumberForm', 'id_number_form'], ['placeholderId', 'placeholder_id'], ['duplicateRow', 'duplicate_row'],
  ['implausibleDate', 'implausible_date'], ['implausibleBirthday', 'implausible_birthday'], ['valueVariant', 'value_variant'],
];

/** The browser's time zone as the core takes it: its name and the UTC offset in force from each change on
 * (found by probing `Date` day by day from 1990 to 2040, then to the second), so no zone database is shipped. */
export function browserZone() {
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
  const off = (ms) => -new Date(ms).getTimezoneOffset() * 60;
  const day = 86400000;
  const offsets = [[-9007199254740991, off(Date.UTC(1990, 0, 1))]];
  for (let t = Date.UTC(1990, 0, 1); t < Date.UTC(2040, 0, 1); t += day) {
    const [a, b] = [off(t), off(t + day)];
    if (a === b) continue;
    let [lo, hi] = [t, t + day];
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2000) * 1000;
      if (off(mid) === a) lo = mid; else hi = mid;
    }
    offsets.push([hi / 1000, b]);
  }
  return { name, offsets };
}

/** A zone typed by the user: `UTC`, `+08:00`, `UTC-5`; `null` when it is none of these. */
export function fixedZone(text) {
  const m = /^\s*(?:UTC|GMT)?\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?\s*$/i.exec(text);
  if (!m || (!m[1] && !/^\s*(UTC|GMT)\s*$/i.test(text))) return null;
  const secs = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60) : 0;
  return Math.abs(secs) > 18 * 3600 ? null : { name: text.trim(), offsets: [[-9007199254740991, secs]] };
}

export class DataView {
  constructor(app) {
    this.app = app;
    this.pending = [];
    this.nextKey = 1;
    // The cleaning settings every file loads with; the time zone defaults to the browser's.
    this.cleaning = { timeZone: browserZone(), ...Object.fromEntries(SWITCHES.map(([key]) => [key, true])) };
    $('file-input').addEventListener('change', (e) => {
      this.add([...e.target.files]);
      e.target.value = '';
    });
    const zone = $('drop-zone');
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      this.add([...(e.dataTransfer?.files ?? [])]);
    });
    $('sample-button').addEventListener('click', () => this.loadSample());
    $('forget-button').addEventListener('click', () => this.forget());
    $('load-all').addEventListener('click', () => this.loadPending([...this.pending]));
  }

  /** Previews new files and lists them for the user to check before loading. */
  async add(files) {
    for (const file of files) {
      const item = { key: this.nextKey++, file, options: {}, preview: null, error: null };
      this.pending.push(item);
      await this.refresh(item, true);
    }
  }

  /** Re-reads the preview of a pending file with its current options. */
  async refresh(item, first = false) {
    try {
      item.preview = await this.app.engine.call('preview', { file: item.file, options: item.options });
      item.error = null;
      if (first) {
        const remembered = recall(item.preview.report);
        if (remembered && remembered.roles.length === item.preview.report.columns.length) {
          item.options = { ...item.options, kind: remembered.kind, roles: remembered.roles };
          item.preview = await this.app.engine.call('preview', { file: item.file, options: item.options });
          item.remembered = true;
        }
      }
    } catch (err) {
      item.error = err;
    }
    this.renderPending();
  }

  /** The options a pending file loads with: what the user changed plus the mapping shown. */
  loadOptions(item) {
    const report = item.preview?.report;
    if (!report) return item.options;
    // The detected format goes with the mapping: a JSON Lines file must be read as one, whatever its name.
    return { ...item.options, format: report.format, kind: report.kind, roles: report.columns.map((c) => c.role ?? null) };
  }

  /** Gives the engine the cleaning settings (a restarted worker starts without them). */
  sendCleaning() {
    // Only a date the user picked bounds "in the future": the box also shows the default date in force (the day
    // after the latest order loaded so far), which appended files are expected to pass.
    const box = document.getElementById('as-of');
    const asOf = (box?.dataset.auto === 'true' ? '' : box?.value) || null;
    return this.app.engine.call('setCleaning', { settings: { ...this.cleaning, asOf } });
  }

  /** Applies changed cleaning settings: the engine is emptied and the kept files are loaded again with them. */
  async changeCleaning(patch) {
    this.cleaning = { ...this.cleaning, ...patch };
    const files = this.app.loaded;
    this.app.loaded = [];
    try {
      await this.app.engine.call('reset');
      await this.replay(files);
    } catch (err) {
      this.app.error(err);
    }
  }

  async loadPending(items) {
    await this.sendCleaning();
    let cancelled = false;
    const failed = [];
    // A new batch starts with a clean bar: no error text of an earlier file stays on it.
    this.app.progress('idle');
    for (const item of items) {
      const options = this.loadOptions(item);
      try {
        const report = await this.loadFile(item.file, options);
        remember(report);
        this.app.loaded.push({ file: item.file, options });
        this.pending = this.pending.filter((p) => p !== item);
        this.app.message(`${item.file.name}: ${t('loadedSummary', int(report.rowsLoaded), int(report.rowsSkipped))}`);
      } catch (err) {
        if (err.code === 'cancelled') {
          cancelled = true;
          this.app.progress('cancelled', () => t('cancelled'), 0);
          break;
        }
        item.error = err;
        failed.push({ name: item.file.name, err });
        this.app.error({ zh: `${item.file.name}：${err?.zh ?? pick(err)}`, en: `${item.file.name}: ${err?.en ?? pick(err)}` });
      }
    }
    this.renderPending();
    if (!cancelled && this.app.loaded.length) await this.app.compute();
    else this.app.render();
    // The figures shown are those of the files that did load; the bar names the files that did not.
    if (failed.length) this.app.progress('error', () => t('filesFailed', failed.length, items.length, failed.map((f) => `${f.name}: ${pick(f.err)}`).join(' · ')), 1);
  }

  loadFile(file, options) {
    this.app.progress('running', () => `${t('reading')} ${file.name}`, 0);
    return this.app.engine.call('load', { file, options }, { onProgress: (p) => this.onProgress(p) });
  }

  onProgress(p) {
    const label = `${t('reading')} ${p.name} · ${bytes(p.bytes)} / ${bytes(p.total)} · ${int(p.rows)} ${language() === 'zh' ? '行' : 'rows'}`;
    this.app.progress('running', label, p.total ? p.bytes / p.total : 0);
  }

  async loadSample() {
    this.app.progress('running', () => t('reading'), 0);
    try {
      await this.sendCleaning();
      await this.app.engine.call('loadSample', { members: 2000 }, { onProgress: (p) => this.onProgress(p) });
      this.app.loaded.push({ sample: true });
      const summary = await this.app.compute();
      if (summary) this.app.message(() => t('sampleLoaded', int(summary.members)));
      this.app.show('dashboard');
    } catch (err) {
      this.app.progress('error', () => pick(err), 0);
      this.app.error(err);
    }
  }

  /** Loads again the files that were loaded before the worker was restarted. */
  async replay(files) {
    await this.sendCleaning();
    for (const f of files) {
      try {
        if (f.sample) await this.app.engine.call('loadSample', { members: 2000 }, { onProgress: (p) => this.onProgress(p) });
        else if (f.snapshot) await this.app.engine.call('restoreSnapshot');
        else await this.loadFile(f.file, f.options);
        this.app.loaded.push(f);
      } catch (err) {
        this.app.error(err);
      }
    }
    await this.app.compute();
  }

  async forget() {
    // Everything goes: data, rules, audiences, mappings, settings, the snapshot and the offline copy (workspace.js).
    if (!(await this.app.forgetEverything())) return;
    this.pending = [];
    this.app.summary = null;
    this.app.progress('idle');
    this.renderPending();
    this.app.render();
  }

  render() {
    this.renderPending();
    this.renderQuality();
    this.renderIdentity();
  }

  renderPending() {
    $('pending').hidden = this.pending.length === 0;
    fill($('pending-list'), this.pending.map((item) => this.card(item)));
  }

  card(item) {
    const p = item.preview;
    const report = p?.report;
    const change = (patch) => {
      item.options = { ...item.options, ...patch };
      this.refresh(item);
    };
    const head = h('header', {}, h('strong', {}, item.file.name), ' · ', bytes(item.file.size),
      report ? ['', report.format.toUpperCase(), report.encoding, report.delimiter && `${t('delimiter')} ${JSON.stringify(report.delimiter)}`].filter((x, i) => i === 0 || x).join(' · ') : '');
    const controls = h('div', { class: 'controls' });
    if (report) {
      controls.append(
        h('label', {}, t('kind'), ' ', h('select', { class: 'kind-select', onchange: (e) => change({ kind: e.target.value, roles: undefined }) },
          vocabulary().fileKinds.map((k) => h('option', { value: k.key, selected: k.key === report.kind }, pick(k))))),
      );
      if (p.sheets?.length) {
        controls.append(h('label', {}, t('sheet'), ' ', h('select', { class: 'sheet-select', onchange: (e) => change({ sheet: e.target.value, roles: undefined }) },
          p.sheets.map((s) => h('option', { value: s, selected: s === report.sheet }, s)))));
      } else {
        controls.append(
          h('label', {}, t('encoding'), ' ', h('select', { class: 'encoding-select', onchange: (e) => change({ encoding: e.target.value || undefined }) },
            ENCODINGS.map((enc) => h('option', { value: enc, selected: enc && enc === item.options.encoding }, enc || `${t('auto')} (${report.encoding})`)))),
          h('label', {}, h('input', { type: 'checkbox', class: 'header-check', checked: report.hasHeader, onchange: (e) => change({ hasHeader: e.target.checked, roles: undefined }) }), ' ', t('hasHeader')),
        );
      }
    }
    const body = [];
    if (item.remembered) body.push(h('p', { class: 'note' }, t('mappingRemembered')));
    if (item.error) body.push(h('p', { class: 'preview-error error' }, pick(item.error)));
    if (p?.error) body.push(h('p', { class: 'preview-error error' }, pick(p.error)));
    if (report) body.push(this.mappingTable(item));
    const canLoad = report && !p.error;
    return h('article', { class: 'file-card', dataset: { file: item.file.name } }, head, controls, body,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary load-one', disabled: !canLoad, onclick: () => this.loadPending([item]) }, t('load')),
        h('button', { type: 'button', class: 'quiet', onclick: () => { this.pending = this.pending.filter((x) => x !== item); this.renderPending(); } }, t('remove'))));
  }

  mappingTable(item) {
    const report = item.preview.report;
    const rows = item.preview.rows ?? [];
    const fitting = vocabulary().roles.filter((r) => r.kinds.includes(report.kind));
    const setRole = (index, role) => {
      const roles = report.columns.map((c) => c.role ?? null);
      roles[index] = role || null;
      item.options = { ...item.options, roles };
      this.refresh(item);
    };
    // A file with thousands of columns shows those with a role and the first few; the rest a page at a time, so
    // the page never builds a role menu for each of 100,000 columns.
    const limit = item.shownColumns ?? MAPPING_COLUMNS;
    const visible = report.columns.filter((c, i) => i < limit || c.role);
    const hidden = report.columns.length - visible.length;
    const el = h('table', { class: 'grid mapping', dataset: { hidden: String(hidden) } });
    const more = hidden > 0 ? h('button', {
      type: 'button', class: 'quiet more-columns',
      onclick: () => { item.shownColumns = limit + MAPPING_PAGE; this.renderPending(); },
    }, t('moreColumns', int(Math.min(hidden, MAPPING_PAGE)), int(hidden))) : null;
    const shown = table(el, [t('column'), t('role'), t('sampleValues'), t('source')], visible.map((c) => [
      c.header,
      h('select', { class: 'role-select', dataset: { column: String(c.index) }, 'aria-label': `${t('role')} ${c.header}`, onchange: (e) => setRole(c.index, e.target.value) },
        h('option', { value: '' }, t('ignore')),
        fitting.map((r) => h('option', { value: r.role, selected: r.role === c.role }, pick(r)))),
      rows.slice(0, 3).map((r) => r[c.index] ?? '').filter((v) => v !== '').join(' · '),
      t(`source_${item.remembered && c.source === 'user' ? 'remembered' : c.source}`),
    ]));
    return more ? h('div', { class: 'mapping-wrap' }, shown, more) : shown;
  }

  renderQuality() {
    const s = this.app.summary;
    $('quality').hidden = !s;
    if (!s) return;
    const q = s.quality;
    fill($('quality-overall'),
      h('dl', { class: 'facts' },
        fact(t('rowsRead'), int(q.rowsRead), 'rows-read'),
        fact(t('rowsSkipped'), int(q.rowsSkipped), 'rows-skipped'),
        fact(t('buyersWithoutMemberRow'), int(q.buyersWithoutMemberRow), 'buyers-without-member'),
        fact(t('membersWithoutOrders'), int(q.membersWithoutOrders), 'members-without-orders'),
        fact(t('eventOnlyPeople'), int(q.eventOnlyPeople), 'event-only'),
        fact(t('events'), int(q.events), 'events'),
        fact(t('memory'), `${bytes(s.memory.bytes)} · ${s.memory.perMember.toFixed(0)} ${t('perMember')} · ${s.memory.perOrder.toFixed(0)} ${t('perOrder')}`, 'memory')));
    fill($('quality-cleaning'), this.cleaningPanel(q));
    fill($('quality-files'), s.files.map((f) => fileQuality(f)));
  }

  /** The data's time zone, a switch per cleaning rule, and what every rule found across files. */
  cleaningPanel(q) {
    const zone = h('input', { type: 'text', id: 'time-zone', size: 16, value: q.timeZone, 'aria-label': t('timeZone') });
    const setZone = () => {
      const text = zone.value.trim();
      const timeZone = text === '' ? browserZone() : text === this.cleaning.timeZone.name ? this.cleaning.timeZone : fixedZone(text);
      if (!timeZone) {
        this.app.error({ zh: t('badTimeZone'), en: t('badTimeZone') });
        return;
      }
      this.changeCleaning({ timeZone });
    };
    const switches = SWITCHES.map(([key, rule]) => h('label', {},
      h('input', { type: 'checkbox', class: 'clean-switch', dataset: { rule }, checked: this.cleaning[key] !== false,
        onchange: (e) => this.changeCleaning({ [key]: e.target.checked }) }), ' ', t(`clean_${rule}`)));
    const found = q.findings.length
      ? table(h('table', { class: 'grid findings' }), [t('rule'), t('rows'), t('applied'), t('examples')], q.findings.map((f) => [
        t(`clean_${f.rule}`), int(f.count), f.applied ? '✓' : '—',
        f.examples.slice(0, 3).map((e) => `${e.file}:${e.line}:${e.column} ${e.value}`).join(' · '),
      ]))
      : h('p', { class: 'note' }, t('nothingFound'));
    return h('fieldset', { class: 'cleaning' }, h('legend', {}, t('cleaning')),
      h('label', {}, t('timeZone'), ' ', zone, ' ', h('button', { type: 'button', id: 'apply-time-zone', onclick: setZone }, t('applyRule'))),
      h('div', { class: 'switches' }, switches), found);
  }

  renderIdentity() {
    const s = this.app.summary;
    $('identity').hidden = !s;
    if (!s) return;
    const id = s.identity;
    const linkBoxes = vocabulary().idKinds.map((k) =>
      h('label', {}, h('input', { type: 'checkbox', class: 'link-kind', value: k.key, checked: id.rule.link.includes(k.key) }), ' ', pick(k)));
    const apply = async () => {
      const link = [...document.querySelectorAll('.link-kind:checked')].map((x) => x.value);
      try {
        await this.app.engine.call('setIdentityRule', { rule: { link, unique: id.rule.unique } });
        await this.app.compute();
      } catch (err) {
        this.app.error(err);
      }
    };
    const conflicts = id.conflictExamples.map((c) =>
      h('li', {}, t('conflictText', { via: c.viaValue, kept: c.kept, refused: c.refused, file: c.file, line: c.line })));
    fill($('identity-body'),
      h('p', { class: 'identity-count' }, t('identifiersToPeople', int(id.identifiers), int(id.people))),
      h('ul', { class: 'inline' }, id.byKind.map((k) => h('li', {}, `${pick(k)}: ${int(k.count)}`))),
      h('fieldset', {}, h('legend', {}, t('identityRule')), linkBoxes, h('button', { type: 'button', id: 'apply-rule', onclick: apply }, t('applyRule'))),
      id.conflicts ? h('div', { class: 'conflicts' }, h('h3', {}, `${t('conflicts')}: ${int(id.conflicts)}`), h('ul', {}, conflicts)) : null);
  }
}

function fact(label, value, name) {
  return [h('dt', {}, label), h('dd', { dataset: { fact: name } }, value)];
}

function fileQuality(f) {
  const range = f.firstTime ? `${f.firstTime} — ${f.lastTime}` : '—';
  const empties = f.columns.filter((c) => c.emptyRate > 0).map((c) => `${c.header} ${percent(c.emptyRate)}`).join(' · ');
  const problems = f.problems.length
    ? table(h('table', { class: 'grid problems' }), [t('line'), t('column'), t('value'), t('reason')],
      f.problems.map((p) => [p.line, p.header || String(p.column), p.value, pick(p)]))
    : null;
  // Rows that were loaded but need a look: a quote never closed, an absurd amount.
  const warned = (f.warnedByReason ?? []).reduce((n, r) => n + r.count, 0);
  const warnings = f.warnings?.length
    ? table(h('table', { class: 'grid warnings' }), [t('line'), t('column'), t('value'), t('reason')],
      f.warnings.map((p) => [p.line, p.header || (p.column ? String(p.column) : ''), p.value, pick(p)]))
    : null;
  return h('details', { class: 'file-quality', dataset: { file: f.name, warned }, open: f.rowsSkipped > 0 || warned > 0 },
    h('summary', {}, h('strong', {}, f.name), f.sheet ? ` [${f.sheet}]` : '', ['', fileKindLabel(f.kind), f.format.toUpperCase(), f.encoding].filter((x, i) => i === 0 || x).join(' · ')),
    h('dl', { class: 'facts' },
      fact(t('rowsRead'), int(f.rowsRead), 'rows-read'),
      fact(t('rowsLoaded'), int(f.rowsLoaded), 'rows-loaded'),
      fact(t('rowsSkipped'), int(f.rowsSkipped), 'rows-skipped'),
      fact(t('dateRange'), range, 'date-range'),
      fact(t('repeatedOrderIds'), int(f.repeatedOrderIds), 'repeated-order-ids'),
      fact(t('emptyRates'), empties || '—', 'empty-rates')),
    problems ? [h('h4', {}, t('problems')), problems] : null,
    warnings ? [h('h4', {}, t('warnings')), warnings] : null);
}
