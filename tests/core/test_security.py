"""Login protection, sessions, the write-path rule and history (issue 6)."""

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.services import save_tracked
from programs.models import BudgetLine

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "programs", "clusters", "reports"]


def test_axes_locks_the_account_after_five_failures(client):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "ministry", "password": "wrong"})
    assert response.status_code in (200, 429)
    response = client.post("/accounts/login/", {"username": "ministry", "password": "kakehashi-demo"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "15分間ロック" in html
    assert "_auth_user_id" not in client.session
    # another account is not affected
    response = client.post("/accounts/login/", {"username": "analyst", "password": "kakehashi-demo"})
    assert response.status_code == 302


def test_lockout_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)


def test_sessions_expire_after_eight_hours():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


#: where rows may be written: the write services and the loaders (DESIGN §6 "Writes")
WRITE_MODULES = {
    "core/services.py",
    "clusters/services.py",
    "core/loading.py",
    "core/models.py",
}
#: writes of rows that are not domain data (no history): staging an uploaded file for import
STAGING = {("reports/views/imports.py", "ImportBatch"), ("reports/views/imports.py", "batch"), ("core/imports.py", "ImportBatch"), ("core/imports.py", "batch")}  # fmt: skip
WRITE_CALLS = {"save", "create", "get_or_create", "update_or_create", "delete", "update", "bulk_create", "bulk_update"}
NOT_MODELS = {"workbook", "out", "initial", "data", "row", "item", "result", "context", "values", "kwargs", "params"}


def write_calls(path: Path):
    """(line, receiver, method) of every call that may write a model row."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name, receiver = node.func.attr, ast.unparse(node.func.value)
        if name not in WRITE_CALLS or receiver.split(".")[0].split("(")[0] in NOT_MODELS:
            continue
        if name == "save" and any(k.arg == "commit" for k in node.keywords):
            continue  # ModelForm.save(commit=False) builds the instance; save_tracked writes it
        if name == "save" and receiver == "self" and node.args:
            continue  # a view's save(request, form, obj) hook, which calls save_tracked
        if name == "update" and not any(t in receiver for t in ("objects", "filter(", "qs", "queryset", "history")):
            continue  # dict.update
        yield node.lineno, receiver, name


def test_one_write_path_no_model_write_outside_services_and_loaders():
    """Tracked rows are written through the services (and the reference loaders) only, so the
    version check, validation, scope and history are never skipped (issue 12 item 8)."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in path.parts or relative in WRITE_MODULES or relative.endswith("reference.py"):
                continue
            if "management" in path.parts:
                continue  # the loaders' commands (seed_demo creates the demo accounts)
            for line, receiver, name in write_calls(path):
                if any(relative == f and receiver.startswith(r) for f, r in STAGING):
                    continue
                offenders.append(f"{relative}:{line} {receiver}.{name}()")
    assert offenders == []


def test_the_write_path_guard_catches_each_kind_of_write(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text(
        "def f(obj, Model):\n"
        "    obj.save()\n"
        "    Model.objects.create(x=1)\n"
        "    Model.objects.get_or_create(x=1)\n"
        "    Model.objects.update_or_create(x=1)\n"
        "    obj.delete()\n"
        "    Model.objects.filter(x=1).update(y=2)\n"
        "    Model.objects.bulk_create([])\n"
        "    {}.update(a=1)\n"
    )
    assert [name for _line, _receiver, name in write_calls(source)] == [
        "save", "create", "get_or_create", "update_or_create", "delete", "update", "bulk_create",
    ]  # fmt: skip


def test_admin_edit_from_an_old_form_is_refused(client):
    from programs.models import Source

    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    source = Source.objects.get(key="mext-paper-2008")
    url = f"/admin/programs/source/{source.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name, form.fields[name].initial) or "" for name in form.fields}
    data.update({"key": source.key, "kind": source.kind, "title": "Changed by the first admin"})
    data["published"] = source.published.isoformat() if source.published else ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    source.refresh_from_db()
    assert (source.title, source.version) == ("Changed by the first admin", 2)
    data["title"] = "An old form's title"  # the same form, opened at version 1
    response = client.post(url, data)
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.non_field_errors().as_data()] == ["stale"]
    source.refresh_from_db()
    assert (source.title, source.version) == ("Changed by the first admin", 2)
    assert source.history.first().history_user == admin


def test_history_tab_shows_field_level_changes(client):
    manager = get_user_model().objects.get(username="manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    line.amount_yen = 5_600_000_000
    save_tracked(user=manager, instance=line, version=1)
    client.force_login(get_user_model().objects.get(username="ministry"))
    html = client.get("/programs/city-area/history/").content.decode()
    assert "manager" in html
    assert "5,500,000,000円" in html and "5,600,000,000円" in html
    assert "金額（円）" in html  # the field's readable name


def test_budgets_as_of_a_date_show_the_figures_then(client):
    manager = get_user_model().objects.get(username="manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    BudgetLine.history.filter(id=line.pk).update(history_date=timezone.now() - dt.timedelta(days=30))
    line.amount_yen = 5_600_000_000
    save_tracked(user=manager, instance=line, version=1)
    client.force_login(get_user_model().objects.get(username="ministry"))
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    response = client.get("/budgets/", {"as_of": past, "program": line.program_id, "fy": 2009})
    rows = list(response.context["table"].page.object_list)
    assert [r.record.amount_yen for r in rows] == [5_500_000_000]
    response = client.get("/budgets/", {"program": line.program_id, "fy": 2009})
    assert [r.record.amount_yen for r in response.context["table"].page.object_list] == [5_600_000_000]
    # before anything was loaded there were no budget lines
    response = client.get("/budgets/", {"as_of": "1999-01-01"})
    assert list(response.context["table"].page.object_list) == []
    assert client.get("/budgets/", {"as_of": "not-a-date"}).status_code == 200
