// HTML of the rep's screens, built from the day's JSON (formatted by the server in the
// user's language) and the actions still queued on the phone. Everything from the data
// goes through esc(); no inline styles or scripts (CSP); icons are SVG beside a word.

import { FLAG_ICONS, icon } from "./icons.js";
import { clockTime, decimal, fmt, lang, plural, t } from "./i18n.js";
import { formatMoney } from "./money.js";

// The header says the rep is late from this many minutes behind the plan.
const LATE_MINUTES = 10;

export function minutesText(minutes) {
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}`;
}

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
}

export function entryKey(entry) {
  return entry.id != null ? `s${entry.id}` : `c${entry.contact ? entry.contact.client_uuid : entry.customer.id}`;
}

export function isOpen(entry) {
  const c = entry.contact;
  return Boolean(c && c.check_in_at && !c.outcome);
}

// The visit under way (planned or not) comes first; else the first stop not finished.
export function currentEntry(data) {
  const all = [...(data.stops || []), ...(data.extra || [])];
  return all.find(isOpen)
    || (data.stops || []).find((s) => !s.done && s.status === "pending") || null;
}

function flags(entry) {
  if (!entry.flags || !entry.flags.length) return "";
  return `<p class="flags">${entry.flags.map((f) => (
    `<span class="flag flag-${esc(f.css)}">${icon(FLAG_ICONS[f.css])} ${esc(f.label)}</span>`
  )).join(" ")}</p>`;
}

function badges(entry) {
  if (entry.appointment) return `<p class="flags"><span class="flag flag-gap">${icon("pin")} ${esc(t.appointment)}</span></p>`;
  if (entry.pinned) return `<p class="flags"><span class="flag flag-gap">${icon("pin")} ${esc(t.pinned)}</span></p>`;
  return "";
}

// The customer's regular day in the visit calendar ("terça, semanas 1 e 3"), worded by the
// server; absent when the customer has no slot (score mode, or not computed yet).
function regularDay(entry) {
  const day = entry.customer.regular_day;
  if (!day) return "";
  return `<p class="stop-regular" data-regular-day>${icon("calendar")} ${esc(fmt(t.regular_day, { day }))}</p>`;
}

function offers(entry) {
  if (!entry.offers || !entry.offers.length) return "";
  return `<p class="offers"><strong>${esc(t.offer)}:</strong> ${esc(entry.offers.join(", "))}</p>`;
}

// What the rep must keep in mind at the door: the standing note, money owed, credit left.
// Compact cards name the credit only when there is none left ("credit blocked").
function mindful(entry, full = true) {
  const c = entry.customer;
  const f = entry.facts || {};
  const out = [];
  if (c.notes) out.push(`<p class="standing-note">${icon("note")} <span><strong>${esc(t.standing_note)}:</strong> ${esc(c.notes)}</span></p>`);
  if (f.overdue_total) out.push(`<p class="money-line bad">${icon("alert")} ${esc(fmt(t.overdue_total, { amount: f.overdue_total }))}</p>`);
  if (f.credit && (full || f.credit.blocked)) {
    const words = f.credit.blocked ? t.credit_none : fmt(t.credit_available, { amount: f.credit.available });
    out.push(`<p class="money-line${f.credit.blocked ? " bad" : ""}">${icon(f.credit.blocked ? "block" : "money")} ${esc(words)}</p>`);
  }
  return out.join("");
}

function timeOf(iso) {
  return clockTime(new Date(iso));
}

function visitState(entry) {
  const c = entry.contact;
  if (!isOpen(entry)) return "";
  let html = `<p class="visit-open">${icon("clock")} ${esc(fmt(t.in_visit, { time: timeOf(c.check_in_at) }))}</p>`;
  if (c.check_in_flagged && c.check_in_distance_m != null) {
    const km = decimal(c.check_in_distance_m / 1000);
    html += `<p class="flag flag-collect">${icon("alert")} ${esc(fmt(t.far_check_in, { distance: `${km} km` }))}</p>`;
  }
  return html;
}

export function outcomeText(contact) {
  if (!contact || !contact.outcome) return "";
  const word = t[`outcome_${contact.outcome}`] || contact.outcome;
  const parts = [word];
  if (contact.outcome === "order" && contact.order_value != null) parts.push(formatMoney(contact.order_value, lang));
  if (contact.reason_label) parts.push(contact.reason_label);
  return parts.join(" · ");
}

function button(act, key, label, cls = "button", ico = null) {
  return `<button type="button" class="${cls}" data-act="${act}" data-key="${esc(key)}">${ico ? icon(ico) : ""}${esc(label)}</button>`;
}

function actions(entry, { big }) {
  const key = entryKey(entry);
  const nav = entry.customer.nav && entry.customer.nav.google;
  const parts = [];
  if (nav && big) parts.push(`<a class="button primary" href="${esc(nav)}" target="_blank" rel="noopener">${icon("nav")}${esc(t.navigate)}</a>`);
  if (isOpen(entry)) {
    parts.push(button("check_out", key, t.check_out, "button ok", "check"));
  } else {
    parts.push(button("check_in", key, t.check_in, "button ok", "user"));
    if (entry.id != null) parts.push(button("skip", key, t.skip, "button", "skip"));
    parts.push(button("no_check_in", key, t.without_check_in, "button", "note"));
  }
  return `<div class="stop-actions">${parts.join("")}</div>`;
}

function finishedLine(entry) {
  const c = entry.contact;
  const skipped = entry.status === "skipped" || (c && c.outcome === "skipped");
  const label = skipped ? t.status_skipped : t.status_done;
  const detail = outcomeText(c);
  const flagsHtml = c && c.no_check_in ? ` <span class="flag flag-collect">${icon("alert")} ${esc(t.recorded_without_check_in)}</span>` : "";
  return `<span class="stop-status">${icon(skipped ? "skip" : "check")} ${esc(label)}${detail && !skipped ? ` · ${esc(detail)}` : ""}</span>${flagsHtml}`;
}

function canCorrect(entry) {
  const c = entry.contact;
  return Boolean(c && c.outcome && c.outcome !== "skipped");
}

function card(entry, stopUrl) {
  const why = (entry.reasons || []).slice(0, 2).join(" · ");
  const travel = entry.travel ? `<span class="stop-travel">${esc(entry.travel)} ${esc(t.from_previous)}</span>` : "";
  return `<li class="stop-card" id="stop-${esc(entry.id)}">
    <a class="stop-link" href="${esc(stopUrl + entry.id)}">
      <span class="stop-line"><span class="stop-time">${esc(entry.time)}</span> <span class="stop-name">${esc(entry.customer.name)}</span></span>
      ${travel}
      ${why ? `<span class="stop-why">${esc(why)}</span>` : ""}
    </a>
    ${regularDay(entry)}${flags(entry)}${badges(entry)}${mindful(entry, false)}${offers(entry)}
  </li>`;
}

function doneCard(entry, stopUrl) {
  const href = entry.id != null ? stopUrl + entry.id : null;
  const name = `<span class="stop-line"><span class="stop-time">${esc(entry.time || "")}</span> <span class="stop-name">${esc(entry.customer.name)}</span></span>`;
  const fix = canCorrect(entry) ? button("correct", entryKey(entry), t.correct, "button small", "edit") : "";
  return `<li class="stop-card is-done">${href ? `<a class="stop-link" href="${esc(href)}">${name}</a>` : `<p class="stop-line">${name}</p>`}
    <p class="done-line">${finishedLine(entry)}</p>${fix}</li>`;
}

function summary(data) {
  const all = [...(data.stops || []), ...(data.extra || [])].map((e) => e.contact).filter((c) => c && c.outcome);
  const visits = all.filter((c) => c.outcome !== "skipped");
  const orders = visits.filter((c) => c.outcome === "order");
  const sold = orders.reduce((sum, c) => sum + Number(c.order_value || 0), 0);
  return `<p class="rep-summary"><span>${esc(plural("visits", visits.length))}</span> · <span>${esc(plural("orders", orders.length))}</span> · <span>${esc(fmt(t.sold, { amount: formatMoney(sold, lang) }))}</span></p>`;
}

function head(data, ctx) {
  const p = data.plan;
  const updated = ctx.updated ? `<p class="rep-updated">${icon("wifi", 14)} ${esc(ctx.updated)}</p>` : "";
  const late = ctx.lateMinutes >= LATE_MINUTES
    ? `<p class="rep-late" role="status">${icon("clock")} ${esc(fmt(t.late, { time: minutesText(ctx.lateMinutes) }))}</p>` : "";
  if (!p) return `<section class="rep-head"><p class="rep-date">${esc(data.date_label)}</p>${updated}${summary(data)}</section>`;
  const stops = data.stops || [];
  const done = stops.filter((s) => s.done).length;
  const total = stops.length;
  return `<section class="rep-head" aria-label="${esc(t.day_summary)}">
    <p class="rep-date">${esc(data.date_label)} · <strong>${esc(plural("done", done))}</strong> · <strong>${esc(plural("remaining", total - done))}</strong></p>
    <progress class="rep-progress" max="${total || 1}" value="${done}" aria-label="${done}/${total}">${done}/${total}</progress>
    <p class="rep-totals"><span>${esc(plural("stops", total))}</span> · <span>${esc(p.km)}</span> · <span>${esc(p.hours)}</span> <span class="muted">(${esc(p.start)}–${esc(p.end)})</span></p>
    ${summary(data)}${late}${updated}
  </section>`;
}

function currentCard(entry, stopUrl) {
  const reasons = (entry.reasons || []).slice(0, 2);
  const open = isOpen(entry);
  const label = open ? t.status_in_progress : t.next_stop;
  const time = entry.time && !open ? ` · ${esc(entry.time)}` : "";
  const name = entry.id != null ? `<a href="${esc(stopUrl + entry.id)}">${esc(entry.customer.name)}</a>` : esc(entry.customer.name);
  return `<section class="card next-stop${open ? " is-open" : ""}" aria-labelledby="next-h">
    <h2 id="next-h" class="next-label">${esc(label)}${time}</h2>
    <p class="next-name">${name}</p>
    <p class="next-where">${esc(entry.customer.address || "")}${entry.travel && !open ? ` · ${esc(entry.travel)}` : ""}</p>
    ${regularDay(entry)}
    ${reasons.length ? `<ul class="reasons" aria-label="${esc(t.why_today)}">${reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>` : ""}
    ${flags(entry)}${badges(entry)}${mindful(entry)}${offers(entry)}
    ${visitState(entry)}
    ${actions(entry, { big: true })}
  </section>`;
}

function lunchItem(lunch) {
  return `<li class="lunch-break">${icon("lunch")} ${esc(fmt(t.lunch, lunch))}</li>`;
}

function restList(rest, lunch, current, stopUrl) {
  const items = rest.map((s) => card(s, stopUrl));
  const at = lunch ? rest.findIndex((s) => s.seq > lunch.seq) : -1;
  if (lunch && (at > 0 || (at === 0 && current && current.seq != null && current.seq < lunch.seq))) {
    items.splice(at, 0, lunchItem(lunch));
  }
  return `<ol class="stop-list" aria-label="${esc(t.remaining_stops)}">${items.join("")}</ol>`;
}

function bookedList(booked) {
  if (!booked.length) return "";
  const items = booked.map((b) => `<li class="stop-card" data-booked><p class="stop-line"><span class="stop-time">${esc(b.window)}</span> <span class="stop-name">${esc(b.name)}</span></p>${b.note ? `<p class="stop-why">${esc(b.note)}</p>` : ""}</li>`);
  return `<section class="extra booked" aria-labelledby="booked-h"><h2 id="booked-h">${esc(t.booked_visits)}</h2>
    <p class="muted">${esc(t.booked_replan)}</p><ul class="stop-list">${items.join("")}</ul></section>`;
}

export function renderToday(data, ctx) {
  const extra = data.extra || [];
  if (!data.plan && !extra.length) {
    const why = data.why_no_plan ? data.why_no_plan.message : t.no_plan;
    return `${head(data, ctx)}<p class="card empty no-plan">${esc(why)}</p>`;
  }
  const current = currentEntry(data);
  const stops = data.stops || [];
  const rest = stops.filter((s) => !s.done && s !== current);
  const doneEntries = [...stops.filter((s) => s.done), ...extra.filter((e) => e.done)];
  let html = head(data, ctx);
  if (current) html += currentCard(current, ctx.stopUrl);
  else if (data.plan) html += `<p class="card all-done">${icon("check")} ${esc(t.all_done)}</p>`;
  if (rest.length) html += restList(rest, data.lunch, current, ctx.stopUrl);
  html += bookedList(data.booked || []);
  const waiting = extra.filter((e) => !e.done && e !== current);
  if (waiting.length) {
    html += `<section class="extra" aria-labelledby="extra-h"><h2 id="extra-h">${esc(t.unplanned)}</h2>
      <ul class="stop-list">${waiting.map((e) => `<li class="stop-card"><p class="stop-line"><span class="stop-name">${esc(e.customer.name)}</span></p>${actions(e, { big: false })}</li>`).join("")}</ul></section>`;
  }
  if (doneEntries.length) {
    html += `<details class="done-fold"${ctx.openDone ? " open" : ""}><summary>${esc(plural("done_stops", doneEntries.length))}</summary>
      <ol class="stop-list">${doneEntries.map((s) => doneCard(s, ctx.stopUrl)).join("")}</ol></details>`;
  }
  return html;
}

function hours(rows) {
  return `<table class="table hours"><caption class="visually-hidden">${esc(t.hours)}</caption><tbody>${rows.map(([d, span]) => (
    `<tr><th scope="row">${esc(d)}</th><td>${span ? esc(span) : `<span class="muted">${esc(t.closed)}</span>`}</td></tr>`
  )).join("")}</tbody></table>`;
}

function factsHtml(f) {
  const orders = f.orders.length
    ? `<ul class="history">${f.orders.map((o) => `<li><strong>${esc(o.date)}</strong> · ${esc(o.total)}<br><span class="muted">${esc(o.categories.join(", "))}</span></li>`).join("")}</ul>`
    : `<p class="empty">${esc(t.no_orders)}</p>`;
  const recs = f.receivables.length
    ? `<p>${esc(fmt(t.open_total, { amount: f.open_total }))}${f.overdue_total ? ` · <span class="flag flag-collect">${icon("alert")} ${esc(fmt(t.overdue_total, { amount: f.overdue_total }))}</span>` : ""}</p>
       <ul class="history">${f.receivables.map((r) => `<li>${esc(r.due)} · ${esc(r.amount)}${r.overdue ? ` · <strong class="bad">${esc(t.overdue)}</strong>` : ""}</li>`).join("")}</ul>
       ${f.receivables_more ? `<p class="muted">${esc(plural("more", f.receivables_more))}</p>` : ""}`
    : `<p class="empty">${esc(t.no_receivables)}</p>`;
  const notes = f.notes.length
    ? `<ul class="history">${f.notes.map((n) => `<li><strong>${esc(n.date)}</strong> · ${esc(n.text)}</li>`).join("")}</ul>`
    : `<p class="empty">${esc(t.no_notes)}</p>`;
  return `<section class="card"><h2>${esc(t.last_orders)}</h2>${orders}</section>
    <section class="card"><h2>${esc(t.receivables)}</h2>${recs}</section>
    <section class="card"><h2>${esc(t.notes_history)}</h2>${notes}</section>`;
}

export function renderStop(entry, home) {
  if (!entry) return `<p class="card empty">${esc(t.stop_not_found)}</p><p><a class="button block" href="${esc(home)}">${esc(t.back)}</a></p>`;
  const c = entry.customer;
  const links = [];
  if (c.nav.google) links.push(`<a class="button primary" href="${esc(c.nav.google)}" target="_blank" rel="noopener">${icon("nav")}${esc(t.google_maps)}</a>`);
  if (c.nav.waze) links.push(`<a class="button" href="${esc(c.nav.waze)}" target="_blank" rel="noopener">${icon("nav")}${esc(t.waze)}</a>`);
  if (c.tel) links.push(`<a class="button" href="${esc(c.tel)}">${icon("phone")}${esc(t.call)}</a>`);
  if (c.whatsapp) links.push(`<a class="button" href="${esc(c.whatsapp)}" target="_blank" rel="noopener">${icon("chat")}${esc(t.whatsapp)}</a>`);
  const reasons = entry.reasons || [];
  const finished = entry.done ? `<p class="done-line">${finishedLine(entry)}</p>${canCorrect(entry) ? button("correct", entryKey(entry), t.correct, "button", "edit") : ""}` : "";
  return `<p><a class="back-link" href="${esc(home)}">${esc(t.back)}</a></p>
    <section class="card next-stop" aria-labelledby="stop-h">
      <h1 id="stop-h" class="next-name">${esc(c.name)}</h1>
      <p class="muted">${esc(entry.time || "")}${entry.travel ? ` · ${esc(entry.travel)}` : ""} · ${esc(c.code)} · ${esc(c.segment)}</p>
      ${regularDay(entry)}${flags(entry)}${badges(entry)}${mindful(entry)}
      ${reasons.length ? `<h2 class="sub">${esc(t.why_today)}</h2><ul class="reasons">${reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>` : ""}
      ${offers(entry)}
      ${visitState(entry)}${finished}
      ${entry.done ? "" : actions(entry, { big: false })}
    </section>
    <section class="card"><h2>${esc(t.address)}</h2><p>${esc(c.address)}</p>
      ${c.phone ? `<p>${esc(c.phone)}</p>` : ""}
      <div class="link-grid">${links.join("")}</div></section>
    <section class="card"><h2>${esc(t.hours)}</h2>${hours(c.hours)}</section>
    ${factsHtml(entry.facts)}`;
}

const CHANGE_WORDS = { added: "change_added", moved: "change_moved" };

export function renderPreview(p) {
  const rows = p.stops.map((s) => {
    if (s.lunch) return `<li class="lunch-break">${icon("lunch")} ${esc(fmt(t.lunch, { start: s.time, end: s.end }))}</li>`;
    const change = CHANGE_WORDS[s.change] ? ` <span class="flag flag-new">${esc(t[CHANGE_WORDS[s.change]])}</span>` : "";
    const pin = s.appointment || s.pinned ? ` <span class="flag flag-gap">${icon("pin")} ${esc(s.appointment ? t.appointment : t.pinned)}</span>` : "";
    return `<li class="preview-stop"><span class="stop-time">${esc(s.time)}</span> <span class="stop-name">${esc(s.name)}</span>${change}${pin}</li>`;
  });
  const dropped = p.dropped.length
    ? `<h3>${esc(t.dropped)}</h3><ul class="history">${p.dropped.map((d) => `<li><strong>${esc(d.name)}</strong> · ${esc(d.reason)}</li>`).join("")}</ul>` : "";
  return `<p class="preview-summary"><strong>${esc(p.summary)}</strong></p>
    <p class="muted">${esc(p.visits_label)} · ${esc(fmt(t.ends_at, { time: p.end }))} · ${esc(p.km)}</p>
    <ol class="preview-list">${rows.join("")}</ol>${dropped}`;
}

export function renderPicks(customers) {
  if (!customers.length) return `<li class="empty">${esc(t.no_results)}</li>`;
  return customers.map((c, i) => {
    const far = c.distance_m != null ? ` · ${c.distance_m < 1000 ? `${c.distance_m} m` : `${decimal(c.distance_m / 1000)} km`}` : "";
    return `<li><button type="button" class="choice pick" data-pick="${i}">${esc(c.name)}${c.district ? ` · ${esc(c.district)}` : ""}${esc(far)}</button></li>`;
  }).join("");
}
