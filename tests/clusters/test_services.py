"""Writes: forged foreign keys, stale versions, the report workflow, bad input (issue 6)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from clusters import services
from clusters.models import AnnualReport, Cluster, ClusterFunding, Evaluation, Region
from core.services import StaleVersion, save_tracked
from programs.models import BudgetLine
from tests.factories import ClusterFactory

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


def snapshot():
    return {
        "clusters": list(Cluster.objects.order_by("pk").values_list("pk", "region_id", "name_en", "version")),
        "funding": list(
            ClusterFunding.objects.order_by("pk").values_list("pk", "cluster_id", "national_yen", "version")
        ),
        "reports": AnnualReport.objects.count(),
        "history": Cluster.history.count() + ClusterFunding.history.count(),
    }


def test_service_refuses_moving_a_cluster_to_another_region():
    """The re-check after saving: a coordinator cannot move their cluster into Sapporo."""
    before = snapshot()
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    cluster.region = Region.objects.get(slug="sapporo")
    with pytest.raises(PermissionDenied):
        save_tracked(user=user("coord-hamamatsu"), instance=cluster, version=1)
    assert snapshot() == before


def test_service_refuses_moving_a_funding_row_to_another_regions_cluster():
    before = snapshot()
    row = ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008, kind="plan")
    row.cluster = ClusterFactory(region=Region.objects.get(slug="sapporo"), start_fy=2007, end_fy=2011)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        save_tracked(user=user("coord-hamamatsu"), instance=row, version=row.version)
    assert snapshot() == before


def test_forged_post_fields_cannot_move_a_cluster(client):
    """Extra fields in a forged POST (region, program, slug) are not part of the form."""
    client.force_login(user("coord-hamamatsu"))
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    sapporo = Region.objects.get(slug="sapporo")
    data = {
        "version": 1, "name_ja": cluster.name_ja, "name_en": "x", "field": "", "core_organization": "",
        "description_ja": "", "description_en": "", "status": "active",
        "region": sapporo.pk, "program": 1, "slug": "stolen",
    }  # fmt: skip
    response = client.post("/clusters/hamamatsu-kc2/edit/", data)
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert (cluster.region.slug, cluster.slug) == ("hamamatsu", "hamamatsu-kc2")


def test_forged_post_to_another_regions_report_writes_nothing(client):
    client.force_login(user("coord-hamamatsu"))
    before = snapshot()
    response = client.post(
        "/clusters/sapporo-kc2/reports/2008/", {"action": "submit", "national_yen": "1", "local_yen": "1"}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_forged_evaluation_for_another_region_is_refused_for_coordinators(client):
    client.force_login(user("coord-hamamatsu"))
    count = Evaluation.objects.count()
    response = client.post("/evaluations/new/", {"cluster": Cluster.objects.get(slug="sapporo-kc2").pk})
    assert response.status_code == 403
    assert Evaluation.objects.count() == count


def test_stale_version_is_refused_and_shows_what_changed(client):
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    manager, coordinator = user("manager"), user("coord-hamamatsu")
    cluster.core_organization = "新しい中核機関"
    save_tracked(user=manager, instance=cluster, version=1)  # someone else saves first → version 2
    client.force_login(coordinator)
    data = {"version": 1, "name_ja": cluster.name_ja, "name_en": "Mine", "field": "", "core_organization": "古い",
            "description_ja": "", "description_en": "", "status": "active"}  # fmt: skip
    response = client.post("/clusters/hamamatsu-kc2/edit/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "新しい中核機関" in html and "manager" in html
    cluster.refresh_from_db()
    assert (cluster.version, cluster.name_en, cluster.core_organization) == (
        2,
        "Hamamatsu Optronics Cluster",
        "新しい中核機関",
    )


def test_stale_version_in_service():
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    line.note = "first"
    save_tracked(user=user("manager"), instance=line, version=1)
    stale = BudgetLine.objects.get(pk=line.pk)
    stale.amount_yen = 1
    with pytest.raises(StaleVersion) as excinfo:
        save_tracked(user=user("manager"), instance=stale, version=1)
    assert [c.field for c in excinfo.value.changes] == ["note"]
    line.refresh_from_db()
    assert line.amount_yen == 5_500_000_000


def report_for(fy=2008, who="coord-hamamatsu"):
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    return services.report_save(
        user=user(who), cluster=cluster, fy=fy, version=None, national_yen=1, local_yen=2, outcomes={}
    )


def test_report_workflow_draft_submit_return_draft_submit_accept():
    coordinator, manager = user("coord-hamamatsu"), user("manager")
    report = report_for()
    assert report.status == "draft"
    report = services.report_submit(user=coordinator, report=report, version=report.version)
    assert report.status == "submitted" and report.submitted_by == coordinator
    with pytest.raises(services.ReportLocked):
        services.report_save(user=coordinator, cluster=report.cluster, fy=2008, version=report.version,
                             national_yen=5, local_yen=5, outcomes={})  # fmt: skip
    report = services.report_return(
        user=manager, report=report, version=report.version, comment="数字を確認してください"
    )
    assert report.status == "returned" and report.comment
    report = services.report_save(user=coordinator, cluster=report.cluster, fy=2008, version=report.version,
                                  national_yen=7, local_yen=7, outcomes={})  # fmt: skip
    assert report.status == "draft"
    report = services.report_submit(user=coordinator, report=report, version=report.version)
    report = services.report_accept(user=manager, report=report, version=report.version)
    assert report.status == "accepted" and report.reviewed_by == manager
    statuses = list(report.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["draft", "submitted", "returned", "draft", "submitted", "accepted"]


@pytest.mark.parametrize("step", ["accept_draft", "return_draft", "submit_twice", "accept_accepted"])
def test_illegal_transitions(step):
    coordinator, manager = user("coord-hamamatsu"), user("manager")
    report = report_for()
    if step == "accept_draft":
        call = lambda: services.report_accept(user=manager, report=report, version=report.version)  # noqa: E731
    elif step == "return_draft":
        call = lambda: services.report_return(user=manager, report=report, version=report.version, comment="x")  # noqa: E731
    elif step == "submit_twice":
        report = services.report_submit(user=coordinator, report=report, version=report.version)
        call = lambda: services.report_submit(user=coordinator, report=report, version=report.version)  # noqa: E731
    else:
        report = services.report_submit(user=coordinator, report=report, version=report.version)
        report = services.report_accept(user=manager, report=report, version=report.version)
        call = lambda: services.report_return(user=manager, report=report, version=report.version, comment="x")  # noqa: E731
    status = AnnualReport.objects.get(pk=report.pk).status
    with pytest.raises(ValidationError):
        call()
    assert AnnualReport.objects.get(pk=report.pk).status == status


def test_coordinator_cannot_accept_own_report(client):
    coordinator = user("coord-hamamatsu")
    report = report_for()
    report = services.report_submit(user=coordinator, report=report, version=report.version)
    with pytest.raises(PermissionDenied):
        services.report_accept(user=coordinator, report=report, version=report.version)
    client.force_login(coordinator)
    response = client.post("/clusters/hamamatsu-kc2/reports/2008/", {"action": "accept", "version": report.version})
    assert response.status_code == 403
    assert AnnualReport.objects.get(pk=report.pk).status == "submitted"


def test_returning_needs_a_comment(client):
    report = report_for()
    report = services.report_submit(user=user("coord-hamamatsu"), report=report, version=report.version)
    client.force_login(user("manager"))
    response = client.post(
        "/clusters/hamamatsu-kc2/reports/2008/", {"action": "return", "version": report.version, "comment": " "}
    )
    assert response.status_code == 400
    assert AnnualReport.objects.get(pk=report.pk).status == "submitted"


def test_submitted_report_is_read_only_to_the_coordinator(client):
    report = report_for()
    services.report_submit(user=user("coord-hamamatsu"), report=report, version=report.version)
    client.force_login(user("coord-hamamatsu"))
    page = client.get("/clusters/hamamatsu-kc2/reports/2008/").content.decode()
    assert "disabled" in page and 'value="submit"' not in page
    response = client.post("/clusters/hamamatsu-kc2/reports/2008/", {"action": "save", "national_yen": "9"})
    assert response.status_code == 403
    assert ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008, kind="actual").national_yen == 1


def test_report_outside_cluster_period_is_404(client):
    client.force_login(user("coord-hamamatsu"))
    assert client.get("/clusters/hamamatsu-kc2/reports/2006/").status_code == 404  # the cluster starts FY2007
    assert client.get("/clusters/hamamatsu-kc2/reports/1800/").status_code == 404
