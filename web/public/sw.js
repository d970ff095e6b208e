// The playground's service worker: on install it caches every file of the build (precache.json,
// written by web/vite.config.ts) and the page itself; afterwards it answers from the cache, so the
// playground works offline once it has loaded. Pages are fetched network-first (a new build is
// picked up when online), everything else cache-first (the file names carry content hashes).
const PREFIX = "descent-playground-";

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
        return await fetch(request);
      } catch {
        return (await caches.match("./", { ignoreSearch: true })) ?? Response.error();
      }
    })());
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request, { ignoreSearch: true });
    if (cached !== undefined) return cached;
    const response = await fetch(request);
    if (response.ok) {
      const names = (await caches.keys()).filter((n) => n.startsWith(PREFIX));
      if (names.length > 0) (await caches.open(names[names.length - 1])).put(request, response.clone());
    }
    return response;
  })());
});
