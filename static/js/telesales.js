// Telesales call list: j/k move between customers, number keys log outcomes, Enter confirms.
(function () {
  "use strict";
  var list = document.querySelector("[data-call-list]");
  if (!list) { return; }
  var rows = Array.prototype.slice.call(list.querySelectorAll("[data-row]"));
  var FIELD_FOR = { "1": "order", "2": "no_sale", "4": "callback" };
  var OUTCOME_FOR = { "1": "order", "2": "no_sale", "3": "not_reached", "4": "callback" };

  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest("[data-row]") : null;
  }

  function focusRow(index) {
    if (!rows.length) { return; }
    var row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function submitWith(form, outcome) {
    var button = form.querySelector('[data-outcome="' + outcome + '"]');
    if (button) { button.click(); }
  }

  function inField(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (inField(target)) {
      var field = target.getAttribute("data-field");
      if (event.key === "Enter" && field) {
        event.preventDefault();
        submitWith(target.form, field);
      } else if (event.key === "Escape") {
        var back = target.closest("[data-row]");
        if (back) { back.focus(); }
      }
      return;
    }
    var row = current();
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      var index = row ? rows.indexOf(row) : -1;
      focusRow(event.key === "j" ? index + 1 : Math.max(index - 1, 0));
      return;
    }
    if (!row) { return; }
    var form = row.querySelector("[data-call-form]");
    if (event.key === "l") {
      var link = row.querySelector("[data-call-link]");
      if (link) { link.click(); }
      return;
    }
    if (!form || !OUTCOME_FOR[event.key]) { return; }
    event.preventDefault();
    var name = FIELD_FOR[event.key];
    var input = name ? form.querySelector('[data-field="' + name + '"]') : null;
    if (input && !input.value) {
      input.focus();
    } else {
      submitWith(form, OUTCOME_FOR[event.key]);
    }
  });

  // Start on the first customer of the queue (callbacks due and the best scores are on top).
  var start = rows.filter(function (r) { return r.getAttribute("data-state") !== "done"; })[0];
  if (start && !location.hash) { start.focus(); }
})();
