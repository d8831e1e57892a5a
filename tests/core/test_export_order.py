"""Exports are ordered by a total order, so the same data exports byte for byte the same
(issue 12, item 10): every list's rows end with the primary key as the last tie-breaker."""

import pytest
from django.contrib.auth import get_user_model

from programs.models import BudgetLine
from tests.factories import BudgetLineFactory, ProgramFactory, SourceFactory

pytestmark = pytest.mark.django_db

LISTS = [
    ("/budgets/", {}),
    ("/budgets/", {"sort": "-amount_yen"}),
    ("/budgets/", {"sort": "fiscal_year"}),
    ("/programs/", {}),
    ("/programs/", {"sort": "-latest_amount"}),
    ("/regions/", {}),
    ("/sources/", {"sort": "kind"}),
    ("/outcomes/values/", {}),
    ("/funding/", {"sort": "fiscal_year"}),
    ("/cluster-outcomes/", {}),
]


@pytest.fixture
def analyst_client(client):
    client.force_login(get_user_model().objects.get(username="analyst"))
    return client


@pytest.mark.parametrize(("url", "params"), LISTS)
def test_every_list_ends_its_order_with_the_primary_key(analyst_client, url, params):
    queryset = analyst_client.get(url, params).context["table"].data.data
    assert queryset.query.order_by[-1] == "pk", queryset.query.order_by


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_same_rows_stored_in_another_order_export_the_same_bytes(analyst_client):
    """Tied rows (two programs of equal order, same year and stage, same amount) written back in
    reverse physical order — as a dump and restore may do — export identically."""
    source = SourceFactory()
    programs = [ProgramFactory(order=7, source=source) for _ in range(6)]
    lines = [BudgetLineFactory(program=program, source=source) for program in programs]
    for params in ({"export": "csv"}, {"export": "csv", "sort": "-amount_yen"}):
        first = body(analyst_client.get("/budgets/", params))
        programs = restore_reversed(programs)
        lines = restore_reversed(lines)
        assert body(analyst_client.get("/budgets/", params)) == first


def restore_reversed(rows):
    """Delete ``rows`` and write them back with the same keys and values in reverse order."""
    model = type(rows[0])
    if model is BudgetLine:
        BudgetLine.objects.filter(pk__in=[row.pk for row in rows]).delete()
    else:
        BudgetLine.objects.filter(program__in=rows).delete()
        model.objects.filter(pk__in=[row.pk for row in rows]).delete()
    restored = []
    for row in reversed(rows):
        row.save(force_insert=True)
        restored.append(row)
    return restored[::-1]
