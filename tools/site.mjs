// Assembles the static site in dist/: the app from www/, the generated wasm package from pkg/, and the
// vendored npm modules the app imports. Any static host can serve dist/ as it is; nothing is fetched from a CDN.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const vendored = [
  // Apache ECharts, the ES module build, imported by www/js/charts.js as ../vendor/echarts.esm.min.mjs.
  ['node_modules/echarts/dist/echarts.esm.min.mjs', 'vendor/echarts.esm.min.mjs'],
  ['node_modules/echarts/LICENSE', 'vendor/LICENSE.echarts'],
];
const generated = ['pkg/huaxiang.js', 'pkg/huaxiang_bg.wasm'];

for (const path of [...generated, ...vendored.map(([from]) => from)]) {
  if (!existsSync(join(root, path))) {
    console.error(`site: ${path} is missing — run \`make wasm\` and \`npm ci\` first (\`make site\` does both).`);
    process.exit(1);
  }
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
cpSync(join(root, 'www'), dist, { recursive: true });
mkdirSync(join(dist, 'pkg'), { recursive: true });
for (const path of generated) cpSync(join(root, path), join(dist, path));
for (const [from, to] of vendored) {
  mkdirSync(dirname(join(dist, to)), { recursive: true });
  cpSync(join(root, from), join(dist, to));
}

const wasm = join(dist, 'pkg/huaxiang_bg.wasm');
const gz = gzipSync(readFileSync(wasm), { level: 9 }).length;
const info = { wasmBytes: statSync(wasm).size, wasmGzipBytes: gz };
writeFileSync(join(dist, 'build.json'), JSON.stringify(info, null, 2));

// The service worker (sw.js) keeps a copy of every file listed here for offline starts. Paths are relative, so
// dist/ works under any sub-path of any static host.
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else files.push(relative(dist, path).split(sep).join('/'));
  }
};
walk(dist);
writeFileSync(join(dist, 'files.json'), JSON.stringify(files.filter((f) => f !== 'sw.js').sort(), null, 1));
console.log(`site: dist/ ready (wasm ${(info.wasmBytes / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzip)`);
