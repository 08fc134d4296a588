// Roteiro's service worker: a small, explicit caching policy.
//
// - The app shell (CSS, scripts, icons, the offline page) is precached at install. The
//   list and the cache's version are filled in by the server when it serves this file
//   (app/rep/service_worker.py): the version is a hash of every precached file, so a
//   change to any of them gives a new cache and the old one is dropped on activation.
// - The rep's pages go to the network first, but never wait on a hanging network for
//   more than NAVIGATION_TIMEOUT_MS: then the offline shell answers and draws the route
//   kept on the phone (IndexedDB), while the page's own request keeps trying.
// - Server-rendered HTML is never cached: it holds per-user data and CSRF tokens.
// - POST requests and JSON (authenticated, per user) never touch the cache.
// - A logout clears the route kept on the phone only once the server confirmed it;
//   offline, the rep stays logged in and is told so.

const CACHE_VERSION = "dev"; // replaced when served
const PRECACHE = []; // replaced when served
const SHELL_CACHE = `roteiro-shell-${CACHE_VERSION}`;
const OFFLINE_URL = "/hoje/offline";
const NAVIGATION_TIMEOUT_MS = 3000;
const DB_NAME = "roteiro-rep"; // same as static/js/rep/store.js

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload", credentials: "omit" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("roteiro-") && k !== SHELL_CACHE).map((k) => caches.delete(k))))
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
  return url.pathname === "/" || url.pathname === "/hoje" || url.pathname.startsWith("/hoje/");
}

async function shell() {
  const cache = await caches.open(SHELL_CACHE);
  return cache.match(OFFLINE_URL);
}

async function navigate(event) {
  const url = new URL(event.request.url);
  const network = fetch(event.request);
  if (!isRepPage(url)) {
    try {
      return await network;
    } catch {
      return (await shell()) || Response.error();
    }
  }
  // Whichever comes first: the page, or the shell after the timeout (or at once offline).
  const timeout = new Promise((resolve) => { setTimeout(() => resolve(null), NAVIGATION_TIMEOUT_MS); });
  const answer = await Promise.race([network.catch(() => null), timeout]);
  if (answer) return answer;
  network.catch(() => undefined); // a late page is dropped, never cached
  return (await shell()) || network;
}

// Logging out forgets the kept route only when the server answered; without signal the
// rep stays logged in (the page says so) and nothing is deleted.
async function logout(request) {
  let response;
  try {
    response = await fetch(request);
  } catch {
    return Response.redirect("/hoje?logout=offline", 303);
  }
  if (response.ok || response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
    await clearRoute();
  }
  return response;
}

// Precached files are served from the cache (their version is in the cache's name) and
// refreshed in the background; other static files go to the network and are kept.
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
    if (request.method === "POST" && url.pathname === "/auth/logout") event.respondWith(logout(request));
    return; // never cached, never answered from a cache
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticAsset(event));
  }
  // Everything else (JSON APIs, the manifest) goes to the network untouched.
});
