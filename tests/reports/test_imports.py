"""Spreadsheet imports (DESIGN §5 "Imports"): upload → preview → confirm.

Every refusal asserts that nothing was written (rows, versions, history, sources); every success
asserts the row changed, the version moved once and the history row names the uploader.
"""

import codecs
import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from clusters import exports as cluster_exports
from clusters.models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome
from core import imports
from core.exports import csv_response
from core.formatting import Unit
from core.models import ImportBatch
from core.services import save_tracked
from programs.models import BudgetLine, OutcomeValue, Source
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_ui(client, settings):
    """These tests read the messages in English (the Japanese catalog is checked elsewhere);
    the files themselves keep Japanese headers and values."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


BUDGET_HEADER = "事業キー,年度,予算段階,金額（円）\r\n"


def user(name):
    return get_user_model().objects.get(username=name)


def login(client, name):
    client.force_login(user(name))
    return client


def snapshot():
    """Everything an import could touch: rows with their versions and sources, history, sources."""
    return {
        "budget": list(
            BudgetLine.objects.order_by("pk").values_list("pk", "amount_yen", "version", "source_id", "note")
        ),
        "outcomes": list(OutcomeValue.objects.order_by("pk").values_list("pk", "value", "version", "source_id")),
        "funding": list(
            ClusterFunding.objects.order_by("pk").values_list("pk", "national_yen", "local_yen", "version", "source_id")
        ),
        "cluster_outcomes": list(ClusterOutcome.objects.order_by("pk").values_list("pk", "value", "version")),
        "history": BudgetLine.history.count()
        + OutcomeValue.history.count()
        + ClusterFunding.history.count()
        + ClusterOutcome.history.count(),
        "sources": Source.objects.count(),
    }


def upload(client, kind, name, content):
    return client.post(f"/imports/{kind}/", {"file": SimpleUploadedFile(name, content)})


def upload_and_preview(client, kind, name, content):
    response = upload(client, kind, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    assert url.startswith(f"/imports/{kind}/")
    preview = client.get(url)
    assert preview.status_code == 200
    return url, preview


def export(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def edit_csv(content: bytes, match: dict, changes: dict) -> bytes:
    """The exported CSV with the cells of ``changes`` replaced on the row matching ``match``
    (both keyed by header text); written back as UTF-8 with BOM, as the export is."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    header = rows[0]
    found = 0
    for row in rows[1:]:
        if all(row[header.index(k)] == v for k, v in match.items()):
            for k, v in changes.items():
                row[header.index(k)] = v
            found += 1
    assert found == 1, found
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


# --- limits ------------------------------------------------------------------------------------------


def test_limit_constants():
    assert imports.MAX_BYTES == 10 * 1024 * 1024
    assert imports.MAX_ROWS == 50_000


def test_read_table_accepts_exactly_the_row_limit_and_refuses_one_more():
    row = "knowledge-cluster,2008,draft,1\r\n"
    headers, rows = imports.read_table("a.csv", (BUDGET_HEADER + row * imports.MAX_ROWS).encode())
    assert len(rows) == imports.MAX_ROWS and rows[-1].line == imports.MAX_ROWS + 1
    with pytest.raises(imports.ImportFileError, match="50,000"):
        imports.read_table("a.csv", (BUDGET_HEADER + row * (imports.MAX_ROWS + 1)).encode())


def test_file_over_10_mb_is_refused_and_nothing_stored(client):
    login(client, "manager")
    content = BUDGET_HEADER.encode() + b"#" * imports.MAX_BYTES
    assert len(content) > imports.MAX_BYTES
    before = snapshot()
    response = upload(client, "budget-lines", "big.csv", content)
    assert response.status_code == 400
    assert "10 MB" in response.content.decode()
    assert ImportBatch.objects.count() == 0 and snapshot() == before
    with pytest.raises(imports.ImportFileError, match="10 MB"):
        imports.read_table("big.csv", content)


def test_file_over_50000_rows_is_refused_and_nothing_stored(client):
    login(client, "manager")
    content = (BUDGET_HEADER + "knowledge-cluster,2008,draft,1\r\n" * (imports.MAX_ROWS + 1)).encode()
    before = snapshot()
    response = upload(client, "budget-lines", "many.csv", content)
    assert response.status_code == 400
    assert "50,000" in response.content.decode()
    assert ImportBatch.objects.count() == 0 and snapshot() == before


# --- round trips: an unchanged export changes nothing ------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind", "name", "encoding"),
    [
        ("/budgets/?export=csv", "budget-lines", "budget-lines.csv", "utf-8-sig"),
        ("/budgets/?export=csv&encoding=cp932", "budget-lines", "budget-lines.csv", "cp932"),
        ("/budgets/?export=csv&unit=hundred-million", "budget-lines", "budget-lines.csv", "utf-8-sig"),
        ("/budgets/?export=xlsx", "budget-lines", "budget-lines.xlsx", "xlsx"),
        ("/outcomes/values/?export=csv", "outcome-values", "outcome-values.csv", "utf-8-sig"),
        ("/outcomes/values/?export=xlsx", "outcome-values", "outcome-values.xlsx", "xlsx"),
    ],
)
def test_reimporting_an_unchanged_export_changes_nothing(client, url, kind, name, encoding):
    login(client, "manager")
    # a note that the export escapes against formula injection must come back unescaped
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    line.note = "-3% 前年度比"
    save_tracked(user=user("manager"), instance=line, version=line.version)
    content = export(client, url)
    before = snapshot()
    batch_url, preview = upload_and_preview(client, kind, name, content)
    counts = preview.context["counts"]
    total = BudgetLine.objects.count() if kind == "budget-lines" else OutcomeValue.objects.count()
    assert counts == {"create": 0, "change": 0, "unchanged": total, "error": 0, "total": total}
    assert preview.context["table"].encoding == encoding and preview.context["warnings"] == 0
    assert str(imports.ENCODING_LABELS[encoding]) in preview.content.decode()
    response = client.post(batch_url)
    assert response.status_code == 302
    assert snapshot() == before  # no new history rows, versions unchanged
    assert ImportBatch.objects.get().applied_at is not None


def test_english_export_imports_back_unchanged_in_a_japanese_session(client):
    login(client, "manager")
    client.cookies["django_language"] = "en"
    content = export(client, "/budgets/?export=csv")
    assert b"Program key" in content and b"Government draft" in content
    client.cookies["django_language"] = "ja"
    before = snapshot()
    batch_url, preview = upload_and_preview(client, "budget-lines", "en.csv", content)
    assert preview.context["counts"]["unchanged"] == BudgetLine.objects.count()
    assert client.post(batch_url).status_code == 302
    assert snapshot() == before


def test_cluster_exports_import_back_unchanged(client):
    login(client, "manager")
    for kind, columns, rows, queryset in [
        ("cluster-funding", cluster_exports.CLUSTER_FUNDING_COLUMNS, cluster_exports.funding_rows,
         ClusterFunding.objects.all()),
        ("cluster-outcomes", cluster_exports.CLUSTER_OUTCOME_COLUMNS, cluster_exports.outcome_rows,
         ClusterOutcome.objects.all()),
    ]:  # fmt: skip
        response = csv_response(
            filename="x.csv", columns=columns, rows=lambda r=rows, q=queryset: r(q), unit=Unit.MILLION
        )
        before = snapshot()
        batch_url, preview = upload_and_preview(client, kind, f"{kind}.csv", b"".join(response.streaming_content))
        assert preview.context["counts"]["unchanged"] == queryset.count()
        assert preview.context["counts"]["unchanged"] == preview.context["counts"]["total"]
        assert client.post(batch_url).status_code == 302
        assert snapshot() == before


# --- changes -----------------------------------------------------------------------------------------


def test_changed_amount_shows_old_and_new_then_writes_with_history(client):
    login(client, "manager")
    client.cookies["django_language"] = "ja"  # a Japanese export (headers and stage labels)
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    content = edit_csv(
        export(client, "/budgets/?export=csv"),
        {"事業キー": "city-area", "年度": "2009", "予算段階": "概算要求"},
        {"金額（円）": str(line.amount_yen + 1_000_000)},
    )
    history = BudgetLine.history.count()
    batch_url, preview = upload_and_preview(client, "budget-lines", "changed.csv", content)
    assert preview.context["counts"]["change"] == 1 and preview.context["counts"]["error"] == 0
    row = preview.context["changes"][0]
    assert row.differences == [("金額（円）", f"{line.amount_yen:,}", f"{line.amount_yen + 1_000_000:,}")]
    page = preview.content.decode()
    assert f"{line.amount_yen:,}" in page and f"→ {line.amount_yen + 1_000_000:,}" in page
    assert "金額（百万円）" in page  # the stale display column is reported, the yen figure wins
    assert BudgetLine.objects.get(pk=line.pk).amount_yen == line.amount_yen  # the preview wrote nothing

    response = client.post(batch_url)
    assert response.status_code == 302
    changed = BudgetLine.objects.get(pk=line.pk)
    assert changed.amount_yen == line.amount_yen + 1_000_000 and changed.version == line.version + 1
    assert BudgetLine.history.count() == history + 1
    assert changed.history.first().history_user.username == "manager"
    messages = [str(m) for m in client.get(batch_url).context["messages"]]
    assert any("変更1件" in m or "1 changed" in m for m in messages), messages


def test_editing_only_the_display_amount_is_refused(client):
    login(client, "manager")
    client.cookies["django_language"] = "ja"  # a Japanese export (headers and stage labels)
    content = edit_csv(
        export(client, "/budgets/?export=csv"),
        {"事業キー": "city-area", "年度": "2009", "予算段階": "概算要求"},
        {"金額（百万円）": "99999"},
    )
    before = snapshot()
    batch_url, preview = upload_and_preview(client, "budget-lines", "display.csv", content)
    assert preview.context["counts"]["error"] == 1
    assert "金額（円）" in " ".join(preview.context["errors"][0].errors)
    assert client.post(batch_url).status_code == 400
    assert snapshot() == before


def test_utf8_without_bom_with_english_headers_creates_a_row(client):
    login(client, "manager")
    content = (
        "Program key,Fiscal year,Stage,Amount (yen),Source key,Note\n"
        'city-area,FY2011,Budget request,"１,234,000,000",mext-paper-2008,概算要求額（報道発表）\n'
    ).encode()
    assert not content.startswith(codecs.BOM_UTF8)
    batch_url, preview = upload_and_preview(client, "budget-lines", "new.csv", content)
    assert preview.context["table"].encoding == "utf-8"
    assert "UTF-8 (without BOM)" in preview.content.decode()
    assert preview.context["counts"]["create"] == 1
    assert client.post(batch_url).status_code == 302
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2011, stage="request")
    assert line.amount_yen == 1_234_000_000 and line.source.key == "mext-paper-2008" and line.version == 1
    assert line.note == "概算要求額（報道発表）"
    assert line.history.get().history_user.username == "manager"


def test_cp932_file_with_japanese_labels(client):
    login(client, "manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    content = (BUDGET_HEADER + f"city-area,２００９年度,概算要求,{line.amount_yen + 5}\r\n").encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    batch_url, preview = upload_and_preview(client, "budget-lines", "sjis.csv", content)
    assert preview.context["table"].encoding == "cp932"
    assert "Shift_JIS" in preview.content.decode()
    assert preview.context["counts"]["change"] == 1
    assert client.post(batch_url).status_code == 302
    assert BudgetLine.objects.get(pk=line.pk).amount_yen == line.amount_yen + 5


def test_xlsx_made_with_openpyxl(client):
    login(client, "manager")
    value = OutcomeValue.objects.filter(program__isnull=True).order_by("pk").first()
    old = value.value
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Indicator key", "Fiscal year", "Program key", "Value"])
    sheet.append([value.indicator.slug, value.fiscal_year, None, float(old + 7)])  # Excel numbers are floats
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch_url, preview = upload_and_preview(client, "outcome-values", "values.xlsx", buffer.getvalue())
    assert preview.context["table"].encoding == "xlsx"
    assert preview.context["counts"]["change"] == 1, [r.errors for r in preview.context["errors"]]
    assert client.post(batch_url).status_code == 302
    value.refresh_from_db()
    assert value.value == old + 7 and value.version == 2
    assert value.history.first().history_user.username == "manager"


def test_xlsx_export_is_readable_as_written(client):
    """The XLSX export's first sheet is the data sheet; numbers come back as numbers."""
    login(client, "manager")
    client.cookies["django_language"] = "ja"  # a Japanese export
    content = export(client, "/budgets/?export=xlsx")
    assert load_workbook(io.BytesIO(content)).sheetnames[-1] == "About"
    headers, rows = imports.read_table("b.xlsx", content)
    assert headers[0] == "事業キー" and len(rows) == BudgetLine.objects.count()
    assert isinstance(rows[0].cells[headers.index("金額（円）")], int)


# --- refusals: each a clear message, nothing written -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("no-amount.csv", "事業キー,年度,予算段階\r\ncity-area,2009,request\r\n".encode(), "Amount (yen)"),
        ("extra.csv", (BUDGET_HEADER.strip() + ",謎の列\r\ncity-area,2009,request,1,x\r\n").encode(), "謎の列"),
        ("twice.csv", "事業キー,年度,予算段階,金額（円）,Amount (yen)\r\n".encode(), "more than once"),
        ("budget.txt", BUDGET_HEADER.encode(), ".xlsx"),
        ("utf16.csv", BUDGET_HEADER.encode("utf-16"), "UTF-16"),
        ("garbage.csv", "事業キー,年度\r\n".encode() + b"\x81\x20\r\n", "encoding"),
        ("broken.xlsx", b"PK\x03\x04 not really a workbook", "Excel"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_bad_files_are_refused_on_the_upload_page(client, name, content, message):
    login(client, "manager")
    before = snapshot()
    response = upload(client, "budget-lines", name, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="field-error"' in page and 'aria-invalid="true"' in page  # next to the file field
    assert ImportBatch.objects.count() == 0 and snapshot() == before


def test_no_file_is_refused(client):
    login(client, "manager")
    response = client.post("/imports/budget-lines/", {})
    assert response.status_code == 400 and ImportBatch.objects.count() == 0
    assert 'for="id_file"' in response.content.decode()


def refused(client, kind, name, content, *, who="manager", expected_errors=None):
    """Upload, check that the preview lists errors and offers no confirm button, then confirm
    anyway: 400 and nothing written. Returns the error rows."""
    login(client, who)
    before = snapshot()
    batch_url, preview = upload_and_preview(client, kind, name, content)
    errors = preview.context["errors"]
    assert errors and not preview.context["can_confirm"]
    assert "Confirm and import" not in preview.content.decode()
    if expected_errors is not None:
        assert preview.context["counts"]["error"] == expected_errors
    response = client.post(batch_url)
    assert response.status_code == 400
    assert snapshot() == before
    assert ImportBatch.objects.get().applied_at is None
    return errors


def test_unknown_program_is_a_row_error(client):
    content = (BUDGET_HEADER + "city-area,2009,request,1\r\nno-such-program,2009,request,1\r\n").encode()
    errors = refused(client, "budget-lines", "x.csv", content, expected_errors=1)
    assert errors[0].line == 3 and "no-such-program" in errors[0].errors[0]


def test_unknown_indicator_is_a_row_error(client):
    content = "指標キー,年度,事業キー,値\r\nno-such-indicator,2008,,5\r\n".encode()
    errors = refused(client, "outcome-values", "x.csv", content)
    assert "no-such-indicator" in errors[0].errors[0]


def test_unknown_cluster_is_a_row_error(client):
    content = "クラスターキー,年度,計画／実績,国費（円）\r\nno-such-cluster,2008,actual,1\r\n".encode()
    errors = refused(client, "cluster-funding", "x.csv", content, who="coord-hamamatsu")
    assert "no-such-cluster" in errors[0].errors[0]


def test_unknown_indicator_in_cluster_outcomes(client):
    content = "クラスターキー,年度,指標キー,値\r\nhamamatsu-kc2,2008,no-such-indicator,3\r\n".encode()
    errors = refused(client, "cluster-outcomes", "x.csv", content, who="coord-hamamatsu")
    assert "no-such-indicator" in errors[0].errors[0]


def test_coordinator_cannot_import_another_regions_funding(client):
    content = (
        "クラスターキー,年度,計画／実績,国費（円）,地域負担（円）\r\n"
        "hamamatsu-kc2,2008,actual,600000000,190000000\r\n"
        "sapporo-kc2,2008,actual,999,999\r\n"
    ).encode()
    errors = refused(client, "cluster-funding", "x.csv", content, who="coord-hamamatsu", expected_errors=1)
    assert errors[0].line == 3 and "outside your regions" in errors[0].errors[0]
    # the Hamamatsu row was valid but is not written either: all or nothing
    assert ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008, kind="actual").version == 1


def test_coordinator_cannot_change_plan_figures(client):
    content = "クラスターキー,年度,計画／実績,国費（円）\r\nhamamatsu-kc2,2009,計画,1\r\n".encode()
    errors = refused(client, "cluster-funding", "x.csv", content, who="coord-hamamatsu")
    assert "Plan figures" in errors[0].errors[0]


def test_coordinator_cannot_change_a_submitted_years_figures(client):
    cluster = Cluster.objects.get(slug="hamamatsu-kc2")
    AnnualReport.objects.create(cluster=cluster, fiscal_year=2008, status="submitted")
    content = "クラスターキー,年度,指標キー,値\r\nhamamatsu-kc2,2008,patent-applications,99\r\n".encode()
    errors = refused(client, "cluster-outcomes", "x.csv", content, who="coord-hamamatsu")
    assert "submitted" in errors[0].errors[0]


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", "negative"), ("▲100", "negative"), ("abc", "not a whole number"), ("1.5", "not a whole number"),
     ("", "required")],
)  # fmt: skip
def test_negative_and_non_numeric_values_are_row_errors(client, amount, message):
    content = (BUDGET_HEADER + f"city-area,2009,request,{amount}\r\n").encode()
    errors = refused(client, "budget-lines", "x.csv", content)
    assert "金額（円）" in errors[0].errors[0] and message in errors[0].errors[0]


def test_bad_fiscal_year_and_stage_are_row_errors(client):
    content = (BUDGET_HEADER + "city-area,1900,request,1\r\ncity-area,2009,someday,1\r\n").encode()
    errors = refused(client, "budget-lines", "x.csv", content, expected_errors=2)
    assert "1950" in errors[0].errors[0] and "someday" in errors[1].errors[0]


def test_duplicate_rows_are_an_error_on_each_line(client):
    content = (
        "事業キー,年度,予算段階,金額（円）,出典キー\r\n"
        "city-area,2009,request,1,mext-paper-2008\r\n"
        "city-area,2010,request,1,mext-paper-2008\r\n"  # valid, but all or nothing
        "city-area,2009,概算要求,2,mext-paper-2008\r\n"
    ).encode()
    errors = refused(client, "budget-lines", "x.csv", content, expected_errors=2)
    assert [e.line for e in errors] == [2, 4]
    assert all("rows 2, 4" in e.errors[0] for e in errors)


def test_new_budget_line_without_source_is_refused(client):
    content = (BUDGET_HEADER + "city-area,2012,request,1\r\n").encode()
    errors = refused(client, "budget-lines", "x.csv", content)
    assert "source" in errors[0].errors[0]


# --- coordinators ------------------------------------------------------------------------------------


def test_coordinator_updates_own_actual_funding_with_report_source(client):
    login(client, "coord-hamamatsu")
    row = ClusterFunding.objects.get(cluster__slug="hamamatsu-kc2", fiscal_year=2008, kind="actual")
    content = (
        "クラスターキー,年度,計画／実績,国費（円）,地域負担（円）\r\n"
        f"hamamatsu-kc2,2008,実績,600000000,{row.local_yen}\r\n"
        "hamamatsu-kc2,2008,plan,530000000,190800000\r\n"  # unchanged plan row: allowed
    ).encode()
    assert not Source.objects.filter(key="annual-report-hamamatsu-kc2-2008").exists()
    batch_url, preview = upload_and_preview(client, "cluster-funding", "f.csv", content)
    assert preview.context["counts"] == {"create": 0, "change": 1, "unchanged": 1, "error": 0, "total": 2}
    assert not Source.objects.filter(key="annual-report-hamamatsu-kc2-2008").exists()  # the preview writes nothing
    assert client.post(batch_url).status_code == 302
    row.refresh_from_db()
    assert row.national_yen == 600_000_000 and row.version == 2
    assert row.source.key == "annual-report-hamamatsu-kc2-2008"
    assert row.history.first().history_user.username == "coord-hamamatsu"


def test_manager_imports_cluster_outcomes_for_any_region(client):
    login(client, "manager")
    content = "クラスターキー,年度,指標キー,値,出典キー\r\nsapporo-kc2,2009,patent-applications,4,illustrative-demo\r\n"
    batch_url, preview = upload_and_preview(client, "cluster-outcomes", "o.csv", content.encode())
    assert preview.context["counts"]["create"] == 1
    assert client.post(batch_url).status_code == 302
    created = ClusterOutcome.objects.get(
        cluster__slug="sapporo-kc2", fiscal_year=2009, indicator__slug="patent-applications"
    )
    assert created.value == 4 and created.source.key == "illustrative-demo"


def test_manager_new_cluster_row_needs_a_source_key(client):
    content = "クラスターキー,年度,計画／実績,国費（円）\r\nsapporo-kc2,2010,actual,1\r\n".encode()
    errors = refused(client, "cluster-funding", "x.csv", content)
    assert "source" in errors[0].errors[0]


def test_stale_row_during_apply_writes_nothing():
    """apply() re-checks versions: a row changed after the preview refuses the whole import."""
    from programs.imports import BudgetLineImporter

    manager = user("manager")
    first = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    second = BudgetLine.objects.exclude(pk=first.pk).order_by("pk").first()
    headers, rows = imports.read_table(
        "x.csv",
        (
            BUDGET_HEADER
            + f"{second.program.slug},{second.fiscal_year},{second.stage},{second.amount_yen + 1}\r\n"
            + f"city-area,2009,request,{first.amount_yen + 1}\r\n"
        ).encode(),
    )
    importer = BudgetLineImporter()
    preview = importer.preview(manager, headers, rows)
    assert [r.action for r in preview] == ["change", "change"]
    first.note = "someone else"
    save_tracked(user=manager, instance=first, version=first.version)
    before = snapshot()
    with pytest.raises(imports.ImportRefused) as refusal:
        importer.apply(manager, preview)
    assert "after the preview" in refusal.value.rows[1].errors[0]
    assert snapshot() == before


def test_uploads_never_touch_local_disk(client, monkeypatch):
    """Above Django's in-memory threshold (2.5 MB) the default handler would write a temporary file."""
    from django.core.files import uploadedfile

    def no_disk(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", no_disk)
    login(client, "manager")
    content = (BUDGET_HEADER + "city-area,2009,request,1\r\n" * 150_000).encode()
    assert len(content) > 3 * 1024 * 1024
    response = upload(client, "budget-lines", "big.csv", content)
    assert response.status_code == 400 and "50,000" in response.content.decode()


def test_upload_and_confirm_still_need_the_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user("manager"))
    content = (BUDGET_HEADER + "city-area,2009,request,1\r\n").encode()
    assert upload(strict, "budget-lines", "x.csv", content).status_code == 403
    assert ImportBatch.objects.count() == 0
    page = strict.get("/imports/budget-lines/")
    token = page.context["csrf_token"]
    response = strict.post(
        "/imports/budget-lines/", {"file": SimpleUploadedFile("x.csv", content), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert strict.post(response["Location"]).status_code == 403  # confirm without the token
    assert ImportBatch.objects.get().applied_at is None


# --- access ------------------------------------------------------------------------------------------

LOGIN = "login"
ACCESS = {
    "/imports/": {"ministry": 403, "analyst": 403, "coord-hamamatsu": 200, "manager": 200},
    "/imports/budget-lines/": {"ministry": 403, "analyst": 403, "coord-hamamatsu": 403, "manager": 200},
    "/imports/outcome-values/": {"ministry": 403, "analyst": 403, "coord-hamamatsu": 403, "manager": 200},
    "/imports/cluster-funding/": {"ministry": 403, "analyst": 403, "coord-hamamatsu": 200, "manager": 200},
    "/imports/cluster-outcomes/": {"ministry": 403, "analyst": 403, "coord-hamamatsu": 200, "manager": 200},
    "/imports/no-such-kind/": {"manager": 404},
}


@pytest.mark.parametrize(
    ("url", "role", "expected"), [(u, r, e) for u, roles in ACCESS.items() for r, e in roles.items()]
)
def test_access(client, url, role, expected):
    assert login(client, role).get(url).status_code == expected


@pytest.mark.parametrize("url", list(ACCESS))
def test_anonymous_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["ministry", "analyst", "coord-sapporo"])
def test_upload_without_the_role_is_403_and_stores_nothing(client, role):
    login(client, role)
    response = upload(client, "budget-lines", "x.csv", (BUDGET_HEADER + "city-area,2009,request,1\r\n").encode())
    assert response.status_code == 403 and ImportBatch.objects.count() == 0


def test_another_users_batch_is_404(client):
    login(client, "manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    batch_url, _ = upload_and_preview(
        client, "budget-lines", "x.csv", (BUDGET_HEADER + f"city-area,2009,request,{line.amount_yen + 1}\r\n").encode()
    )
    client.force_login(make_user("manager-2", "program_manager"))
    assert client.get(batch_url).status_code == 404
    assert client.post(batch_url).status_code == 404
    assert BudgetLine.objects.get(pk=line.pk).version == line.version
    assert ImportBatch.objects.get().applied_at is None


def test_confirming_twice_applies_once(client):
    login(client, "manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    content = (BUDGET_HEADER + f"city-area,2009,request,{line.amount_yen + 1}\r\n").encode()
    batch_url, _ = upload_and_preview(client, "budget-lines", "x.csv", content)
    assert client.post(batch_url).status_code == 302
    after_first = snapshot()
    second = client.post(batch_url)
    assert second.status_code == 409
    assert snapshot() == after_first
    assert BudgetLine.objects.get(pk=line.pk).version == line.version + 1


def test_admin_lists_batches_read_only(client):
    login(client, "manager")
    upload_and_preview(client, "budget-lines", "x.csv", (BUDGET_HEADER + "city-area,2009,request,1\r\n").encode())
    login(client, "admin")
    response = client.get("/admin/core/importbatch/")
    assert response.status_code == 200 and "x.csv" in response.content.decode()
    assert client.get("/admin/core/importbatch/add/").status_code == 403


def test_confirm_revalidates_data_changed_since_the_preview(client):
    login(client, "manager")
    source = Source.objects.create(key="short-lived", kind="official", title="一時的な資料")
    content = (BUDGET_HEADER.strip() + ",出典キー\r\ncity-area,2013,request,5,short-lived\r\n").encode()
    batch_url, preview = upload_and_preview(client, "budget-lines", "x.csv", content)
    assert preview.context["can_confirm"]
    source.delete()
    before = snapshot()
    response = client.post(batch_url)
    assert response.status_code == 400
    assert "short-lived" in response.content.decode()
    assert snapshot() == before and ImportBatch.objects.get().applied_at is None
