"""The permission matrix: every view × every role (DESIGN §1, issue 6).

anonymous → login redirect; viewer and analyst → 403 on edits; the coordinator of another
region → 404 and the database unchanged; the region's own coordinator → success and a history
row; program manager → success.
"""

import pytest
from django.contrib.auth import get_user_model

from clusters.models import AnnualReport, Cluster
from programs.models import BudgetLine, Indicator, OutcomeValue, Program, Source

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "ministry", "analyst", "coord-sapporo", "coord-hamamatsu", "manager"]
LOGIN = "login"


def client_for(client, role):
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=role))
    return client


READ_PAGES = [
    "/",
    "/programs/",
    "/programs/regional-innovation/",
    "/programs/regional-innovation/history/",
    "/budgets/",
    "/budgets/?as_of=2020-01-01",
    "/regions/",
    "/regions/hamamatsu/",
    "/regions/hamamatsu/history/",
    "/clusters/hamamatsu-kc2/",
    "/clusters/hamamatsu-kc2/history/",
    "/outcomes/",
    "/outcomes/values/",
    "/sources/",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", READ_PAGES)
def test_read_pages(client, role, url):
    response = client_for(client, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", LOGIN), ("ministry", 200), ("analyst", 200), ("coord-sapporo", 403), ("coord-hamamatsu", 403),
     ("manager", 200)],
)  # fmt: skip
def test_status_board(client, role, expected):
    response = client_for(client, role).get("/reports/status/")
    assert_status(response, expected)


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response.status_code
    else:
        assert response.status_code == expected, response.status_code


REGION_EDIT = {"anonymous": LOGIN, "ministry": 403, "analyst": 403, "coord-sapporo": 404, "coord-hamamatsu": 200,
               "manager": 200}  # fmt: skip
NATIONAL_EDIT = {"anonymous": LOGIN, "ministry": 403, "analyst": 403, "coord-sapporo": 403, "coord-hamamatsu": 403,
                 "manager": 200}  # fmt: skip


def national_edit_urls():
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    value = OutcomeValue.objects.filter(program__isnull=True).first()
    return [
        "/programs/new/",
        "/programs/city-area/edit/",
        "/budgets/new/",
        f"/budgets/{line.pk}/edit/",
        "/indicators/new/",
        "/indicators/patent-applications/edit/",
        "/outcomes/values/new/",
        f"/outcomes/values/{value.pk}/edit/",
        "/sources/new/",
        f"/sources/{Source.objects.get(key='mext-paper-2008').pk}/edit/",
        "/evaluations/new/",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_national_edit_pages_get(client, role):
    client = client_for(client, role)
    for url in national_edit_urls():
        assert_status(client.get(url), NATIONAL_EDIT[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/clusters/hamamatsu-kc2/edit/", "/clusters/hamamatsu-kc2/reports/2008/"])
def test_region_edit_pages_get(client, role, url):
    expected = REGION_EDIT[role]
    if url.endswith("/reports/2008/") and role in ("ministry", "analyst"):
        expected = 403
    assert_status(client_for(client, role).get(url), expected)


def cluster_post(cluster, name_en):
    return {
        "version": cluster.version,
        "name_ja": cluster.name_ja,
        "name_en": name_en,
        "field": cluster.field,
        "core_organization": cluster.core_organization,
        "description_ja": cluster.description_ja,
        "description_en": cluster.description_en,
    }


@pytest.mark.parametrize("role", ROLES)
def test_cluster_edit_post(client, role):
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    history_before = cluster.history.count()
    response = client_for(client, role).post("/clusters/hamamatsu-kc2/edit/", cluster_post(cluster, "Renamed"))
    cluster.refresh_from_db()
    if role in ("coord-hamamatsu", "manager"):
        assert response.status_code == 302
        assert cluster.name_en == "Renamed" and cluster.version == 2
        latest = cluster.history.first()
        assert cluster.history.count() == history_before + 1
        assert latest.history_user.username == role
    else:
        assert_status(response, {**REGION_EDIT, "coord-hamamatsu": 302, "manager": 302}[role])
        assert cluster.name_en == "Hamamatsu Optronics Cluster" and cluster.version == 1
        assert cluster.history.count() == history_before


def report_post(**extra):
    return {"action": "save", "national_yen": "500,000,000", "local_yen": "100000000", **extra}


@pytest.mark.parametrize("role", ROLES)
def test_report_save_post(client, role):
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    response = client_for(client, role).post("/clusters/hamamatsu-kc2/reports/2008/", report_post())
    report = AnnualReport.objects.filter(cluster=cluster, fiscal_year=2008).first()
    if role in ("coord-hamamatsu", "manager"):
        assert response.status_code == 302
        assert report.status == "draft"
        funding = cluster.funding.get(fiscal_year=2008, kind="actual")
        assert (funding.national_yen, funding.local_yen) == (500_000_000, 100_000_000)
        assert funding.source.key == "annual-report-hamamatsu-kc2-2008"
        assert funding.history.first().history_user.username == role
    else:
        expected = {"anonymous": LOGIN, "ministry": 403, "analyst": 403, "coord-sapporo": 404}[role]
        assert_status(response, expected)
        assert report is None
        assert cluster.funding.get(fiscal_year=2008, kind="actual").source.kind == "illustrative"


@pytest.fixture
def submitted_report(client):
    client.force_login(get_user_model().objects.get(username="coord-hamamatsu"))
    response = client.post("/clusters/hamamatsu-kc2/reports/2008/", report_post(action="submit"))
    assert response.status_code == 302
    client.logout()
    report = AnnualReport.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008)
    assert report.status == "submitted"
    return report


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", LOGIN), ("ministry", 403), ("analyst", 403), ("coord-sapporo", 404), ("coord-hamamatsu", 403),
     ("manager", 302)],
)  # fmt: skip
def test_report_accept(client, submitted_report, role, expected):
    response = client_for(client, role).post(
        "/clusters/hamamatsu-kc2/reports/2008/", {"action": "accept", "version": submitted_report.version}
    )
    assert_status(response, expected)
    submitted_report.refresh_from_db()
    assert submitted_report.status == ("accepted" if role == "manager" else "submitted")


@pytest.mark.parametrize("role", ROLES)
def test_budget_line_edit_post(client, role):
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    data = {
        "version": line.version,
        "program": line.program_id,
        "fiscal_year": 2009,
        "stage": "request",
        "amount_yen": "５，６００，０００，０００",  # full-width digits and commas are normalised
        "precision": "exact",
        "precision_note": "",
        "source": line.source_id,
        "note": line.note,
    }
    response = client_for(client, role).post(f"/budgets/{line.pk}/edit/", data)
    line.refresh_from_db()
    if role == "manager":
        assert response.status_code == 302
        assert line.amount_yen == 5_600_000_000 and line.version == 2
        assert line.history.first().history_user.username == "manager"
    else:
        assert_status(response, NATIONAL_EDIT[role])
        assert line.amount_yen == 5_500_000_000 and line.version == 1


def test_edit_buttons_only_where_the_user_may_edit(client):
    client = client_for(client, "coord-hamamatsu")
    assert "/clusters/hamamatsu-kc2/edit/" in client.get("/clusters/hamamatsu-kc2/").content.decode()
    assert "/clusters/sapporo-kc2/edit/" not in client.get("/clusters/sapporo-kc2/").content.decode()
    assert "/programs/city-area/edit/" not in client.get("/programs/city-area/").content.decode()
    client.logout()
    client = client_for(client, "manager")
    assert "/programs/city-area/edit/" in client.get("/programs/city-area/").content.decode()
    assert "/budgets/new/" in client.get("/budgets/").content.decode()


def test_program_manager_can_create_a_budget_line(client):
    client = client_for(client, "manager")
    program = Program.objects.get(slug="jst-regional-innovation")
    response = client.post(
        "/budgets/new/",
        {"program": program.pk, "fiscal_year": 2009, "stage": "request", "amount_yen": "1,234,567",
         "precision": "exact", "source": Source.objects.get(key="mext-paper-2008").pk, "note": ""},
    )  # fmt: skip
    assert response.status_code == 302
    line = BudgetLine.objects.get(program=program, fiscal_year=2009, stage="request")
    assert line.amount_yen == 1_234_567 and line.version == 1
    assert line.history.get().history_user.username == "manager"


def test_indicator_edit_by_manager(client):
    indicator = Indicator.objects.get(slug="patent-applications")
    client = client_for(client, "manager")
    response = client.get(f"/indicators/{indicator.slug}/edit/")
    assert response.status_code == 200
