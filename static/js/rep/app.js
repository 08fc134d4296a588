// The rep's day on the phone: renders today's route from the server's JSON (kept in
// IndexedDB for offline use), runs the visit flow through the queue, re-plans on demand.

import { clearRoute, enqueue, getDay, getMeta, putDay, queued, switchUser } from "./store.js";
import { flush, isOnline } from "./sync.js";
import { entryKey, fmt, renderDiff, renderStop, renderToday } from "./render.js";

const root = document.getElementById("rep-app");
const cfg = { ...root.dataset };
const t = JSON.parse(document.getElementById("rep-i18n").textContent);
const view = document.getElementById("rep-view");
const statusEl = document.getElementById("rep-status");
const toastEl = document.getElementById("rep-toast");
const state = { data: null, userId: cfg.userId ? Number(cfg.userId) : null, mapOn: false, sending: false };

function stopIdFromPath() {
  if (cfg.stopId) return Number(cfg.stopId);
  const m = window.location.pathname.match(/\/paradas\/(\d+)/);
  return m ? Number(m[1]) : null;
}

function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function toast(text) {
  toastEl.textContent = text;
  toastEl.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { toastEl.hidden = true; }, 4000);
}

// --- state changes: the same function applies an action now and replays queued ones
// over fresh server data, so the screen never forgets what is still waiting to be sent.

function findEntry(data, key) {
  const all = [...(data.stops || []), ...(data.extra || [])];
  return all.find((e) => entryKey(e) === key) || null;
}

function entryFor(data, body) {
  const all = [...(data.stops || []), ...(data.extra || [])];
  return all.find((e) => e.contact && e.contact.client_uuid === body.client_uuid)
    || (body.stop_id != null ? all.find((e) => e.id === body.stop_id) : null)
    || (data.stops || []).find((e) => e.customer.id === body.customer_id && !e.done)
    || null;
}

function applyAction(data, body, customer) {
  let entry = entryFor(data, body);
  if (!entry) {
    if (!customer) return;
    entry = { id: null, customer, reasons: [], offers: [], flags: [], facts: { orders: [], receivables: [], notes: [] }, contact: null, done: false };
    data.extra = [...(data.extra || []), entry];
  }
  const contact = entry.contact || { client_uuid: body.client_uuid, outcome: null };
  if (body.action === "check_in") {
    contact.check_in_at = contact.check_in_at || body.at;
    if (entry.id != null && entry.status === "pending") entry.status = "in_progress";
  } else {
    contact.outcome = body.action === "skip" ? "skipped" : body.outcome;
    entry.done = true;
    if (entry.id != null) entry.status = body.action === "skip" ? "skipped" : "done";
  }
  entry.contact = contact;
}

async function replay(data) {
  const items = state.userId != null ? await queued(state.userId) : [];
  items.forEach((i) => applyAction(data, i.body, i.customer));
  return data;
}

// --- rendering

function render() {
  const data = state.data;
  if (!data) return;
  const stopId = stopIdFromPath();
  if (stopId != null) {
    const entry = (data.stops || []).find((s) => s.id === stopId);
    view.innerHTML = renderStop(entry, t, cfg.home);
  } else {
    view.innerHTML = renderToday(data, t, cfg.stopUrl);
  }
  if (state.mapOn) import("./map.js").then((m) => m.drawRoute(data, cfg, t)).catch(() => toast(t.map_unavailable));
}

async function showStatus() {
  // Count visits, not requests: a check-in and its check-out are one pending visit.
  const items = state.userId != null ? await queued(state.userId) : [];
  const pending = new Set(items.map((i) => i.body.client_uuid)).size;
  const online = isOnline();
  if (online && !pending) {
    statusEl.hidden = true;
    return;
  }
  const parts = [online ? (state.sending ? t.syncing : t.online) : t.offline];
  if (pending) parts.push(pending === 1 ? t.pending_one : fmt(t.pending_many, { n: pending }));
  statusEl.textContent = parts.join(" · ");
  statusEl.className = `rep-status${online ? "" : " is-offline"}`;
  statusEl.hidden = false;
}

// --- data loading

async function loadFromServer() {
  const response = await fetch(cfg.apiToday, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } });
  if (response.status === 401) {
    await clearRoute();
    window.location.assign(cfg.login);
    return null;
  }
  if (!response.ok) throw new Error(`today: ${response.status}`);
  const data = await response.json();
  await switchUser(data.user_id, cfg.csrf);
  state.userId = data.user_id;
  await putDay(data);
  return replay(data);
}

async function load() {
  if (state.userId == null) {
    const stored = await getMeta("user_id");
    state.userId = stored != null ? Number(stored) : null;
  } else {
    await switchUser(state.userId, cfg.csrf);
  }
  try {
    if (cfg.csrf == null && !isOnline()) throw new Error("offline shell");
    const fresh = await loadFromServer();
    if (fresh) state.data = fresh;
  } catch {
    const kept = await getDay(state.userId);
    if (kept) state.data = await replay(kept);
    else view.innerHTML = `<p class="card empty">${t.no_data_offline}</p>`;
  }
  render();
  showStatus();
}

// --- sending

async function sync() {
  if (state.userId == null || !isOnline()) return showStatus();
  state.sending = true;
  showStatus();
  const result = await flush(cfg.apiContacts, state.userId);
  state.sending = false;
  if (result.refused) toast(fmt(t.sent_failed, { n: result.refused }));
  if (result.reason === "login") toast(t.login_again);
  if ((result.sent || result.refused) && !result.waiting) {
    try {
      const fresh = await loadFromServer();
      if (fresh) { state.data = fresh; render(); }
    } catch { /* keep the local copy */ }
  }
  return showStatus();
}

async function record(body, customer) {
  const item = { user_id: state.userId, body: { ...body, at: new Date().toISOString() }, customer };
  // The queue is written first: if the app is closed right now, the action is still
  // there and replayed over the kept route at the next start.
  await enqueue(item);
  applyAction(state.data, item.body, customer);
  await putDay(state.data);
  await showStatus(); // "1 pending" shows until the server has it
  render();
  toast(isOnline() ? t.saved : t.saved_offline);
  await sync();
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  });
}

// One visit, one UUID: taken from the visit's contact, else fixed once per sheet or tap.
function baseBody(entry, action, visitUuid) {
  return {
    client_uuid: entry.contact ? entry.contact.client_uuid : (visitUuid || uuid()),
    action,
    customer_id: entry.customer.id,
    stop_id: entry.id,
  };
}

const busy = new Set();

async function checkIn(entry, customer) {
  const key = entryKey(entry);
  if (busy.has(key) || (entry.contact && entry.contact.check_in_at)) return; // a second tap
  busy.add(key);
  try {
    const body = baseBody(entry, "check_in");
    const fix = await position();
    if (!fix) toast(t.no_position);
    await record({ ...body, ...(fix || {}) }, customer);
  } finally {
    busy.delete(key);
  }
}

// --- sheets (dialogs) of the visit flow

function reasonButtons(container, onPick) {
  container.innerHTML = "";
  (state.data.no_sale_reasons || []).forEach((r) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "choice";
    b.textContent = r.label;
    b.addEventListener("click", () => onPick(r.key));
    container.appendChild(b);
  });
}

function openOutcome(entry) {
  const dlg = document.getElementById("sheet-outcome");
  const q = (sel) => dlg.querySelector(sel);
  q('[data-fill="customer"]').textContent = entry.customer.name;
  q('[data-fill="error"]').textContent = "";
  q("#outcome-notes").value = "";
  q("#order-value").value = "";
  dlg.querySelectorAll(".sheet-step").forEach((s) => { s.hidden = true; });
  const visitUuid = uuid();
  const finish = (outcome, extra) => {
    if (!dlg.open) return;
    dlg.close();
    const notes = q("#outcome-notes").value.trim();
    record({ ...baseBody(entry, "check_out", visitUuid), outcome, notes: notes || undefined, ...extra });
  };
  dlg.querySelectorAll("[data-outcome]").forEach((b) => {
    b.onclick = () => {
      const outcome = b.dataset.outcome;
      dlg.querySelectorAll(".sheet-step").forEach((s) => { s.hidden = s.dataset.step !== outcome; });
      if (outcome === "order") q("#order-value").focus();
      else if (outcome !== "no_sale") finish(outcome, {});
    };
  });
  reasonButtons(q('[data-fill="reasons"]'), (reason) => finish("no_sale", { reason }));
  q('[data-action="save-order"]').onclick = () => {
    const raw = q("#order-value").value.trim().replace(/\./g, "").replace(",", ".");
    if (!raw || Number.isNaN(Number(raw)) || Number(raw) < 0) {
      q('[data-fill="error"]').textContent = t.order_value_needed;
      return;
    }
    finish("order", { order_value: raw });
  };
  dlg.showModal();
}

function openSkip(entry) {
  const dlg = document.getElementById("sheet-skip");
  dlg.querySelector('[data-fill="customer"]').textContent = entry.customer.name;
  const visitUuid = uuid();
  reasonButtons(dlg.querySelector('[data-fill="reasons"]'), (reason) => {
    if (!dlg.open) return;
    dlg.close();
    record({ ...baseBody(entry, "skip", visitUuid), reason });
  });
  dlg.showModal();
}

function openUnplanned() {
  const dlg = document.getElementById("sheet-unplanned");
  const input = dlg.querySelector("#unplanned-q");
  const list = dlg.querySelector('[data-fill="results"]');
  list.innerHTML = "";
  input.value = "";
  let timer = null;
  input.oninput = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (text.length < 2) { list.innerHTML = ""; return; }
      let found = [];
      try {
        const r = await fetch(`${cfg.apiCustomers}?q=${encodeURIComponent(text)}`, { credentials: "same-origin", cache: "no-store" });
        found = r.ok ? (await r.json()).customers : [];
      } catch {
        found = [...(state.data.stops || []), ...(state.data.extra || [])].map((e) => e.customer)
          .filter((c) => c.name.toLowerCase().includes(text.toLowerCase()));
      }
      list.innerHTML = "";
      if (!found.length) list.innerHTML = `<li class="empty">${t.no_results}</li>`;
      found.forEach((c) => {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.className = "choice pick";
        b.textContent = `${c.name} · ${c.district || ""}`;
        b.addEventListener("click", () => {
          dlg.close();
          checkIn({ id: null, customer: c, contact: null }, c);
        });
        li.appendChild(b);
        list.appendChild(li);
      });
    }, 250);
  };
  dlg.showModal();
  input.focus();
}

async function replan() {
  if (!isOnline()) { toast(t.replan_offline); return; }
  const btn = document.getElementById("btn-replan");
  btn.disabled = true;
  try {
    await sync();
    const fix = await position();
    const csrf = cfg.csrf || (await getMeta("csrf"));
    const r = await fetch(cfg.apiReplan, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
      body: JSON.stringify(fix || {}),
    });
    if (!r.ok) throw new Error(`replan ${r.status}`);
    const diff = await r.json();
    const dlg = document.getElementById("sheet-replan");
    dlg.querySelector('[data-fill="diff"]').innerHTML = renderDiff(diff, t);
    const fresh = await loadFromServer();
    if (fresh) { state.data = fresh; render(); }
    dlg.showModal();
  } catch {
    toast(t.replan_failed);
  } finally {
    btn.disabled = false;
  }
}

// --- wiring

view.addEventListener("click", (event) => {
  const btn = event.target.closest("[data-act]");
  if (!btn || !state.data) return;
  const entry = findEntry(state.data, btn.dataset.key);
  if (!entry) return;
  if (btn.dataset.act === "check_in") checkIn(entry);
  else if (btn.dataset.act === "check_out") openOutcome(entry);
  else if (btn.dataset.act === "skip") openSkip(entry);
});

document.getElementById("btn-replan").addEventListener("click", replan);
document.getElementById("btn-unplanned").addEventListener("click", () => state.data && openUnplanned());
document.getElementById("btn-map").addEventListener("click", (event) => {
  const btn = event.currentTarget;
  state.mapOn = !state.mapOn;
  btn.setAttribute("aria-pressed", String(state.mapOn));
  btn.querySelector(".lbl-map").hidden = state.mapOn;
  btn.querySelector(".lbl-list").hidden = !state.mapOn;
  document.getElementById("rep-map").hidden = !state.mapOn;
  view.hidden = state.mapOn;
  render();
});

window.addEventListener("online", sync);
window.addEventListener("offline", showStatus);
// navigator.onLine can say "online" on a dead network: retry what waits, now and then.
document.addEventListener("visibilitychange", () => { if (!document.hidden) sync(); });
setInterval(() => { if (statusEl.hidden === false) sync(); }, 60000);

// Logging out forgets the route kept on this phone (the service worker does it too).
document.querySelectorAll('form[action$="/auth/logout"]').forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (form.dataset.cleared) return;
    event.preventDefault();
    const done = () => { form.dataset.cleared = "1"; form.submit(); };
    Promise.race([sync(), new Promise((r) => { setTimeout(r, 3000); })])
      .finally(() => clearRoute().then(done, done));
  });
});

if ("serviceWorker" in navigator && cfg.sw) {
  navigator.serviceWorker.register(cfg.sw, { scope: "/" }).catch(() => {});
}

load().then(sync);
