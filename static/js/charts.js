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
  /* Charts sized for the screen are redrawn to the page width when printing. */
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      if (window.Plotly && el.data) window.Plotly.Plots.resize(el);
    });
  });
})();
