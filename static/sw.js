// Shipshape's service worker: after the first visit the app works without a network.
//
// - On install it stores the page and every asset the page names (Trunk's hashed JS, wasm and
//   CSS), so even the first visit's files are kept.
// - Pages go to the network first, so a new deploy is used as soon as it is reachable; each
//   time a page arrives, stored assets it no longer names are dropped.
// - Assets come from the store first: their names carry a hash, so they never change.
// - Data files the app fetches after its first render (DATA) are stored with the page too, so
//   they work offline; their names carry no hash, so each stored page fetches them again.
// Nothing here talks to anything but the site's own origin.

const STORE = "shipshape";

/// Files the page fetches itself after its first render, relative to the page: texts, and its
/// second module (what the first preview does not need).
const DATA = [
  "rule-docs.txt", "explanations.txt", "shipshape-extras.js", "shipshape-extras_bg.wasm",
];

/// The same-origin URLs a page's HTML names in href= and src= attributes (quoted or not, as
/// the minified page has them), and in imports. A word ending in "src" inside the Content
/// Security Policy (`script-src 'self'`) is neither.
function assetsOf(html, base) {
  const urls = new Set();
  for (const match of html.matchAll(/(?:\s(?:href|src)=|module_or_path:\s*)["']?([^"'\s>]+)/g)) {
    const url = new URL(match[1], base);
    if (url.origin === self.location.origin) urls.add(url.href);
  }
  for (const match of html.matchAll(/from\s+["']([^"']+)["']/g)) {
    const url = new URL(match[1], base);
    if (url.origin === self.location.origin) urls.add(url.href);
  }
  return [...urls];
}

async function storePage(request, response) {
  const store = await caches.open(STORE);
  const html = await response.clone().text();
  const data = DATA.map((name) => new URL(name, request.url).href);
  const wanted = new Set([...assetsOf(html, request.url), ...data]);
  await store.put(request, response.clone());
  for (const key of await store.keys()) {
    if (key.mode !== "navigate" && key.url !== request.url && !wanted.has(key.url)
        && !key.url.endsWith("/")) {
      await store.delete(key);
    }
  }
  await Promise.all([...wanted].map(async (url) => {
    if (data.includes(url) || !(await store.match(url))) {
      const asset = await fetch(url);
      if (asset.ok) await store.put(url, asset);
    }
  }));
}

self.addEventListener("install", (event) => {
  const page = new URL("./", self.location.href).href;
  event.waitUntil(
    fetch(page).then((response) => (response.ok ? storePage(new Request(page), response) : null))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) event.waitUntil(storePage(request, response.clone()));
          return response;
        })
        .catch(async () => (await caches.match(request, { ignoreSearch: true }))
          || (await caches.match(new URL("./", self.location.href).href))
          || Response.error()),
    );
    return;
  }
  event.respondWith(
    caches.match(request).then((stored) => stored || fetch(request).then(async (response) => {
      if (response.ok) {
        const store = await caches.open(STORE);
        await store.put(request, response.clone());
      }
      return response;
    })),
  );
});
