"""The data version that cached aggregates are keyed by (core/history.py)."""

import pytest
from django.db import transaction

from clusters.models import Cluster
from core.history import data_version
from core.services import save_tracked


def edit_cluster(user, description):
    cluster = Cluster.objects.order_by("pk").first()
    cluster.description_ja = description
    save_tracked(user=user, instance=cluster, version=cluster.version)


def test_data_version_is_bumped_on_commit_not_before(seed_users, django_capture_on_commit_callbacks):
    """A reader must never cache figures under a version whose rows are not yet committed."""
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        edit_cluster(seed_users["manager"], "inside the transaction")
        assert data_version() == before  # another process cannot see the row yet
    assert callbacks
    assert data_version() > before


def test_a_rolled_back_write_leaves_the_data_version(seed_users, django_capture_on_commit_callbacks):
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        edit_cluster(seed_users["manager"], "rolled back")
        raise RuntimeError("abort")
    assert data_version() == before
