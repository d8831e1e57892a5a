"""Benchmark: server time and query count of the main pages with the seed data (a fresh test DB).

Prints the median of 5 requests per page. Run: make bench
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ["DATABASE_URL"] = "sqlite:///:memory:"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PAGES = ["/", "/programs/", "/programs/knowledge-cluster/", "/budgets/", "/regions/", "/regions/hamamatsu/",
         "/clusters/hamamatsu-kc2/", "/outcomes/", "/reports/budget-pivot/", "/budgets/?export=csv",
         "/budgets/?export=xlsx", "/reports/dataset.zip"]  # fmt: skip

if __name__ == "__main__":
    setup_test_environment()
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    call_command("migrate", verbosity=0)
    from tests.conftest import load_seed

    load_seed()
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="analyst"))
    print(f"{'page':<34} {'median ms':>10} {'queries':>8}")
    for url in PAGES:
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{url:<34} {statistics.median(times):>10.1f} {len(queries.captured_queries):>8}")
