"""manage.py generate_national: synthetic, illustrative, deterministic, and never over people's edits."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from clusters.management.commands.generate_national import SOURCE_KEY, SOURCE_TITLE
from clusters.models import AnnualReport, Cluster, ClusterFunding
from core.services import save_tracked
from programs.models import BudgetLine, OutcomeValue, Program, Source

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def generate_and_snapshot(seed=13):
    """The synthetic rows a run creates (rolled back afterwards)."""
    snapshot = None
    try:
        with transaction.atomic():
            call_command("generate_national", "--scale", "0.02", "--seed", str(seed), stdout=io.StringIO())
            snapshot = sorted(
                BudgetLine.objects.filter(source__key=SOURCE_KEY).values_list(
                    "program__slug", "fiscal_year", "stage", "amount_yen", "precision", "stage_alternative"
                )
            )
            raise Rollback
    except Rollback:
        pass
    return snapshot


def test_every_row_points_to_the_illustrative_synthetic_source():
    call_command("generate_national", "--scale", "0.02", stdout=io.StringIO())
    source = Source.objects.get(key=SOURCE_KEY)
    assert (source.kind, source.title) == ("illustrative", SOURCE_TITLE)
    assert "not real" in source.title
    for model in (Program, BudgetLine, OutcomeValue, Cluster, ClusterFunding):
        synthetic = model.objects.filter(source=source)
        assert synthetic.exists(), model
    assert AnnualReport.objects.filter(cluster__source=source).exists()
    # loader rows: tagged, so "changed by a person" never counts them
    line = BudgetLine.objects.filter(source=source).first()
    record = line.history.get()
    assert record.history_user is None and record.history_change_reason.startswith("loader:")
    # a second run adds nothing
    before = BudgetLine.objects.count()
    call_command("generate_national", "--scale", "0.02", stdout=io.StringIO())
    assert BudgetLine.objects.count() == before


def test_the_same_seed_gives_the_same_rows():
    first, second = generate_and_snapshot(), generate_and_snapshot()
    assert first and first == second
    assert generate_and_snapshot(seed=14) != first


def test_refuses_a_database_that_people_have_edited_unless_forced():
    manager = get_user_model().objects.get(username="manager")
    line = BudgetLine.objects.filter(program__slug="city-area").first()
    line.note = "edited by a person"
    save_tracked(user=manager, instance=line, version=line.version)
    with pytest.raises(CommandError, match="People have edited"):
        call_command("generate_national", "--scale", "0.02", stdout=io.StringIO())
    assert not Source.objects.filter(key=SOURCE_KEY).exists()
    call_command("generate_national", "--scale", "0.02", "--force", stdout=io.StringIO())
    assert Source.objects.filter(key=SOURCE_KEY).exists()
