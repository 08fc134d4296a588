// Telesales call list: j/k move between customers, number keys log outcomes, Enter confirms.
(function () {
  "use strict";
  const list = document.querySelector("[data-call-list]");
  if (!list) { return; }
  const rows = Array.prototype.slice.call(list.querySelectorAll("[data-row]"));
  const FIELD_FOR = { "1": "order", "2": "no_sale", "4": "callback" };
  const OUTCOME_FOR = { "1": "order", "2": "no_sale", "3": "not_reached", "4": "callback", "5": "visit_requested" };

  function current() {
    const el = document.activeElement;
    return el && el.closest ? el.closest("[data-row]") : null;
  }

  function focusRow(index) {
    if (!rows.length) { return; }
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function submitWith(form, outcome) {
    const button = form.querySelector('[data-outcome="' + outcome + '"]');
    if (button) { button.click(); }
  }

  function inField(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    const target = event.target;
    if (inField(target)) {
      const field = target.getAttribute("data-submits") || target.getAttribute("data-field");
      if (event.key === "Enter" && field) {
        event.preventDefault();
        submitWith(target.form, field);
      } else if (event.key === "Escape") {
        const back = target.closest("[data-row]");
        if (back) { back.focus(); }
      }
      return;
    }
    const row = current();
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      const index = row ? rows.indexOf(row) : -1;
      focusRow(event.key === "j" ? index + 1 : Math.max(index - 1, 0));
      return;
    }
    if (!row) { return; }
    const form = row.querySelector("[data-call-form]");
    if (event.key === "l") {
      const link = row.querySelector("[data-call-link]");
      if (link) { link.click(); }
      return;
    }
    if (!form || !OUTCOME_FOR[event.key]) { return; }
    event.preventDefault();
    const name = FIELD_FOR[event.key];
    const input = name ? form.querySelector('[data-field="' + name + '"]') : null;
    if (input && !input.value) {
      input.focus();
    } else {
      submitWith(form, OUTCOME_FOR[event.key]);
    }
  });

  // Start on the first customer of the queue (callbacks due and the best scores are on top).
  // A refused call: its field, next to its message, keeps the focus.
  const invalid = list.querySelector('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
    invalid.scrollIntoView({ block: "center" });
    return;
  }
  const start = rows.filter(function (r) { return r.getAttribute("data-state") !== "done"; })[0];
  if (start && !location.hash) { start.focus(); }
})();
