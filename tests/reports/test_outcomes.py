"""The four programs' share of university outcomes (issue 5)."""

import json
import re
from decimal import Decimal

import pytest

from programs.models import Indicator, OutcomeValue, Program
from reports import analytics

pytestmark = pytest.mark.django_db

FOUR = {101, 102, 103, 104}


def total(ind, fy, value, derived=False):
    return {"indicator_id": ind, "fiscal_year": fy, "value": value, "derived": derived, "rounded": False,
            "source_id": 1, "derived_note": ""}  # fmt: skip


def part(ind, fy, program, value, illustrative=True):
    return {"indicator_id": ind, "fiscal_year": fy, "program_id": program, "value": value, "source_id": 2,
            "illustrative": illustrative}  # fmt: skip


def shares(totals, parts, counting=FOUR):
    return analytics.outcome_shares(totals, parts, counting).set_index(["indicator_id", "fiscal_year"])


def test_share_normal_case_rounded_half_up():
    frame = shares(
        [total(1, 2008, 17_638)], [part(1, 2008, p, v) for p, v in zip(sorted(FOUR), [300, 400, 350, 300], strict=True)]
    )
    row = frame.loc[(1, 2008)]
    assert row.numerator == 1_350 and row.denominator == 17_638
    assert row.share == Decimal("7.7")  # 1350 / 17638 = 7.654…%
    assert (row.parts, row.expected_parts, bool(row.error)) == (4, 4, False)


def test_share_half_up_boundary():
    frame = shares([total(1, 2008, 1000)], [part(1, 2008, 101, 5)])  # 0.5% exactly
    assert frame.loc[(1, 2008)].share == Decimal("0.5")
    frame = shares([total(1, 2008, 2000)], [part(1, 2008, 101, 1)])  # 0.05% → 0.1 (half up)
    assert frame.loc[(1, 2008)].share == Decimal("0.1")


def test_missing_denominator_gives_no_share():
    frame = shares([], [part(1, 2008, 101, 10)])
    row = frame.loc[(1, 2008)]
    assert row.share is None and row.numerator == 10
    assert row.denominator is None or str(row.denominator) == "nan"


def test_zero_denominator_gives_no_share_not_zero_percent():
    row = shares([total(1, 2008, 0)], [part(1, 2008, 101, 0)]).loc[(1, 2008)]
    assert row.share is None


def test_numerator_above_denominator_is_an_error_not_a_share():
    row = shares([total(1, 2008, 100)], [part(1, 2008, 101, 80), part(1, 2008, 102, 30)]).loc[(1, 2008)]
    assert bool(row.error) is True
    assert row.share is None


def test_one_program_missing_a_year_is_counted_and_visible():
    row = shares([total(1, 2010, 8_675)], [part(1, 2010, p, 100) for p in (101, 102, 103)]).loc[(1, 2010)]
    assert (row.parts, row.expected_parts, row.numerator) == (3, 4, 300)
    assert row.share == Decimal("3.5")


def test_programs_not_counting_toward_the_share_are_ignored():
    row = shares([total(1, 2008, 1000)], [part(1, 2008, 101, 10), part(1, 2008, 999, 500)]).loc[(1, 2008)]
    assert row.numerator == 10


def test_no_contributions_means_no_share():
    row = shares([total(1, 2008, 1000)], []).loc[(1, 2008)]
    assert row.share is None and row.numerator is None or str(row.numerator) == "nan"


def test_families_group_a_redefined_indicator_with_its_predecessor():
    indicators = [
        {"id": 1, "replaces_id": None},
        {"id": 2, "replaces_id": 1},
        {"id": 3, "replaces_id": None},
    ]
    assert [[i["id"] for i in f] for f in analytics.indicator_families(indicators)] == [[1, 2], [3]]


def figure(html, figure_id):
    match = re.search(rf'<script id="{figure_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, figure_id
    return json.loads(match.group(1))


@pytest.fixture
def analyst_client(client):
    from tests.conftest import make_user

    client.force_login(make_user("test-analyst", "analyst"))
    return client


def test_definition_break_is_two_series_with_a_gap_and_a_note(analyst_client):
    html = analyst_client.get("/outcomes/").content.decode()
    fig = figure(html, "outcome-joint-research-count-data")
    share_lines = [t for t in fig["data"] if t["type"] == "scatter"]
    assert len(share_lines) == 2  # old and new definition, never one line
    new = next(t for t in share_lines if "民間企業" in t["name"])
    ys = dict(zip([round(x) for x in new["x"]], new["y"], strict=True))
    assert ys[2006] is None and ys[2007] is None and ys[2008] is None  # a marked gap, not joined
    assert new["connectgaps"] is False
    shapes = fig["layout"]["shapes"]
    assert len(shapes) == 1 and shapes[0]["x0"] == 2008.5
    assert "定義変更" in html or "Definition change" in html


def test_chart_traces_equal_the_computed_table(analyst_client):
    from reports.views.outcomes import outcome_data
    from tests.conftest import make_user

    html = analyst_client.get("/outcomes/").content.decode()
    fig = figure(html, "outcome-patent-applications-data")
    _indicators, _totals, frame, _sources = outcome_data(make_user("other-analyst", "analyst"))
    indicator = Indicator.objects.get(slug="patent-applications")
    rows = frame[frame.indicator_id == indicator.pk].set_index("fiscal_year")
    totals_trace = next(
        t for t in fig["data"] if t["type"] == "bar" and "all universities" in t["name"] or "大学等全体" in t["name"]
    )
    for x, y in zip(totals_trace["x"], totals_trace["y"], strict=True):
        assert y == rows.loc[x].denominator
    parts_trace = [t for t in fig["data"] if t["type"] == "bar"][1]
    for x, y in zip(parts_trace["x"], parts_trace["y"], strict=True):
        assert y == rows.loc[x].numerator
    line = next(t for t in fig["data"] if t["type"] == "scatter")
    for x, y in zip(line["x"], line["y"], strict=True):
        year = round(x)
        if y is not None:
            assert Decimal(str(y)) == rows.loc[year].share
    # the computed share equals the database sums
    fy2008 = rows.loc[2008]
    assert fy2008.denominator == OutcomeValue.objects.get(indicator=indicator, fiscal_year=2008, program=None).value
    parts = OutcomeValue.objects.filter(
        indicator=indicator, fiscal_year=2008, program__counts_toward_outcome_share=True
    )
    assert fy2008.numerator == sum(parts.values_list("value", flat=True))


def test_missing_program_shown_as_three_of_four(analyst_client):
    html = analyst_client.get(
        "/outcomes/", {"indicator": Indicator.objects.get(slug="patent-applications").pk}
    ).content.decode()
    assert "3 / 4" in html or "4事業中3" in html or "3 of 4" in html


def test_data_error_is_flagged_and_not_charted(analyst_client):
    indicator = Indicator.objects.get(slug="startups-founded-in-year")
    program = Program.objects.get(slug="dokusoteki-seeds")
    value = OutcomeValue.objects.get(indicator=indicator, fiscal_year=2010, program=program)
    value.value = 1_000
    value.save()
    html = analyst_client.get("/outcomes/", {"indicator": indicator.pk}).content.decode()
    assert "notice--error" in html
    fig = figure(html, f"outcome-{indicator.slug}-data")
    line = next((t for t in fig["data"] if t["type"] == "scatter"), None)
    if line:
        assert all(y is None or y <= 100 for y in line["y"])
        assert dict(zip([round(x) for x in line["x"]], line["y"], strict=True)).get(2010) is None


def test_filters_keep_both_definitions(analyst_client):
    old = Indicator.objects.get(slug="joint-research-count")
    response = analyst_client.get("/outcomes/", {"indicator": old.pk, "fy_from": 2004, "fy_to": 2010})
    html = response.content.decode()
    assert "outcome-joint-research-count-data" in html
    assert "outcome-patent-applications-data" not in html
    fig = figure(html, "outcome-joint-research-count-data")
    xs = {round(x) for t in fig["data"] for x in t["x"]}
    assert min(xs) >= 2004 and max(xs) <= 2010


def test_illustrative_badge_and_sources(analyst_client):
    html = analyst_client.get("/outcomes/").content.decode()
    assert "badge--illustrative" in html
    assert "平成22年度 大学等における産学連携等実施状況について" in html


def test_dashboard_has_share_small_multiples(viewer_client):
    html = viewer_client.get("/").content.decode()
    fig = figure(html, "share-multiples-data")
    assert len(fig["data"]) >= 5


def test_outcomes_query_count_is_fixed(analyst_client, django_assert_max_num_queries):
    analyst_client.get("/outcomes/")
    with django_assert_max_num_queries(12):
        assert analyst_client.get("/outcomes/").status_code == 200


def test_cached_outcome_charts_follow_every_write(analyst_client, django_capture_on_commit_callbacks):
    """The page's figures are cached per data version: a write shows at once."""
    from django.contrib.auth import get_user_model

    from core.services import save_tracked

    url = "/outcomes/"
    indicator = Indicator.objects.get(slug="patent-applications")
    params = {"indicator": indicator.pk}
    before = figure(analyst_client.get(url, params).content.decode(), "outcome-patent-applications-data")
    total = OutcomeValue.objects.get(indicator=indicator, fiscal_year=2008, program=None)
    total.value = 20_000
    with django_capture_on_commit_callbacks(execute=True):  # the data version moves on commit
        save_tracked(user=get_user_model().objects.get(username="manager"), instance=total, version=total.version)
    after = figure(analyst_client.get(url, params).content.decode(), "outcome-patent-applications-data")
    bars = lambda fig: next(t for t in fig["data"] if t["type"] == "bar")  # noqa: E731
    assert 20_000 not in bars(before)["y"] and 20_000 in bars(after)["y"]
