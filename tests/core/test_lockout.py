"""Login lockout cannot be used against someone else (issue 12, item 7): failures count per user
name *and* address, one address gets its own higher limit, and the address is REMOTE_ADDR unless a
trusted proxy is configured — a forged X-Forwarded-For never counts."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import checks
from django.test import RequestFactory, override_settings

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
GOOD = "kakehashi-demo"


def fail(client, username, address, times=5, **headers):
    for n in range(times):
        client.post(LOGIN, {"username": username, "password": f"wrong-{n}"}, REMOTE_ADDR=address, **headers)


def log_in(client, username, address, **headers):
    return client.post(LOGIN, {"username": username, "password": GOOD}, REMOTE_ADDR=address, **headers)


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(client):
    fail(client, "analyst", "10.0.0.1")
    assert log_in(client, "analyst", "10.0.0.2").status_code == 302


def test_failures_lock_that_user_name_at_that_address(client):
    fail(client, "analyst", "10.0.0.1")
    response = log_in(client, "analyst", "10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_other_people_behind_the_same_address_can_still_log_in(client):
    fail(client, "analyst", "10.0.0.1")
    assert log_in(client, "ministry", "10.0.0.1").status_code == 302


def test_a_forged_forwarded_header_does_not_change_the_address(client):
    for n in range(5):
        client.post(
            LOGIN,
            {"username": "analyst", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            HTTP_X_REAL_IP=f"198.51.100.{n}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}
    assert log_in(client, "analyst", "10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429


@override_settings(AXES_IP_FAILURE_LIMIT=8)
def test_many_failures_from_one_address_lock_the_address(client):
    for n in range(8):
        fail(client, f"guess-{n}", "10.0.0.7", times=1)
    assert log_in(client, "ministry", "10.0.0.7").status_code == 429
    assert log_in(client, "ministry", "10.0.0.8").status_code == 302


def test_client_ip_is_remote_addr_without_a_trusted_proxy():
    from core.lockout import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.2, 10.0.0.3")
    assert client_ip(request) == "10.0.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_client_ip_behind_one_trusted_proxy_is_what_the_proxy_saw():
    from core.lockout import client_ip

    # the client forged the first entry; the proxy appended the address it saw
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.0.0.2, 10.0.0.1")
    assert client_ip(request) == "10.0.0.1"
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(request) == "192.0.2.10"
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")
    assert client_ip(request) == "192.0.2.10"


def test_lockout_parameters_and_no_silenced_axes_check():
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert "axes.W006" not in settings.SILENCED_SYSTEM_CHECKS
    assert not [m for m in checks.run_checks() if m.id.startswith("axes.")]
