// Shared set-up for the browser end-to-end tests: serves dist/ on a free local port, starts Debian's chromium
// (never a downloaded browser) with a fresh profile, and records every console error, page error and request
// that leaves the page's origin, so each test can assert the privacy promise and a clean console.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { startServer } from '../../tools/serve.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixture = (...parts) => join(root, 'tests', 'fixtures', ...parts);

const BROWSER = process.env.HUAXIANG_CHROMIUM ?? '/usr/bin/chromium';

/** Starts the server and the browser; returns a session whose `open()` gives a fresh page on the app. */
export async function launch({ downloads = false } = {}) {
  const { server, url } = await startServer(join(root, 'dist'));
  const profile = mkdtempSync(join(tmpdir(), 'hx-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: BROWSER,
    headless: true,
    acceptDownloads: downloads,
    viewport: { width: 1400, height: 1000 },
    args: ['--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
  });
  const origin = new URL(url).origin;
  const errors = [];
  const foreign = [];
  context.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (new URL(u).origin !== origin) foreign.push(u);
  });
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(String(err)));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);

  return {
    url,
    origin,
    context,
    errors,
    foreign,
    /** A new page with the app loaded and its engine ready. */
    async open() {
      const page = context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage());
      await page.goto(url);
      await page.waitForSelector('body[data-engine="ready"]');
      return page;
    },
    /** Asserts that nothing went wrong in the page and nothing left the origin. */
    assertClean() {
      assert.deepEqual(errors, [], 'console errors');
      assert.deepEqual(foreign, [], 'requests that left the page origin');
    },
    async close() {
      await context.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Puts files into the file input and waits until each has its mapping card. */
export async function pickFiles(page, paths) {
  await page.setInputFiles('#file-input', paths);
  const names = paths.map((p) => p.split(/[\\/]/).pop());
  for (const name of names) await page.waitForSelector(`.file-card[data-file="${name}"] table.mapping`);
}

/** Clicks "Load all" and waits for the progress bar to finish. */
export async function loadAll(page) {
  await page.click('#load-all');
  await page.waitForSelector('#progress[data-state="done"]');
}

/** The segment table as `{ key: count }`. */
export async function segmentCounts(page) {
  return page.$$eval('#segment-table tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.segment, Number(r.cells[4].textContent.replace(/,/g, ''))])));
}

/** The text of a `data-fact` cell (first match under `scope`). */
export async function fact(page, name, scope = '') {
  return (await page.textContent(`${scope} [data-fact="${name}"]`)).trim();
}
