"""Issue 12 items 1–2: no lost update on annual reports. Two people who open a report form
before it exists, a POST without a version, and changes made in the report's child rows are
conflicts (409, input kept, every change listed), never a silent overwrite."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from clusters import services
from clusters.models import AnnualReport, Cluster, ClusterFunding
from core.services import StaleVersion, save_tracked

pytestmark = pytest.mark.django_db
URL = "/clusters/hamamatsu-kc2/reports/2009/"


def user(name):
    return get_user_model().objects.get(username=name)


def opened_form(client):
    """GET the report page and return the hidden fields the form carries."""
    form = client.get(URL).context["form"]
    return {"version": form.initial.get("version") or "", "opened": form.initial["opened"]}


def post(client, hidden, national):
    return client.post(URL, {**hidden, "action": "save", "national_yen": str(national), "local_yen": "0"})


def test_two_people_creating_the_same_report_second_save_is_a_conflict(client):
    coordinator, manager = user("coord-hamamatsu"), user("manager")
    client.force_login(coordinator)
    first = opened_form(client)
    client.force_login(manager)
    second = opened_form(client)
    assert first["version"] == second["version"] == ""  # neither saw a report
    client.force_login(coordinator)
    assert post(client, first, 111_000_000).status_code == 302
    client.force_login(manager)
    response = post(client, second, 222_000_000)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="stale"' in html
    assert "111,000,000" in html or "111000000" in html  # the other person's value, listed
    assert response.context["form"].data["national_yen"] == "222000000"  # the user's input is kept
    funding = ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2009, kind="actual")
    assert funding.national_yen == 111_000_000  # nothing was overwritten
    assert AnnualReport.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2009).version == 1


def test_a_post_without_a_version_to_an_existing_report_is_refused(client):
    client.force_login(user("coord-hamamatsu"))
    assert post(client, opened_form(client), 1_000).status_code == 302
    report = AnnualReport.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2009)
    response = client.post(URL, {"action": "save", "national_yen": "2000", "local_yen": "0"})
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.version == 1
    assert (
        ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2009, kind="actual").national_yen == 1_000
    )


def test_stale_notice_lists_the_changes_made_in_child_rows(client):
    coordinator = user("coord-hamamatsu")
    client.force_login(coordinator)
    assert post(client, opened_form(client), 1_000).status_code == 302
    stale_form = opened_form(client)  # version 1
    assert post(client, opened_form(client), 5_000).status_code == 302  # version 2: only the child row changed
    response = post(client, stale_form, 9_000)
    assert response.status_code == 409
    changes = response.context["stale"].changes
    assert changes, "the stale notice must list what changed"
    national = [c for c in changes if c.field == "national_yen"]
    assert national and (national[0].yours, national[0].theirs) == (1_000, 5_000)
    html = response.content.decode()
    assert "5,000" in html or "5000" in html


def test_a_child_row_changed_elsewhere_after_the_form_was_opened_is_a_conflict(client):
    coordinator, manager = user("coord-hamamatsu"), user("manager")
    client.force_login(coordinator)
    assert post(client, opened_form(client), 1_000).status_code == 302
    hidden = opened_form(client)
    funding = ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2009, kind="actual")
    funding.national_yen = 7_000  # a program manager corrects the figure in the funding list
    save_tracked(user=manager, instance=funding, version=funding.version)
    response = post(client, hidden, 3_000)
    assert response.status_code == 409
    assert [c.theirs for c in response.context["stale"].changes if c.field == "national_yen"] == [7_000]
    funding.refresh_from_db()
    assert funding.national_yen == 7_000


def test_service_refuses_creating_what_someone_else_created_meanwhile():
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    opened = timezone.now()
    services.report_save(
        user=user("manager"), cluster=cluster, fy=2009, version=None, national_yen=5, local_yen=0, outcomes={}
    )
    with pytest.raises(StaleVersion) as error:
        services.report_save(
            user=user("coord-hamamatsu"), cluster=cluster, fy=2009, version=None, national_yen=6, local_yen=0,
            outcomes={}, opened=opened,
        )  # fmt: skip
    assert any(c.field == "national_yen" and c.theirs == 5 for c in error.value.changes)


def test_save_tracked_refuses_an_update_without_a_version():
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    before = cluster.version
    cluster.name_en = "Changed without a version"
    with pytest.raises(StaleVersion):
        save_tracked(user=user("coord-hamamatsu"), instance=cluster, version=None)
    cluster.refresh_from_db()
    assert (cluster.version, cluster.name_en) == (before, Cluster.objects.get(pk=cluster.pk).name_en)
    assert cluster.name_en != "Changed without a version"
