// The Audiences view's portrait (画像) and comparison panels: an audience against every member or another audience
// — the traits that set it apart (sorted by the engine), share / base share / TGI per enumerated tag, yes/no tag
// and member attribute, histograms of the metrics, a cross-tab of two dimensions — and two audiences side by side
// with their overlap. Charts are drawn only while their panel is visible (a hidden chart has no size).
import { crosstabChart, histogramChart, overlapChart, sharesChart, traitsChart, valueLabel } from '../audience-charts.js';
import { fill, h, int, percent, shareBar } from '../dom.js';
import { t } from '../i18n.js';
import { metricLabel } from '../vocabulary.js';

const $ = (id) => document.getElementById(id);
const TOP_TRAITS = 15;
const SIDE_TRAITS = 10;
const MAX_VALUES = 12;
const MAX_FLAGS = 20;

const tgiText = (x) => (x == null ? '—' : x.toFixed(0));


/** The traits as a table: rank, dimension, value, audience share, base share, TGI (`empty` when there are none). */
function traitsTable(el, traits, limit, empty) {
  if (!traits.length) {
    fill(el, h('tbody', {}, h('tr', {}, h('td', { class: 'note' }, empty))));
    return;
  }
  fill(el,
    h('thead', {}, h('tr', {}, ['#', t('audDimension'), t('value'), t('audAudienceShare'), t('audBaseShare'), 'TGI'].map((c) => h('th', {}, c)))),
    h('tbody', {}, traits.slice(0, limit).map((x, i) => h('tr', {
      class: x.over ? 'over' : 'under', dataset: { trait: String(i), dimension: x.dimension, value: x.value, tgi: x.tgi == null ? '' : String(x.tgi) },
    },
    h('td', { class: 'num' }, String(i + 1)),
    h('td', {}, x.dimension),
    h('td', {}, valueLabel(x.value)),
    h('td', { class: 'num' }, shareBar(x.audienceShare), `${percent(x.audienceShare)} · ${int(x.audienceCount)}`),
    h('td', { class: 'num' }, shareBar(x.baseShare, 'base'), percent(x.baseShare)),
    h('td', { class: 'num', dataset: { cell: 'tgi' } }, `${tgiText(x.tgi)} ${x.over ? '▲' : '▼'}`)))));
}

export class InsightPanels {
  constructor(view) {
    this.view = view;
    this.portrait = null;
    this.comparison = null;
    $('aud-portrait-run').addEventListener('click', () => this.runPortrait());
    $('aud-cross-run').addEventListener('click', () => this.runCrosstab());
    $('aud-compare-run').addEventListener('click', () => this.runCompare());
  }

  get app() {
    return this.view.app;
  }

  refresh() {
    const b = $('aud-compare-b');
    // B defaults to another audience than A.
    if (b.value === '' || (b.value === $('aud-compare-a').value && b.options.length > 1)) b.selectedIndex = Math.min(1, b.options.length - 1);
  }

  shown(panel) {
    if (panel === 'portrait' && this.portrait) this.drawPortrait();
    if (panel === 'compare' && this.comparison) this.drawCompare();
  }

  /** Opens the portrait panel on a saved audience. */
  portraitOf(name) {
    this.view.showPanel('portrait');
    $('aud-portrait-audience').value = `n:${name}`;
    this.runPortrait();
  }

  // ---- portrait ----

  async runPortrait() {
    const audience = this.view.resolve($('aud-portrait-audience').value);
    const base = this.view.resolve($('aud-portrait-base').value);
    if (!audience) {
      this.app.error({ zh: t('audChooseAudience'), en: t('audChooseAudience') });
      return;
    }
    const min = Number($('aud-portrait-min').value);
    const request = { audience: audience.expr, base: base?.expr, minCount: Number.isFinite(min) && min >= 0 ? Math.round(min) : undefined };
    $('aud-portrait-body').dataset.state = 'running';
    try {
      this.portrait = { ...(await this.view.call('portrait', { request })), names: { audience: audience.name, base: base?.name ?? t('audAllMembers') }, expr: audience.expr };
    } catch (err) {
      $('aud-portrait-body').dataset.state = 'error';
      this.app.error(err);
      return;
    }
    this.crosstab = null;
    this.renderCrossChoices();
    this.drawPortrait();
    $('aud-portrait-body').dataset.state = 'done';
  }

  drawPortrait() {
    const p = this.portrait;
    $('aud-portrait-body').hidden = false;
    if ($('view-audiences').hidden || this.view.panel !== 'portrait') return;
    const names = { audience: p.names.audience, base: p.names.base };
    fill($('aud-portrait-kpis'),
      kpi(t('audAudience'), `${p.names.audience} · ${int(p.audience)}`, 'audience'),
      kpi(t('audBase'), `${p.names.base} · ${int(p.base)}`, 'base'),
      kpi(t('audShareOfBase'), p.base ? percent(p.audience / p.base) : '—', 'share'),
      kpi(t('audTopTrait'), p.traits[0] ? `${p.traits[0].dimension} · ${valueLabel(p.traits[0].value)}` : '—', 'top-trait'));
    const top = p.traits.slice(0, TOP_TRAITS);
    traitsTable($('aud-traits'), p.traits, TOP_TRAITS, t('audNoTraits', p.minCount));
    $('aud-traits-chart').hidden = !top.length;
    if (top.length) traitsChart($('aud-traits-chart'), top);

    // One chart per enumerated tag or attribute; the yes/no tags together in one chart.
    const dims = p.dimensions.filter((d) => d.kind === 'enum' && d.values.length);
    const flags = p.dimensions.filter((d) => d.kind === 'flag' && d.values.length).sort((a, b) => b.values[0].audienceShare - a.values[0].audienceShare).slice(0, MAX_FLAGS);
    const figures = dims.map((d) => {
      const el = h('div', { class: 'chart', dataset: { dimension: d.name } });
      return { figure: h('figure', { dataset: { dimension: d.name } }, h('figcaption', {}, `${d.name} `, h('span', { class: 'note' }, t(`audSource_${d.source}`))), el), el, d };
    });
    const flagEl = flags.length ? h('div', { class: 'chart', dataset: { dimension: '' } }) : null;
    fill($('aud-dimensions'), figures.map((f) => f.figure), flagEl ? h('figure', { dataset: { dimension: '' } }, h('figcaption', {}, t('audFlags')), flagEl) : null);
    for (const { el, d } of figures) {
      sharesChart(el, d.values.slice(0, MAX_VALUES).map((v) => ({ label: valueLabel(v.value), audienceShare: v.audienceShare, baseShare: v.baseShare, tgi: v.tgi })), names);
    }
    if (flagEl) sharesChart(flagEl, flags.map((d) => ({ label: d.name, ...d.values[0] })), names);

    const hists = p.histograms.filter((x) => x.bins.length);
    const histFigures = hists.map((x) => {
      const el = h('div', { class: 'chart', dataset: { metric: x.metric } });
      const stat = (s) => (s.mean == null ? '—' : `${t('audMean')} ${s.mean.toFixed(1)} · ${t('audMedian')} ${s.median.toFixed(1)}`);
      return { el, x, figure: h('figure', { dataset: { metric: x.metric } }, h('figcaption', {}, metricLabel(x.metric)),
        h('p', { class: 'note' }, `${names.audience}: ${stat(x.audience)} · ${names.base}: ${stat(x.base)}`), el) };
    });
    fill($('aud-histograms'), histFigures.map((f) => f.figure));
    for (const { el, x } of histFigures) histogramChart(el, x, names);
    if (this.crosstab) crosstabChart($('aud-cross-chart'), this.crosstab);
  }

  // ---- cross-tab ----

  renderCrossChoices() {
    const dims = this.portrait.dimensions;
    const names = [...dims.filter((d) => d.kind === 'enum'), ...dims.filter((d) => d.kind === 'flag')].map((d) => d.name);
    for (const [id, pref] of [['aud-cross-row', 0], ['aud-cross-col', 1]]) {
      const select = $(id);
      const before = select.value;
      fill(select, names.map((n) => h('option', { value: n }, n)));
      if (names.includes(before)) select.value = before;
      else if (names.length > pref) select.value = id === 'aud-cross-col' ? (dims.find((d) => d.source === 'attribute')?.name ?? names[pref]) : names[0];
    }
    $('aud-cross-body').hidden = true;
  }

  async runCrosstab() {
    const p = this.portrait;
    if (!p) return;
    const row = $('aud-cross-row').value;
    const column = $('aud-cross-col').value;
    try {
      this.crosstab = await this.view.call('crosstab', { audience: p.expr, row, column });
    } catch (err) {
      this.app.error(err);
      return;
    }
    const x = this.crosstab;
    $('aud-cross-body').hidden = false;
    fill($('aud-cross-table'),
      h('thead', {}, h('tr', {}, h('th', {}, `${x.row} \\ ${x.column}`), x.columnValues.map((c) => h('th', {}, valueLabel(c))), h('th', {}, t('audTotal')))),
      h('tbody', {}, x.rowValues.map((r, i) => h('tr', {}, h('th', {}, valueLabel(r)),
        x.counts[i].map((n) => h('td', { class: 'num' }, int(n))),
        h('td', { class: 'num' }, int(x.counts[i].reduce((a, b) => a + b, 0)))))));
    crosstabChart($('aud-cross-chart'), x);
  }

  // ---- comparison ----

  async runCompare() {
    const a = this.view.resolve($('aud-compare-a').value);
    const b = this.view.resolve($('aud-compare-b').value);
    if (!a || !b) {
      this.app.error({ zh: t('audChooseTwo'), en: t('audChooseTwo') });
      return;
    }
    try {
      this.comparison = { ...(await this.view.call('compareAudiences', { a: a.expr, b: b.expr })), names: { a: a.name, b: b.name } };
    } catch (err) {
      this.app.error(err);
      return;
    }
    this.drawCompare();
  }

  drawCompare() {
    const c = this.comparison;
    const o = c.overlap;
    $('aud-compare-body').hidden = false;
    if ($('view-audiences').hidden || this.view.panel !== 'compare') return;
    const fact = (label, value, name) => [h('dt', {}, label), h('dd', { dataset: { fact: name } }, value)];
    fill($('aud-overlap'),
      fact(`A · ${c.names.a}`, int(o.a), 'a'), fact(`B · ${c.names.b}`, int(o.b), 'b'),
      fact(t('audAOnly', 'A'), int(o.aOnly), 'a-only'), fact(t('audBoth'), int(o.both), 'both'), fact(t('audBOnly', 'B'), int(o.bOnly), 'b-only'),
      fact(t('audUnion'), int(o.union), 'union'), fact('Jaccard', o.jaccard.toFixed(3), 'jaccard'));
    overlapChart($('aud-overlap-chart'), o, c.names);
    for (const side of ['a', 'b']) {
      const p = c[side];
      $(`aud-compare-${side}-title`).textContent = `${side.toUpperCase()} · ${c.names[side]} (${int(p.audience)})`;
      const top = p.traits.slice(0, SIDE_TRAITS);
      $(`aud-compare-${side}-chart`).hidden = !top.length;
      if (top.length) traitsChart($(`aud-compare-${side}-chart`), top);
      traitsTable($(`aud-compare-${side}-traits`), p.traits, SIDE_TRAITS, t('audNoTraits', p.minCount));
    }
  }
}

function kpi(label, value, name) {
  return h('div', { class: 'kpi', dataset: { kpi: name } }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value small' }, value));
}
