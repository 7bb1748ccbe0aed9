// The Members view: one page of the member table at a time, sorted in the engine.
import { fill, h, int, memberLink, table } from '../dom.js';
import { language, t } from '../i18n.js';
import { metricLabel } from '../vocabulary.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50;

export class MembersView {
  constructor(app) {
    this.app = app;
    this.offset = 0;
    $('member-sort').addEventListener('change', () => this.go(0));
    $('member-desc').addEventListener('change', () => this.go(0));
    $('member-prev').addEventListener('click', () => this.go(Math.max(0, this.offset - PAGE)));
    $('member-next').addEventListener('click', () => this.go(this.offset + PAGE));
  }

  shown() {
    this.go(this.offset);
  }

  render() {
    if (!$('view-members').hidden) this.go(this.offset);
  }

  async go(offset) {
    if (!this.app.summary) {
      fill($('member-table'), h('caption', { class: 'empty' }, t('noData')));
      $('member-range').textContent = '';
      return;
    }
    try {
      const page = await this.app.engine.call('memberPage', { offset, limit: PAGE, sort: $('member-sort').value, desc: $('member-desc').checked });
      if (offset >= page.total && offset > 0) return this.go(Math.max(0, page.total - PAGE));
      this.offset = offset;
      const zh = language() === 'zh';
      table($('member-table'), [t('memberId'), t('name'), metricLabel('recency'), metricLabel('frequency'), metricLabel('monetary'), 'R', 'F', 'M', t('segment')],
        page.rows.map((r) => [memberLink(this.app, r.id), r.name, r.recency, r.frequency, r.monetary, r.r, r.f, r.m, zh ? r.segmentZh : r.segmentEn]),
        (i) => ({ dataset: { member: page.rows[i].id } }));
      $('member-range').textContent = t('pageOf', int(page.total ? offset + 1 : 0), int(offset + page.rows.length), int(page.total));
      $('member-prev').disabled = offset === 0;
      $('member-next').disabled = offset + PAGE >= page.total;
    } catch (err) {
      this.app.error(err);
    }
  }
}
