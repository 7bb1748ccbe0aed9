// The Models view (模型): fits CLV, clusters, churn risk, lookalike scores and category affinity in the worker, with
// the app's progress bar. Cancel replaces the worker (app.engine.cancel): the restarted engine reloads the files and
// the saved pack, so the models fitted before come back and the cancelled fit is simply not there. Every fit is a
// catalog change (the model's request travels in the tag pack), so the pack is saved after each one.
import { chartFor } from '../charts.js';
import { fill, h, int, table } from '../dom.js';
import { pick, t } from '../i18n.js';

const $ = (id) => document.getElementById(id);
const num = (x, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)).toString() : '—');
const aria = { enabled: true, decal: { show: false } };

export class ModelsView {
  constructor(app) {
    this.app = app;
    this.build();
  }

  build() {
    // Labels carry their word's key, so a switch of language (applyLanguage) redraws them.
    const word = (tag, attrs, key) => h(tag, { ...attrs, dataset: { ...attrs.dataset, i18n: key } }, t(key));
    const field = (key, input) => h('label', {}, key === 'k' ? h('span', {}, key) : word('span', {}, key), ' ', input);
    const button = (key, onclick, name) => word('button', { type: 'button', dataset: { model: name }, onclick }, key);
    const root = $('view-models');
    fill(root,
      word('p', { id: 'models-nodata', class: 'note' }, 'modelsNoData'),
      h('section', { class: 'card', id: 'model-clv' },
        word('h2', {}, 'modelClv'),
        h('div', { class: 'tag-fields' },
          field('modelHorizon', h('input', { id: 'clv-horizon', type: 'number', value: '365', min: '1', max: '3650' })),
          field('modelDiscount', h('input', { id: 'clv-discount', type: 'number', value: '0.01', step: '0.01', min: '0', max: '1' })),
          button('modelFit', () => this.fitClv(), 'clv'),
          button('modelCalibrate', () => this.calibrate(), 'calibrate')),
        word('p', { class: 'note' }, 'modelRecencyNote'),
        h('div', { id: 'clv-report' }),
        h('div', { id: 'clv-histogram', class: 'chart' }),
        h('div', { id: 'clv-calibration', class: 'chart', hidden: true })),
      h('section', { class: 'card', id: 'model-cluster' },
        word('h2', {}, 'modelClusters'),
        h('div', { class: 'tag-fields' },
          field('k', h('input', { id: 'cluster-k', type: 'number', value: '5', min: '2', max: '50' })),
          button('modelScanK', () => this.scan(), 'scan'),
          button('modelFit', () => this.fitClusters(), 'cluster')),
        h('div', { id: 'cluster-elbow', class: 'chart', hidden: true }),
        h('div', { id: 'cluster-report' }),
        h('table', { id: 'cluster-table' })),
      h('section', { class: 'card', id: 'model-churn' },
        word('h2', {}, 'modelChurn'),
        button('modelFit', () => this.fitChurn(), 'churn'),
        h('table', { id: 'churn-table' })),
      h('section', { class: 'card', id: 'model-lookalike' },
        word('h2', {}, 'modelLookalike'),
        h('div', { class: 'tag-fields' },
          field('modelSeed', h('input', { id: 'lookalike-seed', autocomplete: 'off', placeholder: t('modelSeedExample'), dataset: { i18nPlaceholder: 'modelSeedExample' } })),
          button('modelFit', () => this.fitLookalike(), 'lookalike')),
        h('div', { id: 'lookalike-report' }),
        h('div', { class: 'tag-fields' },
          field('modelSaveName', h('input', { id: 'lookalike-name', autocomplete: 'off' })),
          field('modelTopN', h('input', { id: 'lookalike-top', type: 'number', value: '1000', min: '1' })),
          button('modelSaveExpansion', () => this.saveExpansion(), 'save-lookalike'))),
      h('section', { class: 'card', id: 'model-affinity' },
        word('h2', {}, 'modelAffinity'),
        button('modelFit', () => this.fitAffinity(), 'affinity'),
        h('table', { id: 'affinity-table' })));
  }

  shown() {
    this.render();
  }

  render() {
    const ready = Boolean(this.app.summary);
    $('models-nodata').hidden = ready;
    for (const b of document.querySelectorAll('#view-models button')) b.disabled = !ready;
  }

  /** Runs one engine call with the progress bar; a catalog change's pack is saved. */
  async run(label, method, args) {
    this.app.progress('running', label, 1);
    try {
      const result = await this.app.engine.call(method, args);
      if (result?.pack) this.app.catalogChanged(result.pack, 'models');
      this.app.progress('done', t('done'), 1);
      return result;
    } catch (err) {
      this.app.progress('error', pick(err), 1);
      this.app.error(err);
      return null;
    }
  }

  async fitClv() {
    const request = { model: 'clv', horizonDays: Number($('clv-horizon').value), discountMonthly: Number($('clv-discount').value) };
    const result = await this.run(t('modelFitting', t('modelClv')), 'fitModel', { request });
    if (!result) return;
    const r = result.report;
    const facts = [
      [t('modelBuyers'), int(r.buyers)], [t('modelRepeatBuyers'), int(r.repeat_buyers)],
      ['BG/NBD r, α, a, b', [r.bgnbd.r, r.bgnbd.alpha, r.bgnbd.a, r.bgnbd.b].map((x) => num(x)).join(', ')],
      ['Gamma-Gamma p, q, v', [r.gamma_gamma.p, r.gamma_gamma.q, r.gamma_gamma.v].map((x) => num(x)).join(', ')],
      [t('modelConverged'), r.converged ? '✓' : '✗'], ['CLV Σ', num(r.total_clv, 2)], ['P(alive) μ', num(r.mean_p_alive)],
    ];
    fill($('clv-report'), h('dl', { class: 'facts' }, facts.map(([k, v], i) => [h('dt', {}, k), h('dd', { dataset: { fact: `clv-${i}` } }, v)])),
      r.warnings.map((w) => h('p', { class: 'message warning' }, pick(w))));
    const hist = await this.app.engine.call('modelHistogram', { key: 'clv', bins: 20 });
    if (hist) histogram($('clv-histogram'), hist, 'CLV');
  }

  async calibrate() {
    const r = await this.run(t('modelCalibrate'), 'calibrateClv', { request: { holdoutDays: 90 } });
    if (!r) return;
    const el = $('clv-calibration');
    el.hidden = false;
    chartFor(el).setOption({
      aria, animation: false, tooltip: { trigger: 'axis' }, legend: {},
      title: { text: `${t('modelCalibration')} · ${r.cutoff}`, textStyle: { fontSize: 13 } },
      xAxis: { type: 'category', name: t('modelCalFrequency'), data: r.buckets.map((b) => b.label) },
      yAxis: { type: 'value', name: t('modelHoldoutPurchases') },
      series: [
        { type: 'line', name: t('modelActual'), data: r.buckets.map((b) => b.actual) },
        { type: 'line', name: t('modelPredicted'), data: r.buckets.map((b) => b.predicted) },
      ],
    }, true);
    el.dataset.rendered = 'true';
  }

  async scan() {
    const r = await this.run(t('modelScanK'), 'scanClusters', { request: {} });
    if (!r) return;
    $('cluster-k').value = String(r.suggested);
    const el = $('cluster-elbow');
    el.hidden = false;
    chartFor(el).setOption({
      aria, animation: false, tooltip: { trigger: 'axis' }, legend: {},
      title: { text: t('modelSuggestedK', r.suggested), textStyle: { fontSize: 13 } },
      xAxis: { type: 'category', name: 'k', data: r.points.map((p) => p.k) },
      yAxis: [{ type: 'value', name: t('modelInertia') }, { type: 'value', name: t('modelSilhouette') }],
      series: [
        { type: 'line', name: t('modelInertia'), data: r.points.map((p) => p.inertia) },
        { type: 'line', name: t('modelSilhouette'), yAxisIndex: 1, data: r.points.map((p) => p.silhouette) },
      ],
    }, true);
    el.dataset.rendered = 'true';
  }

  async fitClusters() {
    const result = await this.run(t('modelFitting', t('modelClusters')), 'fitModel', { request: { model: 'cluster', k: Number($('cluster-k').value) } });
    if (!result) return;
    const r = result.report;
    fill($('cluster-report'), h('p', { dataset: { fact: 'silhouette' } }, `${t('modelSilhouette')} ${num(r.silhouette)} · ${t('modelInertia')} ${num(r.inertia, 1)}`));
    table($('cluster-table'), [t('modelCluster'), t('count'), t('modelDescription')],
      r.sizes.map((n, i) => [i + 1, n, pick(r.descriptions[i])]), (i) => ({ dataset: { cluster: String(i + 1) } }));
  }

  async fitChurn() {
    const result = await this.run(t('modelFitting', t('modelChurn')), 'fitModel', { request: { model: 'churn' } });
    if (!result) return;
    const bands = [['高', 'high'], ['中', 'medium'], ['低', 'low']];
    table($('churn-table'), [t('modelChurn'), t('count')], result.report.sizes.map((n, i) => [pick({ zh: bands[i][0], en: bands[i][1] }), n]));
  }

  async fitLookalike() {
    const seedAudience = $('lookalike-seed').value.trim() || 'frequency >= 3';
    const result = await this.run(t('modelFitting', t('modelLookalike')), 'fitModel', { request: { model: 'lookalike', seedAudience } });
    if (!result) return;
    const r = result.report;
    fill($('lookalike-report'), h('p', { dataset: { fact: 'auc' } }, `AUC ${num(r.holdout_auc)} · ${t('modelSeedMembers')} ${int(r.seed_members)}`));
  }

  async saveExpansion() {
    const name = $('lookalike-name').value.trim();
    if (!name) return;
    const request = { name, topN: Number($('lookalike-top').value) };
    const result = await this.run(t('modelSaveExpansion'), 'saveLookalikeAudience', { request, at: new Date().toISOString() });
    if (result) this.app.message(t('modelSaved', name, result.saved.members), 'info');
  }

  async fitAffinity() {
    const result = await this.run(t('modelFitting', t('modelAffinity')), 'fitModel', { request: { model: 'affinity' } });
    if (!result) return;
    const rules = result.report.rules.slice(0, 20);
    table($('affinity-table'), [t('modelRule'), t('modelSupport'), t('modelConfidence'), t('modelLift')],
      rules.map((r) => [`${r.from} → ${r.to}`, num(r.support), num(r.confidence), num(r.lift, 2)]));
  }
}

/** A bar chart of a model column's histogram (the last bin open). */
function histogram(el, hist, name) {
  const labels = hist.counts.map((_, i) => (i === hist.counts.length - 1 ? `≥ ${num(hist.edges[i], 0)}` : `${num(hist.edges[i], 0)}–${num(hist.edges[i + 1], 0)}`));
  chartFor(el).setOption({
    aria, animation: false, tooltip: { trigger: 'axis' },
    title: { text: `${name} · ${t('count')} ${hist.members}`, textStyle: { fontSize: 13 } },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels }, yAxis: { type: 'value' },
    series: [{ type: 'bar', name, data: hist.counts }],
  }, true);
  el.dataset.rendered = 'true';
}
