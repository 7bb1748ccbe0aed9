// <hx-profiler>: the workbench's engine and a compact member profile as one custom element, for an admin console
// to embed (docs/embedding.md). Its markup and styles live in a shadow root (styles from hx-profiler.css through a
// <link>, so a host CSP of `style-src 'self'` is enough); its engine is the app's own worker (../worker.js beside
// this module), so the host page needs `script-src 'self' 'wasm-unsafe-eval'` and `worker-src 'self'`, and no
// inline script, inline style or eval anywhere.
//
// Attributes: `lang` ("zh" | "en"), `hide-pii` (no name column; exports without names, phones or e-mails),
// `no-export` (no export button; `exportAudience` throws), `src` (space-separated URLs of files to load at start).
// Methods (each returns a promise): `load(sources)`, `loadSample()`, `setRules(text)`, `count(expr)`, `summary()`,
// `portrait(expr)`, `members(options)`, `exportAudience(expr)`. Events: `load`, `count`, `error`.
import { Engine } from '../js/client.js';
import { h, fill, int, percent, table } from '../js/dom.js';
import { translate } from '../js/i18n.js';
import { setVocabulary, vocabulary } from '../js/vocabulary.js';

const PII_KINDS = new Set(['name', 'phone', 'email']);
const TOP = 20;

/** An error the element reports: `{ code, zh, en }` like the engine's. */
function hxError(code, zh, en) {
  return Object.assign(new Error(en), { code, zh, en });
}

export class HxProfiler extends HTMLElement {
  static get observedAttributes() {
    return ['lang', 'hide-pii', 'no-export'];
  }

  constructor() {
    super();
    this.engine = null;
    this.current = null;
    this.lastCount = null;
    this.root = this.attachShadow({ mode: 'open' });
    this.root.append(
      h('link', { rel: 'stylesheet', href: new URL('hx-profiler.css', import.meta.url).href }),
      (this.frame = h('section', { class: 'hx', part: 'frame' })),
    );
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {});
  }

  connectedCallback() {
    if (this.engine) return;
    this.engine = new Engine(new URL('../worker.js', import.meta.url));
    this.engine.ready.then(
      (info) => {
        setVocabulary(info.vocabulary);
        this.dataset.engine = 'ready';
        this.render();
        this.resolveReady(info);
        const src = (this.getAttribute('src') ?? '').split(/\s+/).filter(Boolean);
        if (src.length) this.load(src).catch(() => {});
      },
      (err) => {
        this.fail(err);
        this.rejectReady(err);
      },
    );
    this.render();
  }

  disconnectedCallback() {
    this.engine?.worker.terminate();
    this.engine = null;
  }

  attributeChangedCallback() {
    this.render();
  }

  /** The element's language: its `lang` attribute, else the document's. */
  get language() {
    const code = this.getAttribute('lang') ?? document.documentElement.lang ?? 'zh';
    return code.toLowerCase().startsWith('en') ? 'en' : 'zh';
  }

  get hidePii() {
    return this.hasAttribute('hide-pii');
  }

  get exportDisabled() {
    return this.hasAttribute('no-export');
  }

  t(key, ...args) {
    return translate(this.language, key, ...args);
  }

  pick(pair) {
    return (this.language === 'en' ? pair?.en ?? pair?.zh : pair?.zh ?? pair?.en) ?? '';
  }

  metricLabel(key) {
    const m = vocabulary().metrics.find((x) => x.key === key);
    return m ? this.pick(m) : key;
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  fail(err) {
    this.emit('error', { code: err?.code ?? 'error', zh: err?.zh ?? String(err?.message ?? err), en: err?.en ?? String(err?.message ?? err) });
    this.status = err;
    this.render();
  }

  /** Runs `job` after the engine is ready; an error is also sent as an `error` event, then thrown. */
  async run(job) {
    await this.ready;
    try {
      return await job(this.engine);
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  /**
   * Loads files: each source is a `File`, a URL (string or `URL`, fetched from the host's origin) or
   * `{ url | file, name, kind, options }`. Computes, renders, sends `load` with `{ files, summary }`, resolves to it.
   */
  load(sources) {
    return this.run(async (engine) => {
      const files = [];
      for (const source of [].concat(sources)) {
        const { file, options } = await this.fileOf(source);
        this.status = { busy: file.name };
        this.render();
        files.push(await engine.call('load', { file, options }));
      }
      return this.computed(files);
    });
  }

  /** Loads the engine's generated sample data (2,000 members by default). */
  loadSample(members = 2000) {
    return this.run(async (engine) => this.computed(await engine.call('loadSample', { members })));
  }

  async fileOf(source) {
    if (source instanceof File) return { file: source, options: {} };
    const spec = typeof source === 'string' || source instanceof URL ? { url: source } : source ?? {};
    const options = { ...(spec.options ?? {}), ...(spec.kind ? { kind: spec.kind } : {}) };
    if (spec.file instanceof File) return { file: spec.file, options };
    const url = new URL(spec.url, document.baseURI);
    const response = await fetch(url);
    if (!response.ok) throw hxError('fetch_failed', `无法读取 ${url.pathname}（HTTP ${response.status}）。`, `Could not fetch ${url.pathname} (HTTP ${response.status}).`);
    const name = spec.name ?? decodeURIComponent(url.pathname.split('/').pop() || 'data.csv');
    return { file: new File([await response.blob()], name), options };
  }

  async computed(files) {
    this.current = await this.engine.call('compute', {});
    this.topMembers = await this.engine.call('memberPage', { offset: 0, limit: TOP, desc: true });
    this.status = null;
    this.render();
    const detail = { files, summary: this.current };
    this.emit('load', detail);
    return detail;
  }

  /** Adds rules (the rule language's text, docs/rules.md) to the element's catalog; resolves to the import report. */
  setRules(text) {
    return this.run(async (engine) => {
      const out = await engine.call('importRules', { text, at: new Date().toISOString(), author: 'embed' });
      return { saved: out.saved, diagnostics: out.diagnostics ?? [] };
    });
  }

  /** Counts an audience (an expression or a saved name); sends `count` with `{ expr, count }`. */
  count(expr) {
    return this.run(async (engine) => {
      const out = await engine.call('audienceCount', { expr });
      if (out.diagnostics?.length) throw hxError('bad_expression', out.diagnostics.map((d) => d.zh ?? d.message).join('；'), out.diagnostics.map((d) => d.en ?? d.message).join('; '));
      this.lastCount = { expr, count: out.count };
      this.render();
      this.emit('count', this.lastCount);
      return out.count;
    });
  }

  /** The summary of the last computation (members, buyers, segments …), or null. */
  summary() {
    return this.run(async () => this.current);
  }

  /** The portrait of an audience against every member. */
  portrait(expr, { minCount = 30 } = {}) {
    return this.run((engine) => engine.call('portrait', { request: { audience: expr, minCount } }));
  }

  /**
   * A page of members (`{ offset, limit, sort, desc }`, sort one of `id`, `recency`, `frequency`, `monetary` (the
   * default) or `segment`); without names under `hide-pii`.
   */
  members({ offset = 0, limit = 50, sort, desc = true } = {}) {
    return this.run(async (engine) => {
      const page = await engine.call('memberPage', { offset, limit, sort, desc });
      return this.hidePii ? { ...page, rows: page.rows.map(({ name, ...row }) => row) } : page;
    });
  }

  /** The CSV of an audience (masked; without personal columns under `hide-pii`); refused under `no-export`. */
  exportAudience(expr) {
    return this.run(async (engine) => {
      if (this.exportDisabled) throw hxError('export_disabled', this.t('hxExportDisabled'), translate('en', 'hxExportDisabled'));
      const columns = (await engine.call('exportColumns', { expr }))
        .filter((c) => c.suggested && !(this.hidePii && PII_KINDS.has(c.kind)))
        .map((c) => ({ key: c.key, header: this.pick(c) }));
      const request = { audience: expr, name: expr, columns, options: { mask: true, hash: 'none', format: 'csv', encoding: 'utf8_bom' } };
      const { bytes, report } = await engine.call('exportAudience', { request, at: new Date().toISOString() });
      return new Blob([bytes], { type: report.mime });
    });
  }

  render() {
    const s = this.current;
    const header = h('header', {}, h('strong', {}, this.t('hxTitle')),
      this.hidePii ? h('span', { class: 'note', dataset: { pii: 'hidden' } }, this.t('hxPiiHidden')) : null);
    if (!s) {
      const text = this.status?.busy ? this.t('hxLoading', this.status.busy) : this.status?.code ? this.pick(this.status) : this.t('hxEmpty');
      fill(this.frame, header, h('p', { class: this.status?.code ? 'empty error' : 'empty' }, text));
      return;
    }
    const facts = h('dl', { class: 'facts' },
      [['hxMembers', int(s.members), 'members'], ['hxBuyers', int(s.buyers), 'buyers'], ['hxOrders', int(s.orders), 'orders'], ['hxAsOf', s.asOf, 'as-of']]
        .map(([key, value, name]) => h('div', {}, h('dt', {}, this.t(key)), h('dd', { dataset: { fact: name } }, value))));
    const segments = table(h('table', { class: 'grid segments' }), [this.t('hxSegment'), this.t('hxCount'), this.t('hxShare')],
      s.segments.map((x) => [this.pick(x), x.count, percent(x.share)]), (i) => ({ dataset: { segment: s.segments[i].key } }));
    const input = h('input', { type: 'text', class: 'expr', 'aria-label': this.t('hxAudience'), placeholder: 'frequency >= 2', value: this.lastCount?.expr ?? '' });
    const audience = h('form', { class: 'audience', onsubmit: (e) => {
      e.preventDefault();
      if (input.value.trim()) this.count(input.value.trim()).catch(() => {});
    } },
    h('label', {}, this.t('hxAudience'), ' ', input),
    h('button', { type: 'submit' }, this.t('hxCountRun')),
    this.lastCount ? h('output', { dataset: { count: String(this.lastCount.count) } }, this.t('hxCountResult', int(this.lastCount.count))) : null,
    this.exportDisabled ? null : h('button', { type: 'button', class: 'export', onclick: () => this.download(input.value.trim() || 'frequency >= 1') }, this.t('hxExport')));
    const head = [this.t('hxMemberId'), ...(this.hidePii ? [] : [this.t('hxName')]), this.metricLabel('recency'), this.metricLabel('frequency'), this.metricLabel('monetary'), this.t('hxSegment')];
    const rows = (this.topMembers?.rows ?? []).map((r) => [r.id, ...(this.hidePii ? [] : [r.name]), r.recency, r.frequency, r.monetary, this.pick({ zh: r.segmentZh, en: r.segmentEn })]);
    const members = table(h('table', { class: 'grid members', dataset: { pii: this.hidePii ? 'hidden' : 'shown' } }), head, rows);
    const error = this.status?.code ? h('p', { class: 'error' }, this.pick(this.status)) : null;
    fill(this.frame, header, error, facts, segments, audience, h('h3', {}, this.t('hxTopMembers', TOP)), h('div', { class: 'scroll' }, members));
  }

  async download(expr) {
    try {
      const blob = await this.exportAudience(expr);
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: 'audience.csv', hidden: true });
      this.root.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      // Reported as an `error` event and shown.
    }
  }
}

if (!customElements.get('hx-profiler')) customElements.define('hx-profiler', HxProfiler);
