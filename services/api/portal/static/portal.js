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
