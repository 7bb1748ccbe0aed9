// The host page's script of embed-example.html: it drives <hx-profiler> through its ES-module API — load files by
// URL, add a rule, count an audience — and listens to its events. No inline script: the page's CSP forbids it.
import './hx-profiler.js';

const profiler = document.getElementById('profiler');
const log = document.getElementById('host-log');
const say = (text) => {
  log.textContent = text;
};

profiler.addEventListener('load', (e) => say(`已加载 ${e.detail.files.length} 个文件，会员 ${e.detail.summary.members} 人`));
profiler.addEventListener('count', (e) => {
  document.body.dataset.lastCount = String(e.detail.count);
  say(`“${e.detail.expr}”：${e.detail.count} 人`);
});
profiler.addEventListener('error', (e) => say(`出错：${e.detail.zh}`));

document.getElementById('load-demo').addEventListener('click', async () => {
  await profiler.load([
    { url: new URL('demo/members.csv', import.meta.url), kind: 'members' },
    { url: new URL('demo/orders.csv', import.meta.url), kind: 'orders' },
  ]);
  await profiler.setRules('tag 复购会员 = frequency >= 2\n');
});

document.getElementById('count-repeat').addEventListener('click', () => profiler.count('复购会员').catch(() => {}));
