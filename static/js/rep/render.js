// HTML of the rep's screens, built from the day's JSON (formatted by the server in the
// user's language). Everything from the data goes through esc(); no inline styles (CSP).

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
}

export function fmt(template, values) {
  return String(template).replace(/%\((\w+)\)s/g, (_, k) => (k in values ? values[k] : ""));
}

// The stop the rep works on now: the open visit, else the first one not finished.
export function nextStop(data) {
  const stops = data.stops || [];
  return stops.find((s) => s.status === "in_progress")
    || stops.find((s) => !s.done && s.status === "pending") || null;
}

function flags(entry) {
  if (!entry.flags || !entry.flags.length) return "";
  return `<p class="flags">${entry.flags.map((f) => (
    `<span class="flag flag-${esc(f.css)}"><span aria-hidden="true">${esc(f.icon)}</span> ${esc(f.label)}</span>`
  )).join(" ")}</p>`;
}

function offers(entry, t) {
  if (!entry.offers || !entry.offers.length) return "";
  return `<p class="offers"><strong>${esc(t.offer)}:</strong> ${esc(entry.offers.join(", "))}</p>`;
}

function badges(entry, t) {
  const out = [];
  if (entry.appointment) out.push(`<span class="flag flag-gap"><span aria-hidden="true">📌</span> ${esc(t.appointment)}</span>`);
  else if (entry.pinned) out.push(`<span class="flag flag-gap"><span aria-hidden="true">📌</span> ${esc(t.pinned)}</span>`);
  return out.join(" ");
}

function visitState(entry, t) {
  const c = entry.contact;
  if (!c || !c.check_in_at || c.outcome) return "";
  const time = new Date(c.check_in_at).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  let html = `<p class="visit-open"><span aria-hidden="true">●</span> ${esc(fmt(t.in_visit, { time }))}</p>`;
  if (c.check_in_flagged && c.check_in_distance_m != null) {
    const km = (c.check_in_distance_m / 1000).toLocaleString(document.documentElement.lang, { maximumFractionDigits: 1 });
    html += `<p class="flag flag-collect"><span aria-hidden="true">⚠</span> ${esc(fmt(t.far_check_in, { distance: `${km} km` }))}</p>`;
  }
  return html;
}

export function entryKey(entry) {
  return entry.id != null ? `s${entry.id}` : `c${entry.contact ? entry.contact.client_uuid : entry.customer.id}`;
}

function actions(entry, t, { big }) {
  const key = esc(entryKey(entry));
  const c = entry.contact;
  const open = c && c.check_in_at && !c.outcome;
  const nav = entry.customer.nav && entry.customer.nav.google;
  const parts = [];
  if (nav && big) {
    parts.push(`<a class="button primary" href="${esc(nav)}" target="_blank" rel="noopener"><span aria-hidden="true">➤</span> ${esc(t.navigate)}</a>`);
  }
  if (open) parts.push(`<button type="button" class="button ok" data-act="check_out" data-key="${key}">${esc(t.check_out)}</button>`);
  else parts.push(`<button type="button" class="button ok" data-act="check_in" data-key="${key}">${esc(t.check_in)}</button>`);
  if (entry.id != null && !open) parts.push(`<button type="button" class="button" data-act="skip" data-key="${key}">${esc(t.skip)}</button>`);
  return `<div class="stop-actions">${parts.join("")}</div>`;
}

function statusWord(entry, t) {
  if (entry.status === "skipped" || (entry.contact && entry.contact.outcome === "skipped")) return t.status_skipped;
  if (entry.done) return t.status_done;
  return t.status_in_progress;
}

function card(entry, t, stopUrl) {
  const why = (entry.reasons || []).slice(0, 2).join(" · ");
  const travel = entry.travel ? `<span class="stop-travel">${esc(entry.travel)} ${esc(t.from_previous)}</span>` : "";
  return `<li class="stop-card" id="stop-${esc(entry.id)}">
    <a class="stop-link" href="${esc(stopUrl + entry.id)}">
      <span class="stop-line"><span class="stop-time">${esc(entry.time)}</span> <span class="stop-name">${esc(entry.customer.name)}</span></span>
      ${travel}
      ${why ? `<span class="stop-why">${esc(why)}</span>` : ""}
    </a>
    ${flags(entry)}${badges(entry, t) ? `<p class="flags">${badges(entry, t)}</p>` : ""}${offers(entry, t)}
  </li>`;
}

function doneCard(entry, t, stopUrl) {
  const href = entry.id != null ? stopUrl + entry.id : "#";
  return `<li class="stop-card is-done"><a class="stop-link" href="${esc(href)}">
    <span class="stop-line"><span class="stop-time">${esc(entry.time || "")}</span> <span class="stop-name">${esc(entry.customer.name)}</span></span>
    <span class="stop-status"><span aria-hidden="true">✓</span> ${esc(statusWord(entry, t))}</span></a></li>`;
}

function head(data, t) {
  const p = data.plan;
  if (!p) return `<section class="rep-head"><p class="rep-date">${esc(data.date_label)}</p></section>`;
  const done = (data.stops || []).filter((s) => s.done).length;
  const total = (data.stops || []).length;
  return `<section class="rep-head" aria-label="${esc(t.stops)}">
    <p class="rep-date">${esc(data.date_label)} · <strong>${done}</strong> ${esc(t.done)} · <strong>${total - done}</strong> ${esc(t.remaining)}</p>
    <progress class="rep-progress" max="${total || 1}" value="${done}" aria-label="${done}/${total}">${done}/${total}</progress>
    <p class="rep-totals"><span>${total} ${esc(t.stops)}</span> · <span>${esc(p.km)}</span> · <span>${esc(p.hours)}</span> <span class="muted">(${esc(p.start)}–${esc(p.end)})</span></p>
  </section>`;
}

function nextCard(entry, t, stopUrl) {
  const reasons = (entry.reasons || []).slice(0, 2);
  const time = entry.time ? ` · ${esc(entry.time)}` : "";
  return `<section class="card next-stop" aria-labelledby="next-h">
    <h2 id="next-h" class="next-label">${esc(t.next_stop)}${time}</h2>
    <p class="next-name"><a href="${esc(stopUrl + entry.id)}">${esc(entry.customer.name)}</a></p>
    <p class="next-where">${esc(entry.customer.address || "")}${entry.travel ? ` · ${esc(entry.travel)}` : ""}</p>
    ${reasons.length ? `<ul class="reasons" aria-label="${esc(t.why_today)}">${reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>` : ""}
    ${flags(entry)}${badges(entry, t) ? `<p class="flags">${badges(entry, t)}</p>` : ""}${offers(entry, t)}
    ${visitState(entry, t)}
    ${actions(entry, t, { big: true })}
  </section>`;
}

function extras(data, t) {
  const list = data.extra || [];
  if (!list.length) return "";
  return `<section class="extra" aria-labelledby="extra-h"><h2 id="extra-h">${esc(t.unplanned)}</h2>
    <ul class="stop-list">${list.map((e) => `<li class="stop-card${e.done ? " is-done" : ""}">
      <p class="stop-line"><span class="stop-name">${esc(e.customer.name)}</span></p>
      ${e.done ? `<p class="stop-status"><span aria-hidden="true">✓</span> ${esc(statusWord(e, t))}</p>` : visitState(e, t) + actions(e, t, { big: false })}
    </li>`).join("")}</ul></section>`;
}

export function renderToday(data, t, stopUrl) {
  if (!data.plan && !(data.extra || []).length) {
    return `${head(data, t)}<p class="card empty">${esc(t.no_plan)}</p>`;
  }
  const next = nextStop(data);
  const rest = (data.stops || []).filter((s) => !s.done && s !== next);
  const done = (data.stops || []).filter((s) => s.done);
  let html = head(data, t);
  html += next ? nextCard(next, t, stopUrl) : (data.plan ? `<p class="card all-done">${esc(t.all_done)}</p>` : "");
  if (rest.length) {
    const lunch = data.lunch;
    const items = rest.map((s) => card(s, t, stopUrl));
    const at = lunch ? rest.findIndex((s) => s.seq > lunch.seq) : -1;
    if (lunch && (at > 0 || (at === 0 && next && next.seq < lunch.seq))) {
      items.splice(at, 0, `<li class="lunch-break"><span aria-hidden="true">☕</span> ${esc(fmt(t.lunch, lunch))}</li>`);
    }
    html += `<ol class="stop-list" aria-label="${esc(t.remaining)}">${items.join("")}</ol>`;
  }
  html += extras(data, t);
  if (done.length) {
    html += `<details class="done-fold"><summary>${esc(fmt(t.done_stops, { n: done.length }))}</summary>
      <ol class="stop-list">${done.map((s) => doneCard(s, t, stopUrl)).join("")}</ol></details>`;
  }
  return html;
}

function hours(rows, t) {
  return `<table class="table hours"><caption class="visually-hidden">${esc(t.hours)}</caption><tbody>${rows.map(([d, span]) => (
    `<tr><th scope="row">${esc(d)}</th><td>${span ? esc(span) : `<span class="muted">${esc(t.closed)}</span>`}</td></tr>`
  )).join("")}</tbody></table>`;
}

function factsHtml(f, t) {
  const orders = f.orders.length
    ? `<ul class="history">${f.orders.map((o) => `<li><strong>${esc(o.date)}</strong> · ${esc(o.total)}<br><span class="muted">${esc(o.categories.join(", "))}</span></li>`).join("")}</ul>`
    : `<p class="empty">${esc(t.no_orders)}</p>`;
  const recs = f.receivables.length
    ? `<p>${esc(fmt(t.open_total, { amount: f.open_total }))}${f.overdue_total ? ` · <span class="flag flag-collect"><span aria-hidden="true">⚠</span> ${esc(fmt(t.overdue_total, { amount: f.overdue_total }))}</span>` : ""}</p>
       <ul class="history">${f.receivables.map((r) => `<li>${esc(r.due)} · ${esc(r.amount)}${r.overdue ? ` · <strong class="bad">${esc(t.overdue)}</strong>` : ""}</li>`).join("")}</ul>
       ${f.receivables_more ? `<p class="muted">${esc(fmt(t.more, { n: f.receivables_more }))}</p>` : ""}`
    : `<p class="empty">${esc(t.no_receivables)}</p>`;
  const notes = f.notes.length
    ? `<ul class="history">${f.notes.map((n) => `<li><strong>${esc(n.date)}</strong> · ${esc(n.text)}</li>`).join("")}</ul>`
    : `<p class="empty">${esc(t.no_notes)}</p>`;
  return `<section class="card"><h2>${esc(t.last_orders)}</h2>${orders}</section>
    <section class="card"><h2>${esc(t.receivables)}</h2>${recs}</section>
    <section class="card"><h2>${esc(t.notes_history)}</h2>${notes}</section>`;
}

export function renderStop(entry, t, home) {
  if (!entry) return `<p class="card empty">${esc(t.stop_not_found)}</p><p><a class="button block" href="${esc(home)}">${esc(t.back)}</a></p>`;
  const c = entry.customer;
  const links = [];
  if (c.nav.google) links.push(`<a class="button primary" href="${esc(c.nav.google)}" target="_blank" rel="noopener">➤ ${esc(t.google_maps)}</a>`);
  if (c.nav.waze) links.push(`<a class="button" href="${esc(c.nav.waze)}" target="_blank" rel="noopener">➤ ${esc(t.waze)}</a>`);
  if (c.tel) links.push(`<a class="button" href="${esc(c.tel)}"><span aria-hidden="true">☎</span> ${esc(t.call)}</a>`);
  if (c.whatsapp) links.push(`<a class="button" href="${esc(c.whatsapp)}" target="_blank" rel="noopener"><span aria-hidden="true">💬</span> ${esc(t.whatsapp)}</a>`);
  const reasons = entry.reasons || [];
  const finished = entry.done
    ? `<p class="stop-status"><span aria-hidden="true">✓</span> ${esc(statusWord(entry, t))}</p>` : "";
  return `<p><a class="back-link" href="${esc(home)}">← ${esc(t.back)}</a></p>
    <section class="card next-stop" aria-labelledby="stop-h">
      <h1 id="stop-h" class="next-name">${esc(c.name)}</h1>
      <p class="muted">${esc(entry.time || "")}${entry.travel ? ` · ${esc(entry.travel)}` : ""} · ${esc(c.code)} · ${esc(c.segment)}</p>
      ${flags(entry)}${badges(entry, t) ? `<p class="flags">${badges(entry, t)}</p>` : ""}
      ${reasons.length ? `<h2 class="sub">${esc(t.why_today)}</h2><ul class="reasons">${reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>` : ""}
      ${offers(entry, t)}
      ${visitState(entry, t)}${finished}
      ${entry.done ? "" : actions(entry, t, { big: false })}
    </section>
    <section class="card"><h2>${esc(t.address)}</h2><p>${esc(c.address)}</p>
      ${c.phone ? `<p>${esc(c.phone)}</p>` : ""}
      <div class="link-grid">${links.join("")}</div></section>
    <section class="card"><h2>${esc(t.hours)}</h2>${hours(c.hours, t)}</section>
    ${factsHtml(entry.facts, t)}`;
}

export function renderDiff(diff, t) {
  if (!diff.changed && !diff.pinned.length) return `<p>${esc(t.replan_none)}</p>`;
  const block = (title, items, line) => (items.length
    ? `<h3>${esc(title)}</h3><ul class="history">${items.map((i) => `<li>${line(i)}</li>`).join("")}</ul>` : "");
  return `${block(t.moved, diff.moved, (m) => `<strong>${esc(m.name)}</strong> · ${esc(fmt(t.position, { from: m.from, to: m.to }))}${m.time ? ` · ${esc(m.time)}` : ""}`)}
    ${block(t.dropped, diff.dropped, (d) => `<strong>${esc(d.name)}</strong> · ${esc(d.reason)}`)}
    ${block(t.added, diff.added, (a) => `<strong>${esc(a.name)}</strong>${a.time ? ` · ${esc(a.time)}` : ""}`)}
    ${block(t.pinned, diff.pinned, (p) => `<strong>📌 ${esc(p.name)}</strong>${p.time ? ` · ${esc(p.time)}` : ""}`)}
    <p class="muted">${esc(fmt(t.kept, { n: diff.kept }))}</p>`;
}
