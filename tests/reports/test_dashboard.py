import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_dashboard_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_japanese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "ログイン" in html
    assert "パスワード" in html


def test_login_with_demo_account_then_dashboard_shows_paper_figures(client):
    response = client.post(reverse("login"), {"username": "ministry", "password": "kakehashi-demo"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "26,095" in html
    assert "25,271" in html
    assert "1,566" in html
    assert "3,420" in html
    assert "約7,500" in html  # Phase II FY2008 draft, rounded in the source
    assert "約11,000" in html
    assert "地域イノベーション・システムの強化" in html
    assert "（単位：百万円）" in html


def test_dashboard_lists_sources(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert 'id="sources"' in html
    assert "文部科学省" in html
    assert "https://www.mext.go.jp/a_menu/kagaku/chiiki/cluster/outline.htm" in html


def test_bad_password_shows_message_and_no_session(client):
    response = client.post(reverse("login"), {"username": "ministry", "password": "wrong"})
    assert response.status_code == 200
    assert "正しくありません" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout(viewer_client):
    response = viewer_client.post(reverse("logout"))
    assert response.status_code == 302
    assert viewer_client.get("/").status_code == 302


def test_dashboard_query_count_is_fixed(viewer_client, django_assert_max_num_queries):
    viewer_client.get("/")  # the data-as-of time is cached per data version
    with django_assert_max_num_queries(16):
        assert viewer_client.get("/").status_code == 200


def test_healthz_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "cache": "ok"}


def test_healthz_503_when_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"db": "error", "cache": "ok"}


def test_pages_carry_the_csp(viewer_client):
    response = viewer_client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
