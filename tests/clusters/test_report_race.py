"""Several people creating the same annual report at the same moment (found by the load drill's
opening burst): exactly one save wins, every other is a conflict (StaleVersion → 409), none is
an IntegrityError (→ 500). PostgreSQL only: it needs real concurrent connections with row locks
(on SQLite, writers are serialised by BEGIN IMMEDIATE; see tests/core/test_concurrency.py).

The threads commit on their own connections, outside the test's transaction, so the test removes
what they wrote itself.
"""

import threading

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections

from clusters import services
from clusters.models import AnnualReport, Cluster, ClusterFunding
from core.services import StaleVersion
from programs.models import Source

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3", reason="PostgreSQL"),
]
SLUG, FY, PEOPLE, ROUNDS = "hamamatsu-kc2", 2009, 5, 3


#: what the seed holds for (SLUG, FY) before the test: the cleanup removes only what the threads added
_KEEP: dict = {}


def _snapshot():
    cluster = Cluster.objects.get(slug=SLUG)
    _KEEP["AnnualReport"] = set(AnnualReport.objects.filter(cluster=cluster).values_list("pk", flat=True))
    _KEEP["ClusterFunding"] = set(ClusterFunding.objects.filter(cluster=cluster).values_list("pk", flat=True))
    _KEEP["Source"] = set(Source.objects.values_list("pk", flat=True))


def _cleanup():
    cluster = Cluster.objects.get(slug=SLUG)
    for model in (AnnualReport, ClusterFunding):
        added = model.objects.filter(cluster=cluster, fiscal_year=FY).exclude(pk__in=_KEEP[model.__name__])
        ids = list(added.values_list("pk", flat=True))
        model.history.filter(id__in=ids).delete()
        added.delete()
    added = Source.objects.exclude(pk__in=_KEEP["Source"])
    ids = list(added.values_list("pk", flat=True))
    Source.history.filter(id__in=ids).delete()
    added.delete()


def in_own_connection(work):
    """Run ``work`` in a new thread (so on its own, autocommitting connection) and wait."""
    failure = []

    def run():
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failure.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def race(people) -> list[str]:
    """Everyone in ``people`` saves a new report for (SLUG, FY) at the same moment; what each got."""
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def save(person, amount):
        try:
            cluster = Cluster.objects.select_related("region").get(slug=SLUG)
            barrier.wait(timeout=30)
            services.report_save(user=person, cluster=cluster, fy=FY, version=None,
                                 national_yen=amount, local_yen=0, outcomes={})  # fmt: skip
            result = f"saved {amount}"
        except StaleVersion:
            result = "conflict"
        except Exception as error:  # noqa: BLE001 - the assertion names it
            result = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=save, args=(p, 1_000_000 * (i + 1))) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_people_creating_the_same_report_at_once_one_wins_the_rest_conflict():
    coordinator = get_user_model().objects.get(username="coord-hamamatsu")
    manager = get_user_model().objects.get(username="manager")
    people = [coordinator if i % 2 else manager for i in range(PEOPLE)]
    in_own_connection(_snapshot)
    try:
        for round_ in range(ROUNDS):
            in_own_connection(_cleanup)
            outcomes = race(people)
            saved = [o for o in outcomes if o.startswith("saved")]
            assert len(outcomes) == PEOPLE, outcomes
            assert len(saved) == 1 and outcomes.count("conflict") == PEOPLE - 1, f"round {round_}: {outcomes}"
            expected = int(saved[0].split()[1])

            def check(expected=expected):
                report = AnnualReport.objects.get(cluster__slug=SLUG, fiscal_year=FY)
                assert report.version == 1
                funding = ClusterFunding.objects.get(cluster__slug=SLUG, fiscal_year=FY, kind="actual")
                assert funding.national_yen == expected  # the winner's figure, not overwritten
                assert Source.objects.filter(key=f"annual-report-{SLUG}-{FY}").count() == 1

            in_own_connection(check)
    finally:
        in_own_connection(_cleanup)
