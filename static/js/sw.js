// Roteiro's service worker: a small, explicit caching policy.
//
// - The app shell (CSS, scripts, icons, the offline page) is precached at install.
// - Navigations go to the network first; offline, the rep's pages fall back to the
//   offline shell, which renders today's route from IndexedDB (kept per user by the page).
// - Server-rendered HTML is never cached: it holds per-user data and CSRF tokens.
// - POST requests and JSON (authenticated, per user) never touch the cache.
// - Logging out clears the route kept on the phone.
// Bump CACHE_VERSION whenever a precached file changes.

const CACHE_VERSION = "v1";
const SHELL_CACHE = `roteiro-shell-${CACHE_VERSION}`;
const OFFLINE_URL = "/hoje/offline";
const SHELL = [
  OFFLINE_URL,
  "/static/css/app.css",
  "/static/css/rep.css",
  "/static/js/rep/app.js",
  "/static/js/rep/store.js",
  "/static/js/rep/sync.js",
  "/static/js/rep/render.js",
  "/static/js/rep/map.js",
  "/static/img/icons/icon-192.png",
  "/static/img/icons/icon-512.png",
  "/static/img/icons/maskable-512.png",
  "/static/vendor/leaflet/leaflet.js",
  "/static/vendor/leaflet/leaflet.css",
];
const DB_NAME = "roteiro-rep"; // same as static/js/rep/store.js

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload", credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function clearRoute() {
  return new Promise((resolve) => {
    const req = indexedDB.open(DB_NAME);
    req.onerror = () => resolve();
    req.onsuccess = () => {
      const db = req.result;
      const stores = ["day", "meta"].filter((s) => db.objectStoreNames.contains(s));
      if (!stores.length) { db.close(); resolve(); return; }
      const tx = db.transaction(stores, "readwrite");
      stores.forEach((s) => tx.objectStore(s).clear());
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => { db.close(); resolve(); };
    };
  });
}

function isRepPage(url) {
  return url.pathname === "/" || url.pathname.startsWith("/hoje");
}

async function navigate(request) {
  try {
    return await fetch(request);
  } catch {
    const url = new URL(request.url);
    const cache = await caches.open(SHELL_CACHE);
    const shell = await cache.match(OFFLINE_URL);
    if (shell && isRepPage(url)) return shell;
    return shell || Response.error();
  }
}

// Static files change with CACHE_VERSION only in precache; others are served from the
// cache and refreshed in the background so a deploy reaches the phone on the next visit.
async function staticAsset(event) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(event.request, { ignoreSearch: true });
  const refresh = fetch(event.request).then((response) => {
    if (response.ok && response.type === "basic") cache.put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // map tiles and links: the browser's own policy
  if (request.method !== "GET") {
    if (request.method === "POST" && url.pathname === "/auth/logout") {
      event.waitUntil(clearRoute());
    }
    return; // never cached, never answered from a cache
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticAsset(event));
  }
  // Everything else (JSON APIs, the manifest) goes to the network untouched.
});
