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


def test_no_queryset_update_or_bulk_writes_in_app_code():
    """Tracked rows are written through services only, so history is never skipped."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    name = node.func.attr
                    receiver = ast.unparse(node.func.value)
                    if name in {"bulk_create", "bulk_update"} or (
                        name == "update" and ("objects" in receiver or "filter(" in receiver or "qs" in receiver)
                    ):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {receiver}.{name}")
    assert offenders == []


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
