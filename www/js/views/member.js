// The Member 360 view (单客画像): find one member by any identifier (member id, phone, UnionID … — OneID joins
// them) and see everything the engine knows: identifiers and attributes (personal data masked until revealed), RFM
// and lifecycle, every tag, metric and model value, the saved audiences they are in, and the order and behaviour
// timelines. Every member id shown elsewhere in the app links here (`app.openMember`).
import { fill, h, int, table } from '../dom.js';
import { pick, t } from '../i18n.js';
import { quoteName } from '../rule-syntax.js';
import { metricLabel, valueLabel } from '../vocabulary.js';

const $ = (id) => document.getElementById(id);
const TIMELINE = 100;

export class MemberView {
  constructor(app) {
    this.app = app;
    this.profile = null;
    this.query = '';
    this.revealed = false;
    $('member-find').addEventListener('click', () => this.find($('member-query').value));
    $('member-query').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.find($('member-query').value);
    });
    $('member-reveal').addEventListener('click', () => {
      this.revealed = !this.revealed;
      if (this.query) this.find(this.query);
    });
  }

  shown() {
    if (!this.profile) $('member-query').focus();
  }

  render() {
    const has = Boolean(this.app.summary);
    $('member-nodata').hidden = has;
    if (!has) {
      this.profile = null;
      this.query = '';
    }
    this.draw();
  }

  /** Shows the member an identifier names. */
  async find(query) {
    query = String(query ?? '').trim();
    $('member-query').value = query;
    if (!query) return;
    if (!this.app.summary) {
      this.draw();
      return;
    }
    if (query !== this.query) this.revealed = false;
    this.query = query;
    try {
      await this.app.tagsReady;
      this.profile = await this.app.engine.call('memberProfile', { query, mask: !this.revealed, limit: TIMELINE });
    } catch (err) {
      this.profile = null;
      if (err?.code === 'no_such_member') {
        fill($('member-body'), h('p', { class: 'empty', dataset: { state: 'not-found' } }, pick(err), ' ', t('memberNotFoundHint')));
        $('member-body').hidden = false;
        return;
      }
      if (err?.code !== 'worker_crashed') this.app.error(err);
    }
    this.draw();
  }

  draw() {
    const p = this.profile;
    const body = $('member-body');
    $('member-reveal').hidden = !p;
    $('member-reveal').textContent = t(this.revealed ? 'memberMask' : 'memberReveal');
    $('member-reveal').setAttribute('aria-pressed', String(this.revealed));
    if (!p) {
      if (!body.querySelector('[data-state="not-found"]')) {
        body.hidden = true;
        fill(body);
      }
      return;
    }
    body.hidden = false;
    body.dataset.member = p.id;
    const rfm = p.rfm;
    const facts = (pairs) => h('dl', { class: 'facts' }, pairs.flatMap(([k, v, name]) => [h('dt', {}, k), h('dd', { dataset: { fact: name } }, v)]));
    const header = h('section', { class: 'card member-head' },
      h('h2', {}, h('span', { dataset: { user: '', fact: 'member-id' } }, p.id), ' ', h('span', { class: 'note', dataset: { user: '' } }, p.name)),
      h('div', { class: 'chips' },
        h('span', { class: 'chip', dataset: { fact: 'stage' } }, `${metricLabel('lifecycle')}: ${pick({ zh: p.lifecycleZh, en: p.lifecycleEn })}`),
        rfm ? h('span', { class: 'chip', dataset: { fact: 'segment' } }, `${t('segment')}: ${pick({ zh: rfm.segmentZh, en: rfm.segmentEn })}`) : null,
        rfm ? h('span', { class: 'chip', dataset: { fact: 'segment11' } }, `${metricLabel('rfm.segment11')}: ${valueLabel(rfm.segment11)}`) : null,
        h('span', { class: 'chip' }, `${t('asOf')}: ${p.asOf}`)),
      rfm
        ? facts([
          [metricLabel('recency'), int(rfm.recency), 'days'],
          [metricLabel('frequency'), int(rfm.frequency), 'purchases'],
          [metricLabel('monetary'), `¥${rfm.monetary}`, 'spend'],
          ['R / F / M', `${rfm.r} / ${rfm.f} / ${rfm.m}`, 'scores'],
        ])
        : h('p', { class: 'note' }, t('memberNoPurchase')));

    const ids = h('section', { class: 'card' }, h('h3', {}, t('memberIdentifiers')),
      table(h('table', { class: 'grid', id: 'member-ids' }), [t('memberIdKind'), t('value')],
        p.identifiers.map((i) => [pick(i), h('span', { dataset: { user: '' } }, i.value)])));
    const attrs = h('section', { class: 'card' }, h('h3', {}, t('memberAttributes')),
      p.attributes.length
        ? table(h('table', { class: 'grid', id: 'member-attrs' }), [t('column'), t('value')],
          p.attributes.map((a) => [h('span', { dataset: { user: '' } }, a.header), h('span', { dataset: { user: '', masked: String(a.masked) } }, a.value)]))
        : h('p', { class: 'note' }, t('memberNoAttributes')));

    const held = p.tags.filter((x) => x.kind !== 'metric' && x.kind !== 'model' && (x.held === true || (x.held == null && x.value != null)));
    const tags = h('section', { class: 'card' }, h('h3', {}, t('memberTags')),
      held.length
        ? h('ul', { class: 'chips', id: 'member-tags' }, held.map((x) => h('li', { class: 'chip', dataset: { tag: x.name } },
          h('span', { dataset: { user: '' } }, x.name), x.value != null ? [': ', h('span', { dataset: { user: '' } }, valueLabel(x.value))] : null)))
        : h('p', { class: 'note' }, t('memberNoTags')),
      h('h3', {}, t('memberAudiences')),
      p.audiences.length
        ? h('ul', { class: 'chips', id: 'member-audiences' }, p.audiences.map((a) => h('li', {},
          h('button', { type: 'button', class: 'chip link', dataset: { audience: a }, onclick: () => this.app.openAudience(quoteName(a)) }, h('span', { dataset: { user: '' } }, a)))))
        : h('p', { class: 'note' }, t('memberNoAudiences')));
    const numbers = p.tags.filter((x) => x.kind === 'metric' || x.kind === 'model');
    const scores = h('section', { class: 'card' }, h('h3', {}, t('memberScores')),
      numbers.length
        ? table(h('table', { class: 'grid', id: 'member-scores' }), [t('tagName'), t('value')],
          numbers.map((x) => [x.kind === 'model' ? pick(x) : h('span', { dataset: { user: '' } }, x.name), x.value ?? '—']))
        : h('p', { class: 'note' }, t('memberNoScores')));

    const orders = h('section', { class: 'card' }, h('h3', {}, t('memberOrders', int(p.orderTotal))),
      p.orders.length
        ? table(h('table', { class: 'grid timeline', id: 'member-orders' }), [t('memberTime'), t('memberAmount'), t('memberDiscount'), t('memberCategory'), t('memberChannel')],
          p.orders.map((o) => [o.time + (o.afterAsOf ? ` (${t('memberAfterAsOf')})` : ''), o.amount, o.discount, h('span', { dataset: { user: '' } }, o.category), h('span', { dataset: { user: '' } }, o.channel)]),
          (i) => ({ class: p.orders[i].amount.startsWith('-') ? 'refund' : '' }))
        : h('p', { class: 'note' }, t('memberNoOrders')));
    const events = h('section', { class: 'card' }, h('h3', {}, t('memberEvents', int(p.eventTotal))),
      p.events.length
        ? table(h('table', { class: 'grid timeline', id: 'member-events' }), [t('memberTime'), t('memberEventType'), t('memberTarget')],
          p.events.map((e) => [e.time + (e.afterAsOf ? ` (${t('memberAfterAsOf')})` : ''), h('span', { dataset: { user: '' } }, e.eventType), h('span', { dataset: { user: '' } }, e.target)]))
        : h('p', { class: 'note' }, t('memberNoEvents')));
    fill(body, header, h('div', { class: 'member-grid' }, ids, attrs, tags, scores), h('div', { class: 'member-grid' }, orders, events));
  }
}
