"""analytics.py with hand-made rows: DESIGN §2b's rules for derived budget figures — complete
sums only, the unitemized remainder, latest stage, changes, totals, precision and kinds."""

from decimal import Decimal

import pytest

from reports import analytics

PROGRAMS = [
    {"id": 1, "parent_id": None},
    {"id": 2, "parent_id": 1},  # itemized child with grandchildren
    {"id": 3, "parent_id": 2},
    {"id": 4, "parent_id": 2},
    {"id": 5, "parent_id": 1, "start_fy": 2007},  # does not exist before FY2007
]


def line(pid, fy, stage, amount, rounded=False, kind="official", doubt=False):
    return {
        "program_id": pid,
        "fiscal_year": fy,
        "stage": stage,
        "amount_yen": amount,
        "rounded": rounded,
        "source_kind": kind,
        "doubt": doubt,
    }


def values_of(lines):
    return analytics.rolled_values(analytics.lines_frame(lines), PROGRAMS)


def value(values, pid, fy=2008, stage="draft"):
    rows = values[(values.program_id == pid) & (values.fiscal_year == fy) & (values.stage == stage)]
    return rows.iloc[0] if not rows.empty else None


def test_parent_without_own_figure_takes_the_sum_of_all_its_children():
    values = values_of(
        [line(3, 2008, "draft", 100), line(4, 2008, "draft", 50, rounded=True), line(5, 2008, "draft", 10)]
    )
    row = value(values, 2)
    assert (row.amount_yen, row.rounded, row.own, row.parts) == (150, True, False, 2)
    root = value(values, 1)
    assert (root.amount_yen, root.rounded, root.parts) == (160, True, 2)


def test_a_partial_sum_is_never_a_value_and_is_reported_as_n_of_m():
    """FY2008 enacted: Phase I has a figure, Phase II has none — the parent has no enacted figure."""
    values, partials = analytics.roll_up(
        analytics.lines_frame([line(3, 2008, "enacted", 1600, rounded=True), line(5, 2008, "enacted", 10)]),
        PROGRAMS,
    )
    assert value(values, 2, stage="enacted") is None
    assert value(values, 1, stage="enacted") is None  # its child 2 has no complete figure either
    found = {(r.program_id, r.have, r.expected) for r in partials.itertuples()}
    assert (2, 1, 2) in found
    assert (1, 1, 2) in found


def test_a_child_that_did_not_exist_that_year_is_not_expected():
    """Child 5 starts FY2007, so FY2006's sum over child 2 alone is complete."""
    values = values_of([line(3, 2006, "enacted", 7), line(4, 2006, "enacted", 3)])
    assert value(values, 1, fy=2006, stage="enacted").amount_yen == 10
    # a child with an unknown period may exist any year: its missing figure makes the sum partial
    programs = [*PROGRAMS, {"id": 6, "parent_id": 1}]
    values = analytics.rolled_values(
        analytics.lines_frame([line(3, 2006, "enacted", 7), line(4, 2006, "enacted", 3)]), programs
    )
    assert value(values, 1, fy=2006, stage="enacted") is None


def test_own_figure_wins_over_children():
    values = values_of([line(2, 2008, "draft", 999), line(3, 2008, "draft", 100)])
    row = value(values, 2)
    assert (row.amount_yen, row.own, row.parts) == (999, True, 0)


def test_remainder_is_parent_minus_complete_children_and_rounded_when_any_part_is():
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


def test_own_figure_with_children_not_all_known_is_one_unitemized_bar():
    values = values_of([line(1, 2008, "draft", 1000), line(5, 2008, "draft", 100)])
    frame = analytics.breakdown(values, PROGRAMS, 1)
    assert frame.series.tolist() == [analytics.UNITEMIZED]
    assert frame.amount_yen.tolist() == [1000]


def test_no_remainder_without_parent_figure_and_negative_remainder_is_kept():
    values = values_of([line(3, 2008, "draft", 300)])
    assert analytics.breakdown(values, PROGRAMS, 1).empty  # no complete figure for the root
    values = values_of([line(1, 2008, "draft", 100), line(2, 2008, "draft", 50), line(5, 2008, "draft", 100)])
    frame = analytics.breakdown(values, PROGRAMS, 1)
    assert frame[frame.series == analytics.REMAINDER].amount_yen.tolist() == [-50]


def test_latest_stage_is_chosen_among_complete_figures_only():
    """FY2008: the total has a draft; one child alone has an enacted figure. The enacted partial
    sum is no figure, so the latest stage is the draft — for the parent and in latest_figures."""
    values = values_of([line(1, 2008, "draft", 1000), line(5, 2008, "enacted", 120)])
    assert analytics.stage_per_year(values, 1) == {2008: "draft"}
    assert analytics.stage_per_year(values, 1, "enacted") == {}
    assert analytics.stage_per_year(values, 5) == {2008: "enacted"}
    latest = analytics.latest_figures(values)
    assert (latest[1]["fy"], latest[1]["stage"], latest[1]["amount_yen"]) == (2008, "draft", 1000)


def test_headline_compares_across_stages_and_says_so():
    values = values_of([line(1, 2008, "draft", 26_095), line(1, 2007, "enacted", 25_271), line(5, 2010, "request", 1)])
    head = analytics.headline(values, 1)
    assert (head["fy"], head["stage"], head["amount_yen"]) == (2008, "draft", 26_095)
    previous = head["previous"]
    assert (previous["fy"], previous["stage"], previous["delta_yen"]) == (2007, "enacted", 824)
    assert previous["delta_pct"] == Decimal("3.3")
    assert previous["same_stage"] is False
    assert previous["delta_rounded"] is False


def test_headline_without_previous_year():
    head = analytics.headline(values_of([line(1, 2008, "draft", 5)]), 1)
    assert head["previous"] is None
    assert analytics.headline(values_of([]), 1) is None


def test_year_over_year_only_within_the_same_settled_stage():
    values = values_of(
        [
            line(5, 2007, "enacted", 100),
            line(5, 2008, "draft", 130),
            line(5, 2008, "enacted", 110, rounded=True),
            line(5, 2009, "enacted", 120, doubt=True),
        ]
    )
    by_key = {(r.fiscal_year, r.stage): r for r in analytics.year_over_year(values, 5).itertuples()}
    assert by_key[(2008, "enacted")].delta_yen == 10
    assert by_key[(2008, "enacted")].delta_pct == Decimal("10.0")
    assert by_key[(2008, "enacted")].delta_rounded  # 約 because the FY2008 side is rounded
    assert by_key[(2008, "draft")].delta_yen is None
    assert by_key[(2009, "enacted")].delta_yen is None
    assert by_key[(2009, "enacted")].reason == analytics.NO_CHANGE_DOUBT


def test_change_is_rounded_when_the_previous_year_is():
    new = {"amount_yen": 110, "stage": "enacted", "rounded": False, "doubt": False}
    old = {"amount_yen": 100, "stage": "enacted", "rounded": True, "doubt": False}
    assert analytics.change(new, old)["rounded"] is True
    assert analytics.change(new, {**old, "stage": "draft"})["delta_yen"] is None
    assert analytics.change(new, {**old, "stage": "draft"}, across_stages=True)["delta_yen"] == 10


def test_compare_years_gives_no_change_across_latest_stages():
    values = values_of([line(1, 2007, "enacted", 100), line(1, 2008, "draft", 110)])
    frame = analytics.compare_years(values, PROGRAMS, fy_a=2007, fy_b=2008, stage_a="latest", stage_b="latest")
    row = frame[frame.program_id == 1].iloc[0]
    assert row.delta_yen is None and row.reason == analytics.NO_CHANGE_STAGES
    frame = analytics.compare_years(values, PROGRAMS, fy_a=2007, fy_b=2008, stage_a="enacted", stage_b="draft")
    assert frame[frame.program_id == 1].iloc[0].delta_yen == 10


@pytest.mark.parametrize(
    ("rows", "ok", "reason"),
    [
        ([(3, "enacted", False), (4, "enacted", False)], True, None),
        ([(3, "enacted", False), (4, "draft", False)], False, "stages"),
        ([(3, "enacted", False), (2, "enacted", False)], False, "nested"),
        ([(3, "enacted", False), (1, "enacted", False)], False, "nested"),
        ([(3, "enacted", True), (4, "enacted", False)], False, "doubt"),
    ],
)
def test_totals_only_over_one_stage_without_nesting(rows, ok, reason):
    assert analytics.can_total(rows, PROGRAMS) == (ok, reason)


@pytest.mark.parametrize(("new", "old", "pct"), [(26_095, 25_271, "3.3"), (90, 100, "-10.0"), (1, 3, "-66.7")])
def test_percent_change_half_up(new, old, pct):
    assert analytics.percent_change(new, old) == Decimal(pct)


def test_percent_change_of_zero_is_none():
    assert analytics.percent_change(5, 0) is None


def test_the_most_cautious_kind_travels_through_the_roll_up():
    values = values_of(
        [line(3, 2008, "draft", 1, kind="illustrative"), line(4, 2008, "draft", 1), line(5, 2008, "draft", 1)]
    )
    row = value(values, 2)
    assert (row.kind, bool(row.illustrative)) == ("illustrative", True)
    assert value(values, 1).kind == "illustrative"
    values = values_of([line(3, 2008, "draft", 1, kind="reported"), line(4, 2008, "draft", 1, kind="press")])
    assert value(values, 2).kind == "reported"


def test_stage_doubt_travels_through_the_roll_up():
    values = values_of([line(3, 2004, "enacted", 1, doubt=True), line(4, 2004, "enacted", 1)])
    assert bool(value(values, 2, fy=2004, stage="enacted").doubt) is True
