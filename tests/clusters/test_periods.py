"""DESIGN §2b "Periods": the one rule (clusters/periods.py) at its edges, and its two forms —
plain values and database Q expressions — agreeing for every reference cluster and year."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clusters.choices import ClusterStatus
from clusters.models import Cluster, ClusterFunding
from clusters.periods import Period, RunningCount, format_running_count
from core.formatting import fiscal_year_of
from tests.factories import BudgetLineFactory, ClusterFactory, ClusterFundingFactory, ProgramFactory

# --- plain values -------------------------------------------------------------------------------


def test_known_period_runs_inside_only():
    p = Period(2007, 2011)
    assert [fy for fy in range(2005, 2014) if p.running(fy)] == [2007, 2008, 2009, 2010, 2011]
    assert not any(p.possibly_running(fy) for fy in range(2000, 2020))
    assert p.status(2006) == ClusterStatus.PLANNED
    assert p.status(2007) == p.status(2011) == ClusterStatus.ACTIVE
    assert p.status(2012) == ClusterStatus.ENDED


def test_unknown_end_is_never_running_and_capped_by_duration():
    # Phase I: about 5 years per region in principle; the program itself went on to FY2008
    p = Period(2002, None, program_start_fy=2002, normal_duration_years=5, program_last_funded_fy=2008)
    assert not any(p.running(fy) for fy in range(1990, 2030))
    assert [fy for fy in range(1990, 2030) if p.possibly_running(fy)] == [2002, 2003, 2004, 2005, 2006]
    assert p.cap == 2006


def test_unknown_end_capped_by_program_end():
    p = Period(2004, None, program_start_fy=2002, program_end_fy=2005, normal_duration_years=5)
    assert [fy for fy in range(2000, 2012) if p.possibly_running(fy)] == [2004, 2005]


def test_unknown_end_capped_by_last_funded_year():
    p = Period(2007, None, program_start_fy=2007, normal_duration_years=5, program_last_funded_fy=2008)
    assert [fy for fy in range(2000, 2015) if p.possibly_running(fy)] == [2007, 2008]
    # without any cap it stays possible, but still never running
    open_ended = Period(2007, None)
    assert open_ended.possibly_running(2040) and not open_ended.running(2040)
    assert not open_ended.possibly_running(2006)


def test_unknown_start_uses_the_program_start_and_ignores_the_duration():
    p = Period(None, None, program_start_fy=2002, normal_duration_years=5, program_last_funded_fy=2008)
    assert [fy for fy in range(1995, 2015) if p.possibly_running(fy)] == list(range(2002, 2009))
    # a known end still bounds it
    ended = Period(None, 2004, program_start_fy=2002, program_last_funded_fy=2008)
    assert [fy for fy in range(1995, 2015) if ended.possibly_running(fy)] == [2002, 2003, 2004]
    assert not any(ended.running(fy) for fy in range(1995, 2015))
    # nothing known about the first year: never even possibly running
    assert not any(Period(None, None).possibly_running(fy) for fy in range(1950, 2101))


def test_status_of_an_unknown_period_is_never_active():
    p = Period(2002, None, program_start_fy=2002, normal_duration_years=5, program_last_funded_fy=2008)
    for today in range(2002, 2030):
        assert p.status(today) == ClusterStatus.UNKNOWN
    assert p.status(2001) == ClusterStatus.PLANNED  # a known first year still ahead
    assert Period(None, 2008).status(2009) == ClusterStatus.ENDED  # a known last year already past
    assert Period(None, 2008).status(2008) == ClusterStatus.UNKNOWN
    from django.utils import translation

    with translation.override("ja"):
        assert str(ClusterStatus.UNKNOWN.label) == "期間不明" and str(ClusterStatus.ACTIVE.label) == "実施中"
    with translation.override("en"):
        assert str(ClusterStatus.UNKNOWN.label) == "Period unknown"


def test_admits_only_refuses_years_known_to_lie_outside():
    p = Period(2007, None, program_start_fy=2007, normal_duration_years=5, program_last_funded_fy=2008)
    assert p.admits(2007) and p.admits(2015)  # the duration and the budget lines do not forbid
    assert not p.admits(2006)
    assert not Period(None, None, program_start_fy=2002).admits(2001)
    assert not Period(None, None, program_end_fy=2009).admits(2010)
    assert not Period(2002, 2006).admits(2007)


def test_fiscal_year_of_turns_in_april():
    assert fiscal_year_of(dt.date(2009, 3, 31)) == 2008
    assert fiscal_year_of(dt.date(2009, 4, 1)) == 2009


def test_running_count_text(settings):
    from django.utils import translation

    with translation.override("en"):
        assert format_running_count(19, 7) == "19 (+7 with unknown period)"
        assert str(RunningCount(3)) == "3" and RunningCount(3).extra == ""
    with translation.override("ja"):
        assert format_running_count(19, 7) == "19（ほかに期間不明7）"
        assert RunningCount(19, 7).extra == "（ほかに期間不明7）"


# --- the database form agrees with the plain form ------------------------------------------------


@pytest.mark.django_db
def test_q_expressions_agree_with_period_for_every_reference_cluster_and_year():
    clusters = list(Cluster.objects.with_period().select_related("program"))
    assert len(clusters) > 40
    periods = {c.pk: Period.of(c) for c in clusters}
    # the annotation is the program's own latest budget line
    kc1 = next(c for c in clusters if c.slug == "sapporo-kc1")
    assert periods[kc1.pk].program_last_funded_fy == 2008
    seen_running = seen_possible = 0
    for fy in range(2000, 2016):
        running = set(Cluster.objects.running_in(fy).values_list("pk", flat=True))
        possible = set(Cluster.objects.possibly_running_in(fy).values_list("pk", flat=True))
        assert running == {pk for pk, p in periods.items() if p.running(fy)}, fy
        assert possible == {pk for pk, p in periods.items() if p.possibly_running(fy)}, fy
        assert not running & possible
        seen_running += len(running)
        seen_possible += len(possible)
    assert seen_running and seen_possible  # both branches were exercised


@pytest.mark.django_db
def test_q_expressions_agree_at_the_edges_with_durations_and_program_ends():
    """Programs with a normal duration, an end and budget lines (the reference data may lack them)."""
    program = ProgramFactory(start_fy=2002, end_fy=2012, normal_duration_years=5)
    BudgetLineFactory(program=program, fiscal_year=2010)
    shapes = [(2002, None), (2009, None), (None, None), (None, 2006), (2003, 2004), (2011, None)]
    made = [ClusterFactory(program=program, start_fy=s, end_fy=e) for s, e in shapes]
    no_lines = ProgramFactory(start_fy=None, end_fy=None, normal_duration_years=None)
    made += [ClusterFactory(program=no_lines, start_fy=2005, end_fy=None)]
    made += [ClusterFactory(program=no_lines, start_fy=None, end_fy=None)]
    ids = [c.pk for c in made]
    for fy in range(2000, 2016):
        for c in Cluster.objects.filter(pk__in=ids).with_period().select_related("program"):
            p = Period.of(c)
            assert (c.pk in set(Cluster.objects.running_in(fy).values_list("pk", flat=True))) == p.running(fy)
            possible = set(Cluster.objects.possibly_running_in(fy).values_list("pk", flat=True))
            assert (c.pk in possible) == p.possibly_running(fy), (c.start_fy, c.end_fy, fy)
    # 2009 start, duration 5, program end 2012, last funded 2010 → possible 2009–2010 only
    late = Cluster.objects.with_period().get(pk=made[1].pk)
    assert [fy for fy in range(2000, 2016) if late.period.possibly_running(fy)] == [2009, 2010]


@pytest.mark.django_db
def test_cluster_status_is_derived_from_todays_fiscal_year(monkeypatch):
    import core.formatting

    cluster = ClusterFactory(start_fy=2007, end_fy=2011)
    monkeypatch.setattr(core.formatting, "current_fiscal_year", lambda: 2009)
    assert cluster.status == ClusterStatus.ACTIVE
    monkeypatch.setattr(core.formatting, "current_fiscal_year", lambda: 2012)
    assert cluster.status == ClusterStatus.ENDED
    unknown = ClusterFactory(start_fy=2007, end_fy=None)
    monkeypatch.setattr(core.formatting, "current_fiscal_year", lambda: 2009)
    assert unknown.status == ClusterStatus.UNKNOWN


@pytest.mark.django_db
def test_funding_years_are_validated_through_the_period():
    cluster = ClusterFactory(start_fy=2007, end_fy=None)  # knowledge-cluster-2 starts FY2007
    ClusterFundingFactory(cluster=cluster, fiscal_year=2012).full_clean()  # unknown end: admitted
    before = ClusterFunding.objects.count()
    with pytest.raises(ValidationError) as error:
        ClusterFundingFactory.build(cluster=cluster, fiscal_year=2006).full_clean()
    assert "fiscal_year" in error.value.message_dict
    assert ClusterFunding.objects.count() == before
