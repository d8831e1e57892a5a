"""Bad input on every form: a clear message next to the field, nothing written, never a 500."""

import pytest
from django.contrib.auth import get_user_model

from clusters.models import AnnualReport, Cluster, ClusterFunding
from programs.models import BudgetLine, Source

pytestmark = pytest.mark.django_db

LONG = "あ" * 10_000


@pytest.fixture
def manager(client):
    client.force_login(get_user_model().objects.get(username="manager"))
    return client


@pytest.fixture
def coordinator(client):
    client.force_login(get_user_model().objects.get(username="coord-hamamatsu"))
    return client


def budget_data(**override):
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    data = {"version": line.version, "program": line.program_id, "fiscal_year": 2009, "stage": "request",
            "amount_yen": "5500000000", "precision": line.precision, "precision_note": line.precision_note,
            "source": line.source_id, "note": line.note}  # fmt: skip
    data.update(override)
    return line, data


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"amount_yen": "-5"}, "amount_yen", "負"),
        ({"amount_yen": "▲5"}, "amount_yen", "負"),
        ({"amount_yen": "abc"}, "amount_yen", "数字"),
        ({"amount_yen": "1.5"}, "amount_yen", "数字"),
        ({"amount_yen": "99999999999999999999"}, "amount_yen", "大きすぎ"),
        ({"amount_yen": ""}, "amount_yen", "必須"),
        ({"fiscal_year": "2101"}, "fiscal_year", "2100"),
        ({"fiscal_year": "1949"}, "fiscal_year", "1950"),
        ({"fiscal_year": ""}, "fiscal_year", "必須"),
        ({"note": LONG}, "note", "5000"),
        ({"stage": "bogus"}, "stage", "選択"),
        ({"program": "999999"}, "program", "選択"),
        ({"version": ""}, None, "版"),
    ],
)
def test_budget_line_bad_input(manager, override, field, message):
    line, data = budget_data(**override)
    response = manager.post(f"/budgets/{line.pk}/edit/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "入力内容にエラーがあります" in html
    form = response.context["form"]
    errors = " ".join(form.errors.get(field, [])) if field else " ".join(form.non_field_errors()) + str(form.errors)
    assert message in errors, form.errors
    if field:
        assert 'aria-invalid="true"' in html
    note = line.note
    line.refresh_from_db()
    assert (line.amount_yen, line.version, line.note) == (5_500_000_000, 1, note)


def test_duplicate_stage_is_a_message_not_a_500(manager):
    line, data = budget_data(stage="request")
    other = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2008, stage="enacted")
    data.update(version=other.version, fiscal_year=2009, stage="request")
    response = manager.post(f"/budgets/{other.pk}/edit/", data)
    assert response.status_code == 400
    assert "既に" in response.content.decode()
    other.refresh_from_db()
    assert other.fiscal_year == 2008


def test_html_in_text_is_stored_and_shown_escaped(manager):
    source = Source.objects.get(key="mext-paper-2008")
    data = {"version": source.version, "key": source.key, "kind": source.kind, "title": '<script>alert("x")</script>',
            "publisher": source.publisher, "published": "", "url": source.url, "locator": "<b>bold</b>", "note": ""}  # fmt: skip
    response = manager.post(f"/sources/{source.pk}/edit/", data)
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.title == '<script>alert("x")</script>'
    html = manager.get("/sources/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")</script>' not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_cluster_profile_bad_input(coordinator):
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    data = {"version": 1, "name_ja": "", "name_en": "x" * 300, "field": "", "core_organization": "",
            "description_ja": LONG, "description_en": "", "status": "nonsense"}  # fmt: skip
    response = coordinator.post("/clusters/hamamatsu-kc2/edit/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name_ja", "name_en", "description_ja"}  # status is derived, not a field
    cluster.refresh_from_db()
    assert cluster.version == 1 and cluster.name_ja == "浜松オプトロニクスクラスター"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"national_yen": "-1"}, "national_yen"),
        ({"national_yen": "1e9"}, "national_yen"),
        ({"local_yen": "10000000000000000000"}, "local_yen"),
        ({"indicator_X": "-3"}, "indicator_X"),
        ({"indicator_X": "三"}, "indicator_X"),
    ],
)
def test_report_bad_input(coordinator, data, field):
    from clusters.services import report_indicators

    indicator = report_indicators(2008)[0]
    data = {k.replace("X", str(indicator.pk)): v for k, v in data.items()}
    field = field.replace("X", str(indicator.pk))
    before = list(ClusterFunding.objects.values_list("pk", "national_yen", "local_yen", "version"))
    response = coordinator.post("/clusters/hamamatsu-kc2/reports/2008/", {"action": "save", **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert list(ClusterFunding.objects.values_list("pk", "national_yen", "local_yen", "version")) == before
    assert not AnnualReport.objects.exists()


def test_full_width_digits_are_normalised_in_reports(coordinator):
    response = coordinator.post(
        "/clusters/hamamatsu-kc2/reports/2008/",
        {"action": "save", "national_yen": "５００，０００，０００円", "local_yen": "0"},
    )
    assert response.status_code == 302
    assert (
        ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008, kind="actual").national_yen
        == 500_000_000
    )
