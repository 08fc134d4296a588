// A form the server refused: bring its first error into view (below the sticky header, not
// under it) and put the cursor in the field to fix. The messages themselves sit next to their
// fields in the page's HTML; this only moves the eyes and the focus there.
(function () {
  "use strict";
  const first = document.querySelector(".form-errors, .has-error");
  if (!first) { return; }
  const control = first.classList.contains("form-errors")
    ? first
    : first.querySelector("input:not([type=hidden]), select, textarea") || first;
  first.scrollIntoView({ block: "center" });
  if (typeof control.focus === "function") { control.focus({ preventScroll: true }); }
})();
