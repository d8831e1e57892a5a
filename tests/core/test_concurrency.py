"""The embedded SQLite default holds concurrent writers (issue 12, item 3).

A real server process on a file-based copy of the seeded test database (an in-memory test
database would share one connection between threads and hide the locking), several coordinators
signing in and saving their own cluster profiles at the same moment: every save must answer 302
and every edit must be in the database afterwards.
"""

import html as html_lib
import http.client
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
COORDINATORS = 4
SAVES_EACH = 12
PASSWORD = "pw-for-live-tests-only"

SERVER = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.servers.basehttp import run
from django.core.wsgi import get_wsgi_application
from clusters.models import Cluster

coordinator = Group.objects.get(name="coordinator")
people, regions = [], set()
for cluster in Cluster.objects.order_by("pk"):
    if cluster.region_id in regions:
        continue
    regions.add(cluster.region_id)
    user = get_user_model().objects.create_user(f"live-coord-{len(people)}", password=sys.argv[2])
    user.groups.add(coordinator)
    cluster.region.coordinators.add(user)
    people.append([user.username, cluster.slug])
    if len(people) == int(sys.argv[3]):
        break
print(json.dumps(people), flush=True)
run("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), threading=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A minimal HTTP client that keeps cookies (Secure ones too: the server runs in production
    mode over plain HTTP here)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, text

    def csrf(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def coordinator_session(port, username, slug, barrier, results):
    browser = Browser(port)
    try:
        status, html = browser.request("GET", "/accounts/login/")
        barrier.wait()
        status, _ = browser.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": browser.csrf(html), "username": username, "password": PASSWORD},
        )
        results.append(("login", username, status))
        for n in range(SAVES_EACH):
            status, html = browser.request("GET", f"/clusters/{slug}/edit/")
            if status != 200:
                results.append(("form", username, status))
                continue
            version = re.search(r'name="version" value="(\d+)"', html).group(1)
            name = re.search(r'name="name_ja"[^>]*value="([^"]*)"', html).group(1)
            status, _ = browser.request(
                "POST",
                f"/clusters/{slug}/edit/",
                {
                    "csrfmiddlewaretoken": browser.csrf(html),
                    "version": version,
                    "name_ja": html_lib.unescape(name),
                    "description_ja": f"{username} save {n}",
                },
            )
            results.append(("save", username, status))
    except Exception as error:  # noqa: BLE001 - counted as a failure below
        results.append(("exception", username, repr(error)))


@pytest.fixture(scope="module")
def seeded_sqlite_file(django_db_setup, django_db_blocker, tmp_path_factory):
    """A file copy of the seeded in-memory test database. Module-scoped, so it is taken before
    the test's own transaction begins (an open BEGIN IMMEDIATE would block the copy)."""
    database = tmp_path_factory.mktemp("live") / "live.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(database)
        connection.connection.backup(target)
        target.close()
    return database


@pytest.mark.django_db
@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite only")
def test_concurrent_profile_saves_on_sqlite_all_succeed(seeded_sqlite_file):
    database = seeded_sqlite_file

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "tests-only-not-a-secret-live-server",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_STATIC_MANIFEST": "false",
        "CACHE_URL": "",
        "REDIS_URL": "",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), PASSWORD, str(COORDINATORS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stdout.readline()
        if not line:
            pytest.fail(f"the server did not start: {server.communicate(timeout=30)[1][-3000:]}")
        people = json.loads(line)
        assert len(people) == COORDINATORS
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        results = []
        barrier = threading.Barrier(len(people))
        threads = [
            threading.Thread(target=coordinator_session, args=(port, username, slug, barrier, results))
            for username, slug in people
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)

    failures = [r for r in results if r[2] != 302]
    saves = [r for r in results if r[0] == "save"]
    assert not failures, f"{len(failures)} failed requests: {failures[:5]}\n{stderr[-3000:]}"
    assert len(saves) == COORDINATORS * SAVES_EACH, f"{len(saves)} saves in {elapsed:.1f}s"

    with sqlite3.connect(database) as db_file:
        for username, slug in people:
            description, version = db_file.execute(
                "SELECT description_ja, version FROM clusters_cluster WHERE slug = ?", [slug]
            ).fetchone()
            assert description == f"{username} save {SAVES_EACH - 1}"
            (edits,) = db_file.execute(
                "SELECT count(*) FROM clusters_historicalcluster WHERE slug = ? AND description_ja LIKE ?",
                [slug, f"{username} save %"],
            ).fetchone()
            assert edits == SAVES_EACH
