// The Dashboard view (总览): the headline figures of the computation, then the engine's dashboard — figures of the
// last period against the one before, the monthly trend, the lifecycle funnel, cohort retention, RFM segments and
// the R × F grid with each score's value range, the top tags by coverage and data quality at a glance. Every
// element that counts members opens its audience (an expression the engine wrote) in the audience builder.
import { chartFor, segmentChart } from '../charts.js';
import { compact, fill, h, int, money, percent, shareBar, table } from '../dom.js';
import { language, pick, t } from '../i18n.js';
import { metricLabel } from '../vocabulary.js';

const $ = (id) => document.getElementById(id);
const PERIOD_DAYS = 30;

export class DashboardView {
  constructor(app) {
    this.app = app;
    this.dashboard = null;
    this.seq = 0;
  }

  shown() {
    // Charts drawn while hidden have no size; draw again once visible.
    this.render();
  }

  /** Opens the members behind a figure in the audience builder. */
  open(expr) {
    if (expr) this.app.openAudience(expr);
  }

  /** A button that opens `expr` (keyboard and pointer alike). */
  link(expr, label, ...content) {
    return h('button', { type: 'button', class: 'cell-link', dataset: { audience: expr }, title: label, 'aria-label': label, onclick: () => this.open(expr) }, ...content);
  }

  render() {
    const s = this.app.summary;
    $('dashboard-empty').hidden = Boolean(s);
    $('dashboard-body').hidden = !s;
    if (!s) {
      this.dashboard = null;
      return;
    }
    const asOf = $('as-of');
    // A date box cannot show a placeholder: it shows the date in force, marked as the default until the user picks one.
    if (!asOf.value || asOf.dataset.auto === 'true') {
      asOf.value = s.asOf;
      asOf.dataset.auto = String(s.asOfDefault);
    }
    asOf.dataset.effective = s.asOf;
    fill($('kpis'),
      kpi(t('members'), compact(s.members), 'members'),
      kpi(t('buyers'), compact(s.buyers), 'buyers'),
      kpi(t('orders'), compact(s.orders), 'orders'),
      kpi(t('asOf'), s.asOf, 'as-of'),
      // Why the default analysis date is not the latest order day + 1 (dates such as 9999-12-31 were ignored).
      s.asOfWarning ? h('p', { class: 'message warning', dataset: { warning: 'as-of' } }, pick(s.asOfWarning)) : null);
    const name = (seg) => (language() === 'zh' ? seg.zh : seg.en);
    table($('segment-table'), [t('segment'), 'R', 'F', 'M', t('count'), t('share'), metricLabel('monetary')],
      s.segments.map((seg) => [this.link(`rfm.segment == "${seg.zh}"`, name(seg), name(seg)), t(seg.r), t(seg.f), t(seg.m), seg.count, percent(seg.share), seg.monetary]),
      (i) => ({ dataset: { segment: s.segments[i].key } }));
    const c = s.changes;
    fill($('changes'), c ? h('section', { class: 'changes' }, h('h3', {}, t('changes')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('peopleAdded')), h('dd', { dataset: { fact: 'people-added' } }, int(c.peopleAdded)),
        h('dt', {}, t('newBuyers')), h('dd', { dataset: { fact: 'new-buyers' } }, int(c.newBuyers)),
        h('dt', {}, t('segmentChanged')), h('dd', { dataset: { fact: 'segment-changed' } }, int(c.segmentChanged)))) : null);
    if (!$('view-dashboard').hidden) {
      segmentChart($('segment-chart'), s.segments);
      chartFor($('segment-chart')).off('click');
      chartFor($('segment-chart')).on('click', (e) => this.open(`rfm.segment == "${s.segments[e.dataIndex]?.zh}"`));
    }
    this.load(s);
  }

  /** Asks the engine for the dashboard of this computation (again when the summary or the catalog changed). */
  async load(summary) {
    const seq = ++this.seq;
    try {
      await this.app.tagsReady;
      const d = await this.app.engine.call('dashboard', { periodDays: PERIOD_DAYS });
      if (seq !== this.seq || summary !== this.app.summary) return;
      this.dashboard = d;
      this.draw();
    } catch (err) {
      if (err?.code !== 'worker_crashed') this.app.error(err);
    }
  }

  draw() {
    const d = this.dashboard;
    const body = $('dash-more');
    body.dataset.ready = 'true';
    body.dataset.asOf = d.asOf;
    $('dash-period').textContent = t('dashPeriod', d.periodFrom, d.asOf, d.periodDays, d.previousFrom, d.previousTo);
    fill($('dash-kpis'), d.kpis.map((k) => this.kpiCard(k)));
    this.drawTrend(d);
    this.drawLifecycle(d);
    this.drawCohorts(d);
    this.drawGrid(d);
    this.drawTopTags(d);
    this.drawQuality(d);
  }

  kpiCard(k) {
    const value = format(k.value, k.unit);
    const label = k.key === 'aov' ? metricLabel('avg_spend') : t(`dashKpi_${k.key}`);
    let delta = '—';
    let trend = 'flat';
    if (k.change != null) {
      trend = k.change > 0 ? 'up' : k.change < 0 ? 'down' : 'flat';
      const sign = k.change > 0 ? '+' : '';
      delta = k.unit === 'share' ? `${sign}${(100 * k.change).toFixed(1)} ${t('dashPoints')}` : `${sign}${(100 * k.change).toFixed(1)}%`;
    }
    const content = [
      h('span', { class: 'kpi-label' }, label),
      h('span', { class: 'kpi-value' }, value),
      h('span', { class: `kpi-delta ${trend}`, dataset: { delta: trend } }, `${t('dashVsPrevious')} ${delta}`),
    ];
    const card = k.audience
      ? h('button', { type: 'button', class: 'kpi kpi-link', dataset: { dashKpi: k.key, audience: k.audience, count: String(k.audienceCount ?? '') }, onclick: () => this.open(k.audience), title: t('dashOpenAudience') }, content)
      : h('div', { class: 'kpi', dataset: { dashKpi: k.key } }, content);
    card.dataset.value = String(k.value ?? '');
    return card;
  }

  drawTrend(d) {
    const el = $('dash-trend');
    const months = d.trend.map((m) => m.month);
    this.drawTrendTable(d);
    // A chart drawn while its view is hidden has no size: it is drawn when the view is shown.
    if ($('view-dashboard').hidden) return;
    const chart = chartFor(el);
    chart.resize();
    chart.setOption({
      aria: { enabled: true, decal: { show: false } },
      animation: false,
      tooltip: { trigger: 'axis', renderMode: 'richText' },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: months },
      yAxis: [
        { type: 'value', name: t('dashPeople'), axisLabel: { formatter: (v) => compact(v) } },
        { type: 'value', name: t('dashRevenue'), splitLine: { show: false }, axisLabel: { formatter: (v) => compact(v) } },
      ],
      series: [
        { type: 'bar', stack: 'buyers', name: t('dashNewBuyers'), data: d.trend.map((m) => m.newBuyers) },
        { type: 'bar', stack: 'buyers', name: t('dashReturningBuyers'), data: d.trend.map((m) => m.returningBuyers) },
        { type: 'line', name: t('dashOrders'), data: d.trend.map((m) => m.orders) },
        { type: 'line', yAxisIndex: 1, name: t('dashRevenue'), data: d.trend.map((m) => m.revenue) },
      ],
    }, true);
    chart.off('click');
    chart.on('click', (e) => {
      const m = d.trend[e.dataIndex];
      if (!m) return;
      this.open(e.seriesIndex === 0 ? m.newAudience : e.seriesIndex === 1 ? m.returningAudience : m.audience);
    });
    el.dataset.rendered = 'true';
  }

  drawTrendTable(d) {
    // The same figures as a table, whose buttons open the month's buyers (reachable by keyboard).
    table($('dash-trend-table'), [t('dashMonth'), t('dashOrders'), t('dashRevenue'), t('dashNewBuyers'), t('dashReturningBuyers')],
      d.trend.map((m) => [m.month, m.orders, money(m.revenue),
        this.link(m.newAudience, `${m.month} ${t('dashNewBuyers')}`, compact(m.newBuyers)),
        this.link(m.returningAudience, `${m.month} ${t('dashReturningBuyers')}`, compact(m.returningBuyers))]),
      (i) => ({ dataset: { month: d.trend[i].month } }));
  }

  drawLifecycle(d) {
    const max = Math.max(1, ...d.lifecycle.map((b) => b.count));
    fill($('dash-lifecycle'), h('ol', { class: 'funnel' }, d.lifecycle.map((b) => h('li', { dataset: { stage: b.key } },
      this.link(b.audience, pick(b), h('span', { class: 'funnel-label' }, pick(b)), shareBar(b.count / max),
        h('span', { class: 'num', dataset: { count: String(b.count) } }, `${compact(b.count)} · ${percent(b.share)}`))))));
  }

  drawCohorts(d) {
    const span = d.cohorts.length;
    const head = [t('dashCohort'), t('dashCohortSize'), ...Array.from({ length: span }, (_, k) => `+${k}`)];
    const rows = d.cohorts.map((c) => [
      c.month,
      c.size,
      ...Array.from({ length: span }, (_, k) => {
        if (k >= c.cells.length) return '';
        const share = c.size ? c.cells[k] / c.size : 0;
        const cell = this.link(c.audiences[k], t('dashCohortCell', c.month, k, c.cells[k]), c.size ? percent(share) : '—');
        cell.dataset.count = String(c.cells[k]);
        cell.classList.add('heat');
        cell.style.setProperty('--heat', share.toFixed(3)); // through the CSSOM (the CSP forbids inline styles)
        return cell;
      }),
    ]);
    table($('dash-cohorts'), head, rows, (i) => ({ dataset: { cohort: d.cohorts[i].month } }));
  }

  drawGrid(d) {
    const g = d.grid;
    const range = (r, unit) => (r.min == null ? '—' : r.min === r.max ? `${num(r.min)}${unit}` : `${num(r.min)}–${num(r.max)}${unit}`);
    const max = Math.max(1, ...g.counts.flat());
    const head = h('tr', {}, h('th', { scope: 'col' }, `${t('dashR')} \\ ${t('dashF')}`),
      g.frequency.map((f) => h('th', { scope: 'col', dataset: { score: `F${f.score}` } }, `F${f.score}`, h('br'), h('small', {}, range(f, t('dashTimesUnit'))))));
    const rows = [4, 3, 2, 1, 0].map((r) => h('tr', {},
      h('th', { scope: 'row', dataset: { score: `R${r + 1}` } }, `R${r + 1}`, h('br'), h('small', {}, range(g.recency[r], t('dashDaysUnit')))),
      [0, 1, 2, 3, 4].map((f) => {
        const count = g.counts[r][f];
        const cell = this.link(g.audiences[r][f], t('dashGridCell', r + 1, f + 1, count), compact(count));
        cell.dataset.count = String(count);
        cell.classList.add('heat');
        cell.style.setProperty('--heat', (count / max).toFixed(3));
        return h('td', { dataset: { r: String(r + 1), f: String(f + 1) } }, cell);
      })));
    fill($('dash-grid'), h('caption', {}, t('dashGridCaption')), h('thead', {}, head), h('tbody', {}, rows));
    fill($('dash-m-ranges'), h('span', {}, `${t('dashM')}: `),
      g.monetary.map((m) => h('span', { class: 'chip', dataset: { score: `M${m.score}` } }, `M${m.score} ${range(m, '')}`)));
  }

  drawTopTags(d) {
    fill($('dash-tags'), d.topTags.length
      ? h('ol', { class: 'funnel' }, d.topTags.map((b) => h('li', { dataset: { tag: b.key } },
        this.link(b.audience, b.key, h('span', { class: 'funnel-label', dataset: { user: '' } }, b.key), shareBar(b.share),
          h('span', { class: 'num', dataset: { count: String(b.count) } }, `${compact(b.count)} · ${percent(b.share)}`)))))
      : h('p', { class: 'empty' }, t('dashNoTags')));
  }

  drawQuality(d) {
    const q = d.quality;
    const item = (key, value, bad = value > 0) => [h('dt', {}, t(key)), h('dd', { class: bad ? 'bad' : 'good', dataset: { quality: key } }, int(value))];
    fill($('dash-quality'), h('dl', { class: 'facts' },
      item('dashFiles', q.files, false),
      item('rowsRead', q.rowsRead, false),
      item('rowsSkipped', q.rowsSkipped),
      item('conflicts', q.conflicts),
      item('buyersWithoutMemberRow', q.buyersWithoutMemberRow),
      item('membersWithoutOrders', q.membersWithoutOrders, false),
      item('eventOnlyPeople', q.eventOnlyPeople, false),
      item('dashOrdersAfter', q.ordersAfterAsOf),
      item('dashImplausible', q.implausibleOrderDates)),
    h('button', { type: 'button', class: 'link', onclick: () => this.app.show('data') }, t('dashQualityMore')));
  }
}

function kpi(label, value, name) {
  return h('div', { class: 'kpi', dataset: { kpi: name } }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, value));
}

const num = (x) => (Number.isInteger(x) ? compact(x) : x.toFixed(2));

function format(value, unit) {
  if (value == null) return '—';
  if (unit === 'share') return percent(value);
  if (unit === 'money') return money(value);
  return compact(value);
}
