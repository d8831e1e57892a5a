/* Draw every server-built plotly figure on the page. Figures arrive as JSON through Django's
 * json_script (no inline scripts: the CSP forbids them). Each chart element names its data:
 * <div class="chart" data-figure="fig-id"> + <script type="application/json" id="fig-id">.
 *
 * plotly.js is loaded here, once, when the page has a figure: the basic bundle (bar, scatter, pie)
 * when every trace is of those types, else the full bundle (maps). Their hashed URLs come from this
 * script's tag (data-plotly-basic, data-plotly-full; see templates/includes/chart_scripts.html).
 * A chart is drawn when it comes near the viewport, one chart per task so the first one shows
 * early; the first drawn sets performance.mark("chart:first-drawn") (bench/browser.py reads it).
 * Printing draws every chart first. Until a chart is drawn its "view as a table" stays the fallback. */
(function () {
  "use strict";
  var script = document.currentScript;
  var BASIC_TYPES = { bar: true, scatter: true, pie: true };
  var NEAR = "100% 0px"; /* draw a chart when it is within a screen's height of the view */
  var figures = [];
  var plotly = null; /* a promise of window.Plotly */
  var queue = Promise.resolve();
  var firstDrawn = false;

  function bundleUrl() {
    var basic = figures.every(function (item) {
      return (item.fig.data || []).every(function (trace) { return BASIC_TYPES[trace.type || "scatter"]; });
    });
    return script.getAttribute(basic ? "data-plotly-basic" : "data-plotly-full");
  }

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        if (window.Plotly) { resolve(window.Plotly); return; }
        var tag = document.createElement("script");
        tag.src = bundleUrl();
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return plotly;
  }

  /* Draws now if plotly.js is there (printing needs the charts in this task); returns a promise.
   * width: the paper's width when drawn for printing. */
  function drawNow(item, width) {
    if (item.drawn || !window.Plotly) return Promise.resolve();
    item.drawn = true;
    var el = item.el, fig = item.fig;
    var layout = width ? Object.assign({}, fig.layout, { width: width, autosize: false }) : fig.layout;
    return window.Plotly.newPlot(el, fig.data, layout, fig.config || { displayModeBar: false, responsive: true })
      .then(function () {
        el.style.minHeight = "";
        el.setAttribute("data-drawn", "true");
        if (!firstDrawn) {
          firstDrawn = true;
          if (window.performance && performance.mark) performance.mark("chart:first-drawn");
        }
      });
  }

  /* Queued drawing: one chart, then a task boundary (so the browser can paint it), then the next. */
  function draw(item) {
    queue = queue.then(loadPlotly).then(function () { return drawNow(item); }).then(function () {
      return new Promise(function (resolve) { setTimeout(resolve, 0); });
    }).catch(function () { /* the chart's table stays the fallback */ });
  }

  function start() {
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) return;
      var item = { el: el, fig: JSON.parse(source.textContent), drawn: false };
      el.chartItem = item;
      figures.push(item);
    });
    if (!figures.length) return;
    loadPlotly(); /* fetch and compile plotly.js while the page is laid out and the first chart waits */
    /* keep each chart's place (its height plus its border) so the page does not jump when it is drawn
     * and "near the view" is measured right; all reads first, then all writes: one layout */
    figures.forEach(function (item) { item.frame = item.el.offsetHeight - item.el.clientHeight; });
    figures.forEach(function (item) {
      item.el.style.minHeight = ((item.fig.layout && item.fig.layout.height) || 450) + item.frame + "px";
    });
    if (!("IntersectionObserver" in window)) {
      figures.forEach(draw);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        draw(entry.target.chartItem);
      });
    }, { rootMargin: NEAR });
    figures.forEach(function (item) { observer.observe(item.el); });
  }

  /* Charts sized for the screen are redrawn to the paper's width when printing (A4 portrait is
   * about 680 CSS pixels between 15 mm margins) and back afterwards. Charts not drawn yet (below
   * the fold) are drawn first: the printout shows every chart. */
  var PRINT_WIDTH = 680;
  function fit(printing) {
    if (!window.Plotly) return;
    figures.forEach(function (item) {
      if (!item.drawn) {
        if (printing) drawNow(item, PRINT_WIDTH);
      } else if (printing) {
        window.Plotly.relayout(item.el, { width: PRINT_WIDTH, autosize: false });
      } else {
        window.Plotly.relayout(item.el, { width: null, autosize: true });
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
