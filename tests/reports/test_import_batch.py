"""Batched import confirms (issue 13 item 5): core.services.save_tracked_many writes in bulk and
keeps every guarantee of the one write path — N rows and N history records naming the uploader,
versions up by one, a fixed number of queries, nothing written when one row is stale, out of
scope or invalid, and the data version bumped once the transaction commits.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from clusters.models import Cluster, ClusterFunding
from core import imports, services
from core.history import data_version
from core.services import TrackedWrite, WritesRefused, save_tracked, save_tracked_many
from programs.imports import BudgetLineImporter
from programs.models import BudgetLine, Program, Source
from reports.views.imports import estimated_confirm_seconds

pytestmark = pytest.mark.django_db

HEADER = "事業キー,年度,予算段階,金額（円）"
STAGES = ("request", "draft", "enacted", "supplementary", "settled")


@pytest.fixture(autouse=True)
def english_ui(client):
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 rows, so a few dozen rows exercise several locking, writing and scope queries."""
    monkeypatch.setattr(services, "CHUNK", 7)


def user(name):
    return get_user_model().objects.get(username=name)


def new_keys(count: int) -> list[tuple[str, int, str]]:
    """Budget-line keys of city-area no row has (the seed's figures start later)."""
    taken = set(BudgetLine.objects.filter(program__slug="city-area").values_list("fiscal_year", "stage"))
    keys = [("city-area", fy, stage) for fy in range(1950, 2101) for stage in STAGES if (fy, stage) not in taken]
    return keys[:count]


def budget_csv(keys, amount, *, source: bool = True) -> bytes:
    lines = [HEADER + (",出典キー" if source else "")]
    for i, (slug, fy, stage) in enumerate(keys):
        lines.append(f"{slug},{fy},{stage},{amount(i)}" + (",mext-paper-2008" if source else ""))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def state():
    """Everything a budget-line import could touch."""
    return {
        "rows": list(BudgetLine.objects.order_by("pk").values_list("pk", "amount_yen", "version", "source_id")),
        "history": list(BudgetLine.history.order_by("history_id").values_list("history_id", "id", "version")),
        "sources": Source.objects.count(),
    }


def confirm(client, content: bytes, who: str = "manager"):
    client.force_login(user(who))
    response = client.post("/imports/budget-lines/", {"file": imports_file(content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    batch_url = response["Location"]
    preview = client.get(batch_url)
    assert preview.status_code == 200 and preview.context["can_confirm"], preview.context["errors"]
    return batch_url, preview


def imports_file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("batch.csv", content)


def preview_rows(who: str, content: bytes):
    headers, rows = imports.read_table("x.csv", content)
    importer = BudgetLineImporter()
    return importer, importer.preview(user(who), headers, rows)


def lines(keys):
    wanted = set(keys)
    rows = BudgetLine.objects.filter(program__slug="city-area").select_related("program")
    return [line for line in rows if (line.program.slug, line.fiscal_year, line.stage) in wanted]


# --- the batch writes everything, with history -----------------------------------------------------


def test_confirm_of_n_rows_writes_n_rows_and_n_history_records_by_the_uploader(client, small_chunks):
    keys = new_keys(40)
    rows_before, history_before = BudgetLine.objects.count(), BudgetLine.history.count()
    batch_url, _preview = confirm(client, budget_csv(keys, lambda i: 1_000 + i))
    assert client.post(batch_url).status_code == 302
    created = lines(keys)
    assert len(created) == 40 and BudgetLine.objects.count() == rows_before + 40
    assert {line.amount_yen for line in created} == {1_000 + i for i in range(40)}
    assert {line.version for line in created} == {1}
    records = BudgetLine.history.filter(id__in=[line.pk for line in created])
    assert BudgetLine.history.count() == history_before + 40 and records.count() == 40
    assert {(r.history_type, r.history_user.username, r.version, r.history_change_reason) for r in records} == {
        ("+", "manager", 1, None)
    }

    # the same rows changed: version + 1 each, one more history record each
    batch_url, preview = confirm(client, budget_csv(keys, lambda i: 2_000 + i, source=False))
    assert preview.context["counts"]["change"] == 40
    assert client.post(batch_url).status_code == 302
    changed = {line.pk: line for line in lines(keys)}
    assert {line.amount_yen for line in changed.values()} == {2_000 + i for i in range(40)}
    assert {line.version for line in changed.values()} == {2}
    assert BudgetLine.history.count() == history_before + 80
    updates = BudgetLine.history.filter(id__in=changed, history_type="~")
    assert updates.count() == 40
    assert {(r.history_user.username, r.version, r.amount_yen, r.history_change_reason) for r in updates} == {
        ("manager", 2, line.amount_yen, None) for line in changed.values()
    }
    # the history reads as an edit of the amount alone
    latest = changed[created[0].pk].history.order_by("-history_date", "-history_id").first()
    assert set(latest.diff_against(latest.prev_record).changed_fields) - {"version"} == {"amount_yen"}


def test_history_names_the_user_given_not_the_request(small_chunks):
    """Outside a request (no history middleware to fall back on) the records still name the user."""
    keys = new_keys(10)
    importer, rows = preview_rows("manager", budget_csv(keys, lambda i: 1_000 + i))
    assert importer.apply(user("manager"), rows) == {"create": 10, "change": 0, "unchanged": 0}
    records = BudgetLine.history.filter(id__in=[line.pk for line in lines(keys)])
    assert [r.history_user.username for r in records] == ["manager"] * 10


def test_unchanged_rows_are_not_written(client):
    line, other = BudgetLine.objects.filter(program__slug="city-area").order_by("pk")[:2]
    content = (
        f"{HEADER}\r\ncity-area,{line.fiscal_year},{line.stage},{line.amount_yen}\r\n"
        f"city-area,{other.fiscal_year},{other.stage},{other.amount_yen + 1}\r\n"
    )
    batch_url, _preview = confirm(client, content.encode())
    history = BudgetLine.history.count()
    assert client.post(batch_url).status_code == 302
    assert BudgetLine.objects.get(pk=line.pk).version == line.version
    assert BudgetLine.objects.get(pk=other.pk).version == other.version + 1
    assert BudgetLine.history.count() == history + 1


@pytest.mark.parametrize("kind", ["create", "change"])
def test_confirming_200_rows_takes_a_fixed_number_of_queries(client, kind, django_assert_max_num_queries):
    keys = new_keys(200)
    if kind == "change":
        batch_url, _preview = confirm(client, budget_csv(keys, lambda i: 1_000 + i))
        assert client.post(batch_url).status_code == 302
    batch_url, preview = confirm(client, budget_csv(keys, lambda i: 5_000 + i, source=kind == "create"))
    assert preview.context["counts"][kind] == 200
    # row by row this took over 1,000 queries; now 26 on SQLite (at most 999 values per query, so
    # an insert per ~60 rows) and 22 on PostgreSQL (an insert per 1,000 rows)
    with django_assert_max_num_queries(30):
        assert client.post(batch_url).status_code == 302
    assert {line.amount_yen for line in lines(keys)} == {5_000 + i for i in range(200)}


def test_cluster_funding_confirm_queries_do_not_grow_with_rows(client):
    """Cluster rows validate their fiscal year against the cluster's period (clean() reads the
    cluster's program): the loaded clusters come with it, so no row costs a query of its own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user("manager"))
    rows = list(ClusterFunding.objects.select_related("cluster").order_by("pk"))
    assert len(rows) >= 10

    def confirm_queries(subset, plus):
        content = "クラスターキー,年度,計画／実績,国費（円）\r\n" + "".join(
            f"{r.cluster.slug},{r.fiscal_year},{r.kind},{r.national_yen + plus}\r\n" for r in subset
        )
        response = client.post("/imports/cluster-funding/", {"file": imports_file(content.encode())})
        batch_url = response["Location"]
        assert client.get(batch_url).context["counts"]["change"] == len(subset)
        with CaptureQueriesContext(connection) as queries:
            assert client.post(batch_url).status_code == 302
        return len(queries)

    assert confirm_queries(rows[:2], 1) == confirm_queries(rows, 2)
    assert {r.version for r in ClusterFunding.objects.filter(pk__in=[r.pk for r in rows[2:]])} == {
        r.version + 1 for r in rows[2:]
    }


# --- refusals write nothing --------------------------------------------------------------------------


def test_row_changed_by_someone_else_after_the_preview_refuses_the_whole_confirm(client, small_chunks):
    keys = new_keys(30)
    batch_url, _preview = confirm(client, budget_csv(keys, lambda i: 1_000 + i))
    assert client.post(batch_url).status_code == 302
    importer, rows = preview_rows("manager", budget_csv(keys, lambda i: 9_000 + i, source=False))
    assert [r.action for r in rows] == ["change"] * 30
    someone = lines(keys)[-1]  # in the last chunk: the earlier ones must not be written either
    someone.note = "changed by someone else"
    save_tracked(user=user("admin"), instance=someone, version=someone.version)
    before = state()
    with pytest.raises(imports.ImportRefused) as refusal:
        importer.apply(user("manager"), rows)
    refused = [r for r in refusal.value.rows if r.errors]
    assert len(refused) == 1 and "after the preview" in refused[0].errors[0]
    assert refused[0].key.startswith(f"city-area · {someone.fiscal_year}")
    assert state() == before


def test_row_deleted_after_the_preview_refuses_the_whole_confirm(client):
    keys = new_keys(5)
    batch_url, _preview = confirm(client, budget_csv(keys, lambda i: 1_000 + i))
    assert client.post(batch_url).status_code == 302
    importer, rows = preview_rows("manager", budget_csv(keys, lambda i: 9_000 + i, source=False))
    gone = next(line for line in lines(keys) if (line.fiscal_year, line.stage) == keys[2][1:])
    services.delete_tracked(user=user("manager"), instance=gone)
    before = state()
    with pytest.raises(imports.ImportRefused) as refusal:
        importer.apply(user("manager"), rows)
    assert ["after the preview" in " ".join(r.errors) for r in refusal.value.rows] == [False] * 2 + [True] + [False] * 2
    assert state() == before


def test_row_created_by_someone_else_after_the_preview_refuses_the_whole_confirm(small_chunks):
    keys = new_keys(20)
    importer, rows = preview_rows("manager", budget_csv(keys, lambda i: 1_000 + i))
    assert [r.action for r in rows] == ["create"] * 20
    slug, fy, stage = keys[15]
    source = Source.objects.get(key="mext-paper-2008")
    program = Program.objects.get(slug=slug)
    line = BudgetLine(program=program, fiscal_year=fy, stage=stage, amount_yen=1, source=source)
    save_tracked(user=user("admin"), instance=line, version=None)
    before = state()
    with pytest.raises(imports.ImportRefused) as refusal:
        importer.apply(user("manager"), rows)
    refused = [r for r in refusal.value.rows if r.errors]
    assert [r.line for r in refused] == [17]  # the database's unique constraint, pinned on its row
    assert "already has a figure" in refused[0].errors[0]
    assert state() == before


def test_source_deleted_after_the_preview_is_a_validation_error_and_nothing_is_written():
    source = Source.objects.create(key="short-lived", kind="official", title="一時的な資料")
    keys = new_keys(3)
    content = (HEADER + ",出典キー\r\n" + "".join(f"{s},{fy},{st},5,short-lived\r\n" for s, fy, st in keys)).encode()
    importer, rows = preview_rows("manager", content)
    assert [r.action for r in rows] == ["create"] * 3
    gone = source.pk
    source.delete()
    before = state()
    with pytest.raises(imports.ImportRefused) as refusal:
        importer.apply(user("manager"), rows)
    messages = [r.errors for r in refusal.value.rows]  # ForeignKey.validate's message, found set-wise
    assert messages == [[f"source: source instance with id {gone} is not a valid choice."]] * 3
    assert state() == before


@pytest.mark.parametrize("forgery", ["move", "create"])
def test_coordinators_out_of_scope_row_refuses_the_whole_write(monkeypatch, forgery):
    """A row moved into, or created in, another region's cluster (a forged foreign key) is caught
    by the scope re-check after the bulk write, which rolls back every chunk already written."""
    monkeypatch.setattr(services, "CHUNK", 3)
    coordinator = user("coord-hamamatsu")
    own = list(ClusterFunding.objects.filter(cluster__region__coordinators=coordinator).order_by("pk"))
    other = Cluster.objects.get(slug="sapporo-kc2")
    assert len(own) == 7 and not other.region.coordinators.filter(pk=coordinator.pk).exists()
    writes = []
    for row in own:
        row.national_yen += 1
        writes.append(TrackedWrite(row, row.version))
    if forgery == "move":
        moved = next(row for row in own if row.fiscal_year == 2008 and row.kind == "actual")
        moved.cluster, moved.fiscal_year = other, 2009  # a free key within sapporo-kc2's period
        forged = own.index(moved)
    else:
        source = Source.objects.get(key="illustrative-demo")
        new = ClusterFunding(cluster=other, fiscal_year=2009, kind="actual", national_yen=1, source=source)
        writes.append(TrackedWrite(new, None))
        forged = len(writes) - 1
    before = list(ClusterFunding.objects.order_by("pk").values_list("pk", "cluster_id", "national_yen", "version"))
    history = ClusterFunding.history.count()
    with pytest.raises(WritesRefused) as refusal:
        save_tracked_many(user=coordinator, rows=writes)
    assert list(refusal.value.errors) == [forged]
    assert isinstance(refusal.value.errors[forged], PermissionDenied)
    after = list(ClusterFunding.objects.order_by("pk").values_list("pk", "cluster_id", "national_yen", "version"))
    assert after == before and ClusterFunding.history.count() == history


def test_coordinators_import_with_another_regions_cluster_writes_nothing(client):
    client.force_login(user("coord-hamamatsu"))
    before = list(ClusterFunding.objects.order_by("pk").values_list("pk", "national_yen", "version"))
    content = (
        "クラスターキー,年度,計画／実績,国費（円）,地域負担（円）\r\n"
        "hamamatsu-kc2,2008,actual,600000000,190000000\r\n"
        "sapporo-kc2,2008,actual,999,999\r\n"
    ).encode()
    response = client.post("/imports/cluster-funding/", {"file": imports_file(content)})
    assert client.post(response["Location"]).status_code == 400
    assert list(ClusterFunding.objects.order_by("pk").values_list("pk", "national_yen", "version")) == before


def test_a_stale_version_is_refused_by_the_service_itself():
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    line.amount_yen += 1
    before = state()
    for version in (line.version - 1, None):
        with pytest.raises(WritesRefused) as refusal:
            save_tracked_many(user=user("manager"), rows=[TrackedWrite(line, version)])
        assert isinstance(refusal.value.errors[0], services.StaleVersion)
    assert state() == before


# --- the data version ---------------------------------------------------------------------------------


def test_data_version_is_bumped_when_the_confirm_commits(client, django_capture_on_commit_callbacks):
    keys = new_keys(10)
    batch_url, _preview = confirm(client, budget_csv(keys, lambda i: 1_000 + i))
    before = data_version()
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(batch_url).status_code == 302
        assert data_version() == before  # not while the rows are invisible to other processes
    assert callbacks
    for callback in callbacks:
        callback()
    assert data_version() > before


def test_refused_confirm_does_not_bump_the_data_version(django_capture_on_commit_callbacks):
    keys = new_keys(3)
    importer, rows = preview_rows("manager", budget_csv(keys, lambda i: 1_000 + i))
    slug, fy, stage = keys[0]
    source = Source.objects.get(key="mext-paper-2008")
    line = BudgetLine(program=Program.objects.get(slug=slug), fiscal_year=fy, stage=stage, amount_yen=1, source=source)
    save_tracked(user=user("admin"), instance=line, version=None)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(imports.ImportRefused):
        importer.apply(user("manager"), rows)
    assert callbacks == []


# --- the preview's estimate -------------------------------------------------------------------------


def test_preview_states_how_long_the_confirm_will_take(client):
    batch_url, preview = confirm(client, budget_csv(new_keys(30), lambda i: 1_000 + i))
    page = preview.content.decode()
    assert preview.context["estimate_seconds"] == estimated_confirm_seconds(30)
    assert f'<time datetime="PT{estimated_confirm_seconds(30)}S"' in page and "Confirming takes about" in page


def test_the_estimate_is_conservative_and_fits_the_worker_timeout():
    from pathlib import Path

    assert estimated_confirm_seconds(0) == 1
    assert estimated_confirm_seconds(5_000) < estimated_confirm_seconds(50_000) <= 60
    config = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    namespace: dict = {}
    exec(config.read_text(encoding="utf-8"), namespace)  # noqa: S102 - our own configuration file
    assert namespace["timeout"] >= 2 * estimated_confirm_seconds(imports.MAX_ROWS)
