"""Issue 11: every figure the product derives is as true as its sources (DESIGN §2b).

Each example that was wrong is checked through the page and the export it appeared on, and one
test walks every place a (program, fiscal year, stage) figure appears and compares them, 約
included."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from programs.models import BudgetLine, Program
from reports import analytics
from reports.views.dashboard import budget_figures

pytestmark = pytest.mark.django_db
MILLION = 1_000_000


def login(client, username="analyst"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_dicts(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The examples from the issue -------------------------------------------------------------


def test_knowledge_cluster_fy2008_is_the_complete_draft_sum_never_the_partial_enacted(client):
    login(client)
    rows = {r["事業キー"]: r for r in csv_dicts(client.get("/reports/budget-pivot/", {"export": "csv"}))}
    kc = rows["knowledge-cluster"]
    assert Decimal(kc["2008年度（百万円）"]) == Decimal("9066")
    assert "予算案" in kc["2008年度の予算段階"] and "2" in kc["2008年度の予算段階"]
    assert kc["2008年度の精度"] == "概数（約）"
    enacted = {
        r["事業キー"]: r for r in csv_dicts(client.get("/reports/budget-pivot/", {"stage": "enacted", "export": "csv"}))
    }
    assert enacted["knowledge-cluster"]["2008年度（百万円）"] == ""  # Phase I alone is not the initiative's figure
    assert enacted["knowledge-cluster-1"]["2008年度（百万円）"] == "1600"
    page = html(client.get("/reports/budget-pivot/", {"stage": "enacted"}))
    assert "1 of 2" in page or "2件中1件" in page  # the partial sum is a note, not a cell


def test_year_over_year_shows_no_drop_from_a_partial_sum(client):
    login(client)
    response = client.get(
        "/reports/year-over-year/", {"fy_a": 2007, "fy_b": 2008, "stage_a": "enacted", "stage_b": "enacted"}
    )
    page = html(response)
    assert "7,320" not in page and "82.1" not in page
    rows = {
        r["事業キー"]: r
        for r in csv_dicts(
            client.get(
                "/reports/year-over-year/",
                {"fy_a": 2007, "fy_b": 2008, "stage_a": "enacted", "stage_b": "enacted", "export": "csv"},
            )
        )
    }
    assert rows["knowledge-cluster"]["2008年度（百万円）"] == ""
    assert rows["knowledge-cluster"]["増減（百万円）"] == ""


def test_year_over_year_marks_the_change_rounded_when_the_previous_year_is(client):
    login(client)
    rows = {
        r["事業キー"]: r
        for r in csv_dicts(
            client.get(
                "/reports/year-over-year/",
                {"fy_a": 2007, "fy_b": 2008, "stage_a": "enacted", "stage_b": "enacted", "export": "csv"},
            )
        )
    }
    city = rows["city-area"]  # FY2007 約45億 (rounded) → FY2008 4,600 (exact)
    assert (city["2007年度の精度"], city["2008年度の精度"]) == ("概数（約）", "出典記載の数値")
    assert Decimal(city["増減（百万円）"]) == Decimal("100")
    assert city["増減の精度"] == "概数（約）"
    page = html(
        client.get("/reports/year-over-year/", {"fy_a": 2007, "fy_b": 2008, "stage_a": "enacted", "stage_b": "enacted"})
    )
    assert "約+100" in page and "約+2.2%" in page


def test_year_over_year_gives_no_change_between_different_latest_stages(client):
    login(client)
    rows = {
        r["事業キー"]: r
        for r in csv_dicts(client.get("/reports/year-over-year/", {"fy_a": 2007, "fy_b": 2008, "export": "csv"}))
    }
    ri = rows["regional-innovation"]  # FY2008 予算案 vs FY2007 当初予算
    assert (ri["2008年度（百万円）"], ri["2007年度（百万円）"]) == ("26095", "25271")
    assert ri["増減（百万円）"] == "" and ri["増減を示さない理由"]


def test_regional_innovation_page_has_no_partial_figures_or_changes(client):
    login(client)
    page = html(client.get("/programs/regional-innovation/"))
    for wrong in ("6,200", "75.5", "80.5", "72.7"):
        assert wrong not in page, wrong
    assert "26,095" in page and "25,271" in page
    rows = csv_dicts(client.get("/programs/regional-innovation/", {"export": "csv", "chart": "program-stages"}))
    assert {(r["年度"], r["予算段階"]) for r in rows} == {("2007年度", "当初予算"), ("2008年度", "予算案")}


def test_dashboard_and_pivot_agree_on_knowledge_cluster_fy2008(client):
    login(client)
    chart = csv_dicts(client.get("/programs/regional-innovation/", {"export": "csv", "chart": "program-children"}))
    fy2008 = next(r for r in chart if r["年度"].startswith("2008"))
    kc_column = "知的クラスター創成事業（百万円）"
    assert fy2008["知的クラスター創成事業：精度"] == "概数（約）"
    assert Decimal(fy2008[kc_column]) == Decimal("9066")
    dashboard = csv_dicts(client.get("/", {"export": "csv", "chart": "budget-by-program"}))
    assert Decimal(next(r for r in dashboard if r["年度"].startswith("2008"))[kc_column]) == Decimal("9066")


def test_budget_list_gives_no_total_across_stages_and_levels(client):
    login(client)
    page = html(client.get("/budgets/"))
    assert 'id="totals-refused"' in page
    assert "151,952" not in page
    table = client.get("/budgets/").context["table"]
    assert table.totals["amount_yen"] is None or table.totals["reason"]
    # one program, one stage: a total, 約 because a part is rounded
    city = Program.objects.get(slug="city-area")
    response = client.get("/budgets/", {"program": city.pk, "stage": "enacted"})
    totals = response.context["table"].totals
    expected = sum(BudgetLine.objects.filter(program=city, stage="enacted").values_list("amount_yen", flat=True))
    assert (totals["amount_yen"], totals["reason"], totals["rounded"]) == (expected, None, True)
    assert 'id="totals-refused"' not in html(response)


def test_budget_list_refuses_a_total_over_a_parent_and_its_children(client):
    login(client)
    kc = Program.objects.get(slug="knowledge-cluster")
    response = client.get("/budgets/", {"program": kc.pk, "stage": "enacted"})  # includes descendants
    assert response.context["table"].totals["reason"] in {"nested", "doubt"}


def test_program_list_names_the_stage_of_its_latest_figure(client):
    login(client)
    page = html(client.get("/programs/"))
    rows = {r["事業キー"]: r for r in csv_dicts(client.get("/programs/", {"export": "csv"}))}
    city = rows["city-area"]
    assert (city["最新年度"], city["最新の予算段階"], city["最新の金額（百万円）"]) == ("2009", "概算要求", "5500")
    kc = rows["knowledge-cluster"]
    assert (kc["最新年度"], kc["最新の予算段階"], kc["最新の金額の根拠"]) == ("2008", "予算案", "sum-of-2")
    assert "概算要求" in page


def test_stage_doubt_is_shown_where_the_source_says_government_budget(client):
    login(client)
    line = BudgetLine.objects.get(program__slug="knowledge-cluster", fiscal_year=2004)
    assert (line.stage, line.stage_alternative) == ("enacted", "draft")
    assert line.stage_wording == "government budget"  # it-cluster.jp, in English: '2004 government budget'
    fy2006 = BudgetLine.objects.get(program__slug="knowledge-cluster", fiscal_year=2006)
    assert (fy2006.stage_alternative, fy2006.stage_wording) == ("draft", "政府予算額")
    page = html(client.get("/budgets/", {"fy": 2006}))
    assert "予算案または当初予算（出典の表記：政府予算額）" in page
    rows = csv_dicts(client.get("/budgets/", {"fy": 2006, "export": "csv"}))
    row = next(r for r in rows if r["事業キー"] == "knowledge-cluster")
    assert (row["予算段階"], row["別の可能性のある予算段階"], row["出典の予算段階の表記"]) == (
        "当初予算",
        "予算案",
        "政府予算額",
    )
    # no change is computed against a year whose stage is in doubt
    changes = analytics.year_over_year(budget_figures(get_user_model().objects.get(username="analyst"))[1],
                                       Program.objects.get(slug="knowledge-cluster").pk)  # fmt: skip
    fy2005 = changes[(changes.fiscal_year == 2005) & (changes.stage == "enacted")].iloc[0]
    assert fy2005.delta_yen is None and fy2005.reason == analytics.NO_CHANGE_DOUBT


# --- Precision and kinds in exports ------------------------------------------------------------


def test_chart_exports_carry_precision_and_source_kind(client):
    login(client)
    rows = csv_dicts(client.get("/programs/knowledge-cluster/", {"export": "csv", "chart": "program-stages"}))
    assert rows
    header = list(rows[0])
    assert "金額：精度" in header and "出典の種別" in header
    fy2008 = next(r for r in rows if r["年度"].startswith("2008"))
    assert fy2008["金額：精度"] == "概数（約）"
    assert all(r["出典の種別"] for r in rows)


def test_no_export_of_demo_data_has_an_invented_number_without_its_kind(client):
    login(client)
    rows = csv_dicts(client.get("/", {"export": "csv", "chart": "share-multiples"}))
    assert len(rows) >= 1
    assert all(r["出典の種別"] == "例示" or "例示" in r["出典の種別"] for r in rows), rows[:3]
    book = openpyxl.load_workbook(io.BytesIO(body(client.get("/", {"export": "xlsx", "chart": "share-multiples"}))))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    kind_col = header.index("出典の種別")
    assert all(row[kind_col].value for row in sheet.iter_rows(min_row=2))
    region = csv_dicts(client.get("/regions/hamamatsu/", {"export": "csv", "chart": "region-funding"}))
    assert region and all("例示" in r["出典の種別"] for r in region)


def test_data_dictionary_says_what_precision_means_and_never_calls_a_figure_final(client):
    import zipfile

    login(client)
    archive = zipfile.ZipFile(io.BytesIO(body(client.get("/reports/dataset.zip"))))
    readme = archive.read("README.md").decode()
    assert "確定値" not in readme
    assert "出典記載の数値" in readme and "概数（約）" in readme
    assert "(exact)" not in readme.replace("exact = ", "")
    with translation.override("ja"):
        from programs.choices import Precision

        assert str(Precision.EXACT.label) == "出典記載の数値"
        assert str(Precision.ROUNDED.label) == "概数（約）"


def test_figures_typed_by_a_coordinator_are_reported_not_official(client):
    from clusters import services
    from clusters.models import Cluster, ClusterFunding

    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    coordinator = get_user_model().objects.get(username="coord-hamamatsu")
    services.report_save(
        user=coordinator, cluster=cluster, fy=2009, version=None, national_yen=123_000_000, local_yen=0, outcomes={}
    )
    funding = ClusterFunding.objects.get(cluster=cluster, fiscal_year=2009, kind="actual")
    assert funding.source.kind == "reported"
    login(client, "coord-hamamatsu")
    rows = csv_dicts(client.get("/funding/", {"export": "csv"}))
    row = next(r for r in rows if r["年度"] == "2009" and r["クラスターキー"] == "hamamatsu-kc2")
    assert row["出典の種別"] == "reported"


# --- Rule 2: one (program, FY, stage) reads the same everywhere --------------------------------

AMOUNT = re.compile(r"^(約)?([\d,]+(?:\.\d+)?)$")


def test_one_figure_reads_the_same_on_every_page_and_export(client):
    """Walk the program pages' stage tables, the pivot at every stage, the year-over-year report
    at every stage, the program list, the dashboard's chart and headline — pages and CSVs — and
    compare each (program, FY, stage) with the one analytics answer, 約 included."""
    user = get_user_model().objects.get(username="analyst")
    login(client)
    programs, values, _partials = budget_figures(user)
    truth = {
        (p["slug"], int(r.fiscal_year), r.stage): (Decimal(int(r.amount_yen)) / MILLION, bool(r.rounded))
        for p in programs
        for r in values[values.program_id == p["id"]].itertuples()
    }
    seen: dict[tuple, set] = {}

    def saw(key, amount, rounded, where):
        assert key in truth, (key, where)
        seen.setdefault(key, set()).add(where)
        assert (Decimal(amount), rounded) == truth[key], (key, where, amount, rounded, truth[key])

    stage_of = {
        "概算要求": "request",
        "予算案": "draft",
        "当初予算": "enacted",
        "補正後": "supplementary",
        "決算": "settled",
    }

    def stage_in(text):
        return next(v for k, v in stage_of.items() if text.startswith(k))

    # program pages: the stage table (CSV of the chart) and its HTML
    for p in programs:
        response = client.get(f"/programs/{p['slug']}/", {"export": "csv", "chart": "program-stages"})
        if response.status_code == 404:
            continue
        for r in csv_dicts(response):
            fy = int(r["年度"][:4])
            saw(
                (p["slug"], fy, stage_in(r["予算段階"])),
                r["金額（百万円）"],
                r["金額：精度"] == "概数（約）",
                "program",
            )
    # the pivot at each stage, page cells and CSV
    for stage in ["latest", *stage_of.values()]:
        for r in csv_dicts(client.get("/reports/budget-pivot/", {"stage": stage, "export": "csv"})):
            for column, amount in r.items():
                if re.fullmatch(r"\d{4}年度（百万円）", column) and amount:
                    fy = int(column[:4])
                    key = (r["事業キー"], fy, stage_in(r[f"{fy}年度の予算段階"]))
                    saw(key, amount, r[f"{fy}年度の精度"] == "概数（約）", f"pivot-{stage}")
        cells = client.get("/reports/budget-pivot/", {"stage": stage}).context
        slugs = [row["program"]["slug"] for row in cells["table"]]
        for slug, row in zip(slugs, cells["table"], strict=True):
            for fy, cell in zip(cells["years"], row["cells"], strict=True):
                if cell:
                    match = AMOUNT.match(cell["text"])
                    key = (slug, fy, stage_in(cell["stage"]))
                    saw(key, match.group(2).replace(",", ""), bool(match.group(1)), f"pivot-page-{stage}")
    # year-over-year at each named stage, for every pair of consecutive years
    years = sorted({fy for _slug, fy, _stage in truth})
    for stage in stage_of.values():
        for fy in years:
            rows = csv_dicts(
                client.get(
                    "/reports/year-over-year/",
                    {"fy_a": fy - 1, "fy_b": fy, "stage_a": stage, "stage_b": stage, "export": "csv"},
                )
            )
            for r in rows:
                for year in (fy - 1, fy):
                    if r[f"{year}年度（百万円）"]:
                        saw(
                            (r["事業キー"], year, stage),
                            r[f"{year}年度（百万円）"],
                            r[f"{year}年度の精度"] == "概数（約）",
                            "yoy",
                        )
    # the program list: each program's latest figure
    for r in csv_dicts(client.get("/programs/", {"export": "csv"})):
        if r["最新の金額（百万円）"]:
            key = (r["事業キー"], int(r["最新年度"]), stage_in(r["最新の予算段階"]))
            saw(key, r["最新の金額（百万円）"], r["最新の金額の精度"] == "rounded", "program-list")
    # the dashboard: the root's headline and the total column of its chart
    response = client.get("/")
    card = response.context["card"]
    root = response.context["root"]
    head = response.context["head"]
    match = AMOUNT.match(card["value"])
    saw((root["slug"], head["fy"], head["stage"]), match.group(2).replace(",", ""), bool(match.group(1)), "card")
    # every figure was seen on at least two kinds of place (the program page and the pivot)
    for key in truth:
        places = seen.get(key, set())
        assert "program" in places and any(p.startswith("pivot") for p in places), (key, places)


def test_report_exports_carry_the_kind_of_every_figure(client):
    login(client)
    shares = csv_dicts(client.get("/reports/outcome-shares/", {"export": "csv"}))
    with_part = [r for r in shares if r["4事業合計"]]
    assert with_part and all(r["4事業の出典の種別"] for r in with_part)
    assert any(r["4事業の出典の種別"] == "例示データ" for r in with_part)
    assert all(r["全体の出典の種別"] for r in shares if r["大学等全体"])
    regions = csv_dicts(client.get("/reports/region-funding/", {"export": "csv"}))
    assert regions and all(r["出典の種別"] == "例示データ" for r in regions)
    page = html(client.get("/reports/outcome-shares/"))
    assert "（例示）" in page  # an invented share is marked where it is shown


def test_every_about_sheet_explains_precision_and_kinds(client):
    login(client)
    for url, params in (
        ("/budgets/", {"export": "xlsx"}),
        ("/reports/budget-pivot/", {"export": "xlsx"}),
        ("/", {"export": "xlsx", "chart": "share-multiples"}),
    ):
        book = openpyxl.load_workbook(io.BytesIO(body(client.get(url, params))))
        about = {row[0].value: row[1].value for row in book["About"].iter_rows() if row[0].value}
        assert "出典記載の数値" in about["精度"] and "例示データ" in about["出典の種別（凡例）"], url
