// A small static file server for dist/ (or any folder) on 127.0.0.1, with the same Content-Security-Policy the
// page declares, the wasm MIME type, and no caching, so tests always see the latest build.
// Usage: node tools/serve.mjs DIR [PORT]   — or import { startServer } for tests.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** The policy: only the page's own origin; wasm compilation allowed. Kept equal to the meta tag in www/index.html. */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "connect-src 'self'; worker-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/**
 * Headers that make a page cross-origin isolated (everything it loads is same-origin anyway). The benchmarks serve
 * their pages with them: an isolated page's `performance.now()` has 5 µs resolution instead of 100 µs, which a
 * sub-millisecond audience count needs to be timed at all.
 */
export const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Starts serving `dir` on 127.0.0.1:`port` (0 picks a free port); resolves to `{ server, url }`. `mounts` maps URL
 * prefixes to other folders (the benchmarks serve their pages and generated data this way); `headers` are added to
 * every response.
 */
export function startServer(dir, port = 0, mounts = {}, headers = {}) {
  const roots = [...Object.entries(mounts).map(([prefix, d]) => [prefix, resolve(d)]), ['/', resolve(dir)]];
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const [prefix, base] = roots.find(([p]) => path.startsWith(p));
    path = path.slice(prefix.length - 1);
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let stat;
    try {
      stat = statSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    if (!stat.isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': types[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stat.size,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      ...headers,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'dist';
  const port = Number(process.argv[3] ?? 8000);
  const { url } = await startServer(dir, port);
  console.log(`huaxiang is served at ${url} (Ctrl+C stops)`);
}
