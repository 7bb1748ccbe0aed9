// The service worker: keeps a copy of the app — every file the site build lists in files.json, all addressed
// relative to this script, so the app works under any sub-path — and answers from it when the network does not,
// so the app opens offline after the first visit. Requests go to the network first: a connected user always gets
// the newest build, and each answer refreshes the copy. Only the app's own files pass through here; the member
// files a user loads are read from disk by the page and never fetched.
const CACHE = 'huaxiang-app-v1';

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    let files = [];
    try {
      files = await (await fetch('files.json', { cache: 'no-store' })).json();
    } catch {
      // A copy is still made as the app's files are fetched.
    }
    await cache.addAll(['./', ...files]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.status === 200) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy)).catch(() => {});
      }
      return response;
    } catch (err) {
      const cached = await caches.match(request, { ignoreSearch: true });
      if (cached) return cached;
      throw err;
    }
  })());
});
