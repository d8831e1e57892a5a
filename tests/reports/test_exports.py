"""Exports (issue 7): the screen's rows, Japanese-Excel-safe CSV, typed XLSX, the dataset ZIP."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from django.utils import translation

from clusters.models import ClusterFunding, Region
from core.exports import Column, csv_response, escape_formula, export_filename, plain
from core.formatting import Unit
from programs.models import BudgetLine, Source

pytestmark = pytest.mark.django_db
BOM = b"\xef\xbb\xbf"


def login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response, encoding="utf-8-sig"):
    return list(csv.reader(io.StringIO(body(response).decode(encoding), newline="")))


def screen_rows(client, url, params, key):
    """Every row of every page of the table on screen, in order."""
    rows, page = [], 1
    while True:
        response = client.get(url, {**params, "page": page})
        table = response.context["table"]
        rows += [key(row.record) for row in table.page.object_list]
        if not table.page.has_next():
            return rows
        page += 1


LISTS = [
    ("/budgets/", {"stage": "enacted", "sort": "-amount_yen"}, lambda r: r.program.slug, "事業キー"),
    ("/budgets/", {"fy_from": 2007, "fy_to": 2008}, lambda r: r.program.slug, "事業キー"),
    ("/programs/", {"implementer": "mext", "sort": "-latest_amount"}, lambda r: r.slug, "事業キー"),
    ("/regions/", {"block": "kinki"}, lambda r: r.slug, "地域キー"),
    ("/regions/", {}, lambda r: r.slug, "地域キー"),
    ("/sources/", {"kind": "official"}, lambda r: r.key, "出典キー"),
    ("/outcomes/values/", {"fy_from": 2008}, lambda r: r.indicator.slug, "指標キー"),
    ("/funding/", {"fy_from": 2008}, lambda r: r.cluster.slug, "クラスターキー"),
    ("/cluster-outcomes/", {}, lambda r: r.cluster.slug, "クラスターキー"),
]


@pytest.mark.parametrize(("url", "params", "key", "column"), LISTS)
def test_export_rows_equal_the_screen_rows(client, url, params, key, column):
    login(client, "analyst")
    expected = screen_rows(client, url, params, key)
    rows = read_csv(client.get(url, {**params, "export": "csv"}))
    index = rows[0].index(column)
    assert [row[index] for row in rows[1:]] == expected
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(url, {**params, "export": "xlsx"}))))
    sheet = workbook.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [str(row[index]) for row in values[1:]] == [str(k) for k in expected]


def test_export_covers_all_pages_not_only_the_current_one(client):
    from tests.factories import BudgetLineFactory, ProgramFactory, SourceFactory

    program, source = ProgramFactory(), SourceFactory()
    for fy in range(1950, 2030):
        BudgetLineFactory(program=program, fiscal_year=fy, source=source)
    login(client, "analyst")
    response = client.get("/budgets/", {"program": program.pk, "page": 2, "export": "csv"})
    assert len(read_csv(response)) == 1 + 80


def test_coordinator_export_has_no_other_regions_rows(client):
    login(client, "coord-hamamatsu")
    rows = read_csv(client.get("/funding/", {"export": "csv"}))
    index = rows[0].index("地域キー")
    assert {row[index] for row in rows[1:]} == {"hamamatsu"}
    assert ClusterFunding.objects.exclude(cluster__region__slug="hamamatsu").exists()
    rows = read_csv(client.get("/funding/", {"export": "csv", "region": Region.objects.get(slug="sapporo").pk}))
    assert rows[1:] == []  # another region cannot even be chosen as a filter


def test_csv_bytes_bom_crlf_and_headers_with_units(client):
    login(client, "analyst")
    response = client.get("/budgets/", {"export": "csv", "unit": "hundred-million"})
    data = body(response)  # a streamed body can be read once
    assert data.startswith(BOM)
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    header = data[3:].split(b"\r\n")[0].decode("utf-8")
    assert "金額（億円）" in header and "金額（円）" in header
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    line = next(r for r in rows if r[0] == "knowledge-cluster-1" and r[2] == "2008" and r[3] == "予算案")
    amount, yen = rows[0].index("金額（億円）"), rows[0].index("金額（円）")
    assert line[amount] == "15.66" and line[yen] == "1566000000"  # plain numbers, no separators


def test_csv_headers_follow_the_language(client):
    login(client, "analyst")
    with translation.override("en"):
        response = client.get("/budgets/", {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    response = client.get("/budgets/", {"export": "csv"})
    header = read_csv(response)[0]
    assert "Amount (million yen)" in header and "Fiscal year" in header


def test_cp932_export_replaces_and_counts(client):
    source = Source.objects.get(key="mext-paper-2008")
    source.title = "𠮷野家😀の資料"  # 𠮷 and 😀 are not in Shift_JIS
    source.save()
    login(client, "analyst")
    response = client.get("/sources/", {"export": "csv", "encoding": "cp932", "kind": "official"})
    assert response["Content-Type"] == "text/csv; charset=Shift_JIS"
    assert response["X-Replaced-Characters"] == "2"
    data = body(response)
    assert not data.startswith(BOM)
    text = data.decode("cp932")
    assert "?野家?の資料" in text and "出典キー" in text
    page = client.get("/sources/", {"kind": "official"}).content.decode()
    assert "Shift_JIS" in page and "2" in page[page.index("export-menu__warning") :][:300]


def test_formula_like_text_is_escaped_but_numbers_are_not():
    assert escape_formula("=SUM(A1:A9)") == "'=SUM(A1:A9)"
    for text in ("+81", "-abc", "@cmd", "\tx", "\rx"):
        assert escape_formula(text).startswith("'")
    assert escape_formula("浜松") == "浜松"
    assert plain(-824_000_000, Column("d", "増減", "Change", "money"), Unit.MILLION) == "-824"
    assert plain(-5, Column("n", "n", "n", "int"), Unit.MILLION) == "-5"
    assert plain("-5", Column("t", "t", "t"), Unit.MILLION) == "'-5"


def test_formula_text_in_a_real_export(client):
    source = Source.objects.get(key="mext-paper-2008")
    source.title = '=HYPERLINK("http://evil.example","x")'
    source.save()
    login(client, "analyst")
    rows = read_csv(client.get("/sources/", {"export": "csv", "kind": "official"}))
    titles = [row[2] for row in rows[1:]]
    assert "'" + source.title in titles


def test_csv_is_streamed():
    produced = []

    def rows():
        for i in range(20_000):
            produced.append(i)
            yield {"n": i}

    response = csv_response(filename="x.csv", columns=[Column("n", "n", "n", "int")], rows=rows, unit=Unit.MILLION)
    assert isinstance(response, StreamingHttpResponse)
    stream = iter(response.streaming_content)
    assert next(stream) == BOM
    next(stream)
    from core.exports import CHUNK_ROWS

    assert len(produced) <= CHUNK_ROWS + 1  # rows are read as the response is sent, not collected first


def test_file_names(client):
    assert export_filename("budget-lines", 2003, 2010, "csv").startswith("budget-lines_2003-2010_")
    assert export_filename("budget-lines", None, None, "csv").startswith("budget-lines_all_")
    login(client, "analyst")
    response = client.get("/budgets/", {"export": "csv", "fy_from": 2007, "fy_to": 2008})
    assert 'filename="budget-lines_2007-2008_' in response["Content-Disposition"]
    response = client.get("/", {"export": "csv", "chart": "budget-by-program"})
    assert "budget-by-program_all_" in response["Content-Disposition"]


def test_xlsx_numbers_frozen_header_and_about_sheet(client):
    login(client, "analyst")
    response = client.get("/budgets/", {"export": "xlsx", "stage": "draft"})
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    data, about = workbook.worksheets
    assert about.title == "About"
    assert data.freeze_panes == "A2"
    header = [c.value for c in data[1]]
    amount, yen = header.index("金額（百万円）"), header.index("金額（円）")
    first = list(data[2])
    assert isinstance(first[amount].value, (int, float)) and first[amount].number_format.startswith("#,##0")
    assert isinstance(first[yen].value, int)
    assert data.column_dimensions["A"].width >= 10
    about_text = "\n".join(f"{a.value} {b.value}" for a, b in about.iter_rows())
    assert "予算段階" in about_text and "予算案" in about_text  # the filter in effect
    assert "百万円" in about_text
    assert "[official] mext-paper-2008" in about_text


def test_chart_export_gives_the_charts_own_data(client):
    login(client, "ministry")
    rows = read_csv(client.get("/", {"export": "csv", "chart": "budget-by-program"}))
    row = next(r for r in rows if r[0] == "2008年度")
    assert row[rows[0].index("地域イノベーション・システムの強化（百万円）")] == "26095"  # the total, in 百万円, plain
    assert "1429" in row  # the unitemized remainder
    assert any("（百万円）" in h for h in rows[0])
    assert client.get("/", {"export": "csv", "chart": "nope"}).status_code == 404


def test_dataset_zip_contents_and_access(client):
    for username, status in (("ministry", 403), ("coord-hamamatsu", 403), ("analyst", 200), ("manager", 200)):
        client.logout()
        login(client, username)
        response = client.get("/reports/dataset.zip")
        assert response.status_code == status
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"README.md", "budget_lines.csv", "sources.csv", "programs.csv", "outcome_values.csv", "regions.csv",
            "clusters.csv", "cluster_funding.csv", "cluster_outcomes.csv", "prefectures.csv", "indicators.csv",
            "evaluations.csv", "annual_reports.csv"} <= names  # fmt: skip
    budget = archive.read("budget_lines.csv")
    assert budget.startswith(BOM)
    assert len(budget.decode("utf-8-sig").strip().split("\r\n")) == 1 + BudgetLine.objects.count()
    readme = archive.read("README.md").decode()
    assert "amount_yen" in readme and "illustrative" in readme and "budget_lines.csv" in readme
    client.logout()
    assert client.get("/reports/dataset.zip").status_code == 302


def test_report_pages_and_their_exports(client):
    login(client, "analyst")
    rows = read_csv(client.get("/reports/budget-pivot/", {"stage": "draft", "export": "csv"}))
    header = rows[0]
    total = next(r for r in rows if r[0] == "regional-innovation")
    assert total[header.index("2008年度（百万円）")] == "26095"
    rows = read_csv(client.get("/reports/year-over-year/", {"fy_a": 2007, "fy_b": 2008, "export": "csv"}))
    root = next(r for r in rows if r[0] == "regional-innovation")
    assert root[rows[0].index("増減（百万円）")] == ""  # each year's latest stage differs: no change
    assert root[rows[0].index("増減を示さない理由")] == "予算段階が異なる"
    named = {"fy_a": 2007, "fy_b": 2008, "stage_a": "enacted", "stage_b": "draft"}
    rows = read_csv(client.get("/reports/year-over-year/", {**named, "export": "csv"}))
    root = next(r for r in rows if r[0] == "regional-innovation")
    assert root[rows[0].index("増減（百万円）")] == "824"  # two stages the user named, and the page says so
    assert root[rows[0].index("増減率（%）")] == "3.3"
    assert 'id="across-stages"' in client.get("/reports/year-over-year/", named).content.decode()
    rows = read_csv(client.get("/reports/region-funding/", {"kind": "actual", "export": "csv"}))
    hamamatsu = next(r for r in rows if r[0] == "hamamatsu")
    expected = sum(
        ClusterFunding.objects.filter(cluster__region__slug="hamamatsu", fiscal_year=2008, kind="actual").values_list(
            "national_yen", flat=True
        )
    )
    assert float(hamamatsu[rows[0].index("2008年度（百万円）")]) * 1_000_000 == pytest.approx(expected)
    rows = read_csv(client.get("/reports/outcome-shares/", {"export": "csv"}))
    assert rows[0][:3] == ["指標キー", "成果指標", "年度"]
    for url in (
        "/reports/",
        "/reports/budget-pivot/",
        "/reports/region-funding/",
        "/reports/outcome-shares/",
        "/reports/year-over-year/",
    ):
        assert client.get(url).status_code == 200
    assert client.get("/reports/year-over-year/", {"fy_a": "abc", "stage_a": "bogus"}).status_code == 200


def test_unknown_export_format_is_a_clear_400(client):
    login(client, "analyst")
    assert client.get("/budgets/", {"export": "pdf"}).status_code == 400
