"""analytics.py with hand-made rows: roll-ups, the unitemized remainder, stages, headline."""

from decimal import Decimal

import pytest

from reports import analytics

PROGRAMS = [
    {"id": 1, "parent_id": None},
    {"id": 2, "parent_id": 1},  # itemized child with grandchildren
    {"id": 3, "parent_id": 2},
    {"id": 4, "parent_id": 2},
    {"id": 5, "parent_id": 1},
]


def line(pid, fy, stage, amount, rounded=False, kind="official"):
    return {
        "program_id": pid,
        "fiscal_year": fy,
        "stage": stage,
        "amount_yen": amount,
        "rounded": rounded,
        "source_kind": kind,
    }


def values_of(lines):
    return analytics.rolled_values(analytics.lines_frame(lines), PROGRAMS)


def test_parent_without_own_figure_takes_sum_of_children():
    values = values_of([line(3, 2008, "draft", 100), line(4, 2008, "draft", 50, rounded=True)])
    row = values[(values.program_id == 2)].iloc[0]
    assert (row.amount_yen, row.rounded, row.own) == (150, True, False)
    root = values[(values.program_id == 1)].iloc[0]
    assert root.amount_yen == 150


def test_own_figure_wins_over_children():
    values = values_of([line(2, 2008, "draft", 999), line(3, 2008, "draft", 100)])
    row = values[(values.program_id == 2)].iloc[0]
    assert (row.amount_yen, row.own) == (999, True)


def test_remainder_is_parent_minus_children_and_rounded_when_any_part_is():
    values = values_of(
        [
            line(1, 2008, "draft", 1000),
            line(3, 2008, "draft", 300),
            line(4, 2008, "draft", 200, rounded=True),
            line(5, 2008, "draft", 100),
        ]
    )
    frame = analytics.breakdown(values, PROGRAMS, 1)
    by_series = {r.series: r for r in frame.itertuples()}
    assert by_series[2].amount_yen == 500
    assert by_series[5].amount_yen == 100
    assert by_series[analytics.REMAINDER].amount_yen == 400
    assert bool(by_series[analytics.REMAINDER].rounded) is True
    # parts plus remainder give the parent's figure exactly
    assert frame.amount_yen.sum() == 1000


def test_no_remainder_without_parent_figure_and_negative_remainder_is_kept():
    values = values_of([line(3, 2008, "draft", 300)])
    assert analytics.REMAINDER not in set(analytics.breakdown(values, PROGRAMS, 1).series)
    values = values_of([line(1, 2008, "draft", 100), line(5, 2008, "draft", 150)])
    frame = analytics.breakdown(values, PROGRAMS, 1)
    assert frame[frame.series == analytics.REMAINDER].amount_yen.tolist() == [-50]


def test_latest_stage_prefers_the_programs_own_figure():
    """FY2008: the total has only a draft; a child has an enacted figure. The total's latest
    figure is the draft, not the partial enacted sum."""
    values = values_of([line(1, 2008, "draft", 1000), line(5, 2008, "enacted", 120)])
    assert analytics.stage_per_year(values, 1) == {2008: "draft"}
    assert analytics.stage_per_year(values, 1, "enacted") == {2008: "enacted"}
    assert analytics.stage_per_year(values, 1, "settled") == {}


def test_headline_delta_and_percent_across_stages_is_flagged():
    values = values_of([line(1, 2008, "draft", 26_095), line(1, 2007, "enacted", 25_271), line(5, 2010, "request", 1)])
    head = analytics.headline(values, 1)
    assert (head["fy"], head["stage"], head["amount_yen"]) == (2008, "draft", 26_095)
    previous = head["previous"]
    assert (previous["fy"], previous["stage"], previous["delta_yen"]) == (2007, "enacted", 824)
    assert previous["delta_pct"] == Decimal("3.3")
    assert previous["same_stage"] is False


def test_headline_without_previous_year():
    head = analytics.headline(values_of([line(1, 2008, "draft", 5)]), 1)
    assert head["previous"] is None
    assert analytics.headline(values_of([]), 1) is None


def test_year_over_year_only_within_the_same_stage():
    values = values_of([line(5, 2007, "enacted", 100), line(5, 2008, "draft", 130), line(5, 2008, "enacted", 110)])
    changes = analytics.year_over_year(values, 5)
    by_key = {(r.fiscal_year, r.stage): r for r in changes.itertuples()}
    assert by_key[(2008, "enacted")].delta_yen == 10
    assert by_key[(2008, "enacted")].delta_pct == Decimal("10.0")
    assert by_key[(2008, "draft")].delta_yen is None or str(by_key[(2008, "draft")].delta_yen) == "nan"


@pytest.mark.parametrize(("new", "old", "pct"), [(26_095, 25_271, "3.3"), (90, 100, "-10.0"), (1, 3, "-66.7")])
def test_percent_change_half_up(new, old, pct):
    assert analytics.percent_change(new, old) == Decimal(pct)


def test_percent_change_of_zero_is_none():
    assert analytics.percent_change(5, 0) is None


def test_illustrative_flag_travels_through_the_roll_up():
    values = values_of([line(3, 2008, "draft", 1, kind="illustrative"), line(4, 2008, "draft", 1)])
    assert bool(values[values.program_id == 2].iloc[0].illustrative) is True
