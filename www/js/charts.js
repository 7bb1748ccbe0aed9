// Charts drawn with Apache ECharts (vendored into the site by tools/site.mjs). Each chart is described for screen
// readers through ECharts' aria support, so its figures are also readable as text.
import * as echarts from '../vendor/echarts.esm.min.mjs';
import { t, language } from './i18n.js';

const charts = new Map();

/** The chart drawn in `el` (made on first use; resized with the window, released by disposeCharts). */
export function chartFor(el) {
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

/** Releases every chart (used when the data is forgotten). */
export function disposeCharts() {
  for (const chart of charts.values()) chart.dispose();
  charts.clear();
}

const LINEAGE_COLOURS = {
  tag: '#2f54eb', audience: '#722ed1', metric: '#13a8a8', builtin: '#8c8c8c', measure: '#fa8c16', attribute: '#52c41a', column: '#eb2f96',
};

/**
 * The lineage graph of one definition (`{ root, nodes: [{ id, kind, label }], edges: [{ from, to }] }`), laid out
 * in layers from left to right: columns and metrics it reads, then the definitions between, the definition itself,
 * then what reads it. `kindName(kind)` gives the legend's words.
 */
export function lineageChart(el, lineage, kindName) {
  const level = layers(lineage);
  const byLevel = new Map();
  for (const n of lineage.nodes) {
    const l = level.get(n.id) ?? 0;
    if (!byLevel.has(l)) byLevel.set(l, []);
    byLevel.get(l).push(n);
  }
  const pos = new Map();
  for (const [l, nodes] of byLevel) nodes.forEach((n, i) => pos.set(n.id, [l * 220, (i - (nodes.length - 1) / 2) * 64]));
  const kinds = [...new Set(lineage.nodes.map((n) => n.kind))];
  // ECharts fits the nodes' bounding box to the view; two invisible corner nodes keep that box from being flat
  // (a graph of one layer, or one node per layer) so symbols keep their shape.
  // The box is also given the view's aspect ratio, so the scale is the same both ways and circles stay round.
  const xs = [...pos.values()].map((p) => p[0]);
  const ys = [...pos.values()].map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs) - 60, Math.max(...xs) + 60];
  let half = Math.max(60, (Math.max(...ys) - Math.min(...ys)) / 2 + 30);
  const ratio = Math.max(1, el.clientWidth - 160) / Math.max(1, el.clientHeight - 80);
  if ((x1 - x0) / (2 * half) < ratio) {
    const grow = (ratio * 2 * half - (x1 - x0)) / 2;
    [x0, x1] = [x0 - grow, x1 + grow];
  } else half = (x1 - x0) / ratio / 2;
  const corners = [[x0, -half], [x1, half]].map(([x, y], i) => ({
    id: `\u0000corner${i}`, name: '', x, y, symbolSize: 0, silent: true, label: { show: false }, tooltip: { show: false }, itemStyle: { opacity: 0 },
  }));
  const chart = chartFor(el);
  // The box may have been hidden (no size) since the chart was made.
  chart.resize();
  chart.setOption(
    {
      aria: { enabled: true, label: { description: lineageText(lineage, kindName) } },
      animation: false,
      // ECharts renders a formatter's string as HTML: names typed by users are encoded first.
      tooltip: { formatter: (p) => (p.dataType === 'node' && p.data.kind ? echarts.format.encodeHTML(`${kindName(p.data.kind)} · ${p.data.name}`) : '') },
      legend: { data: kinds.map(kindName), bottom: 0 },
      series: [{
        type: 'graph',
        layout: 'none',
        roam: true,
        top: 30, bottom: 50, left: 80, right: 80,
        categories: kinds.map((k) => ({ name: kindName(k), itemStyle: { color: LINEAGE_COLOURS[k] ?? '#999' } })),
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: 8,
        label: { show: true, position: 'bottom', fontSize: 12 },
        lineStyle: { color: '#a0a6ad', width: 1.5, curveness: 0 },
        data: lineage.nodes.map((n) => ({
          id: n.id, name: n.label, kind: n.kind, category: kinds.indexOf(n.kind),
          x: pos.get(n.id)[0], y: pos.get(n.id)[1],
          symbolSize: n.id === lineage.root ? 26 : 16,
          itemStyle: n.id === lineage.root ? { borderColor: '#1f2329', borderWidth: 2 } : undefined,
        })).concat(corners),
        edges: lineage.edges.map((e) => ({ source: e.from, target: e.to })),
      }],
    },
    true,
  );
  el.dataset.rendered = 'true';
}

/** The graph in words (for screen readers): "A → B; …". */
function lineageText(lineage, kindName) {
  const label = new Map(lineage.nodes.map((n) => [n.id, `${n.label} (${kindName(n.kind)})`]));
  return lineage.edges.map((e) => `${label.get(e.from)} → ${label.get(e.to)}`).join('; ') || label.get(lineage.root) || '';
}

/** Layers: upstream nodes at negative levels (longest path to the root), downstream at positive levels. */
function layers({ root, nodes, edges }) {
  const into = new Map();
  const out = new Map();
  for (const e of edges) {
    if (!into.has(e.to)) into.set(e.to, []);
    into.get(e.to).push(e.from);
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from).push(e.to);
  }
  const level = new Map([[root, 0]]);
  const walk = (start, next, step) => {
    const queue = [start];
    let guard = 0;
    while (queue.length && guard++ < 10000) {
      const id = queue.shift();
      for (const other of next.get(id) ?? []) {
        const l = level.get(id) + step;
        const old = level.get(other);
        if (old === undefined || (step < 0 ? l < old : l > old)) {
          level.set(other, l);
          queue.push(other);
        }
      }
    }
  };
  walk(root, into, -1);
  walk(root, out, 1);
  for (const n of nodes) if (!level.has(n.id)) level.set(n.id, -1);
  return level;
}
