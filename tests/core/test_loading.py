"""Loaders never revert people (DESIGN §2b): `seed_demo` and `load_reference` insert missing rows
and update only rows that no person has changed since a loader wrote them; the rest are skipped
and named in the output."""

import codecs
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from clusters import services
from clusters.models import ClusterFunding, ClusterOutcome
from core import loading
from core.history import tracked_models
from core.services import save_tracked
from programs.models import BudgetLine, Indicator

pytestmark = pytest.mark.django_db

CITY_AREA_2009 = "program=city-area fiscal_year=2009 stage=request"


def user(name):
    return get_user_model().objects.get(username=name)


def seed(capsys) -> str:
    """What `make run` runs after the first time, with its output."""
    capsys.readouterr()
    call_command("seed_demo", "--force")
    return capsys.readouterr().out


def history_counts() -> dict:
    return {model._meta.label: model.history.count() for model in tracked_models()}


def city_area_request() -> BudgetLine:
    return BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")


def test_loader_records_are_tagged_with_their_file():
    record = city_area_request().history.get()
    assert record.history_user is None
    assert record.history_change_reason == "loader: reference/budget_lines.csv"
    demo = ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008, kind="actual")
    assert demo.history.get().history_change_reason == "loader: demo/cluster_funding.csv"


def test_seed_keeps_a_managers_edit_made_through_save_tracked(capsys):
    line = city_area_request()
    line.amount_yen += 1_000_000
    save_tracked(user=user("manager"), instance=line, version=line.version)
    before = history_counts()

    out = seed(capsys)

    kept = city_area_request()
    assert kept.amount_yen == 5_501_000_000 and kept.version == 2
    assert kept.history.first().history_user.username == "manager"
    assert history_counts() == before  # the loader wrote nothing
    unchanged = BudgetLine.objects.count() - 1
    assert f"programs.BudgetLine: 0 created, 0 updated, {unchanged} unchanged, 1 skipped (changed by a person)" in out
    assert (
        f"skipped programs.BudgetLine [{CITY_AREA_2009}]: differs from the fixture in amount_yen; changed by manager"
        in out
    )


def test_seed_keeps_a_coordinators_figures_in_an_accepted_annual_report(capsys):
    coordinator, manager = user("coord-hamamatsu"), user("manager")
    cluster = ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008, kind="actual").cluster
    patents = Indicator.objects.get(slug="patent-applications")
    report = services.report_save(
        user=coordinator, cluster=cluster, fy=2008, version=None,
        national_yen=600_000_000, local_yen=200_000_000, outcomes={patents.pk: 20},
    )  # fmt: skip
    report = services.report_submit(user=coordinator, report=report, version=report.version)
    services.report_accept(user=manager, report=report, version=report.version)
    before = history_counts()

    out = seed(capsys)

    funding = ClusterFunding.objects.get(cluster=cluster, fiscal_year=2008, kind="actual")
    assert (funding.national_yen, funding.local_yen) == (600_000_000, 200_000_000)
    assert funding.source.key == "annual-report-hamamatsu-kc2-2008"
    assert funding.history.first().history_user == coordinator
    outcome = ClusterOutcome.objects.get(cluster=cluster, fiscal_year=2008, indicator=patents)
    assert outcome.value == 20 and outcome.history.first().history_user == coordinator
    assert history_counts() == before
    assert (
        "skipped clusters.ClusterFunding [cluster=hamamatsu-kc2 fiscal_year=2008 kind=actual]: "
        "differs from the fixture in national_yen, local_yen, source; changed by coord-hamamatsu"
    ) in out
    assert (
        "skipped clusters.ClusterOutcome [cluster=hamamatsu-kc2 fiscal_year=2008 indicator=patent-applications]: "
        "differs from the fixture in value, source; changed by coord-hamamatsu"
    ) in out
    assert "clusters.ClusterFunding: 0 created, 0 updated, 23 unchanged, 1 skipped (changed by a person)" in out


def test_seed_keeps_an_imported_figure(client, capsys):
    line = city_area_request()
    client.force_login(user("manager"))
    content = f"事業キー,年度,予算段階,金額（円）\r\ncity-area,2009,request,{line.amount_yen + 2_000_000}\r\n"
    response = client.post(
        "/imports/budget-lines/", {"file": SimpleUploadedFile("b.csv", codecs.BOM_UTF8 + content.encode())}
    )
    assert response.status_code == 302
    assert client.post(response["Location"]).status_code == 302
    assert city_area_request().amount_yen == line.amount_yen + 2_000_000

    out = seed(capsys)

    kept = city_area_request()
    assert kept.amount_yen == line.amount_yen + 2_000_000
    assert kept.history.first().history_user.username == "manager"
    assert f"skipped programs.BudgetLine [{CITY_AREA_2009}]" in out


def test_a_change_with_a_reason_but_no_user_counts_as_a_person():
    """E.g. a fix made in the shell with a change reason: still a person's change."""
    line = city_area_request()
    line.note = "checked against the printed evaluation"
    line._change_reason = "note checked by hand"
    line.save()
    report = loading.LoadReport()
    from clusters.reference import load_reference

    load_reference(report)
    assert city_area_request().note == "checked against the printed evaluation"
    assert [s.line() for s in report.skipped] == [
        f"skipped programs.BudgetLine [{CITY_AREA_2009}]: differs from the fixture in note; "
        f"changed by someone (note checked by hand) on {timezone.localtime(line.history.first().history_date):%Y-%m-%d %H:%M}"
    ]


def test_a_row_a_person_deleted_is_not_created_again(capsys):
    row = ClusterOutcome.objects.get(
        cluster__slug="sapporo-kc2", fiscal_year=2008, indicator__slug="patent-applications"
    )
    row._history_user = user("manager")
    row.delete()
    before = history_counts()

    out = seed(capsys)

    assert not ClusterOutcome.objects.filter(
        cluster__slug="sapporo-kc2", fiscal_year=2008, indicator__slug="patent-applications"
    ).exists()
    assert history_counts() == before
    assert (
        "skipped clusters.ClusterOutcome [cluster=sapporo-kc2 fiscal_year=2008 indicator=patent-applications]: "
        "deleted by manager"
    ) in out


def test_an_unedited_row_follows_a_changed_fixture(tmp_path, monkeypatch, capsys):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(loading.FIXTURES_DIR, fixtures)
    path = fixtures / "reference" / "budget_lines.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count("city-area,2009,request,5500,") == 1
    path.write_text(text.replace("city-area,2009,request,5500,", "city-area,2009,request,5600,"), encoding="utf-8")
    monkeypatch.setattr(loading, "FIXTURES_DIR", fixtures)
    capsys.readouterr()

    call_command("load_reference")

    line = city_area_request()
    assert line.amount_yen == 5_600_000_000 and line.version == 2
    record = line.history.first()
    assert record.history_user is None and record.history_change_reason == "loader: reference/budget_lines.csv"
    out = capsys.readouterr().out
    assert "programs.BudgetLine: 0 created, 1 updated" in out and "skipped programs" not in out


def test_a_loader_update_does_not_make_the_row_a_persons(tmp_path, monkeypatch):
    """After the loader updated a row, the next fixture change still reaches it."""
    fixtures = tmp_path / "fixtures"
    shutil.copytree(loading.FIXTURES_DIR, fixtures)
    monkeypatch.setattr(loading, "FIXTURES_DIR", fixtures)
    path = fixtures / "reference" / "budget_lines.csv"
    original = path.read_text(encoding="utf-8")
    for amount in ("5600", "5700"):
        path.write_text(original.replace("city-area,2009,request,5500,", f"city-area,2009,request,{amount},"))
        call_command("load_reference")
    assert city_area_request().amount_yen == 5_700_000_000


def test_second_load_writes_nothing_and_adds_no_history(capsys):
    call_command("seed_demo", "--force")
    before = history_counts()
    out = seed(capsys)
    assert history_counts() == before
    counts = [line for line in out.splitlines() if line.endswith("skipped (changed by a person)")]
    assert len(counts) == 12  # every loaded model
    assert all(" 0 created, 0 updated," in line and ", 0 skipped" in line for line in counts), counts
    assert "skipped programs" not in out and "skipped clusters" not in out


def test_records_without_user_or_reason_are_a_loaders_from_before_tagging(tmp_path, monkeypatch):
    """Databases loaded before loaders tagged their records still receive fixture changes."""
    line = city_area_request()
    line.history.update(history_change_reason=None)
    fixtures = tmp_path / "fixtures"
    shutil.copytree(loading.FIXTURES_DIR, fixtures)
    path = fixtures / "reference" / "budget_lines.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("city-area,2009,request,5500,", "city-area,2009,request,5600,")
    )
    monkeypatch.setattr(loading, "FIXTURES_DIR", fixtures)
    call_command("load_reference")
    assert city_area_request().amount_yen == 5_600_000_000
