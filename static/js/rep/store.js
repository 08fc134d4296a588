// The phone's own storage (IndexedDB): today's route per user as the server last sent it
// (with the visits it confirmed since), the queue of visit actions waiting for signal, and
// the actions the server refused (shown until the rep dismisses them). The service worker
// opens the same database to clear the route after a confirmed logout: keep DB_NAME and
// the "day"/"meta" store names in step with static/js/sw.js.

export const DB_NAME = "roteiro-rep";
const DB_VERSION = 2;

let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("day")) db.createObjectStore("day", { keyPath: "user_id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        if (!db.objectStoreNames.contains("queue")) {
          db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        }
        if (!db.objectStoreNames.contains("refused")) {
          db.createObjectStore("refused", { keyPath: "seq", autoIncrement: true });
        }
      };
      // Another tab holding an older version open must let this one upgrade.
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = () => { opening = null; reject(req.error); };
    });
  }
  return opening;
}

function run(storeName, mode, fn) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const store = tx.objectStore(storeName);
    let result;
    Promise.resolve(fn(store)).then((r) => { result = r; });
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  }));
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function getMeta(key) {
  return run("meta", "readonly", (s) => request(s.get(key)));
}

export function setMeta(key, value) {
  return run("meta", "readwrite", (s) => { s.put(value, key); });
}

export function getDay(userId) {
  if (userId == null) return Promise.resolve(undefined);
  return run("day", "readonly", (s) => request(s.get(Number(userId))));
}

export function putDay(day) {
  return run("day", "readwrite", (s) => { s.put(day); });
}

// The user of this page. Another user's route is forgotten at once; his queue stays,
// keyed by user, and is only ever sent under his own session when he logs in again.
export async function switchUser(userId, csrf) {
  const previous = await getMeta("user_id");
  if (previous != null && Number(previous) !== Number(userId)) await clearDay();
  await setMeta("user_id", Number(userId));
  if (csrf) await setMeta("csrf", csrf);
}

// After the server confirmed a logout (or for another user): the route and the session's
// token go; queued and refused actions stay with their user.
export function clearDay() {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(["day", "meta"], "readwrite");
    tx.objectStore("day").clear();
    tx.objectStore("meta").clear();
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  }));
}

export function enqueue(item) {
  return run("queue", "readwrite", (s) => { s.add({ ...item, queued_at: new Date().toISOString() }); });
}

function mine(items, userId) {
  return items.filter((i) => Number(i.user_id) === Number(userId));
}

export function queued(userId) {
  return run("queue", "readonly", (s) => request(s.getAll())).then((items) => mine(items, userId));
}

export function dequeue(seq) {
  return run("queue", "readwrite", (s) => { s.delete(seq); });
}

export function addRefused(entry) {
  return run("refused", "readwrite", (s) => { s.add({ ...entry, at: new Date().toISOString() }); });
}

export function refusedFor(userId) {
  return run("refused", "readonly", (s) => request(s.getAll())).then((items) => mine(items, userId));
}

export function dismissRefused(seq) {
  return run("refused", "readwrite", (s) => { s.delete(seq); });
}
