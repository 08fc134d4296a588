// The bottom sheets (dialogs) of the rep's day: outcome (check-out, correction, a visit
// without check-in), skip, unplanned visit, re-plan preview and logout. They collect what
// the rep chooses and hand it to the callbacks; recording is the caller's job.
//
// The outcome sheet opens on its choices: the first focusable element is a choice
// button, so no keyboard covers them; the keyboard comes when the rep taps a field.

import { fmt, lang, t } from "./i18n.js";
import { formatMoney, parseMoney } from "./money.js";
import { renderPicks, renderPreview } from "./render.js";

const $ = (id) => document.getElementById(id);

function reasonButtons(container, reasons, onPick) {
  container.innerHTML = "";
  reasons.forEach((r) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "choice";
    b.textContent = r.label;
    b.addEventListener("click", () => onPick(r.key));
    container.appendChild(b);
  });
}

const TITLES = { check_out: "outcome_title", correct: "correct_title", no_check_in: "no_check_in_title" };

// onDone(outcome, extra) with extra = {order_value?, reason?, notes?}
export function openOutcome(entry, { mode, reasons, onDone }) {
  const dlg = $("sheet-outcome");
  const q = (sel) => dlg.querySelector(sel);
  const valueInput = q("#order-value");
  const understood = q('[data-fill="understood"]');
  const save = q('[data-action="save-order"]');
  q("#outcome-h").textContent = t[TITLES[mode]];
  q('[data-fill="customer"]').textContent = entry.customer.name;
  q('[data-fill="error"]').textContent = "";
  q("#outcome-notes").value = "";
  valueInput.value = "";
  understood.textContent = "";
  save.textContent = t.save_order;
  dlg.querySelectorAll(".sheet-step").forEach((s) => { s.hidden = true; });
  const finish = (outcome, extra) => {
    if (!dlg.open) return;
    dlg.close();
    const notes = q("#outcome-notes").value.trim();
    onDone(outcome, { ...extra, ...(notes ? { notes } : {}) });
  };
  // The value is read as the rep types and shown back, in words and on the button.
  const read = () => parseMoney(valueInput.value, lang);
  valueInput.oninput = () => {
    const value = read();
    q('[data-fill="error"]').textContent = "";
    understood.textContent = value != null ? fmt(t.understood, { amount: formatMoney(value, lang) }) : (valueInput.value.trim() ? t.order_value_unclear : "");
    save.textContent = value != null ? fmt(t.save_order_of, { amount: formatMoney(value, lang) }) : t.save_order;
  };
  dlg.querySelectorAll("[data-outcome]").forEach((b) => {
    b.onclick = () => {
      const outcome = b.dataset.outcome;
      dlg.querySelectorAll(".sheet-step").forEach((s) => { s.hidden = s.dataset.step !== outcome; });
      if (outcome === "order") valueInput.focus();
      else if (outcome !== "no_sale") finish(outcome, {});
    };
  });
  reasonButtons(q('[data-fill="reasons"]'), reasons, (reason) => finish("no_sale", { reason }));
  save.onclick = () => {
    const value = read();
    if (value == null) {
      q('[data-fill="error"]').textContent = valueInput.value.trim() ? t.order_value_unclear : t.order_value_needed;
      return;
    }
    finish("order", { order_value: value });
  };
  dlg.showModal();
}

export function openSkip(entry, { reasons, onPick }) {
  const dlg = $("sheet-skip");
  dlg.querySelector('[data-fill="customer"]').textContent = entry.customer.name;
  reasonButtons(dlg.querySelector('[data-fill="reasons"]'), reasons, (reason) => {
    if (!dlg.open) return;
    dlg.close();
    onPick(reason);
  });
  dlg.showModal();
}

// search(text) and near() resolve to lists of customers; onPick(customer) starts the visit.
export function openUnplanned({ search, near, onPick }) {
  const dlg = $("sheet-unplanned");
  const input = dlg.querySelector("#unplanned-q");
  const list = dlg.querySelector('[data-fill="results"]');
  const note = dlg.querySelector('[data-fill="note"]');
  let shown = [];
  const show = (customers) => {
    shown = customers;
    list.innerHTML = renderPicks(customers);
  };
  list.onclick = (event) => {
    const b = event.target.closest("[data-pick]");
    if (!b) return;
    dlg.close();
    onPick(shown[Number(b.dataset.pick)]);
  };
  list.innerHTML = "";
  note.textContent = "";
  input.value = "";
  let timer = null;
  input.oninput = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (text.length < 2) { list.innerHTML = ""; return; }
      show(await search(text));
    }, 250);
  };
  dlg.querySelector('[data-action="near"]').onclick = async () => {
    note.textContent = t.locating;
    const found = await near();
    note.textContent = found === null ? t.no_position_near : "";
    show(found || []);
  };
  dlg.showModal();
}

export function openReplan(preview, { onConfirm }) {
  const dlg = $("sheet-replan");
  dlg.querySelector('[data-fill="diff"]').innerHTML = renderPreview(preview);
  dlg.querySelector('[data-action="confirm-replan"]').onclick = () => {
    dlg.close();
    onConfirm();
  };
  dlg.showModal();
}

// onSend(): resolves true when everything left; onLeave(): log out keeping the queue.
export function confirmLogout(pending, { onSend, onLeave }) {
  const dlg = $("sheet-logout");
  const msg = dlg.querySelector('[data-fill="pending"]');
  const err = dlg.querySelector('[data-fill="error"]');
  msg.textContent = pending;
  err.textContent = "";
  dlg.querySelector('[data-action="send-logout"]').onclick = async () => {
    err.textContent = t.syncing;
    if (await onSend()) { dlg.close(); return; }
    err.textContent = t.logout_not_sent;
  };
  dlg.querySelector('[data-action="leave"]').onclick = () => {
    dlg.close();
    onLeave();
  };
  dlg.showModal();
}
