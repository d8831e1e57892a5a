"""The database itself refuses bad rows (not only forms), on SQLite and PostgreSQL alike."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.models import BudgetLine, OutcomeValue, Program
from tests.factories import (
    BudgetLineFactory,
    ClusterFactory,
    ClusterFundingFactory,
    IndicatorFactory,
    OutcomeValueFactory,
    ProgramFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def assert_db_refuses(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_negative_budget_amount_refused():
    assert_db_refuses(lambda: BudgetLineFactory(amount_yen=-1))


@pytest.mark.parametrize("fy", [1949, 2101])
def test_budget_year_out_of_range_refused(fy):
    assert_db_refuses(lambda: BudgetLineFactory(fiscal_year=fy))


@pytest.mark.parametrize("fy", [1950, 2100])
def test_budget_year_at_range_edges_accepted(fy):
    assert BudgetLineFactory(fiscal_year=fy).pk


def test_duplicate_stage_refused():
    line = BudgetLineFactory(fiscal_year=2008, stage="draft")
    assert_db_refuses(lambda: BudgetLineFactory(program=line.program, fiscal_year=2008, stage="draft"))
    # the same year at another stage is a different figure
    assert BudgetLineFactory(program=line.program, fiscal_year=2008, stage="enacted").pk


def test_program_end_before_start_refused():
    assert_db_refuses(lambda: ProgramFactory(start_fy=2008, end_fy=2007))


def test_cluster_end_before_start_refused():
    assert_db_refuses(lambda: ClusterFactory(start_fy=2008, end_fy=2007))


def test_duplicate_all_university_total_refused():
    """The null-program case: two totals for one indicator and year."""
    total = OutcomeValueFactory(program=None, fiscal_year=2008)
    assert_db_refuses(lambda: OutcomeValueFactory(indicator=total.indicator, fiscal_year=2008, program=None))


def test_duplicate_program_contribution_refused():
    program = ProgramFactory(counts_toward_outcome_share=True)
    value = OutcomeValueFactory(program=program)
    assert_db_refuses(lambda: OutcomeValueFactory(indicator=value.indicator, fiscal_year=2008, program=program))


def test_total_and_contribution_coexist():
    indicator = IndicatorFactory()
    OutcomeValueFactory(indicator=indicator, program=None)
    OutcomeValueFactory(indicator=indicator, program=ProgramFactory())
    assert OutcomeValue.objects.filter(indicator=indicator).count() == 2


def test_negative_outcome_refused():
    assert_db_refuses(lambda: OutcomeValueFactory(value=-5))


def test_derived_value_needs_a_note():
    assert_db_refuses(lambda: OutcomeValueFactory(derived=True, derived_note=""))


def test_negative_cluster_funding_refused():
    assert_db_refuses(lambda: ClusterFundingFactory(national_yen=-1))
    assert_db_refuses(lambda: ClusterFundingFactory(local_yen=-1))


def test_duplicate_cluster_funding_refused():
    row = ClusterFundingFactory()
    assert_db_refuses(lambda: ClusterFundingFactory(cluster=row.cluster, fiscal_year=row.fiscal_year, kind=row.kind))


def test_full_clean_reports_constraint_violations_as_field_errors():
    """Forms surface the same rules as messages, not 500s."""
    line = BudgetLineFactory(fiscal_year=2008, stage="draft")
    duplicate = BudgetLine(program=line.program, fiscal_year=2008, stage="draft", amount_yen=-5, source=SourceFactory())
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    messages = excinfo.value.messages
    assert any("already has a figure for that fiscal year and stage" in m or "既に" in m for m in messages)
    assert any("negative" in m or "負" in m for m in messages)
    assert BudgetLine.objects.filter(program=line.program).count() == 1


def test_full_clean_rejects_year_out_of_range():
    line = BudgetLineFactory.build(fiscal_year=2101, program=ProgramFactory(), source=SourceFactory())
    with pytest.raises(ValidationError) as excinfo:
        line.full_clean()
    assert "fiscal_year" in excinfo.value.message_dict


def test_funding_year_outside_cluster_period_rejected_by_clean():
    row = ClusterFundingFactory.build(
        cluster=ClusterFactory(start_fy=2007, end_fy=2011), fiscal_year=2012, source=SourceFactory()
    )
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert "fiscal_year" in excinfo.value.message_dict


def test_program_cannot_be_its_own_parent():
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(parent_id=program.pk)
