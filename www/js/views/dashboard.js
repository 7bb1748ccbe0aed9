// The Dashboard view: headline figures, RFM segment sizes, the R × F heatmap and what the last delta changed.
import { rfHeatmap, segmentChart } from '../charts.js';
import { fill, h, int, percent, table } from '../dom.js';
import { language, pick, t } from '../i18n.js';
import { metricLabel } from '../vocabulary.js';

const $ = (id) => document.getElementById(id);

export class DashboardView {
  constructor(app) {
    this.app = app;
  }

  shown() {
    // Charts drawn while hidden have no size; draw again once visible.
    this.render();
  }

  render() {
    const s = this.app.summary;
    $('dashboard-empty').hidden = Boolean(s);
    $('dashboard-body').hidden = !s;
    if (!s) return;
    if (!$('as-of').value) $('as-of').placeholder = s.asOf;
    $('as-of').dataset.effective = s.asOf;
    fill($('kpis'),
      kpi(t('members'), int(s.members), 'members'),
      kpi(t('buyers'), int(s.buyers), 'buyers'),
      kpi(t('orders'), int(s.orders), 'orders'),
      kpi(t('asOf'), s.asOf, 'as-of'),
      // Why the default analysis date is not the latest order day + 1 (dates such as 9999-12-31 were ignored).
      s.asOfWarning ? h('p', { class: 'message warning', dataset: { warning: 'as-of' } }, pick(s.asOfWarning)) : null);
    const name = (seg) => (language() === 'zh' ? seg.zh : seg.en);
    table($('segment-table'), [t('segment'), 'R', 'F', 'M', t('count'), t('share'), metricLabel('monetary')],
      s.segments.map((seg) => [name(seg), t(seg.r), t(seg.f), t(seg.m), seg.count, percent(seg.share), seg.monetary]),
      (i) => ({ dataset: { segment: s.segments[i].key } }));
    if (!$('view-dashboard').hidden) {
      segmentChart($('segment-chart'), s.segments);
      rfHeatmap($('rf-heatmap'), s.grid.counts);
    }
    const c = s.changes;
    fill($('changes'), c ? h('section', { class: 'changes' }, h('h3', {}, t('changes')),
      h('dl', { class: 'facts' },
        h('dt', {}, t('peopleAdded')), h('dd', { dataset: { fact: 'people-added' } }, int(c.peopleAdded)),
        h('dt', {}, t('newBuyers')), h('dd', { dataset: { fact: 'new-buyers' } }, int(c.newBuyers)),
        h('dt', {}, t('segmentChanged')), h('dd', { dataset: { fact: 'segment-changed' } }, int(c.segmentChanged)))) : null);
  }
}

function kpi(label, value, name) {
  return h('div', { class: 'kpi', dataset: { kpi: name } }, h('span', { class: 'kpi-label' }, label), h('span', { class: 'kpi-value' }, value));
}
