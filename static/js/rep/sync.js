// Sending queued visit actions. Every action goes to the queue first and is sent from
// there, online or offline, so both cases follow one code path. The server upserts by
// the visit's client UUID: a re-send after a lost answer changes nothing.

import { dequeue, getMeta, queued } from "./store.js";

let flushing = null;
let again = false;

// Outcome of one POST: "sent", "refused" (the server will never accept it: drop it),
// "later" (no signal, server error, expired session or token: keep it).
async function send(url, item, csrf) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf || "" },
      body: JSON.stringify(item.body),
    });
  } catch {
    return { state: "later", reason: "network" };
  }
  if (response.ok) return { state: "sent" };
  if (response.status === 401) return { state: "later", reason: "login" };
  if (response.status === 404) return { state: "refused" };
  if (response.status === 400) {
    const body = await response.json().catch(() => ({}));
    if (body && body.error && body.error.code === "invalid") return { state: "refused" };
  }
  return { state: "later", reason: "server" };
}

// Send the user's queue in order; stop at the first action that must wait. A call made
// while a flush runs joins it, and the running flush reads the queue again before it
// ends, so an action queued meanwhile is never left behind.
export function flush(url, userId) {
  if (flushing) {
    again = true;
    return flushing;
  }
  flushing = (async () => {
    const result = { sent: 0, refused: 0, waiting: 0, reason: null };
    const csrf = await getMeta("csrf");
    do {
      again = false;
      const items = await queued(userId);
      for (let i = 0; i < items.length; i += 1) {
        const outcome = await send(url, items[i], csrf);
        if (outcome.state === "later") {
          result.waiting = items.length - i;
          result.reason = outcome.reason;
          return result;
        }
        await dequeue(items[i].seq);
        result[outcome.state] += 1;
      }
    } while (again);
    return result;
  })().finally(() => { flushing = null; });
  return flushing;
}

export function isOnline() {
  return navigator.onLine !== false;
}
