"""How chart pages load plotly.js and draw (issue 13 item 3): the basic partial bundle where a page
has no map and the full bundle on the map page, charts in view drawn at once, charts below the fold
when scrolled to, and every chart drawn for printing."""

from urllib.parse import urlparse

from plotly.offline import get_plotlyjs_version

from tests.e2e.conftest import ARTIFACTS, login

BASIC = "plotly-basic.min.js"
FULL = "plotly.min.js"

CHARTS_JS = """() => [...document.querySelectorAll('.chart[data-figure]')].map(el => ({
  id: el.dataset.figure,
  drawn: el.dataset.drawn === 'true' && !!el.querySelector('.main-svg'),
  traces: el.querySelectorAll('.main-svg .trace').length,
  top: el.getBoundingClientRect().top + window.scrollY,
}))"""


def record_bundles(page):
    """The plotly.js bundles the page fetched, by file name (hashed names are not used in tests)."""
    fetched = []

    def record(response):
        path = urlparse(response.url).path
        if path.startswith("/static/vendor/plotly/"):
            fetched.append((path.rsplit("/", 1)[1], response))

    page.on("response", record)
    return fetched


def open_page(page, server, path):
    page.goto(server.url + path)
    page.wait_for_function("() => performance.getEntriesByName('chart:first-drawn').length > 0", timeout=15_000)
    return page.evaluate(CHARTS_JS)


def test_dashboard_draws_its_charts_with_the_basic_bundle(page, seeded_live_server):
    fetched = record_bundles(page)
    login(page, seeded_live_server, "ministry")
    open_page(page, seeded_live_server, "/")
    for chart in page.locator(".chart[data-figure]").all():  # the second is below the fold
        chart.scroll_into_view_if_needed()
        chart.locator(".main-svg .trace").first.wait_for()
    charts = page.evaluate(CHARTS_JS)
    assert len(charts) == 2
    assert all(chart["drawn"] and chart["traces"] >= 1 for chart in charts), charts
    # only the basic bundle, once per page load, of the Python plotly's plotly.js version
    assert {name for name, _ in fetched} == {BASIC}, fetched
    name, response = fetched[-1]
    header = response.body()[:200].decode()
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in header
    assert page.evaluate("typeof Plotly.newPlot") == "function"
    assert page.external_requests == []
    assert page.console_errors == []


def test_a_chart_below_the_fold_is_drawn_when_scrolled_to(page, seeded_live_server):
    login(page, seeded_live_server, "analyst")
    charts = open_page(page, seeded_live_server, "/outcomes/")
    assert len(charts) >= 4
    viewport = page.viewport_size["height"]
    assert charts[0]["drawn"], charts[0]  # in view: drawn at once
    far = [chart for chart in charts if chart["top"] > 3 * viewport]
    assert far and not any(chart["drawn"] for chart in far), charts  # screens below: not yet
    last = far[-1]
    assert page.locator(f"[data-figure='{last['id']}'] .main-svg").count() == 0
    page.locator(f"[data-figure='{last['id']}']").scroll_into_view_if_needed()
    page.wait_for_function(
        "id => document.querySelector(`[data-figure='${id}']`).dataset.drawn === 'true'", arg=last["id"]
    )
    assert page.locator(f"[data-figure='{last['id']}'] .main-svg .trace").count() >= 1
    # the chart kept its place while waiting: no jump when it was drawn
    assert abs(page.evaluate(CHARTS_JS)[-1]["top"] - last["top"]) < 1
    assert page.console_errors == []


def test_the_map_page_loads_the_full_bundle(page, seeded_live_server):
    fetched = record_bundles(page)
    login(page, seeded_live_server, "analyst")
    fetched.clear()
    charts = open_page(page, seeded_live_server, "/regions/")
    assert len(charts) == 1 and charts[0]["drawn"], charts
    assert [name for name, _ in fetched] == [FULL], fetched
    header = fetched[0][1].body()[:200].decode()
    assert f"plotly.js v{get_plotlyjs_version()}" in header
    assert page.external_requests == []
    assert page.console_errors == []


def test_pages_without_a_map_load_the_basic_bundle(page, seeded_live_server):
    fetched = record_bundles(page)
    login(page, seeded_live_server, "analyst")
    for path in ["/outcomes/", "/regions/hamamatsu/", "/clusters/hamamatsu-kc2/", "/programs/knowledge-cluster/"]:
        fetched.clear()
        open_page(page, seeded_live_server, path)
        assert [name for name, _ in fetched] == [BASIC], (path, fetched)
    assert page.console_errors == []


def test_printing_draws_every_chart(page, seeded_live_server):
    login(page, seeded_live_server, "analyst")
    charts = open_page(page, seeded_live_server, "/outcomes/")
    assert not all(chart["drawn"] for chart in charts)  # some wait below the fold
    page.emulate_media(media="print")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart[data-figure]')].every(el => el.dataset.drawn === 'true')",
        timeout=5_000,
    )
    charts = page.evaluate(CHARTS_JS)
    assert all(chart["drawn"] and chart["traces"] >= 1 for chart in charts), charts
    # drawn to the paper's width
    assert page.evaluate(
        "() => [...document.querySelectorAll('.chart[data-figure]')].every(el => el._fullLayout.width === 680)"
    )
    page.emulate_media(media="screen")
    assert page.console_errors == []


def test_printing_to_pdf_draws_every_chart(page, seeded_live_server):
    """page.pdf() prints as the browser does (beforeprint, print media): the charts below the fold
    are drawn for the printout too."""
    login(page, seeded_live_server, "analyst")
    charts = open_page(page, seeded_live_server, "/outcomes/")
    assert not all(chart["drawn"] for chart in charts)
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "outcomes.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    charts = page.evaluate(CHARTS_JS)
    assert all(chart["drawn"] for chart in charts), charts
    assert page.console_errors == []
