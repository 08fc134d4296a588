// The rep's day on the phone. The route is drawn at once from the copy kept on the phone
// (IndexedDB) and refreshed in the background with a timeout; every visit action is queued
// first and sent by one tab at a time; tabs of the same rep share what they do through a
// BroadcastChannel; a lost session asks for a login and sends the queue afterwards.

import * as store from "./store.js";
import { flush, isOnline } from "./sync.js";
import { clockTime, fmt, plural, t, zoned } from "./i18n.js";
import { currentEntry, entryKey, esc, isOpen, renderStop, renderToday } from "./render.js";
import { confirmLogout, openOutcome, openReplan, openSkip, openUnplanned } from "./sheets.js";
import { applyAction, entries, entryFor, findEntry, labelReasons, mergeContact } from "./day.js";

const root = document.getElementById("rep-app");
const cfg = { ...root.dataset };
const view = document.getElementById("rep-view");
const statusEl = document.getElementById("rep-status");
const toastEl = document.getElementById("rep-toast");
const alertsEl = document.getElementById("rep-alerts");
const undoEl = document.getElementById("rep-undo");
const REFRESH_TIMEOUT_MS = 8000;
const state = {
  userId: cfg.userId ? Number(cfg.userId) : null,
  base: null, // the server's copy (with the visits it confirmed since)
  data: null, // base + actions still queued: what the screen shows
  leaving: false, // a logout is under way: nothing may store the route again
  needLogin: false,
  offline: false,
  sending: false,
  undo: null,
  mapOn: false,
  shown: false,
};
const channel = "BroadcastChannel" in window ? new BroadcastChannel("roteiro-rep") : null;

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
  toast.timer = setTimeout(() => { toastEl.hidden = true; }, 5000);
}

function announce() {
  if (channel && state.userId != null) channel.postMessage({ type: "changed", user: state.userId });
}

function stopIdFromPath() {
  if (cfg.stopId) return Number(cfg.stopId);
  const m = window.location.pathname.match(/\/paradas\/(\d+)/);
  return m ? Number(m[1]) : null;
}

async function recompute() {
  if (!state.base) { state.data = null; return; }
  const data = structuredClone(state.base);
  const items = state.userId != null ? await store.queued(state.userId) : [];
  items.forEach((i) => applyAction(data, i));
  labelReasons(data);
  state.data = data;
}

async function reloadFromStore() {
  if (state.userId == null) return;
  const kept = await store.getDay(state.userId);
  if (kept) state.base = kept;
  await recompute();
}

// --- rendering

// Minutes behind the plan: the open visit past its planned end, or the next stop reached
// later than planned if the rep left now.
function lateMinutes(data) {
  if (!data.plan || data.tz_offset_s == null) return 0;
  const here = zoned(data.tz_offset_s);
  if (data.date !== here.day) return 0;
  const cur = currentEntry(data);
  if (!cur || cur.id == null || cur.arrival_s == null) return 0;
  const now = here.seconds;
  const late = isOpen(cur) ? now - cur.departure_s : now + (cur.travel_s || 0) - cur.arrival_s;
  return Math.floor(late / 60);
}

function updatedText() {
  const at = state.base && state.base.fetched_at;
  if (!at) return "";
  let text = fmt(t.updated_at, { time: clockTime(new Date(at)) });
  if (state.base.date && state.base.tz_offset_s != null && state.base.date !== zoned(state.base.tz_offset_s).day) text += ` · ${fmt(t.kept_from, { date: state.base.date_label })}`;
  return state.offline ? `${text} · ${t.no_signal}` : text;
}

function render() {
  const data = state.data;
  if (!data) return;
  const stopId = stopIdFromPath();
  const openDone = Boolean(view.querySelector(".done-fold[open]"));
  if (stopId != null) {
    view.innerHTML = renderStop((data.stops || []).find((s) => s.id === stopId), cfg.home);
  } else {
    view.innerHTML = renderToday(data, { stopUrl: cfg.stopUrl, updated: updatedText(), lateMinutes: lateMinutes(data), openDone });
  }
  if (!state.shown) {
    state.shown = true;
    performance.mark("route-shown");
  }
  if (state.mapOn) import("./map.js").then((m) => m.drawRoute(data, cfg, t)).catch(() => toast(t.map_unavailable));
}

async function showStatus() {
  // Count visits, not requests: a check-in and its check-out are one pending visit.
  const items = state.userId != null ? await store.queued(state.userId) : [];
  const pending = new Set(items.map((i) => i.body.client_uuid)).size;
  const online = isOnline() && !state.offline;
  if (online && !pending) {
    statusEl.hidden = true;
  } else {
    const parts = [online ? (state.sending ? t.syncing : t.online) : t.offline];
    if (pending) parts.push(plural("pending", pending));
    statusEl.textContent = parts.join(" · ");
    statusEl.className = `rep-status${online ? "" : " is-offline"}`;
    statusEl.hidden = false;
  }
  await showAlerts();
}

async function showAlerts() {
  const refused = state.userId != null ? await store.refusedFor(state.userId) : [];
  const login = state.needLogin
    ? `<p class="rep-alert is-login" role="alert"><span>${esc(t.login_again)}</span> <a class="button primary" href="${esc(cfg.login)}?next=${encodeURIComponent(window.location.pathname)}">${esc(t.log_in)}</a></p>` : "";
  const notes = refused.map((r) => `<p class="rep-alert" role="alert"><span><strong>${esc(r.name || "")}</strong> ${esc(r.message)}</span>
    <button type="button" class="button small" data-dismiss="${r.seq}">${esc(t.ok)}</button></p>`).join("");
  alertsEl.innerHTML = login + notes;
  alertsEl.hidden = !(login || notes);
}

// --- loading: what the phone holds first, the server's copy when it comes

// Every write of the route goes through here, so a refresh that answers while a logout is
// under way cannot store the route again after the logout cleared it.
async function saveDay(day) {
  if (!state.leaving) await store.putDay(day);
}

async function keep(fresh) {
  if (state.userId !== fresh.user_id) {
    await store.switchUser(fresh.user_id, cfg.csrf);
    state.userId = fresh.user_id;
  }
  fresh.fetched_at = new Date().toISOString();
  state.base = fresh;
  await saveDay(fresh);
}

async function refresh() {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REFRESH_TIMEOUT_MS);
  const headers = { Accept: "application/json" };
  if (state.base && state.base.version && state.base.user_id === state.userId) headers["If-None-Match"] = `"${state.base.version}"`;
  try {
    const response = await fetch(cfg.apiToday, { credentials: "same-origin", cache: "no-store", headers, signal: controller.signal });
    if (response.status === 401 || response.status === 403) {
      state.needLogin = true;
    } else if (response.status === 304 && state.base) {
      state.needLogin = false;
      state.base.fetched_at = new Date().toISOString();
      await saveDay(state.base);
    } else if (response.ok) {
      state.needLogin = false;
      await keep(await response.json());
      announce();
    } else {
      throw new Error(`today: ${response.status}`);
    }
    state.offline = false;
  } catch {
    state.offline = true;
  } finally {
    clearTimeout(timer);
  }
  await recompute();
  if (state.data) render();
  else if (state.needLogin) view.innerHTML = `<p class="card empty">${esc(t.login_again)}</p>`;
  else view.innerHTML = `<p class="card empty">${esc(t.no_data_offline)}</p>`;
  await showStatus();
}

async function start() {
  if (state.userId != null) {
    await store.switchUser(state.userId, cfg.csrf);
  } else {
    const stored = await store.getMeta("user_id");
    state.userId = stored != null ? Number(stored) : null;
  }
  if (state.userId != null) await reloadFromStore();
  if (state.data) render();
  await showStatus();
  if (new URLSearchParams(window.location.search).get("logout") === "offline") toast(t.logout_offline);
  await refresh();
  await sync();
}

// --- sending

async function onResult(item, outcome) {
  if (outcome.state === "sent") {
    mergeContact(state.base, outcome.contact, item.customer);
  } else {
    const error = outcome.error;
    mergeContact(state.base, error.contact, item.customer);
    const entry = state.base ? entryFor(state.base, item.body.client_uuid, item.body.stop_id, item.body.customer_id) : null;
    const name = (item.customer && item.customer.name) || (entry && entry.customer.name) || "";
    await store.addRefused({ user_id: state.userId, body: item.body, name, message: error.message || t.refused });
  }
  if (state.base) await saveDay(state.base);
}

async function sync() {
  if (state.userId == null || !isOnline()) return showStatus();
  state.sending = true;
  await showStatus();
  const result = await flush(cfg.apiContacts, state.userId, onResult);
  const flags = `${state.needLogin}/${state.offline}`;
  state.sending = false;
  state.needLogin = result.reason === "login";
  state.offline = result.reason === "network";
  if (result.refused) {
    toast(plural("refused", result.refused));
    refresh(); // the server's copy is the truth now
  }
  if (result.sent || result.refused) announce();
  if (result.sent || result.refused || flags !== `${state.needLogin}/${state.offline}`) {
    await recompute();
    render();
  }
  return showStatus();
}

// Actions of one user are decided one at a time across tabs, on the freshest copy:
// a tab that is behind sees the visit another tab just opened, and does not open a second.
function exclusive(fn) {
  return navigator.locks ? navigator.locks.request(`roteiro-act-${state.userId}`, fn) : fn();
}

async function record(body, customer) {
  const item = { user_id: state.userId, body: { ...body, at: new Date().toISOString() }, customer };
  // The queue is written first: if the app is closed right now, the action is still
  // there and replayed over the kept route at the next start.
  await store.enqueue(item);
  state.undo = null;
  undoEl.hidden = true;
  await recompute();
  render();
  await showStatus();
  announce();
  toast(isOnline() ? t.saved : t.saved_offline);
  sync();
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

function baseBody(entry, action, visitUuid) {
  return {
    client_uuid: entry.contact ? entry.contact.client_uuid : (visitUuid || uuid()),
    action,
    customer_id: entry.customer.id,
    stop_id: entry.id,
  };
}

// Re-read the entry under the lock; `allowed(entry)` says whether the action still makes sense.
async function onFresh(key, customer, allowed, fn) {
  return exclusive(async () => {
    await reloadFromStore();
    let entry = state.data && findEntry(state.data, key);
    if (!entry && customer) {
      // A customer picked from the portfolio: his stop of today if it waits, else off the route.
      const all = state.data ? entries(state.data) : [];
      entry = all.find((e) => e.customer.id === customer.id && isOpen(e))
        || (state.data ? (state.data.stops || []).find((e) => e.customer.id === customer.id && !e.done) : null)
        || { id: null, customer, contact: null };
    }
    if (!entry) return;
    if (!allowed(entry)) {
      render();
      toast(t.changed_elsewhere);
      return;
    }
    await fn(entry);
  });
}

const busy = new Set();

async function checkIn(key, customer) {
  if (busy.has(key)) return; // a second tap
  busy.add(key);
  try {
    const fix = await position();
    if (!fix) toast(t.no_position);
    await onFresh(key, customer, (e) => !e.contact || (!e.contact.check_in_at && !e.contact.outcome), (entry) => (
      record({ ...baseBody(entry, "check_in"), ...(fix || {}) }, entry.id == null ? entry.customer : undefined)
    ));
  } finally {
    busy.delete(key);
  }
}

const STILL = {
  check_out: (e) => isOpen(e),
  no_check_in: (e) => !e.contact || (!e.contact.check_in_at && !e.contact.outcome),
  correct: (e) => Boolean(e.contact && e.contact.outcome && e.contact.outcome !== "skipped"),
};

function outcome(entry, mode) {
  const visitUuid = uuid();
  openOutcome(entry, {
    mode,
    reasons: state.data.no_sale_reasons || [],
    onDone: (result, extra) => onFresh(entryKey(entry), null, STILL[mode], (fresh) => {
      const action = mode === "correct" ? "correct" : "check_out";
      const body = { ...baseBody(fresh, action, visitUuid), outcome: result, ...extra };
      if (mode === "no_check_in") body.without_check_in = true;
      return record(body, fresh.id == null ? fresh.customer : undefined);
    }),
  });
}

function skip(entry) {
  const visitUuid = uuid();
  openSkip(entry, {
    reasons: state.data.no_sale_reasons || [],
    onPick: (reason) => onFresh(entryKey(entry), null, (e) => !e.contact, (fresh) => (
      record({ ...baseBody(fresh, "skip", visitUuid), reason })
    )),
  });
}

async function fetchJson(url, options = {}) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store", ...options });
  const body = await response.json().catch(() => ({}));
  return { response, body };
}

function unplanned() {
  const known = () => entries(state.data).map((e) => e.customer);
  openUnplanned({
    search: async (text) => {
      try {
        const { response, body } = await fetchJson(`${cfg.apiCustomers}?q=${encodeURIComponent(text)}`);
        if (response.ok) return body.customers;
      } catch { /* offline: today's customers only */ }
      return known().filter((c) => c.name.toLowerCase().includes(text.toLowerCase()));
    },
    near: async () => {
      const fix = await position();
      if (!fix) return null;
      try {
        const { response, body } = await fetchJson(`${cfg.apiCustomers}?lat=${fix.lat}&lon=${fix.lon}`);
        if (response.ok) return body.customers;
      } catch { /* offline: today's customers by distance */ }
      const d = (c) => Math.hypot(c.lat - fix.lat, (c.lon - fix.lon) * Math.cos((fix.lat * Math.PI) / 180)) * 111195;
      return known().filter((c) => c.lat != null).map((c) => ({ ...c, distance_m: Math.round(d(c)) }))
        .sort((a, b) => a.distance_m - b.distance_m).slice(0, 15);
    },
    onPick: (customer) => checkIn(`c${customer.id}`, customer),
  });
}

// --- re-plan: preview, confirm, undo until the next action

async function post(url, payload) {
  const csrf = cfg.csrf || (await store.getMeta("csrf"));
  return fetchJson(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
    body: JSON.stringify(payload),
  });
}

async function replan() {
  if (!isOnline()) { toast(t.replan_offline); return; }
  const btn = document.getElementById("btn-replan");
  btn.disabled = true;
  try {
    await sync();
    const fix = await position();
    const { response, body } = await post(cfg.apiReplanPreview, fix || {});
    if (!response.ok) { toast((body.error && body.error.message) || t.replan_failed); return; }
    openReplan(body, { onConfirm: () => confirmReplan(body.token) });
  } catch {
    toast(t.replan_failed);
  } finally {
    btn.disabled = false;
  }
}

async function confirmReplan(token) {
  try {
    const { response, body } = await post(cfg.apiReplanConfirm, { token });
    if (!response.ok) { toast((body.error && body.error.message) || t.replan_failed); await refresh(); return; }
    await refresh();
    state.undo = body.undo_token;
    undoEl.hidden = false;
  } catch {
    toast(t.replan_failed);
  }
}

async function undoReplan() {
  const token = state.undo;
  state.undo = null;
  undoEl.hidden = true;
  if (!token) return;
  try {
    const { response, body } = await post(cfg.apiReplanUndo, { token });
    toast(response.ok ? t.undone : ((body.error && body.error.message) || t.replan_failed));
  } catch {
    toast(t.replan_failed);
  }
  await refresh();
}

// --- logout: warn about what is not sent; forget the route only once the server said so

async function logOut(form) {
  let response;
  state.leaving = true;
  try {
    response = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" });
  } catch {
    state.leaving = false;
    toast(t.logout_offline);
    return;
  }
  if (response.ok && new URL(response.url).pathname.startsWith("/auth/login")) await store.clearDay();
  window.location.assign(response.ok ? response.url : cfg.login);
}

function wireLogout() {
  document.querySelectorAll('form[action$="/auth/logout"]').forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const items = state.userId != null ? await store.queued(state.userId) : [];
      const pending = new Set(items.map((i) => i.body.client_uuid)).size;
      if (!pending) { await logOut(form); return; }
      confirmLogout(plural("logout_pending", pending), {
        onSend: async () => {
          await sync();
          const left = await store.queued(state.userId);
          if (left.length) return false;
          await logOut(form);
          return true;
        },
        onLeave: () => logOut(form),
      });
    });
  });
}

// --- wiring

view.addEventListener("click", (event) => {
  const btn = event.target.closest("[data-act]");
  if (!btn || !state.data) return;
  const entry = findEntry(state.data, btn.dataset.key);
  if (!entry) return;
  const act = btn.dataset.act;
  if (act === "check_in") checkIn(btn.dataset.key);
  else if (act === "skip") skip(entry);
  else outcome(entry, act); // check_out, no_check_in, correct
});

alertsEl.addEventListener("click", async (event) => {
  const btn = event.target.closest("[data-dismiss]");
  if (!btn) return;
  await store.dismissRefused(Number(btn.dataset.dismiss));
  showAlerts();
});

document.getElementById("btn-replan").addEventListener("click", replan);
undoEl.querySelector("button").addEventListener("click", undoReplan);
document.getElementById("btn-unplanned").addEventListener("click", () => state.data && unplanned());
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

if (channel) {
  channel.onmessage = async (event) => {
    if (!event.data || Number(event.data.user) !== state.userId) return;
    await reloadFromStore();
    render();
    showStatus();
  };
}

window.addEventListener("online", sync);
window.addEventListener("offline", showStatus);
// A tab brought back to the front shows what other tabs did, then asks the server.
document.addEventListener("visibilitychange", async () => {
  if (document.hidden) return;
  await reloadFromStore();
  render();
  await refresh();
  sync();
});
// navigator.onLine can say "online" on a dead network: retry what waits, now and then.
setInterval(() => { if (statusEl.hidden === false || state.needLogin) sync(); }, 60000);
setInterval(() => { if (!document.hidden) refresh(); }, 5 * 60000);

wireLogout();
if ("serviceWorker" in navigator && cfg.sw) {
  navigator.serviceWorker.register(cfg.sw, { scope: "/" }).catch(() => {});
}

start();
