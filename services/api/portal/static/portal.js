// Progressive enhancement only: every page works without this script.
// After a form comes back (a full load or an htmx swap), focus moves to what the person must
// read: the summary of problems of a refused form, else the confirmation of a saved section.
// Only the form just sent can show either, so there is never more than one of each.
(function () {
  function focusOutcome() {
    var target = document.querySelector(".error-summary, [data-focus-after-swap]");
    if (target) {
      target.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  });
  document.addEventListener("htmx:afterSettle", focusOutcome);
})();

// Tables of three or more columns become stacked rows on a phone (see portal.css): each cell
// gets its column's header as its label. Without the script, such a table scrolls in its box.
(function () {
  function label(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var headers = table.querySelectorAll("thead th");
      if (headers.length < 3 || table.classList.contains("stackable")) {
        return;
      }
      var names = Array.prototype.map.call(headers, function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (names[index] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", names[index]);
          }
        });
      });
      table.classList.add("stackable");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    label(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    label(document);
  });
})();
