// The Audiences view's activation panels: A/B and control groups (arms by ratio, a salt derived from the audience
// name, optional stratification, the balance check), the export of an audience or one arm (chosen columns, masked
// by default, hashed phones, CSV or XLSX handed over as a Blob — nothing leaves the page — and an export log kept
// in the browser), and campaign lift of a saved split over a window of orders.
import { liftChart, liftDailyChart } from '../audience-charts.js';
import { savedSplits, saveSplit, removeSplit, exportLog, logExport, clearExportLog } from '../audience-store.js';
import { fill, h, int, percent, when } from '../dom.js';
import { language, t } from '../i18n.js';
import { metricLabel, metricZh } from '../vocabulary.js';

const $ = (id) => document.getElementById(id);

/** The default arms: 90 / 10, named in the current language. */
const defaultArms = (ratios = [90, 10]) => ratios.map((ratio, i) => ({
  name: i === ratios.length - 1 ? (language() === 'zh' ? '对照组' : 'control') : (language() === 'zh' ? `实验组${ratios.length > 2 ? i + 1 : ''}` : `test${ratios.length > 2 ? i + 1 : ''}`),
  ratio,
}));

/** Today as `YYYYMMDD`, for file and split names. */
const stamp = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');

/** A day `n` days after `YYYY-MM-DD` (negative: before). */
function shiftDay(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Offers bytes as a file download through a blob URL (nothing leaves the page). */
function download(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

const fixed = (x, d = 2) => (x == null || !Number.isFinite(x) ? '—' : x.toFixed(d));

export class ActivationPanels {
  constructor(view) {
    this.view = view;
    this.arms = defaultArms();
    this.split = null;
    this.columnsFor = null;

    $('aud-ab-audience').addEventListener('change', () => this.deriveSalt());
    $('aud-ab-salt').addEventListener('input', () => {
      $('aud-ab-salt').dataset.auto = '';
    });
    $('aud-ab-add').addEventListener('click', () => {
      this.readArms();
      const n = this.arms.length + 1;
      this.arms = defaultArms(Array.from({ length: n }, () => Math.round(100 / n)));
      this.renderArms();
    });
    $('aud-ab-9010').addEventListener('click', () => {
      this.arms = defaultArms([90, 10]);
      this.renderArms();
    });
    $('aud-ab-5050').addEventListener('click', () => {
      this.arms = defaultArms([50, 50]);
      this.renderArms();
    });
    $('aud-ab-run').addEventListener('click', () => this.runSplit());
    $('aud-export-audience').addEventListener('change', () => this.loadColumns());
    $('aud-export-hash').addEventListener('change', () => this.renderExportOptions());
    $('aud-export-format').addEventListener('change', () => this.renderExportOptions());
    $('aud-export-run').addEventListener('click', () => this.runExport());
    $('aud-export-log-clear').addEventListener('click', () => {
      clearExportLog();
      this.renderLog();
    });
    $('aud-lift-run').addEventListener('click', () => this.runLift());
    $('aud-ab-salt').dataset.auto = 'true';
    this.renderArms();
  }

  get app() {
    return this.view.app;
  }

  refresh() {
    this.renderStrata();
    this.deriveSalt();
    this.renderSplits();
    this.renderLog();
    this.renderExportOptions();
    this.defaultWindow();
    // The tags (and so the columns) may have changed.
    this.columnsFor = null;
    if (this.view.panel === 'export') this.loadColumns();
  }

  shown(panel) {
    if (panel === 'export') this.loadColumns();
    if (panel === 'lift' && this.lift) this.drawLift();
  }

  // ---- A/B ----

  /** The salt follows the audience's name until the user types one. */
  deriveSalt() {
    const salt = $('aud-ab-salt');
    if (salt.dataset.auto !== 'true') return;
    const a = this.view.resolve($('aud-ab-audience').value);
    salt.value = a?.name ?? '';
  }

  renderStrata() {
    const select = $('aud-ab-stratify');
    const before = select.value;
    const tags = (this.view.report?.tags ?? []).filter((x) => x.valueType === 'enum' && x.name !== metricZh('rfm.segment'));
    fill(select,
      h('option', { value: '' }, t('audNoStrata')),
      h('option', { value: 'rfm' }, t('audStrataRfm')),
      tags.map((x) => h('option', { value: x.name }, x.name)),
      ['gender', 'city', 'level'].map((k) => h('option', { value: k }, t(`audAttr_${k}`))));
    if ([...select.options].some((o) => o.value === before)) select.value = before;
  }

  readArms() {
    this.arms = [...document.querySelectorAll('#aud-ab-arms .arm')].map((row) => ({
      name: row.querySelector('.arm-name').value.trim(),
      ratio: Number(row.querySelector('.arm-ratio').value),
    }));
  }

  renderArms() {
    fill($('aud-ab-arms'), this.arms.map((a, i) => h('div', { class: 'arm', dataset: { arm: String(i) } },
      h('label', {}, h('span', {}, t('audArmName')), ' ', h('input', { class: 'arm-name', value: a.name, autocomplete: 'off' })),
      h('label', {}, h('span', {}, t('audArmRatio')), ' ', h('input', { class: 'arm-ratio days', type: 'number', min: '0', step: 'any', value: String(a.ratio) })),
      this.arms.length > 2 ? h('button', { type: 'button', class: 'small', onclick: () => {
        this.readArms();
        this.arms.splice(i, 1);
        this.renderArms();
      } }, t('remove')) : null)));
  }

  splitRequest() {
    this.readArms();
    const a = this.view.resolve($('aud-ab-audience').value);
    if (!a) return null;
    const stratify = $('aud-ab-stratify').value;
    return { audience: a.expr, name: a.name, request: { audience: a.expr, salt: $('aud-ab-salt').value, arms: this.arms, stratify: stratify || undefined } };
  }

  async runSplit() {
    const r = this.splitRequest();
    if (!r) {
      this.app.error({ zh: t('audChooseAudience'), en: t('audChooseAudience') });
      return;
    }
    try {
      this.split = { ...r, report: await this.view.call('splitAudience', { request: r.request }) };
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.renderSplit();
  }

  renderSplit() {
    const { report: s, name } = this.split;
    const control = s.balance.control;
    const armsTable = h('table', { class: 'grid', id: 'aud-ab-table' },
      h('thead', {}, h('tr', {}, [t('audArmName'), t('audArmTarget'), t('count'), t('share')].map((c) => h('th', {}, c)))),
      h('tbody', {}, s.arms.map((a) => h('tr', { dataset: { arm: a.name, count: String(a.count) } },
        h('td', {}, a.name, a.name === control ? h('span', { class: 'badge' }, t('audControl')) : null),
        h('td', { class: 'num' }, percent(a.ratio)), h('td', { class: 'num', dataset: { cell: 'count' } }, int(a.count)), h('td', { class: 'num', dataset: { cell: 'share' } }, percent(a.share)))),
      h('tr', { class: 'total' }, h('td', {}, t('audTotal')), h('td', {}, ''), h('td', { class: 'num', dataset: { cell: 'total' } }, int(s.audience)), h('td', {}, ''))));
    const strata = s.stratifiedBy ? h('table', { class: 'grid' },
      h('caption', {}, t('audStrataBy', s.stratifiedBy)),
      h('thead', {}, h('tr', {}, h('th', {}, t('value')), h('th', {}, t('count')), s.arms.map((a) => h('th', {}, a.name)))),
      h('tbody', {}, s.strata.map((x) => h('tr', {}, h('td', {}, x.value || t('audNoValue')), h('td', { class: 'num' }, int(x.count)), x.arms.map((n) => h('td', { class: 'num' }, int(n))))))) : null;
    const tests = s.arms.filter((a) => a.name !== control);
    const balance = h('table', { class: 'grid', id: 'aud-balance' },
      h('caption', {}, t('audBalance', s.balance.threshold)),
      h('thead', {}, h('tr', {}, h('th', {}, t('audMetric')), s.arms.map((a) => h('th', {}, `${a.name} ${t('audMeanSd')}`)), tests.map((a) => h('th', {}, `SMD ${a.name}`)))),
      h('tbody', {}, s.balance.metrics.map((m) => h('tr', { dataset: { metric: m.metric } },
        h('td', {}, metricLabel(m.metric)),
        m.arms.map((x) => h('td', { class: 'num' }, `${fixed(x.mean)} ± ${fixed(x.sd)} (n=${int(x.n)})`)),
        m.smd.map((x) => h('td', { class: `num ${x.flagged ? 'flagged' : ''}`, dataset: { flagged: String(x.flagged) } }, `${fixed(x.smd, 3)}${x.flagged ? ' ⚠' : ''}`))))));
    const splitName = h('input', { id: 'aud-ab-save-name', value: `${name}·${stamp()}`, autocomplete: 'off' });
    fill($('aud-ab-result'),
      h('p', { class: 'note' }, t('audHashNote', s.salt, language() === 'zh' ? t('audHashMethod') : s.hash)),
      armsTable, strata, balance,
      h('p', { class: s.balance.balanced ? 'ok' : 'warning', dataset: { balanced: String(s.balance.balanced) } }, s.balance.balanced ? t('audBalanced') : t('audUnbalanced')),
      h('div', { class: 'toolbar' }, h('label', {}, h('span', {}, t('audSplitName')), ' ', splitName),
        h('button', { type: 'button', id: 'aud-ab-save', onclick: () => this.saveSplit(splitName.value.trim()) }, t('audSplitSave'))));
  }

  saveSplit(name) {
    if (!this.split || !name) return;
    try {
      saveSplit({ name, audience: this.split.name, request: this.split.request, savedAt: new Date().toISOString(), arms: this.split.report.arms.map((a) => ({ name: a.name, count: a.count })) });
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.app.message(() => t('audSplitSaved', name));
    this.renderSplits();
  }

  renderSplits() {
    const splits = savedSplits();
    fill($('aud-splits'),
      h('thead', {}, h('tr', {}, [t('audSplitName'), t('audAudience'), t('audSalt'), t('audArms'), t('time'), ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, splits.length ? splits.map((s) => h('tr', { dataset: { split: s.name } },
        h('td', {}, s.name), h('td', {}, s.audience), h('td', {}, s.request.salt),
        h('td', {}, s.arms.map((a) => `${a.name} ${int(a.count)}`).join(' / ')), h('td', {}, when(s.savedAt)),
        h('td', {}, h('button', { type: 'button', class: 'small danger', onclick: () => {
          removeSplit(s.name);
          this.renderSplits();
        } }, t('delete'))))) : h('tr', {}, h('td', { colspan: 6, class: 'note' }, t('audNoSplits')))));
    // The export's arm choice and the lift's split choice follow the saved splits.
    const arm = $('aud-export-arm');
    const beforeArm = arm.value;
    fill(arm, h('option', { value: '' }, t('audWholeAudience')),
      splits.flatMap((s) => s.arms.map((a) => h('option', { value: JSON.stringify([s.name, a.name]) }, `${s.name} · ${a.name} (${int(a.count)})`))));
    if ([...arm.options].some((o) => o.value === beforeArm)) arm.value = beforeArm;
    const lift = $('aud-lift-split');
    const beforeLift = lift.value;
    fill(lift, splits.map((s) => h('option', { value: s.name }, s.name)));
    if ([...lift.options].some((o) => o.value === beforeLift)) lift.value = beforeLift;
  }

  // ---- export ----

  renderExportOptions() {
    const hashing = $('aud-export-hash').value !== 'none';
    $('aud-export-phone-form').disabled = !hashing;
    $('aud-export-drop').disabled = !hashing;
    $('aud-export-encoding').disabled = $('aud-export-format').value !== 'csv';
  }

  /** Reads the columns the export can hold, ticking those suggested for the chosen audience. */
  async loadColumns() {
    const a = this.view.resolve($('aud-export-audience').value);
    const expr = a?.info?.kind === 'dynamic' ? a.info.rule : a?.expr ?? '';
    if (this.columnsFor === expr && this.columns) return;
    // The ticks the user chose are kept while the audience stays the same (a refresh); another audience gets its own.
    const same = this.ticksFor === expr;
    this.columnsFor = expr;
    this.ticksFor = expr;
    try {
      this.columns = await this.view.call('exportColumns', { expr });
    } catch (err) {
      this.columns = [];
      if (err.code !== 'not_computed' && err.code !== 'worker_crashed') this.app.error(err);
    }
    const box = $('aud-export-columns');
    const before = new Map([...box.querySelectorAll('input[data-key]')].map((i) => [i.dataset.key, i.checked]));
    const label = (c) => (language() === 'zh' ? c.zh : c.en);
    const groups = [['member', t('audColumns_member')], ['rfm', t('audColumns_rfm')], ['tag', t('audColumns_tag')]];
    fill(box, h('legend', {}, t('audColumns')), groups.map(([g, title]) => {
      const cols = this.columns.filter((c) => c.group === g);
      if (!cols.length) return null;
      return h('div', { class: 'column-group', dataset: { group: g } }, h('span', { class: 'picker-title' }, title),
        cols.map((c) => h('label', { class: 'column-choice' },
          h('input', { type: 'checkbox', dataset: { key: c.key, kind: c.kind }, checked: same && before.has(c.key) ? before.get(c.key) : c.suggested }),
          ' ', label(c))));
    }));
  }

  async runExport() {
    const a = this.view.resolve($('aud-export-audience').value);
    const armChoice = $('aud-export-arm').value;
    const split = armChoice ? savedSplits().find((s) => s.name === JSON.parse(armChoice)[0]) : null;
    const arm = armChoice ? JSON.parse(armChoice)[1] : null;
    if (!a && !split) {
      this.app.error({ zh: t('audChooseAudience'), en: t('audChooseAudience') });
      return;
    }
    const label = (c) => (language() === 'zh' ? c.zh : c.en);
    const columns = [...document.querySelectorAll('#aud-export-columns input[data-key]:checked')].map((input) => {
      const c = this.columns.find((x) => x.key === input.dataset.key);
      return { key: c.key, header: label(c) };
    });
    const format = $('aud-export-format').value;
    const name = split ? `${split.audience} · ${arm}` : a.name;
    const version = split ? split.name : a.info?.kind === 'snapshot' ? a.info.at : a.info ? `v${a.info.versions}` : undefined;
    const request = {
      audience: split ? split.request.audience : a.expr,
      name,
      version,
      split: split?.request,
      arm: arm ?? undefined,
      columns,
      options: {
        mask: $('aud-export-mask').checked,
        hash: $('aud-export-hash').value,
        phoneForm: $('aud-export-phone-form').value,
        dropUnhashable: $('aud-export-drop').checked && $('aud-export-hash').value !== 'none',
        format,
        encoding: $('aud-export-encoding').value,
        sheet: name.slice(0, 31),
      },
    };
    let result;
    try {
      result = await this.view.call('exportAudience', { request, at: new Date().toISOString() });
    } catch (err) {
      this.app.error(err);
      return;
    }
    const { bytes, report, log } = result;
    const file = `${name.replace(/[\\/:*?"<>|\s·]+/g, '_')}-${stamp()}.${report.extension}`;
    download(bytes, file, report.mime);
    try {
      logExport(log);
    } catch (err) {
      this.app.error(err);
    }
    const notes = [t('audExported', int(report.rows), file)];
    if (report.hashed.length) notes.push(t('audExportHashed', report.hashed.join(', '), int(report.unhashable)));
    if (report.dropped) notes.push(t('audExportDropped', int(report.dropped)));
    if (report.neutralised) notes.push(t('audExportNeutralised', int(report.neutralised)));
    if (report.unencodable) notes.push(t('audExportUnencodable', int(report.unencodable)));
    fill($('aud-export-result'), h('div', { class: 'message', dataset: { rows: String(report.rows) } }, notes.join(' ')));
    this.renderLog();
  }

  renderLog() {
    const log = exportLog();
    const hashName = (x) => (x === 'none' ? t('audHash_none') : x === 'md5' ? 'MD5' : 'SHA-256');
    fill($('aud-export-log'),
      h('thead', {}, h('tr', {}, [t('time'), t('audAudience'), t('version'), t('audRows'), t('audColumns'), t('audMasked'), t('audHash'), t('format')].map((c) => h('th', {}, c)))),
      h('tbody', {}, log.length ? log.map((e) => h('tr', { dataset: { rows: String(e.rows) } },
        h('td', {}, when(e.at)), h('td', {}, e.audience), h('td', {}, e.version ?? ''), h('td', { class: 'num' }, int(e.rows)),
        h('td', { class: 'columns' }, e.columns.join(', ')), h('td', {}, e.mask ? t('audYes') : t('audNo')), h('td', {}, hashName(e.hash)),
        h('td', {}, `${String(e.format).toUpperCase()}${e.encoding ? ` · ${e.encoding === 'gbk' ? 'GBK' : 'UTF-8'}` : ''}`))) : h('tr', {}, h('td', { colspan: 8, class: 'note' }, t('audNoExports')))));
  }

  // ---- campaign lift ----

  /** The window defaults to the 30 days before the analysis date. */
  defaultWindow() {
    const asOf = this.app.summary?.asOf;
    if (!asOf || $('aud-lift-end').value) return;
    $('aud-lift-end').value = shiftDay(asOf, -1);
    $('aud-lift-start').value = shiftDay(asOf, -30);
  }

  async runLift() {
    const split = savedSplits().find((s) => s.name === $('aud-lift-split').value);
    if (!split) {
      this.app.error({ zh: t('audChooseSplit'), en: t('audChooseSplit') });
      return;
    }
    const request = { split: split.request, start: $('aud-lift-start').value, end: $('aud-lift-end').value };
    try {
      this.lift = await this.view.call('campaignLift', { request });
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.drawLift();
  }

  drawLift() {
    const r = this.lift;
    $('aud-lift-body').hidden = false;
    fill($('aud-lift-arms'),
      h('caption', {}, t('audLiftWindow', r.start, r.end, r.days, int(r.orders))),
      h('thead', {}, h('tr', {}, [t('audArmName'), t('count'), t('audConverters'), t('audConversion'), t('audRevenue'), t('audRevenuePerMember')].map((c) => h('th', {}, c)))),
      h('tbody', {}, r.arms.map((a) => h('tr', { dataset: { arm: a.name } },
        h('td', {}, a.name, a.name === r.control ? h('span', { class: 'badge' }, t('audControl')) : null),
        h('td', { class: 'num' }, int(a.members)), h('td', { class: 'num' }, int(a.converters)), h('td', { class: 'num' }, percent(a.conversionRate)),
        h('td', { class: 'num' }, fixed(a.revenue)), h('td', { class: 'num' }, `${fixed(a.revenuePerMember)} ± ${fixed(a.revenueSd)}`)))));
    const interval = (m, scale, unit) => `${fixed(m.difference * scale)}${unit} [${fixed(m.low == null ? null : m.low * scale)}, ${fixed(m.high == null ? null : m.high * scale)}]`;
    const verdict = (m) => h('span', { class: m.significant ? 'ok' : 'note' }, m.significant ? t('audSignificant') : t('audNotSignificant'));
    fill($('aud-lift-comparisons'),
      h('thead', {}, h('tr', {}, [t('audComparison'), t('audConversionDiff'), t('audLift'), 'p', t('audRevenueDiff'), t('audLift'), 'p'].map((c) => h('th', {}, c)))),
      h('tbody', {}, r.comparisons.map((c) => h('tr', { dataset: { arm: c.arm } },
        h('td', {}, `${c.arm} − ${c.control}`),
        h('td', { class: 'num' }, interval(c.conversion, 100, ' pp')),
        h('td', { class: 'num' }, c.conversion.lift == null ? '—' : `${fixed(c.conversion.lift, 1)}%`),
        h('td', { class: 'num' }, fixed(c.conversion.pValue, 3), ' ', verdict(c.conversion)),
        h('td', { class: 'num' }, interval(c.revenuePerMember, 1, '')),
        h('td', { class: 'num' }, c.revenuePerMember.lift == null ? '—' : `${fixed(c.revenuePerMember.lift, 1)}%`),
        h('td', { class: 'num' }, fixed(c.revenuePerMember.pValue, 3), ' ', verdict(c.revenuePerMember))))));
    if ($('view-audiences').hidden || this.view.panel !== 'lift') return;
    liftChart($('aud-lift-chart'), r);
    $('aud-lift-daily').hidden = !r.daily.length;
    if (r.daily.length) liftDailyChart($('aud-lift-daily'), r);
  }
}
