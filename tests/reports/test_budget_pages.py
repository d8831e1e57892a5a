"""Dashboard, program pages and budget lines against the seed data (issue 3)."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from programs.models import BudgetLine, Program
from tests.factories import BudgetLineFactory, ProgramFactory, SourceFactory

pytestmark = pytest.mark.django_db
MILLION = 1_000_000


def figure(html, figure_id):
    match = re.search(rf'<script id="{figure_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no figure {figure_id}"
    return json.loads(match.group(1))


def trace(fig, name):
    return next(t for t in fig["data"] if t["name"] == name)


def test_dashboard_headline_card(viewer_client):
    html = viewer_client.get("/").content.decode()
    card = html[html.index('id="card-total"') : html.index("</article>", html.index('id="card-total"'))]
    assert "26,095" in card
    assert "+824" in card
    assert "+3.3%" in card
    assert "予算案" in card and "当初予算" in card  # the two stages compared are named


def test_dashboard_chart_traces_equal_database_sums_for_fy2008_draft(viewer_client):
    html = viewer_client.get("/").content.decode()
    fig = figure(html, "budget-by-program-data")
    x = "2008年度<br>予算案"
    drawn = {t["name"]: t["y"][t["x"].index(x)] for t in fig["data"] if x in t["x"]}
    kc = BudgetLine.objects.filter(
        program__slug__in=["knowledge-cluster-1", "knowledge-cluster-2"], fiscal_year=2008, stage="draft"
    )
    assert drawn["知的クラスター創成事業"] * MILLION == sum(kc.values_list("amount_yen", flat=True))
    for slug in ["city-area", "jst-regional-innovation"]:
        program = Program.objects.get(slug=slug)
        assert (
            drawn[program.name_ja] * MILLION
            == BudgetLine.objects.get(program=program, fiscal_year=2008, stage="draft").amount_yen
        )
    total = BudgetLine.objects.get(program__slug="regional-innovation", fiscal_year=2008, stage="draft").amount_yen
    assert sum(drawn.values()) * MILLION == total
    # the unitemized remainder: 26,095 − (1,566 + 7,500 + 4,600 + 11,000) = 1,429
    remainder = next(
        v
        for name, v in drawn.items()
        if name not in {"知的クラスター創成事業", "都市エリア産学官連携促進事業", "地域イノベーション創出総合支援事業"}
    )
    assert remainder == 1_429


def test_chart_hover_has_amount_year_and_source_kind(viewer_client):
    fig = figure(viewer_client.get("/").content.decode(), "budget-by-program-data")
    hover = [c[0] for t in fig["data"] for c in t["customdata"]]
    assert any("約7,500" not in h and "1,429" in h and "2008年度" in h for h in hover)
    assert all(t["type"] == "bar" for t in fig["data"])  # SVG traces only
    assert fig["layout"]["xaxis"]["fixedrange"] and fig["layout"]["yaxis"]["fixedrange"]
    assert "Noto Sans JP" in fig["layout"]["font"]["family"]


def test_chart_table_alternative_has_the_same_numbers(viewer_client):
    html = viewer_client.get("/").content.decode()
    table = html[
        html.index('<details class="chart-table">') : html.index(
            "</details>", html.index('<details class="chart-table">')
        )
    ]
    row = table[table.index("2008年度</th>") :].split("</tr>")[0]
    assert "26,095" in row and "約1,429" in row and "1,566" not in row  # KC shown summed: 約9,066
    assert "約9,066" in row


@pytest.mark.parametrize(
    ("unit", "expected"), [("million", "26,095"), ("hundred-million", "260.95"), ("thousand", "26,095,000")]
)
def test_unit_switch_applies_to_cards_tables_and_charts(viewer_client, unit, expected):
    html = viewer_client.get("/", {"unit": unit}).content.decode()
    card = html[html.index('id="card-total"') :]
    assert expected in card[:2000]
    fig = figure(html, "budget-by-program-data")
    total_2008 = sum(t["y"][t["x"].index("2008年度<br>予算案")] for t in fig["data"] if "2008年度<br>予算案" in t["x"])
    divisor = {"million": 1e6, "hundred-million": 1e8, "thousand": 1e3}[unit]
    assert total_2008 == pytest.approx(26_095_000_000 / divisor)


def test_rounded_figures_show_yaku_in_every_unit(viewer_client):
    for unit, text in [("million", "約7,500"), ("hundred-million", "約75"), ("thousand", "約7,500,000")]:
        assert (
            text
            in viewer_client.get(
                "/budgets/", {"unit": unit, "program": Program.objects.get(slug="knowledge-cluster-2").pk}
            ).content.decode()
        )


def test_bad_unit_and_stage_fall_back_with_a_message(viewer_client):
    response = viewer_client.get("/", {"unit": "yen<script>", "stage": "bogus"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "26,095" in html
    assert "<script>" not in html.split("<body>")[1].split("</main>")[0].replace(
        '<script id="budget-by-program-data" type="application/json">', ""
    )


def budget_rows(client, **params):
    response = client.get("/budgets/", params)
    assert response.status_code == 200
    table = response.context["table"]
    return [
        (row.record.program.slug, row.record.fiscal_year, row.record.stage) for row in table.page.object_list
    ], response


def test_budget_filter_stage_and_year(viewer_client):
    rows, response = budget_rows(viewer_client, stage="draft", fy_from=2008, fy_to=2008)
    assert sorted(rows) == sorted(
        [
            ("regional-innovation", 2008, "draft"),
            ("knowledge-cluster-1", 2008, "draft"),
            ("knowledge-cluster-2", 2008, "draft"),
            ("city-area", 2008, "draft"),
            ("jst-regional-innovation", 2008, "draft"),
        ]
    )
    totals = response.context["table"].totals
    # the package's 26,095 already contains its programs' figures: no total (DESIGN §2b), and the page says why
    assert (totals["amount_yen"], totals["reason"]) == (None, "nested")
    html = response.content.decode()
    assert "50,761" not in html and 'id="totals-refused"' in html


def test_budget_filter_program_includes_descendants(viewer_client):
    kc = Program.objects.get(slug="knowledge-cluster")
    rows, _ = budget_rows(viewer_client, program=kc.pk)
    assert {slug for slug, _, _ in rows} == {"knowledge-cluster", "knowledge-cluster-1", "knowledge-cluster-2"}
    assert len(rows) == BudgetLine.objects.filter(program__slug__startswith="knowledge-cluster").count()


def test_budget_filter_multiple_years_and_policy_area(viewer_client):
    rows, _ = budget_rows(viewer_client, fy=[2003, 2009])
    assert sorted(rows) == [
        ("city-area", 2009, "request"),
        ("daigaku-chizai-honbu", 2003, "enacted"),
        ("daigaku-venture-soshutsu", 2003, "enacted"),
        ("gijutsu-iten-shien", 2003, "enacted"),
        ("knowledge-cluster", 2003, "enacted"),
        ("matching-fund", 2003, "enacted"),
        ("sangakukan-renkei-senryaku", 2009, "request"),
        ("sangakukan-renkei-shien", 2003, "enacted"),
    ]
    rows, response = budget_rows(viewer_client, policy_area="industry_academia", stage="enacted", fy=[2003])
    assert len(rows) == 5  # siblings of one stage and year: a total is allowed
    totals = response.context["table"].totals
    assert totals["reason"] is None
    assert totals["amount_yen"] == (2_400 + 2_300 + 1_600 + 4_300 + 1_400) * MILLION


def test_budget_totals_cover_all_pages_not_just_one(viewer_client):
    program = ProgramFactory()
    source = SourceFactory()
    for fy in range(1950, 2030):
        BudgetLineFactory(program=program, fiscal_year=fy, amount_yen=MILLION, source=source)
    response = viewer_client.get("/budgets/", {"program": program.pk})
    table = response.context["table"]
    assert table.paginator.num_pages == 2
    assert table.totals == {
        "amount_yen": 80 * MILLION,
        "count": 80,
        "rounded": False,
        "reason": None,
        "reason_text": "",
    }


def test_budget_bad_filter_values_are_reported_not_500(viewer_client):
    response = viewer_client.get(
        "/budgets/", {"fy_from": "abc", "fy_to": "1800", "stage": "bogus", "program": "999999"}
    )
    assert response.status_code == 200
    assert response.context["filterset"].form.errors
    assert "error-summary" in response.content.decode()


def test_budget_sorting_by_amount(viewer_client):
    response = viewer_client.get("/budgets/", {"sort": "-amount_yen"})
    amounts = [row.record.amount_yen for row in response.context["table"].page.object_list]
    assert amounts == sorted(amounts, reverse=True)
    assert 'aria-sort="descending"' in response.content.decode()


def test_program_list_filters(viewer_client):
    response = viewer_client.get("/programs/", {"implementer": "jst"})
    slugs = {row.record.slug for row in response.context["table"].page.object_list}
    assert slugs == {"jst-regional-innovation", "sangaku-seeds-innovation", "dokusoteki-seeds", "gijutsu-iten-shien"}
    response = viewer_client.get("/programs/", {"fy_from": 2009, "fy_to": 2009})
    slugs = {row.record.slug for row in response.context["table"].page.object_list}
    assert "city-area" in slugs and "regional-innovation-cluster-2010" not in slugs


def test_program_list_latest_figure(viewer_client):
    response = viewer_client.get("/programs/")
    table = response.context["table"]
    by_slug = {row.record.slug: row.record for row in table.page.object_list}
    kc1 = table.latest[by_slug["knowledge-cluster-1"].pk]
    assert (kc1["fy"], kc1["stage"], kc1["amount_yen"], kc1["rounded"]) == (2008, "enacted", 1_600 * MILLION, True)
    kc = table.latest[by_slug["knowledge-cluster"].pk]  # the complete draft sum, not Phase I's enacted figure
    assert (kc["fy"], kc["stage"], kc["amount_yen"], kc["parts"]) == (2008, "draft", 9_066 * MILLION, 2)
    html = response.content.decode()
    assert "下位事業2件の合計" in html


def test_program_detail_stage_series_are_separate(viewer_client):
    html = viewer_client.get(reverse("programs:program", args=["knowledge-cluster-1"])).content.decode()
    fig = figure(html, "program-stages-data")
    names = [t["name"] for t in fig["data"]]
    assert names == ["予算案", "当初予算"]
    assert trace(fig, "予算案")["y"] == [1566.0]
    assert trace(fig, "当初予算")["y"] == [3420.0, 1600.0]


def test_program_detail_children_remainder_and_clusters(viewer_client):
    html = viewer_client.get(reverse("programs:program", args=["regional-innovation"])).content.decode()
    assert "約1,429" in html
    html = viewer_client.get(reverse("programs:program", args=["knowledge-cluster"])).content.decode()
    assert "浜松オプトロニクスクラスター" in html
    assert "mext-paper-2008" not in html  # sources shown by title, not key
    assert "地域イノベーション・システムの強化" in html  # the paper's title among the sources


def test_program_detail_shows_contributions_for_flagged_programs(viewer_client):
    html = viewer_client.get(reverse("programs:program", args=["dokusoteki-seeds"])).content.decode()
    assert 'id="contributions"' in html
    assert "badge--illustrative" in html


def test_unknown_program_is_404(viewer_client):
    assert viewer_client.get("/programs/no-such-program/").status_code == 404


def test_pages_need_login(client):
    for url in ["/", "/programs/", "/budgets/", "/programs/city-area/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/", "/programs/", "/programs/knowledge-cluster/", "/budgets/"])
def test_no_inline_script_other_than_json_data(viewer_client, url):
    html = viewer_client.get(url).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_plotly_js_is_served_locally(viewer_client):
    html = viewer_client.get("/").content.decode()
    # charts.js loads one of the two bundles (basic unless the page has a map)
    assert 'data-plotly-basic="/static/vendor/plotly/plotly-basic.min.js"' in html
    assert 'data-plotly-full="/static/vendor/plotly/plotly.min.js"' in html
    for path in ["/static/vendor/plotly/plotly-basic.min.js", "/static/vendor/plotly/plotly.min.js"]:
        response = Client().get(path)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert b"plotly" in body[:2000].lower()
        assert len(body) > 1_000_000
