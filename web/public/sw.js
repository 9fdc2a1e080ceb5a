// AstraTrade's service worker: makes the client installable and lets it open offline.
// Pages are network-first (a new build is seen at once); hashed assets are cache-first
// (their names change with their content). The API and the WebSocket are never cached:
// prices and balances must be live or absent, not stale.
const CACHE = "astratrade-shell-v1";
const SHELL = ["/", "/manifest.webmanifest", "/icon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))),
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(
      caches.match(event.request).then(
        (hit) => hit || fetch(event.request).then((answer) => keep(event.request, answer)),
      ),
    );
    return;
  }
  if (event.request.mode === "navigate" || SHELL.includes(url.pathname)) {
    event.respondWith(
      fetch(event.request)
        .then((answer) => keep(event.request, answer))
        .catch(() => caches.match(event.request).then((hit) => hit || caches.match("/"))),
    );
  }
});

function keep(request, answer) {
  if (answer.ok) {
    const copy = answer.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return answer;
}
