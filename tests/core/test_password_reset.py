"""Password reset is off unless mail is configured (issue 12, item 10)."""

import os

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from config.settings import email_settings

pytestmark = pytest.mark.django_db
RESET_URLS = ["/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/MQ/set-password/"]


@pytest.mark.skipif(bool(os.environ.get("EMAIL_URL")), reason="EMAIL_URL is set in this environment")
def test_without_email_url_and_debug_password_reset_is_off():
    assert settings.PASSWORD_RESET_ENABLED is False


@pytest.mark.parametrize("url", RESET_URLS)
@override_settings(PASSWORD_RESET_ENABLED=False)
def test_password_reset_answers_404_without_mail(client, url):
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "analyst@example.jp"}).status_code == 404
    assert mail.outbox == []


@override_settings(PASSWORD_RESET_ENABLED=True)
def test_password_reset_works_with_mail(client):
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.jp"})
    assert response.status_code == 302
    assert client.get("/accounts/password_reset/done/").status_code == 200


def test_signed_in_users_still_change_their_password(client, seed_users):
    client.force_login(seed_users["analyst"])
    assert client.get("/accounts/password_change/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200


def test_email_url_is_parsed():
    assert email_settings("smtp://mailer:p%40ss@mail.example.jp:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.jp",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }
    ssl = email_settings("smtps://mail.example.jp")
    assert ssl["EMAIL_PORT"] == 465 and ssl["EMAIL_USE_SSL"] and not ssl["EMAIL_USE_TLS"]
    plain = email_settings("smtp://127.0.0.1:25")
    assert plain["EMAIL_PORT"] == 25 and not plain["EMAIL_USE_TLS"] and plain["EMAIL_HOST_USER"] == ""
    assert email_settings("console://")["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    with pytest.raises(ValueError):
        email_settings("http://mail.example.jp")
