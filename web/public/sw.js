// The playground's service worker: on install it caches every file of the build (precache.json,
// written by web/vite.config.ts) and the page itself; afterwards it answers from the cache, so the
// playground works offline once it has loaded. Pages are fetched network-first (a new build is
// picked up when online), everything else cache-first (the file names carry content hashes).
//
// It also makes the page cross-origin isolated, which training on threads needs (shared memory
// between workers) and which takes two headers that a static host may not send: every response
// it serves gets them here. A page is isolated or not from the response it loaded with, so the
// first visit becomes isolated on its next load (web/main.ts reloads once when this worker takes
// control).
const PREFIX = "descent-playground-";

/** What makes a page (and its workers) cross-origin isolated; lower case, as Headers lists names. */
const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/** `response` with the isolation headers set (a new Response: a fetched one's headers are immutable). */
function isolated(response) {
  // Opaque responses and redirects cannot be rebuilt; the site's own files are neither.
  if (response.status === 0 || response.type === "opaque" || response.type === "opaqueredirect") return response;
  const headers = { ...Object.fromEntries(response.headers), ...ISOLATION };
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const response = await fetch("./precache.json", { cache: "no-store" });
    const { version, files } = await response.json();
    // Recreated, so that it is the newest cache even when an earlier install left one of this name.
    await caches.delete(PREFIX + version);
    const cache = await caches.open(PREFIX + version);
    await cache.addAll(["./", ...files.filter((f) => f !== "index.html")]);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // caches.keys() lists caches in the order they were created: keep the newest build's only.
    const names = (await caches.keys()).filter((n) => n.startsWith(PREFIX));
    for (const name of names.slice(0, -1)) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith((async () => {
      try {
        return isolated(await fetch(request));
      } catch {
        const cached = await caches.match("./", { ignoreSearch: true });
        return cached === undefined ? Response.error() : isolated(cached);
      }
    })());
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request, { ignoreSearch: true });
    if (cached !== undefined) return isolated(cached);
    const response = await fetch(request);
    if (response.ok) {
      const names = (await caches.keys()).filter((n) => n.startsWith(PREFIX));
      if (names.length > 0) (await caches.open(names[names.length - 1])).put(request, response.clone());
    }
    return isolated(response);
  })());
});
