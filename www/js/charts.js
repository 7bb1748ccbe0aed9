// Charts drawn with Apache ECharts (vendored into the site by tools/site.mjs). Each chart is described for screen
// readers through ECharts' aria support, so its figures are also readable as text.
import * as echarts from '../vendor/echarts.esm.min.mjs';
import { t, language } from './i18n.js';

const charts = new Map();

function chartFor(el) {
  let chart = charts.get(el);
  if (!chart || chart.isDisposed()) {
    chart = echarts.init(el, null, { renderer: 'canvas' });
    charts.set(el, chart);
  }
  return chart;
}

globalThis.addEventListener?.('resize', () => {
  for (const chart of charts.values()) if (!chart.isDisposed()) chart.resize();
});

const aria = { enabled: true, decal: { show: false } };

/** A bar chart of the RFM segment sizes, in the engine's segment order. */
export function segmentChart(el, segments) {
  const names = segments.map((s) => (language() === 'zh' ? s.zh : s.en));
  chartFor(el).setOption(
    {
      aria,
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'value', name: t('count') },
      yAxis: { type: 'category', data: names, inverse: true },
      series: [{ type: 'bar', name: t('count'), data: segments.map((s) => s.count), label: { show: true, position: 'right' } }],
    },
    true,
  );
  el.dataset.rendered = 'true';
}

/** A 5 × 5 heatmap of members by R score (rows) and F score (columns); `grid[r - 1][f - 1]`. */
export function rfHeatmap(el, grid) {
  const data = [];
  let max = 0;
  for (let r = 0; r < 5; r++) {
    for (let f = 0; f < 5; f++) {
      data.push([f, r, grid[r][f]]);
      max = Math.max(max, grid[r][f]);
    }
  }
  chartFor(el).setOption(
    {
      aria,
      animation: false,
      tooltip: { position: 'top' },
      grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: 'category', name: t('fScore'), data: ['F1', 'F2', 'F3', 'F4', 'F5'], splitArea: { show: true } },
      yAxis: { type: 'category', name: t('rScore'), data: ['R1', 'R2', 'R3', 'R4', 'R5'], splitArea: { show: true } },
      visualMap: { min: 0, max: Math.max(1, max), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
      series: [{ type: 'heatmap', name: t('count'), data, label: { show: true } }],
    },
    true,
  );
  el.dataset.rendered = 'true';
}

/** Releases every chart (used when the data is forgotten). */
export function disposeCharts() {
  for (const chart of charts.values()) chart.dispose();
  charts.clear();
}
