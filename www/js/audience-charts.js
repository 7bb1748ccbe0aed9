// The Audiences view's charts (Apache ECharts): shares and TGI per dimension, the traits that set an audience
// apart, metric histograms, a cross-tab heatmap, the overlap of two audiences and campaign lift with confidence
// intervals. Category names come from uploaded data, so tooltips are drawn as rich text on the canvas (never as
// HTML), and every chart carries an aria description so its figures can be read as text.
import { chartFor } from './charts.js';
import { t } from './i18n.js';
import { valueLabel as builtInValue } from './vocabulary.js';

const BLUE = '#2f54eb';
const GREY = '#a0a6ad';
const ORANGE = '#fa8c16';
const TOOLTIP = { trigger: 'axis', renderMode: 'richText', confine: true };
const pct = (x) => (x == null ? '—' : `${(100 * x).toFixed(1)}%`);
const tgiText = (x) => (x == null ? '—' : x.toFixed(0));

/** A value as shown on a chart axis ('' is the members without one; built-in values in the current language). */
export const valueLabel = (v) => (v === '' ? t('audNoValue') : builtInValue(v));

/** Draws `option` in `el`, sized to the element as it is now, and marks the element as rendered. */
function draw(el, option, description) {
  const chart = chartFor(el);
  chart.resize();
  chart.setOption({ aria: { enabled: true, decal: { show: false }, label: { description } }, animation: false, ...option }, true);
  el.dataset.rendered = 'true';
  return chart;
}

/** Audience share, base share (bars) and TGI (line, right axis) for labelled rows `{ label, audienceShare, baseShare, tgi }`. */
export function sharesChart(el, rows, { audience = t('audAudience'), base = t('audBase') } = {}) {
  const labels = rows.map((r) => r.label);
  draw(el, {
    tooltip: TOOLTIP,
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0, width: 90, overflow: 'truncate' } },
    yAxis: [
      { type: 'value', name: t('share'), axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      { type: 'value', name: 'TGI', splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: audience, data: rows.map((r) => r.audienceShare), itemStyle: { color: BLUE }, tooltip: { valueFormatter: pct } },
      { type: 'bar', name: base, data: rows.map((r) => r.baseShare), itemStyle: { color: GREY }, tooltip: { valueFormatter: pct } },
      {
        type: 'line', name: 'TGI', yAxisIndex: 1, data: rows.map((r) => (r.tgi == null ? null : Math.round(r.tgi))), itemStyle: { color: ORANGE },
        markLine: { silent: true, symbol: 'none', data: [{ yAxis: 100 }], lineStyle: { type: 'dashed', color: ORANGE }, label: { formatter: '100' } },
      },
    ],
  }, rows.map((r) => `${r.label}: ${pct(r.audienceShare)} / ${pct(r.baseShare)}, TGI ${tgiText(r.tgi)}`).join('; '));
}

/** The traits that set the audience apart, as horizontal TGI bars around 100 (over-represented in blue). */
export function traitsChart(el, traits) {
  const rows = [...traits].reverse();
  const labels = rows.map((x) => `${x.dimension} · ${valueLabel(x.value)}`);
  draw(el, {
    tooltip: { ...TOOLTIP, valueFormatter: tgiText },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', name: 'TGI' },
    yAxis: { type: 'category', data: labels, axisLabel: { width: 180, overflow: 'truncate' } },
    series: [{
      type: 'bar', name: 'TGI',
      data: rows.map((x) => ({ value: x.tgi == null ? 0 : Math.round(x.tgi), itemStyle: { color: x.over ? BLUE : GREY } })),
      label: { show: true, position: 'right' },
      markLine: { silent: true, symbol: 'none', data: [{ xAxis: 100 }], lineStyle: { type: 'dashed', color: ORANGE }, label: { formatter: '100' } },
    }],
  }, traits.map((x) => `${x.dimension} ${x.value}: TGI ${tgiText(x.tgi)}`).join('; '));
}

/** A bin's label: `low–high`, or `≥ low` for the open last bin. */
const binLabel = (b) => (b.high == null ? `≥ ${num(b.low)}` : `${num(b.low)}–${num(b.high)}`);
const num = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/\.?0+$/, ''));

/** A metric's histogram: the audience's and the base's share of members per shared bin. */
export function histogramChart(el, histogram, names) {
  const labels = histogram.bins.map(binLabel);
  draw(el, {
    tooltip: { ...TOOLTIP, valueFormatter: pct },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 35 : 0 } },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
    series: [
      { type: 'bar', name: names.audience, data: histogram.bins.map((b) => b.audienceShare), itemStyle: { color: BLUE } },
      { type: 'bar', name: names.base, data: histogram.bins.map((b) => b.baseShare), itemStyle: { color: GREY } },
    ],
  }, histogram.bins.map((b) => `${binLabel(b)}: ${pct(b.audienceShare)} / ${pct(b.baseShare)}`).join('; '));
}

/** The cross-tab of two dimensions as a heatmap of member counts. */
export function crosstabChart(el, x) {
  const data = [];
  let max = 0;
  x.counts.forEach((row, r) => row.forEach((n, c) => {
    data.push([c, r, n]);
    max = Math.max(max, n);
  }));
  draw(el, {
    tooltip: { position: 'top', renderMode: 'richText' },
    grid: { left: 8, right: 16, top: 16, bottom: 56, containLabel: true },
    xAxis: { type: 'category', name: x.column, data: x.columnValues.map(valueLabel), splitArea: { show: true }, axisLabel: { interval: 0, rotate: x.columnValues.length > 6 ? 30 : 0 } },
    yAxis: { type: 'category', name: x.row, data: x.rowValues.map(valueLabel), splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(1, max), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
    series: [{ type: 'heatmap', name: t('count'), data, label: { show: true } }],
  }, x.rowValues.map((rv, r) => `${valueLabel(rv)}: ${x.columnValues.map((cv, c) => `${valueLabel(cv)} ${x.counts[r][c]}`).join(', ')}`).join('; '));
}

/** The overlap of two audiences: A only, both, B only, as one stacked bar. */
export function overlapChart(el, o, names) {
  const parts = [[t('audAOnly', names.a), o.aOnly, BLUE], [t('audBoth'), o.both, '#722ed1'], [t('audBOnly', names.b), o.bOnly, ORANGE]];
  draw(el, {
    tooltip: { trigger: 'item', renderMode: 'richText' },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: 'value', name: t('count') },
    yAxis: { type: 'category', data: [''] },
    series: parts.map(([name, value, color]) => ({ type: 'bar', stack: 'all', name, data: [value], itemStyle: { color }, label: { show: value > 0, position: 'inside' } })),
  }, parts.map(([name, value]) => `${name}: ${value}`).join('; '));
}

/**
 * Campaign lift: each test arm minus the control with its 95% interval, for the conversion rate (left, in
 * percentage points) and revenue per member (right): a point for the difference, whiskers for the interval.
 */
export function liftChart(el, report) {
  const labels = report.comparisons.map((c) => `${c.arm} − ${c.control}`);
  const whisker = (grid, scale) => ({
    type: 'custom', xAxisIndex: grid, yAxisIndex: grid, name: t('audInterval'),
    data: report.comparisons.map((c, i) => {
      const m = grid === 0 ? c.conversion : c.revenuePerMember;
      return [i, (m.low ?? m.difference) * scale, (m.high ?? m.difference) * scale, m.difference * scale, m.significant ? 1 : 0];
    }),
    renderItem: (params, api) => {
      const low = api.coord([api.value(0), api.value(1)]);
      const high = api.coord([api.value(0), api.value(2)]);
      const mid = api.coord([api.value(0), api.value(3)]);
      const half = Math.min(18, api.size([1, 0])[0] * 0.2);
      const style = { stroke: api.value(4) ? BLUE : GREY, lineWidth: 2 };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
          { type: 'line', shape: { x1: low[0] - half, y1: low[1], x2: low[0] + half, y2: low[1] }, style },
          { type: 'line', shape: { x1: high[0] - half, y1: high[1], x2: high[0] + half, y2: high[1] }, style },
          { type: 'circle', shape: { cx: mid[0], cy: mid[1], r: 5 }, style: { fill: api.value(4) ? BLUE : GREY } },
        ],
      };
    },
    encode: { x: 0, y: [1, 2, 3] },
    z: 3,
  });
  const zero = { silent: true, symbol: 'none', data: [{ yAxis: 0 }], lineStyle: { color: ORANGE, type: 'dashed' }, label: { show: false } };
  const describe = (c) => `${c.arm} − ${c.control}: ${t('audConversion')} ${(100 * c.conversion.difference).toFixed(2)} pp `
    + `[${c.conversion.low == null ? '—' : (100 * c.conversion.low).toFixed(2)}, ${c.conversion.high == null ? '—' : (100 * c.conversion.high).toFixed(2)}], `
    + `${t('audRevenuePerMember')} ${c.revenuePerMember.difference.toFixed(2)} [${c.revenuePerMember.low?.toFixed(2) ?? '—'}, ${c.revenuePerMember.high?.toFixed(2) ?? '—'}]`;
  draw(el, {
    tooltip: { trigger: 'item', renderMode: 'richText', formatter: (p) => `${labels[p.value[0]]}\n${p.value[3].toFixed(2)} [${p.value[1].toFixed(2)}, ${p.value[2].toFixed(2)}]` },
    title: [
      { text: t('audLiftConversionAxis'), left: '2%', top: 0, textStyle: { fontSize: 13 } },
      { text: t('audLiftRevenueAxis'), left: '52%', top: 0, textStyle: { fontSize: 13 } },
    ],
    grid: [
      { left: '2%', width: '44%', top: 40, bottom: 24, containLabel: true },
      { left: '52%', width: '44%', top: 40, bottom: 24, containLabel: true },
    ],
    xAxis: [0, 1].map((g) => ({ type: 'category', gridIndex: g, data: labels, boundaryGap: true })),
    yAxis: [0, 1].map((g) => ({ type: 'value', gridIndex: g, scale: false })),
    series: [
      { ...whisker(0, 100), markLine: zero },
      { ...whisker(1, 1), markLine: zero },
    ],
  }, report.comparisons.map(describe).join('; '));
}

/** Each arm's cumulative conversion rate through the campaign window. */
export function liftDailyChart(el, report) {
  draw(el, {
    tooltip: { ...TOOLTIP, valueFormatter: pct },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 34, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: report.daily.map((d) => d.date) },
    yAxis: { type: 'value', axisLabel: { formatter: (v) => `${(v * 100).toFixed(1)}%` } },
    series: report.arms.map((a, i) => ({ type: 'line', name: a.name, showSymbol: false, data: report.daily.map((d) => d.conversion[i]) })),
  }, report.arms.map((a) => `${a.name}: ${pct(a.conversionRate)}`).join('; '));
}
