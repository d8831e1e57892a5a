/* Move focus to the error summary (or the stale-version notice) after a refused submit, so
 * keyboard and screen-reader users land on what went wrong (UI.md B7). */
(function () {
  "use strict";
  var target = document.getElementById("stale") || document.getElementById("error-summary");
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
})();
