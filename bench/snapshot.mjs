// `make bench`: the app's start and the data snapshot's reopen (issue 14), in headless Chromium over dist/.
// Prints the time from navigation to a ready app (empty workspace), the time to load the CSV files of
// HUAXIANG_BENCH_SNAPSHOT_MEMBERS members (default 1,000,000; members and orders, written by `huaxiang sample`),
// the snapshot's size, and the reopen: restoring the snapshot and computing (target ≤ 3 s), and the whole time from
// navigation to the data ready — what the snapshot saves against reading the files again. Figures, not a pass/fail test.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../tools/serve.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const members = Number(process.env.HUAXIANG_BENCH_SNAPSHOT_MEMBERS ?? 1_000_000);
const cli = ['release', 'debug'].map((p) => join(root, 'target', p, 'huaxiang')).find(existsSync);
if (!cli) throw new Error('build the CLI first (cargo build --release --bin huaxiang)');

const data = mkdtempSync(join(tmpdir(), 'hx-bench-snap-'));
const profile = mkdtempSync(join(tmpdir(), 'hx-bench-profile-'));
execFileSync(cli, ['sample', '--out', data, '--members', String(members), '--only', 'members']);
execFileSync(cli, ['sample', '--out', data, '--members', String(members), '--only', 'orders']);
const files = ['sample_members.csv', 'sample_orders.csv'].map((f) => join(data, f));
const csvBytes = files.reduce((n, f) => n + statSync(f).size, 0);

const { server, url } = await startServer(join(root, 'dist'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.HUAXIANG_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-sandbox'],
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30 * 60 * 1000);
const sinceNavigation = () => page.evaluate(() => performance.now());
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

try {
  await page.goto(url);
  await page.waitForSelector('body[data-engine="ready"]');
  const open = await sinceNavigation();

  await page.check('#snapshot-keep');
  await page.setInputFiles('#file-input', files);
  await page.waitForSelector('.file-card[data-file="sample_orders.csv"] table.mapping');
  await page.waitForSelector('.file-card[data-file="sample_members.csv"] table.mapping');
  const started = await sinceNavigation();
  await page.click('#load-all');
  await page.waitForSelector('#progress[data-state="done"]');
  const csv = (await sinceNavigation()) - started;
  const snapshotSize = () => page.evaluate(async () => {
    try {
      return (await (await (await navigator.storage.getDirectory()).getFileHandle('workspace.hxsnap')).getFile()).size;
    } catch {
      return 0;
    }
  });
  await page.waitForFunction(() => [...document.querySelectorAll('#messages .message')].some((m) => /快照|snapshot/i.test(m.textContent)));
  const bytes = await snapshotSize();

  await page.reload();
  await page.waitForSelector('body[data-snapshot="restored"]');
  const reopen = await sinceNavigation();
  const restore = Number(await page.getAttribute('body', 'data-snapshot-ms'));
  const summary = await page.evaluate(() => globalThis.huaxiang.summary);

  console.log(`\nsnapshot (${members.toLocaleString('en-US')} members, ${summary.orders.toLocaleString('en-US')} orders; CSV ${(csvBytes / 2 ** 20).toFixed(0)} MiB, snapshot ${(bytes / 2 ** 20).toFixed(0)} MiB)`);
  console.log(`  open the app until ready (empty)      ${fmt(open)}`);
  console.log(`  load the CSV files and compute         ${fmt(csv)}`);
  console.log(`  reopen: restore the snapshot, compute   ${fmt(restore)}  (target ≤ 3 s)`);
  console.log(`  reopen: navigation to data ready       ${fmt(reopen)}  (the app's start included)`);
} finally {
  await context.close();
  server.close();
  rmSync(data, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
