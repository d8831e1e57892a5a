/* Draw every server-built plotly figure on the page. Figures arrive as JSON through Django's
 * json_script (no inline scripts: the CSP forbids them). Each chart element names its data:
 * <div class="chart" data-figure="fig-id"> + <script type="application/json" id="fig-id">. */
(function () {
  "use strict";
  function draw() {
    if (typeof window.Plotly === "undefined") return;
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) return;
      var fig = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, fig.data, fig.layout, fig.config || { displayModeBar: false, responsive: true });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  /* Charts sized for the screen are redrawn to the paper's width when printing (A4 portrait is
   * about 680 CSS pixels between 15 mm margins) and back afterwards. */
  var PRINT_WIDTH = 680;
  function fit(printing) {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      if (!el.data) return;
      if (printing) {
        window.Plotly.relayout(el, { width: PRINT_WIDTH, autosize: false });
      } else {
        window.Plotly.relayout(el, { width: null, autosize: true });
      }
    });
  }
  window.addEventListener("beforeprint", function () { fit(true); });
  window.addEventListener("afterprint", function () { fit(false); });
  if (window.matchMedia) {
    var query = window.matchMedia("print");
    var onChange = function (event) { fit(event.matches); };
    if (query.addEventListener) query.addEventListener("change", onChange);
    else if (query.addListener) query.addListener(onChange);
  }
})();
