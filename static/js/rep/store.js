// The phone's own storage (IndexedDB): today's route per user, and the queue of visit
// actions waiting for signal. The service worker opens the same database to clear the
// route at logout, so the schema lives here and in sw.js (keep DB_NAME/DB_VERSION equal).

export const DB_NAME = "roteiro-rep";
const DB_VERSION = 1;

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
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
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

// A new user on this phone: forget the previous user's route (their queue stays, keyed
// by user, and is only ever sent under that user's own session).
export async function switchUser(userId, csrf) {
  const previous = await getMeta("user_id");
  if (previous != null && Number(previous) !== Number(userId)) await clearRoute();
  await setMeta("user_id", Number(userId));
  if (csrf) await setMeta("csrf", csrf);
}

export function clearRoute() {
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

export function queued(userId) {
  return run("queue", "readonly", (s) => request(s.getAll())).then(
    (items) => items.filter((i) => Number(i.user_id) === Number(userId)),
  );
}

export function dequeue(seq) {
  return run("queue", "readwrite", (s) => { s.delete(seq); });
}
