// The app's entry point: starts the engine worker, wires the tabs, the language switch, the progress bar and
// messages, and hands a shared `app` object to each view. The main thread only renders; all data lives in the worker.
// Views never import or flag one another: they talk through the app — `app.catalogChanged(pack)` after a change to
// the tag catalog, and `app.on('catalog', …)` to hear of one.
import { Engine } from './client.js';
import { applyLanguage, language, pick, setLanguage, t } from './i18n.js';
import { h } from './dom.js';
import { DataView } from './views/data.js';
import { DashboardView } from './views/dashboard.js';
import { MembersView } from './views/members.js';
import { MemberView } from './views/member.js';
import { TagsView } from './views/tags.js';
import { AudiencesView } from './views/audiences.js';
import { ModelsView } from './views/models.js';
import { markEvaluating, quarantineSuspects, quarantined, release, restorePack, savePack } from './tagstore.js';
import * as storage from './storage.js';
import { setupWorkspace } from './workspace.js';
import { metricLabel, setVocabulary } from './vocabulary.js';

const $ = (id) => document.getElementById(id);
const events = new EventTarget();

const app = {
  engine: new Engine(),
  summary: null,
  /** Files loaded so far, with the options they were loaded with, to replay them if the worker is restarted. */
  loaded: [],
  views: {},
  /** Settles once the tag pack saved in the browser has been imported into the (current) engine. */
  tagsReady: Promise.resolve(),

  /** Calls `listener(detail)` on every `name` event: `catalog` (`{ pack, source }`) after a change to the tag catalog. */
  on(name, listener) {
    events.addEventListener(name, (e) => listener(e.detail));
  },

  /**
   * Takes a catalog change made by any view (`source`): keeps the pack (the engine's exportPack JSON) in the
   * browser's storage and tells every view, which reads the catalog again when next shown.
   */
  catalogChanged(pack, source = null) {
    savePack(pack);
    storage.flushed().catch((err) => this.error(err));
    events.dispatchEvent(new CustomEvent('catalog', { detail: { pack, source } }));
  },

  /**
   * Shows a message: text, or a function giving it in the current language (redrawn when the language is switched).
   * `error` takes an engine error with `zh`/`en`.
   */
  message(text, kind = 'info') {
    const box = $('messages');
    const span = h('span', {}, typeof text === 'function' ? text() : text);
    if (typeof text === 'function') span.hxText = text;
    const item = h('div', { class: `message ${kind}` }, span, h('button', { type: 'button', class: 'close', 'aria-label': '×', onclick: () => item.remove() }, '×'));
    box.append(item);
    if (kind === 'info') setTimeout(() => item.remove(), 8000);
  },
  error(err) {
    this.message(() => `${t('error')}: ${err?.zh || err?.en ? pick(err) : String(err?.message ?? err)}`, 'error');
  },

  /**
   * Shows the progress bar. `label` is text, or a function giving the text in the current language (so a switch of
   * language redraws it: the bar says "Done", not "完成", after switching to English).
   */
  progress(state, label = '', fraction = 0) {
    this.lastProgress = { state, label, fraction };
    const box = $('progress');
    box.hidden = state === 'idle';
    box.dataset.state = state;
    $('progress-text').textContent = typeof label === 'function' ? label() : label;
    $('progress-bar').style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
    $('cancel-button').hidden = state !== 'running';
  },

  /** Computes with the chosen analysis date and refreshes every view. */
  async compute() {
    if (!this.loaded.length) {
      this.summary = null;
      this.render();
      return null;
    }
    this.progress('running', () => t('computing'), 1);
    try {
      // The date box shows the date in force; it is sent only once the user has picked one.
      const asOf = $('as-of').dataset.auto === 'true' ? '' : $('as-of').value;
      this.summary = await this.engine.call('compute', { asOf });
      this.progress('done', () => t('done'), 1);
      events.dispatchEvent(new CustomEvent('computed', { detail: this.summary }));
    } catch (err) {
      this.progress('error', () => pick(err), 1);
      this.error(err);
    }
    this.render();
    return this.summary;
  },

  render() {
    for (const view of Object.values(this.views)) view.render();
  },

  /** Opens the audience builder with an expression (a figure's members, a saved audience …). */
  openAudience(expr) {
    this.show('audiences');
    this.views.audiences.openExpression(expr);
  },

  /** Opens Member 360 on the member an identifier names. */
  openMember(id) {
    this.show('member');
    this.views.member.find(id);
  },

  show(name) {
    for (const tab of document.querySelectorAll('nav.tabs button')) tab.setAttribute('aria-selected', String(tab.dataset.view === name));
    for (const view of document.querySelectorAll('main > .view')) view.hidden = view.dataset.view !== name;
    this.views[name]?.shown?.();
  },
};

async function main() {
  applyLanguage();
  // The switch names the other language in that language: it is marked as such for screen readers (and tests).
  $('lang-toggle').lang = language() === 'zh' ? 'en' : 'zh';
  $('lang-toggle').addEventListener('click', () => {
    setLanguage(language() === 'zh' ? 'en' : 'zh');
    labelMetrics();
    for (const span of document.querySelectorAll('#messages .message > span')) if (span.hxText) span.textContent = span.hxText();
    document.getElementById('lang-toggle').lang = language() === 'zh' ? 'en' : 'zh';
    const p = app.lastProgress;
    if (p) app.progress(p.state, p.label, p.fraction);
    app.render();
  });
  for (const tab of document.querySelectorAll('nav.tabs button')) tab.addEventListener('click', () => app.show(tab.dataset.view));
  // Cancel stops a file being read; while rules are being evaluated it stops the engine (it is restarted with the
  // rules kept and the rules being tried set aside).
  $('cancel-button').addEventListener('click', () => (app.engine.busy > 0 ? app.engine.stop() : app.engine.cancel()));
  app.engine.onBusy = (busy) => evaluating(busy);
  $('recompute').addEventListener('click', () => app.compute());
  $('as-of').addEventListener('change', () => {
    $('as-of').dataset.auto = 'false';
    app.compute();
  });
  $('as-of-default').addEventListener('click', () => {
    $('as-of').value = '';
    $('as-of').dataset.auto = 'true';
    app.compute();
  });
  for (const button of document.querySelectorAll('[data-go]')) button.addEventListener('click', () => app.show(button.dataset.go));
  keyboardTabs();

  // The engine's vocabulary (metrics, keywords, roles …) comes first: the views and the rule editors read it.
  let info = null;
  // The kept workspace (rules, mappings, settings …) is read from IndexedDB while the engine starts.
  const opened = storage.openStorage().catch((err) => app.error(err));
  try {
    info = await app.engine.ready;
    setVocabulary(info.vocabulary);
  } catch (err) {
    app.error(err);
  }
  labelMetrics();

  await opened;
  setAside(quarantineSuspects());
  app.tagsReady = restoreTags();
  app.views.data = new DataView(app);
  app.views.dashboard = new DashboardView(app);
  app.views.members = new MembersView(app);
  app.views.member = new MemberView(app);
  app.views.tags = new TagsView(app);
  app.views.audiences = new AudiencesView(app);
  app.views.models = new ModelsView(app);

  app.engine.onRestart = async () => {
    // The user's tags come back first, from the pack saved after every change (even when the files cannot); the
    // rules being evaluated when it stopped are set aside, so they cannot stop it again.
    setAside(quarantineSuspects());
    app.tagsReady = restoreTags();
    const files = app.loaded;
    app.loaded = [];
    app.summary = null;
    if (app.replaying) {
      // The engine stopped again while reloading the same files: most likely they need more memory than a tab has.
      // Reloading again would loop, so stop and say so; the files can be loaded again by hand (or split).
      app.replaying = false;
      app.message(() => t('replayFailed'), 'error');
      app.progress('error', () => t('replayFailed'), 1);
      app.render();
      return;
    }
    app.message(() => t(app.engine.lastStop === 'stopped' ? 'engineStopped' : 'workerRestarted'), 'warning');
    app.replaying = true;
    await app.engine.ready;
    await app.tagsReady;
    await app.views.data.replay(files);
    app.replaying = false;
  };

  if (info) {
    await app.tagsReady;
    await setupWorkspace(app);
    document.body.dataset.engine = 'ready';
    document.body.dataset.version = info.version;
  }
  app.render();
}

/**
 * Arrow keys, Home and End move between the tabs of a tab list (the WAI-ARIA tabs pattern); only the selected tab
 * is in the Tab order, so Tab goes on into the view.
 */
function keyboardTabs() {
  for (const list of document.querySelectorAll('[role="tablist"]')) {
    const tabs = () => [...list.querySelectorAll('[role="tab"]')];
    const sync = () => tabs().forEach((b) => b.setAttribute('tabindex', b.getAttribute('aria-selected') === 'true' ? '0' : '-1'));
    sync();
    new MutationObserver(sync).observe(list, { attributes: true, subtree: true, attributeFilter: ['aria-selected'] });
    list.addEventListener('keydown', (e) => {
      const all = tabs();
      const i = all.indexOf(document.activeElement);
      if (i < 0) return;
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      const tab = all[(next + all.length) % all.length];
      tab.focus();
      tab.click();
    });
  }
}

/** Fills every element marked `data-metric-label` with that metric's label in the current language. */
function labelMetrics() {
  for (const el of document.querySelectorAll('[data-metric-label]')) el.textContent = metricLabel(el.dataset.metricLabel);
}

/** Shows a stop button while rules have been evaluating for more than a second. */
let slow = null;
function evaluating(busy) {
  markEvaluating(busy > 0);
  clearTimeout(slow);
  if (busy > 0) {
    slow = setTimeout(() => {
      if ($('progress').hidden) {
        app.progress('running', t('evaluatingRules'), 1);
        app.evaluatingShown = true;
      }
    }, 1000);
  } else if (app.evaluatingShown) {
    app.evaluatingShown = false;
    app.progress('idle');
  }
}

/** Lists the definitions set aside (quarantined) with a button to put each back; `moved` were just set aside. */
function setAside(moved = []) {
  if (moved.length) app.message(t('quarantinedNow', moved.join('、')), 'warning');
  $('quarantine')?.remove();
  const list = quarantined();
  if (!list.length) return;
  const items = list.map(({ definition }) =>
    h('li', { 'data-name': definition.name },
      h('span', { class: 'name' }, definition.name),
      h('button', { type: 'button', class: 'release', onclick: () => putBack(definition.name) }, t('putBack'))));
  $('messages').append(h('div', { id: 'quarantine', class: 'message warning' }, h('span', {}, t('quarantined')), h('ul', {}, ...items)));
}

/** Imports one set-aside definition again (it is evaluated next time the tags are). */
async function putBack(name) {
  const json = release(name);
  setAside();
  if (!json) return;
  try {
    await app.engine.call('importPack', { json, merge: true });
    app.catalogChanged(await app.engine.call('exportPack'), null);
  } catch (err) {
    app.error(err);
  }
}

/** Imports the saved tag pack into the engine; a pack that cannot be read is reported and kept aside. */
async function restoreTags() {
  try {
    await restorePack(app.engine);
  } catch (err) {
    if (err?.code !== 'worker_crashed') app.message(`${t('restoreFailed')} ${pick(err)}`, 'error');
  }
}

// Exposed for the end-to-end tests and for pages that embed the workbench.
app.storage = storage;
globalThis.huaxiang = app;
main();
export { app };
