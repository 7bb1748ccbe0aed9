// Static hosting and offline starts (issue 14): dist/ served under a sub-path of a plain static server loads data
// and counts an audience there, every URL in it being relative; and after one visit the service worker (sw.js)
// opens the app with no network at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { fixture, root } from './harness.mjs';
import { startServer } from '../../tools/serve.mjs';

const SUB = '/some/sub/path/';
const BROWSER = process.env.HUAXIANG_CHROMIUM ?? '/usr/bin/chromium';

/** dist/ served under SUB (and nothing at the root); a browser with a fresh profile. */
async function subPathSession() {
  const empty = mkdtempSync(join(tmpdir(), 'hx-root-'));
  const { server, url } = await startServer(empty, 0, { [SUB]: join(root, 'dist') });
  const profile = mkdtempSync(join(tmpdir(), 'hx-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: BROWSER,
    headless: true,
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
  });
  const errors = [];
  const outside = [];
  context.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol === 'http:' && !u.pathname.startsWith(SUB)) outside.push(u.pathname);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return {
    app: new URL(SUB, url).href,
    server,
    context,
    page,
    errors,
    outside,
    async close() {
      await context.close();
      server.closeAllConnections?.();
      server.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(empty, { recursive: true, force: true });
    },
  };
}

test('every URL in dist/ is relative', () => {
  const dist = join(root, 'dist');
  const absolute = /(?:src|href)\s*=\s*["']\/(?!\/)|url\(\s*["']?\/(?!\/)|(?:from|import)\s*\(?\s*["']\/(?!\/)|new URL\(\s*["']\//;
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(html|js|mjs|css)$/.test(name) && !path.includes('vendor')) {
        const text = readFileSync(path, 'utf8');
        if (absolute.test(text)) found.push(`${path.slice(dist.length)}: ${text.match(absolute)[0]}`);
      }
    }
  };
  walk(dist);
  assert.deepEqual(found, []);
  assert.ok(JSON.parse(readFileSync(join(dist, 'files.json'), 'utf8')).includes('pkg/huaxiang_bg.wasm'));
});

test('dist/ works under a sub-path: files load and an audience counts', async () => {
  const s = await subPathSession();
  try {
    const { page } = s;
    await page.goto(s.app);
    await page.waitForSelector('body[data-engine="ready"]');
    await page.setInputFiles('#file-input', [fixture('members_small.csv'), fixture('rfm_small.csv')]);
    await page.waitForSelector('.file-card[data-file="rfm_small.csv"] table.mapping');
    await page.waitForSelector('.file-card[data-file="members_small.csv"] table.mapping');
    await page.click('#load-all');
    await page.waitForSelector('#progress[data-state="done"]');
    const summary = await page.evaluate(() => globalThis.huaxiang.summary);
    assert.ok(summary.buyers > 0);
    const all = await page.evaluate(() => globalThis.huaxiang.engine.call('audienceCount', { expr: 'frequency >= 1' }));
    const some = await page.evaluate(() => globalThis.huaxiang.engine.call('audienceCount', { expr: 'frequency >= 2' }));
    assert.equal(all.count, summary.buyers);
    assert.ok(some.count > 0 && some.count < all.count);
    assert.deepEqual(s.outside, [], 'no request outside the sub-path');
    assert.deepEqual(s.errors, []);
  } finally {
    await s.close();
  }
});

test('after the first visit the app opens with no network', async () => {
  const s = await subPathSession();
  try {
    const { page, context } = s;
    await page.goto(s.app);
    await page.waitForSelector('body[data-engine="ready"]');
    await page.evaluate(() => navigator.serviceWorker.ready);
    // No network: the browser is offline and the server is gone.
    await context.setOffline(true);
    s.server.closeAllConnections?.();
    s.server.close();
    await page.reload();
    await page.waitForSelector('body[data-engine="ready"]');
    assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), 'served by the service worker');
    await page.click('#sample-button');
    await page.waitForSelector('#progress[data-state="done"]');
    assert.ok((await page.evaluate(() => globalThis.huaxiang.summary)).members > 0);
    const failed = s.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e));
    assert.deepEqual(failed, []);
  } finally {
    await s.close();
  }
});
