"""Cost follows what is shown (issue 13): pages show a bounded part of the data and link to the
rest, aggregates are cached per data version (and follow every write), responses are
compressed, and the Shift_JIS count is never made on a page view."""

import csv
import gzip
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings

from config.settings import cache_settings
from core.history import bump_data_version, cached_per_version
from core.services import save_tracked
from programs.models import BudgetLine, Program
from reports import analytics
from reports.views.dashboard import budget_figures
from tests.factories import ProgramFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client):
    client.force_login(get_user_model().objects.get(username="analyst"))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def grow_programs(widths=(10, 3, 3), years=range(2010, 2026)):
    """A deep, wide program tree with a figure every year: far more than a page can show."""
    source = SourceFactory()
    parents, created = [None], []
    for width in widths:
        children = [
            ProgramFactory(parent=parent, source=source, order=60 + i) for parent in parents for i in range(width)
        ]
        parents = children
        created += children
    BudgetLine.objects.bulk_create(
        BudgetLine(program=p, fiscal_year=fy, stage="enacted", amount_yen=1_000_000_000, source=source)
        for p in created
        for fy in years
    )
    return created


# --- The per-version cache ---------------------------------------------------------------------


def test_cached_per_version_computes_once_per_data_version():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached_per_version("test-value", compute) == 1
    assert cached_per_version("test-value", compute) == 1
    bump_data_version()  # every committed write does this
    assert cached_per_version("test-value", compute) == 2
    cache.clear()  # a restarted or flushed cache: this process's copy is not trusted either
    assert cached_per_version("test-value", compute) == 3


@override_settings(CACHES=cache_settings("redis://127.0.0.1:6390/0"))  # nothing listens there
def test_with_the_cache_down_values_are_computed_every_time():
    calls = []
    assert [cached_per_version("test-down", lambda: calls.append(1) or len(calls)) for _ in range(3)] == [1, 2, 3]


def test_cached_budget_figures_follow_every_write(analyst_client, django_capture_on_commit_callbacks):
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    before = {r["事業キー"]: r for r in csv_rows(analyst_client.get("/reports/budget-pivot/", {"export": "csv"}))}
    assert before["city-area"]["2009年度（百万円）"] == "5500"
    line.amount_yen = 5_700_000_000
    with django_capture_on_commit_callbacks(execute=True):  # the data version moves on commit
        save_tracked(user=get_user_model().objects.get(username="manager"), instance=line, version=line.version)
    after = {r["事業キー"]: r for r in csv_rows(analyst_client.get("/reports/budget-pivot/", {"export": "csv"}))}
    assert after["city-area"]["2009年度（百万円）"] == "5700"
    assert "5,700" in analyst_client.get("/programs/city-area/").content.decode()


# --- One selection instead of a loop over programs ---------------------------------------------


def test_the_vectorised_pivot_picks_what_the_rule_picks_for_each_program():
    """budget_pivot selects once over the whole frame; per program and year it must pick what a
    plain reading of the rule picks: the most advanced stage among complete figures."""
    user = get_user_model().objects.get(username="analyst")
    programs, values, _partials = budget_figures(user)
    for stage in ["latest", *analytics.STAGES]:
        pivot = analytics.budget_pivot(values, programs, stage=stage)
        got = {(int(r.program_id), int(r.fiscal_year)): (r.stage, int(r.amount_yen)) for r in pivot.itertuples()}
        expected = {}
        for r in values.itertuples():
            key = (int(r.program_id), int(r.fiscal_year))
            if stage != "latest" and r.stage != stage:
                continue
            best = expected.get(key)
            if best is None or analytics.STAGE_RANK[r.stage] > analytics.STAGE_RANK[best[0]]:
                expected[key] = (r.stage, int(r.amount_yen))
        assert got == expected, stage
        order = [p["id"] for p in programs]
        assert list(pivot["program_id"]) == sorted(pivot["program_id"], key=order.index)  # tree order kept


# --- Pages show a bounded part and link to the rest --------------------------------------------


def test_dashboard_shows_the_top_of_the_tree_and_recent_years(analyst_client):
    grow_programs()
    response = analyst_client.get("/", HTTP_ACCEPT_ENCODING="")
    html = response.content.decode()
    assert len(response.content) < 300 * 1024
    table = html[html.index('id="budget-overview"') :]
    table = table[: table.index("</table>")]
    assert "2025年度" in table and "2020年度" not in table  # the latest five years
    deepest = Program.objects.filter(parent__parent__isnull=False, slug__startswith="test-program-").first()
    assert f"/programs/{deepest.slug}/" not in table  # the top levels only
    assert 'href="/budgets/"' in html and 'href="/reports/budget-pivot/"' in html


def test_pivot_windows_years_and_pages_programs_and_the_download_holds_every_program(analyst_client):
    created = grow_programs()
    response = analyst_client.get("/reports/budget-pivot/", {"stage": "enacted"})
    assert response.context["years"] == list(range(2016, 2026))
    assert len(response.context["table"]) == 50
    assert 'id="year-window"' in response.content.decode()
    rows = csv_rows(analyst_client.get("/reports/budget-pivot/", {"stage": "enacted", "export": "csv"}))
    assert {f"{fy}年度（百万円）" for fy in range(2016, 2026)} <= set(rows[0])
    assert "2015年度（百万円）" not in rows[0]
    assert {p.slug for p in created} <= {r["事業キー"] for r in rows}
    wide = analyst_client.get("/reports/budget-pivot/", {"stage": "enacted", "fy_from": 1990, "page": 2})
    assert wide.context["years"][0] < 2016 and wide.context["page"].number == 2


def test_status_board_and_region_funding_window_and_page(analyst_client):
    status = analyst_client.get("/reports/status/")
    assert status.status_code == 200 and "page" in status.context
    funding = analyst_client.get("/reports/region-funding/", {"kind": "plan"})
    assert funding.status_code == 200 and funding.context["window"].years == funding.context["years"]


# --- Compression and the Shift_JIS count -------------------------------------------------------


def test_html_json_and_streamed_csv_are_compressed_but_not_xlsx(analyst_client):
    page = analyst_client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert b"26,095" in gzip.decompress(page.content)
    export = analyst_client.get("/budgets/", {"export": "csv"}, HTTP_ACCEPT_ENCODING="gzip")
    assert export.streaming and export["Content-Encoding"] == "gzip"
    assert gzip.decompress(body(export)).startswith(b"\xef\xbb\xbf")
    xlsx = analyst_client.get("/budgets/", {"export": "xlsx"}, HTTP_ACCEPT_ENCODING="gzip")
    assert not xlsx.has_header("Content-Encoding")


def test_the_shift_jis_count_is_made_on_demand_not_on_a_page_view(analyst_client, monkeypatch):
    from core import exports

    counted = []
    original = exports.count_cp932_replacements
    monkeypatch.setattr(exports, "count_cp932_replacements", lambda *a: counted.append(1) or original(*a))
    page = analyst_client.get("/sources/")
    assert counted == [] and page.context["cp932_replaced"] is None
    assert "cp932=count" in page.content.decode()
    answer = analyst_client.get("/sources/", {"cp932": "count", "kind": "official"})
    assert answer.status_code == 200 and counted == [1]
    assert isinstance(answer.context["cp932_replaced"], int)
    download = analyst_client.get("/sources/", {"export": "csv", "encoding": "cp932", "kind": "official"})
    assert int(download["X-Replaced-Characters"]) == answer.context["cp932_replaced"]
