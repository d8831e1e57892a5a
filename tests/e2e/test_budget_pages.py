"""Browser tests of the budget pages: the dashboard chart and its table, the unit switch, the
budget-line list (filters, totals, sorting, bad input, keyboard) and the program pages.

Wording may still be English while translations are in progress, so these tests assert numbers,
URLs and structure rather than prose.
"""

import hashlib
import json
import re
from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import login, screenshot

PLOTLY_PATH = "/static/vendor/plotly/plotly-basic.min.js"  # pages without a map (core/staticfiles.py)

# FY2008 予算案 (government draft) lines of the reference data: slug → (text shown in 百万円, million yen).
FY2008_DRAFT = {
    "regional-innovation": ("26,095", 26_095),
    "knowledge-cluster-1": ("1,566", 1_566),
    "knowledge-cluster-2": ("約7,500", 7_500),
    "city-area": ("約4,600", 4_600),
    "jst-regional-innovation": ("約11,000", 11_000),
}
MILLION = 1_000_000

OUTCOME_SHARE_PROGRAMS = {
    "産学官連携活動高度化促進事業",
    "産学共同シーズイノベーション化事業",
    "独創的シーズ展開事業",
    "技術移転支援センター事業",
}

# Per chart on the page: the figure JSON next to it and what plotly actually drew. Each trace type
# is drawn in its own layer (bars: .barlayer .trace.bars; lines: .scatterlayer .trace.scatter),
# one <path class="point"> per bar or per line marker.
CHART_REPORT_JS = """
() => [...document.querySelectorAll('.chart[data-figure]')].map(el => {
  const fig = JSON.parse(document.getElementById(el.dataset.figure).textContent);
  const layers = {bar: '.barlayer .trace.bars', scatter: '.scatterlayer .trace.scatter'};
  const json = {}, drawn = {};
  for (const trace of fig.data) {
    const type = trace.type || 'scatter';
    const marked = type === 'bar' || (trace.mode || 'markers').includes('markers');
    const points = marked ? (trace.y || []).filter(v => v !== null).length : 0;
    json[type] = json[type] || {traces: 0, points: 0};
    json[type].traces += 1;
    json[type].points += points;
  }
  for (const [type, selector] of Object.entries(layers)) {
    const traces = el.querySelectorAll(selector);
    if (traces.length || json[type]) {
      drawn[type] = {traces: traces.length, points: el.querySelectorAll(selector + ' .point').length};
    }
  }
  return {id: el.dataset.figure, svgs: el.querySelectorAll('.main-svg').length, jsonTraces: fig.data.length,
          json, drawn};
})
"""

CHARTS_DRAWN_JS = """
() => {
  const charts = document.querySelectorAll('.chart[data-figure]');
  return charts.length > 0 && [...charts].every(el => el.querySelector('.main-svg .trace'));
}
"""

# Rows of a table as lists of cell texts (tbody only); `data` has the cells' data-value, if any.
TABLE_ROWS_JS = """
table => [...table.tBodies[0].rows].map(tr => [...tr.cells].map(td => ({
  text: td.innerText.trim(),
  value: td.dataset.value ?? td.querySelector('[data-value]')?.dataset.value ?? null,
  href: td.querySelector('a')?.getAttribute('href') ?? null,
})))
"""


def goto(page, server, path):
    response = page.goto(server.url + path)
    page.wait_for_load_state("networkidle")
    return response


def wait_for_charts(page):
    # a chart is drawn when it comes near the view (static/js/charts.js): bring each one there
    for chart in page.locator(".chart[data-figure]").all():
        chart.scroll_into_view_if_needed()
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=15_000)
    return page.evaluate(CHART_REPORT_JS)


def assert_charts_drawn(page, expected_count=None):
    """Every chart has its SVG and, per trace type, as many traces and bars/markers drawn as its
    JSON has (only SVG bar and line traces are expected: no WebGL)."""
    report = wait_for_charts(page)
    assert report, "no charts on the page"
    if expected_count is not None:
        assert len(report) == expected_count, report
    for chart in report:
        assert chart["svgs"] >= 1, chart
        assert chart["jsonTraces"] >= 1, chart
        assert set(chart["json"]) <= {"bar", "scatter"}, chart
        assert chart["drawn"] == chart["json"], chart
    return {chart["id"]: chart for chart in report}


def column_index(table, sort_key):
    """Index of the column whose sort link orders by ``sort_key`` (headers may be translated)."""
    index = table.evaluate(
        """(table, key) => [...table.tHead.rows[0].cells].findIndex(th => {
             const a = th.querySelector('a.sort');
             const sort = a && new URLSearchParams(a.getAttribute('href').split('?')[1]).get('sort');
             return sort && sort.replace(/^-/, '') === key;
           })""",
        sort_key,
    )
    assert index >= 0, f"no sortable column {sort_key}"
    return index


def slug_of(href):
    match = re.fullmatch(r"/programs/([\w-]+)/", href or "")
    assert match, href
    return match.group(1)


def query(page):
    return parse_qs(urlparse(page.url).query)


# 1 ------------------------------------------------------------------------------------------


def test_dashboard_draws_every_chart_from_the_live_server_only(page, seeded_live_server):
    plotly_responses = []
    page.on("response", lambda r: urlparse(r.url).path == PLOTLY_PATH and plotly_responses.append(r))
    login(page, seeded_live_server, "ministry")  # lands on the dashboard
    assert page.url.rstrip("/") == seeded_live_server.url

    # plotly.js came from the live server, byte for byte the basic bundle npm installed (a page
    # without a map; tests/e2e/test_chart_loading.py checks its version and the map page's bundle)
    assert plotly_responses, "plotly-basic.min.js was never requested"
    response = plotly_responses[0]
    assert response.status == 200
    assert response.url == seeded_live_server.url + PLOTLY_PATH
    body = response.body()
    from core.staticfiles import BASIC_BUNDLE

    on_disk = BASIC_BUNDLE.read_bytes()
    assert len(body) == len(on_disk) > 1_000_000
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(on_disk).hexdigest()

    # every chart is drawn: an SVG per chart, as many drawn bar traces as the JSON has
    charts = assert_charts_drawn(page)
    budget = charts["budget-by-program-data"]
    # only FY2007 (当初) and FY2008 (予算案) have a complete figure for the package (DESIGN §2b):
    # 3 programs + the unitemized remainder, 2 years each = 8 bars; partial years are notes, not bars
    assert budget["json"] == budget["drawn"] == {"bar": {"traces": 4, "points": 8}}
    assert page.locator(".chart .main-svg").count() >= 1

    # the headline card: FY2008 予算案 26,095 百万円, +824 (+3.3%) on FY2007
    card = page.locator("#card-total")
    assert card.locator(".card__number").inner_text() == "26,095"
    comparison = card.locator(".card__comparison").inner_text()
    assert "+824" in comparison
    assert "+3.3%" in comparison

    screenshot(page, "dashboard")
    assert page.external_requests == []
    assert page.console_errors == []


# 2 ------------------------------------------------------------------------------------------


def test_dashboard_chart_table_shows_the_fy2008_remainder(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    block = page.locator("section.chart-block#budget-by-program")
    details = block.locator("details.chart-table")
    table = details.locator("table")
    assert not table.is_visible()  # closed until asked for

    details.locator("summary").click()
    assert details.evaluate("d => d.open") is True
    assert table.is_visible()

    rows = table.evaluate(TABLE_ROWS_JS)
    fy2008 = [row for row in rows if row[0]["text"] == "2008年度"]
    assert len(fy2008) == 1, [row[0]["text"] for row in rows]
    cells = fy2008[0]
    texts = [cell["text"] for cell in cells]
    assert "26,095" in texts  # the FY2008 予算案 total
    assert "約1,429" in texts  # 26,095 − (1,566 + 約7,500 + 約4,600 + 約11,000)
    assert texts[-2] == "26,095"  # the parent's total, then how it is known
    assert texts[-1] == "出典に記載の数値"
    # the parts in the row add up to the total, to the yen
    parts = [int(cell["value"]) for cell in cells[2:-2] if cell["value"] is not None]
    assert sum(parts) == int(cells[-2]["value"]) == 26_095 * MILLION
    assert 1_429 * MILLION in parts
    assert page.console_errors == []


# 3 ------------------------------------------------------------------------------------------


def test_unit_switch_keeps_the_query_and_rescales_the_card(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    goto(page, seeded_live_server, "/?stage=draft")
    assert page.locator("#card-total .card__number").inner_text() == "26,095"

    switch = page.locator("nav.unit-switch")
    switch.get_by_role("link", name="億円").click()
    page.wait_for_load_state("networkidle")

    params = query(page)
    assert params["unit"] == ["hundred-million"]
    assert params["stage"] == ["draft"]  # the other parameter survives
    assert page.locator("#card-total .card__number").inner_text() == "260.95"
    assert "+8.24" in page.locator("#card-total .card__comparison").inner_text()
    assert switch.locator("[aria-current]").inner_text() == "億円"
    assert page.locator("#stage").input_value() == "draft"
    # the chart follows the unit too: its FY2008 total is 260.95 億円
    assert_charts_drawn(page)
    assert "260.95" in page.locator("#budget-by-program table").text_content()  # inside a closed <details>
    assert page.console_errors == []


# 4 ------------------------------------------------------------------------------------------


def budget_rows(table):
    program = column_index(table, "program")
    amount = column_index(table, "amount_yen")
    return [
        (slug_of(row[program]["href"]), row[amount]["text"], int(row[amount]["value"]))
        for row in table.evaluate(TABLE_ROWS_JS)
    ]


def test_budget_filters_totals_and_sorting(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    goto(page, seeded_live_server, "/budgets/")
    table = page.locator("table.data")
    all_rows = budget_rows(table)
    assert len(all_rows) > 5

    form = page.locator("form.filters")
    form.locator("#id_fy_from").fill("2008")
    form.locator("#id_fy_to").fill("2008")
    form.locator("#id_stage").select_option(["draft"])
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    # the filters are in the URL: the page can be shared
    params = query(page)
    assert params["fy_from"] == ["2008"]
    assert params["fy_to"] == ["2008"]
    assert params["stage"] == ["draft"]
    assert form.locator("#id_fy_from").input_value() == "2008"

    rows = budget_rows(table)
    assert len(rows) == 5
    assert {slug: (text, value) for slug, text, value in rows} == {
        slug: (text, million * MILLION) for slug, (text, million) in FY2008_DRAFT.items()
    }

    footer = table.locator("tfoot")
    # the package's 26,095 already contains its programs: no total, and the page says why (DESIGN §2b)
    assert footer.locator("[data-value]").count() == 0
    assert "50,761" not in page.content()
    assert page.locator("#totals-refused").is_visible()
    assert "5" in footer.locator("th").inner_text()  # the row count
    screenshot(page, "budgets-filtered")

    # sort by amount: ascending first, largest first on the second click
    amount_th = table.locator("thead th").nth(column_index(table, "amount_yen"))
    amount_th.locator("a.sort").click()
    page.wait_for_load_state("networkidle")
    assert amount_th.get_attribute("aria-sort") == "ascending"
    values = [value for _, _, value in budget_rows(table)]
    assert values == sorted(values) and values[0] == 1_566 * MILLION

    amount_th.locator("a.sort").click()
    page.wait_for_load_state("networkidle")
    assert amount_th.get_attribute("aria-sort") == "descending"
    rows = budget_rows(table)
    assert rows[0] == ("regional-innovation", "26,095", 26_095 * MILLION)
    assert [value for _, _, value in rows] == sorted((value for _, _, value in rows), reverse=True)
    # only the sorted header says so; the filters and the refused total survive sorting
    assert table.locator("thead th[aria-sort]").count() == 1
    params = query(page)
    assert params["fy_from"] == ["2008"] and params["fy_to"] == ["2008"] and params["stage"] == ["draft"]
    assert params["sort"] == ["-amount_yen"]
    assert page.locator("#totals-refused").is_visible()
    assert page.external_requests == []
    assert page.console_errors == []


# 5 ------------------------------------------------------------------------------------------


def submit_filters(page):
    with page.expect_navigation() as navigation:
        page.locator("form.filters button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    return navigation.value


DESCRIBED_BY_JS = """
el => (el.getAttribute('aria-describedby') || '').split(/\\s+/)
        .map(id => document.getElementById(id)).filter(Boolean).map(node => node.innerText)
"""


def field_error(page, input_id):
    """The visible error message shown in the same form field as the input."""
    return page.locator(f"form.filters .form-field:has(#{input_id}) .field-error")


def test_bad_fiscal_years_give_a_field_error_not_a_server_error(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    goto(page, seeded_live_server, "/budgets/")
    fy_from = page.locator("#id_fy_from")

    # The browser's own validation catches 1800 (min=1950) before anything is sent.
    fy_from.fill("1800")
    url_before = page.url
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_timeout(300)
    assert page.url == url_before
    assert fy_from.evaluate("el => el.validity.rangeUnderflow") is True
    assert fy_from.evaluate("el => el.validationMessage") != ""

    # The server must cope on its own (old browsers, edited URLs): submit without HTML validation.
    page.locator("form.filters").evaluate("form => { form.noValidate = true; }")
    response = submit_filters(page)
    assert response.status == 200
    assert query(page)["fy_from"] == ["1800"]
    error = field_error(page, "id_fy_from")
    assert error.is_visible()
    assert "1950" in error.inner_text()
    assert page.locator("#id_fy_from").get_attribute("aria-invalid") == "true"
    # the input's aria-describedby names that message (the template once gave it id '…-error'
    # while Django points at '…_error', so screen readers never heard it)
    assert any("1950" in text for text in page.locator("#id_fy_from").evaluate(DESCRIBED_BY_JS))
    summary = page.locator("form.filters [role=alert]")
    assert summary.is_visible()
    assert summary.locator("a[href='#id_fy_from']").count() == 1
    assert page.locator("table.data tbody tr").count() > 0  # the rest of the page still works

    # "abc": a number input refuses letters, so type it as a browser without number inputs would.
    page.locator("form.filters").evaluate("form => { form.noValidate = true; }")
    page.locator("#id_fy_from").evaluate("el => { el.type = 'text'; }")
    page.locator("#id_fy_from").fill("abc")
    response = submit_filters(page)
    assert response.status == 200
    assert query(page)["fy_from"] == ["abc"]
    error = field_error(page, "id_fy_from")
    assert error.is_visible()
    assert error.inner_text().strip("＊ ") != ""
    assert page.locator("#id_fy_from").get_attribute("aria-invalid") == "true"
    assert page.locator("form.filters [role=alert]").is_visible()
    assert page.locator("table.data tbody tr").count() > 0
    assert page.external_requests == []


# 6 ------------------------------------------------------------------------------------------


def test_program_tree_and_implementer_filter(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    goto(page, seeded_live_server, "/programs/")
    tree = page.locator("ul.tree")
    items = tree.locator("li")
    names = [text.strip() for text in items.locator(":scope > a").all_inner_texts()]
    assert "地域イノベーション・システムの強化" in names
    assert len(names) == 18  # 12 + the FY2010 program and five related industry–academia programs
    flagged = tree.locator("li:has(.badge)")
    assert tree.locator(".badge").count() == 4
    assert {text.strip() for text in flagged.locator(":scope > a").all_inner_texts()} == OUTCOME_SHARE_PROGRAMS

    table = page.locator("table.data")
    before = table.locator("tbody tr").count()
    assert before == 18
    implementer = column_index(table, "implementer")
    implementers_before = {row[implementer]["text"] for row in table.evaluate(TABLE_ROWS_JS)}
    assert len(implementers_before) == 2  # MEXT and JST

    page.locator("form.filters #id_implementer").select_option("jst")
    submit_filters(page)
    assert query(page)["implementer"] == ["jst"]
    rows = table.evaluate(TABLE_ROWS_JS)
    assert 0 < len(rows) < before
    assert {slug_of(row[0]["href"]) for row in rows} == {
        "jst-regional-innovation",
        "sangaku-seeds-innovation",
        "dokusoteki-seeds",
        "gijutsu-iten-shien",
    }
    assert len({row[implementer]["text"] for row in rows}) == 1
    assert page.locator("#id_implementer").input_value() == "jst"
    screenshot(page, "programs")
    assert page.external_requests == []
    assert page.console_errors == []


# 7 ------------------------------------------------------------------------------------------


def test_program_pages_draw_their_charts_and_unknown_slugs_404(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    response = goto(page, seeded_live_server, "/programs/knowledge-cluster/")
    assert response.status == 200
    charts = assert_charts_drawn(page, expected_count=2)
    assert set(charts) == {"program-stages-data", "program-children-data"}
    clusters = page.locator("#clusters + .table-scroll table")
    cluster_names = clusters.locator("tbody th[scope=row]").all_inner_texts()
    assert "浜松オプトロニクスクラスター" in cluster_names
    # money cells of the chart tables carry whole yen in data-value and none says "nan" (the change
    # column once rendered data-value="nan" and "2100000000.0")
    cells = page.locator("details.chart-table td[data-value]").evaluate_all(
        "cells => cells.map(td => [td.textContent.trim(), td.dataset.value])"
    )
    money = [(text, value) for text, value in cells if not text.endswith("%")]
    assert len(money) >= 7
    assert [(text, value) for text, value in money if not re.fullmatch(r"-?\d+", value)] == []
    assert [(text, value) for text, value in cells if not re.fullmatch(r"-?\d+(\.\d+)?", value)] == []
    # FY2004's source says 政府予算 (draft or enacted?): no change is computed against it (DESIGN §2b)
    assert ("約2,100", str(2_100 * MILLION)) not in money
    assert "予算段階が不確か" in page.locator("#program-stages details.chart-table table").text_content()

    response = goto(page, seeded_live_server, "/programs/regional-innovation/")
    assert response.status == 200
    assert set(assert_charts_drawn(page, expected_count=2)) == {"program-stages-data", "program-children-data"}
    stages = json.loads(page.locator("#program-stages-data").text_content())
    assert 26_095 in [y for trace in stages["data"] for y in trace["y"]]
    assert page.external_requests == []
    assert page.console_errors == []

    response = page.goto(seeded_live_server.url + "/programs/no-such-program/")
    assert response.status == 404
    assert page.locator("h1").first.is_visible()
    assert "26,095" not in page.content()


# 8 ------------------------------------------------------------------------------------------

FOCUSED_JS = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    id: el.id,
    tag: el.tagName.toLowerCase(),
    isSort: el.matches('th a.sort'),
    href: el.getAttribute('href'),
    outlineWidth: style.outlineWidth,
    outlineStyle: style.outlineStyle,
  };
}
"""


def test_filters_and_sort_links_are_keyboard_reachable_with_a_visible_focus(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    goto(page, seeded_live_server, "/budgets/")
    controls = {"id_fy_from", "id_fy_to", "id_program", "id_stage", "id_policy_area", "id_fy"}
    sort_links = page.locator("table.data th a.sort").count()
    assert sort_links >= 5

    focused_controls, focused_sorts, seen = {}, [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        seen.append(focused["id"] or focused["href"] or focused["tag"])
        if focused["id"] in controls:
            focused_controls[focused["id"]] = focused
        if focused["isSort"]:
            focused_sorts.append(focused)
        if len(focused_sorts) == sort_links:
            break

    assert set(focused_controls) == controls, seen
    assert len(focused_sorts) == sort_links, seen
    for focused in [*focused_controls.values(), *focused_sorts]:
        assert focused["outlineWidth"] == "4px", focused
        assert focused["outlineStyle"] != "none", focused
    # the filter controls come before the table's sort links
    assert seen.index("id_fy") < seen.index(focused_sorts[0]["href"])
