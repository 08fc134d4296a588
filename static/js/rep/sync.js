// Sending queued visit actions. Every action goes to the queue first and is sent from
// there, online or offline, so both cases follow one code path. The server upserts by the
// visit's client UUID: a re-send after a lost answer changes nothing.
//
// One sender per user on this phone: tabs (and the installed app beside a browser tab)
// take the same Web Lock, so two of them never post the same queue at once; the lock's
// holder reads the queue again before letting go, so an action another tab queued
// meanwhile is sent too.

import { dequeue, getMeta, queued } from "./store.js";

// Outcome of one POST: "sent"; "refused" (the server will never accept it as it is: it
// leaves the queue and the rep is told why); "later" (no signal, a server error, or a
// session or token that expired: it stays queued and the reason is shown).
async function send(url, item, csrf) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
      // sent_at lets the server correct a phone clock that is off.
      body: JSON.stringify({ ...item.body, sent_at: new Date().toISOString() }),
    });
  } catch {
    return { state: "later", reason: "network" };
  }
  const body = await response.json().catch(() => ({}));
  const error = (body && body.error) || {};
  if (response.ok) return { state: "sent", contact: body.contact };
  if (response.status === 401 || response.status === 403) return { state: "later", reason: "login" };
  if (response.status === 400 && error.code === "csrf") return { state: "later", reason: "login" };
  if ([400, 404, 409, 413, 422].includes(response.status) && (error.code || response.status === 404)) {
    return { state: "refused", error: { code: error.code || "not_found", message: error.message || "", contact: error.contact || null } };
  }
  return { state: "later", reason: "server" };
}

async function sendAll(url, userId, onResult) {
  const result = { sent: 0, refused: 0, waiting: 0, reason: null };
  const csrf = await getMeta("csrf");
  for (;;) {
    const items = await queued(userId);
    if (!items.length) return result;
    for (let i = 0; i < items.length; i += 1) {
      const outcome = await send(url, items[i], csrf);
      if (outcome.state === "later") {
        result.waiting = items.length - i;
        result.reason = outcome.reason;
        return result;
      }
      await onResult(items[i], outcome);
      await dequeue(items[i].seq);
      result[outcome.state] += 1;
    }
  }
}

let running = null;

// Send the user's queue in order, stopping at the first action that must wait.
// onResult(item, outcome) runs for each sent or refused action, before it leaves the queue.
export function flush(url, userId, onResult) {
  if (running) return running;
  const work = () => sendAll(url, userId, onResult);
  const locked = navigator.locks
    ? navigator.locks.request(`roteiro-send-${userId}`, work)
    : work();
  running = locked.finally(() => { running = null; });
  return running;
}

export function isOnline() {
  return navigator.onLine !== false;
}
