// The day as the screen shows it: the server's copy of today (as last sent, with the visits
// it confirmed since) and every action still queued on the phone replayed over it. Pure
// functions over the day's JSON, shared by every tab.

import { entryKey, isOpen } from "./render.js";

export function entries(data) {
  return [...(data.stops || []), ...(data.extra || [])];
}

export function findEntry(data, key) {
  return entries(data).find((e) => entryKey(e) === key) || null;
}

export function entryFor(data, uuidOf, stopId, customerId) {
  const all = entries(data);
  return all.find((e) => e.contact && e.contact.client_uuid === uuidOf)
    || (stopId != null ? all.find((e) => e.id === stopId) : null)
    || (data.stops || []).find((e) => e.customer.id === customerId && !e.done && !isOpen(e))
    || null;
}

function newExtra(data, customer) {
  const entry = { id: null, customer, reasons: [], offers: [], flags: [], done: false, contact: null,
    facts: { orders: [], receivables: [], notes: [] } };
  data.extra = [...(data.extra || []), entry];
  return entry;
}

function settle(entry) {
  const outcome = entry.contact && entry.contact.outcome;
  entry.done = Boolean(outcome);
  if (entry.id == null) return;
  if (outcome === "skipped") entry.status = "skipped";
  else if (outcome) entry.status = "done";
  else if (entry.contact && entry.contact.check_in_at) entry.status = "in_progress";
}

export function applyAction(data, item) {
  const body = item.body;
  let entry = entryFor(data, body.client_uuid, body.stop_id, body.customer_id);
  if (!entry) {
    if (!item.customer) return;
    entry = newExtra(data, item.customer);
  }
  const c = { ...(entry.contact || { client_uuid: body.client_uuid, outcome: null }) };
  if (body.action === "check_in") {
    c.check_in_at = c.check_in_at || body.at;
  } else if (body.action === "skip") {
    c.outcome = c.outcome || "skipped";
    c.reason = c.reason || body.reason;
  } else if (body.action === "check_out" && !c.outcome) {
    Object.assign(c, { outcome: body.outcome, order_value: body.order_value ?? null, reason: body.reason ?? null,
      check_out_at: body.at, no_check_in: !c.check_in_at });
  } else if (body.action === "correct" && c.outcome && c.outcome !== "skipped") {
    Object.assign(c, { outcome: body.outcome, order_value: body.order_value ?? null, reason: body.reason ?? null });
  }
  entry.contact = c;
  settle(entry);
}

// A contact the server stands by (sent, or answered with a refusal) goes into the copy.
export function mergeContact(base, contact, customer) {
  if (!base || !contact) return;
  let entry = entries(base).find((e) => e.contact && e.contact.client_uuid === contact.client_uuid)
    || (contact.stop_id != null ? (base.stops || []).find((e) => e.id === contact.stop_id) : null);
  if (!entry) {
    const known = customer || entries(base).map((e) => e.customer).find((c) => c.id === contact.customer_id);
    if (!known) return;
    entry = newExtra(base, known);
  }
  entry.contact = contact;
  settle(entry);
}

export function labelReasons(data) {
  const labels = Object.fromEntries((data.no_sale_reasons || []).map((r) => [r.key, r.label]));
  entries(data).forEach((e) => { if (e.contact && e.contact.reason) e.contact.reason_label = labels[e.contact.reason] || e.contact.reason; });
}
