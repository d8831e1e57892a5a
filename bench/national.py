"""Benchmark at national scale (issue 13 item 7): server CPU per request of every page and export.

    make bench-national        # the whole run: fresh PostgreSQL database, seed, measure, synthetic data, measure

Steps (each a subcommand, so the Makefile can run the loaders in between):

    python bench/national.py prepare            drop and create the benchmark database (kakehashi_bench)
    python bench/national.py measure --save F   measure every page and export; write the numbers to F (JSON)
    python bench/national.py measure --seed F   ... and compare with the seed-size numbers in F (national ÷ seed)
    python bench/national.py show R [--seed F]  print the tables of a saved run again

What is measured, in this process (Django's test client, no test instrumentation, DEBUG off,
Redis cache, PostgreSQL): for every URL, the CPU time of the request (``time.process_time``,
response consumed, streaming included) — the machine is shared, so CPU time, not wall time, is
the figure. "cold" is the first request after the data version was bumped (what the first
reader after every write pays); "CPU" is the median of N warm requests. Then the query count,
the HTML bytes as sent (gzip when the app compresses) and uncompressed. Exports give rows/s;
the import of budget lines gives upload, preview and confirm rows/s.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kakehashi_bench),
BENCH_CACHE_URL (default redis://127.0.0.1:6379/7), BENCH_N (default 5), BENCH_IMPORT_ROWS
(default 5000; at most 50000).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kakehashi_bench")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ["DJANGO_DEBUG"] = "false"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
os.environ["DJANGO_STATIC_MANIFEST"] = "false"
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")  # no "Not Found" lines for pages of the other size
N = int(os.environ.get("BENCH_N", "5"))
IMPORT_ROWS = min(int(os.environ.get("BENCH_IMPORT_ROWS", "5000")), 50_000)

#: (label, URL, who): pages in the order of the URL map (DESIGN §4); "national" rows only exist
#: once generate_national has run. Seed slugs are measured at both sizes (national ÷ seed).
PAGES = [
    ("/healthz", "/healthz", "analyst"),
    ("admin budget-line changelist", "/admin/programs/budgetline/", "admin"),
    ("/", "/", "analyst"),
    ("/programs/", "/programs/", "analyst"),
    ("program page (root)", "/programs/regional-innovation/", "analyst"),
    ("program page (leaf)", "/programs/knowledge-cluster-2/", "analyst"),
    ("program page (synthetic root)", "/programs/syn-p-001/", "analyst"),
    ("program history", "/programs/regional-innovation/history/", "analyst"),
    ("/budgets/", "/budgets/", "analyst"),
    ("/regions/", "/regions/", "analyst"),
    ("/regions/ (funding map)", "/regions/?measure=funding&kind=plan", "analyst"),
    ("region page", "/regions/hamamatsu/", "analyst"),
    ("region page (synthetic)", "/regions/syn-r-000/", "analyst"),
    ("region history", "/regions/hamamatsu/history/", "analyst"),
    ("cluster page", "/clusters/hamamatsu-kc2/", "analyst"),
    ("cluster page (synthetic)", "/clusters/syn-c-0000/", "analyst"),
    ("cluster history", "/clusters/hamamatsu-kc2/history/", "analyst"),
    ("/funding/", "/funding/", "analyst"),
    ("/cluster-outcomes/", "/cluster-outcomes/", "analyst"),
    ("/outcomes/", "/outcomes/", "analyst"),
    ("/outcomes/values/", "/outcomes/values/", "analyst"),
    ("/sources/", "/sources/", "analyst"),
    ("/reports/", "/reports/", "analyst"),
    ("/reports/budget-pivot/", "/reports/budget-pivot/", "analyst"),
    ("/reports/region-funding/", "/reports/region-funding/", "analyst"),
    ("/reports/outcome-shares/", "/reports/outcome-shares/", "analyst"),
    ("/reports/year-over-year/", "/reports/year-over-year/", "analyst"),
    ("/reports/status/", "/reports/status/", "analyst"),
    ("/glossary/", "/glossary/", "analyst"),
    ("/paper/", "/paper/", "analyst"),
    ("/imports/", "/imports/", "manager"),
    ("budget line edit", "budget-line-edit", "manager"),
    ("cluster edit", "/clusters/hamamatsu-kc2/edit/", "manager"),
    ("annual report", "/clusters/hamamatsu-kc2/reports/2009/", "manager"),
]
#: (label, URL): every list and report export, a chart's own data and the dataset ZIP
EXPORTS = [
    *[
        (f"{path} {fmt}", f"{path}?export={fmt}")
        for path in (
            "/programs/",
            "/budgets/",
            "/regions/",
            "/funding/",
            "/cluster-outcomes/",
            "/outcomes/values/",
            "/sources/",
        )
        for fmt in ("csv", "xlsx")
    ],
    ("/budgets/ csv cp932", "/budgets/?export=csv&encoding=cp932"),
    *[
        (f"{path} {fmt}", f"{path}?export={fmt}")
        for path in (
            "/reports/budget-pivot/",
            "/reports/region-funding/",
            "/reports/outcome-shares/",
            "/reports/year-over-year/",
            "/reports/status/",
        )
        for fmt in ("csv", "xlsx")
    ],
    ("dashboard chart csv", "/?export=csv&chart=budget-by-program"),
    ("dataset.zip", "/reports/dataset.zip"),
]


def prepare():
    """Drop and create the benchmark database (it holds nothing but benchmark data)."""
    import psycopg2

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    if not name.startswith("kakehashi_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the benchmark database's name starts with kakehashi_bench")
    connection = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname="postgres",
    )  # fmt: skip
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    print(f"created database {name}")


def setup_django():
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    from django.core.cache import cache

    cache.clear()  # this Redis database is the benchmark's own (BENCH_CACHE_URL)


def clients():
    from django.contrib.auth import get_user_model
    from django.test import Client

    users = get_user_model().objects.in_bulk(["analyst", "manager", "admin"], field_name="username")
    result = {}
    for name, user in users.items():
        client = Client(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        client.force_login(user)
        result[name] = client
    return result


def resolve(url):
    if url == "budget-line-edit":
        from programs.models import BudgetLine

        line = BudgetLine.objects.filter(program__slug="knowledge-cluster-1").order_by("pk").first()
        return f"/budgets/{line.pk}/edit/"
    return url


def fetch(client, url):
    """(CPU seconds, response, body bytes as sent)."""
    started = time.process_time()
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return time.process_time() - started, response, body


def sizes(response, body) -> tuple[int, int]:
    """(uncompressed bytes, gzip bytes): as sent when the app compressed, else what gzip would give."""
    if response.get("Content-Encoding") == "gzip":
        return len(gzip.decompress(body)), len(body)
    return len(body), len(gzip.compress(body, 6))


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        fetch(client, url)
    return len(context.captured_queries)


def measure_url(client, url, n):
    from core.history import bump_data_version

    bump_data_version()  # the first reader after a write
    cold, response, body = fetch(client, url)
    if response.status_code != 200:
        return {"status": response.status_code}
    times = [fetch(client, url)[0] for _ in range(n)]
    raw, packed = sizes(response, body)
    return {
        "status": 200,
        "cold_ms": cold * 1000,
        "cpu_ms": statistics.median(times) * 1000,
        "queries": queries(client, url),
        "bytes": raw,
        "gzip": packed,
        "type": response.get("Content-Type", "").split(";")[0],
    }


def data_rows(response, body) -> int | None:
    """Data rows of a CSV export (lines after the header)."""
    if response.get("Content-Type", "").startswith("text/csv"):
        import csv

        raw = gzip.decompress(body) if response.get("Content-Encoding") == "gzip" else body
        encoding = "cp932" if "shift_jis" in response.get("Content-Type", "").lower() else "utf-8-sig"
        return max(sum(1 for _ in csv.reader(io.StringIO(raw.decode(encoding, "replace")))) - 1, 0)
    return None


def measure_exports(client, n):
    results = {}
    csv_rows = {}
    for label, url in EXPORTS:
        times, response, body, walls = [], None, b"", []
        for _ in range(n):
            wall = time.perf_counter()
            cpu, response, body = fetch(client, url)
            walls.append(time.perf_counter() - wall)
            times.append(cpu)
            if response.status_code != 200:
                break
        if response.status_code != 200:
            results[label] = {"status": response.status_code}
            continue
        rows = data_rows(response, body)
        base = url.split("export=")[0]
        if rows is not None:
            csv_rows[base] = rows
        rows = rows if rows is not None else csv_rows.get(base)
        cpu = statistics.median(times)
        results[label] = {
            "status": 200,
            "cpu_ms": cpu * 1000,
            "wall_ms": statistics.median(walls) * 1000,
            "rows": rows,
            "rows_per_s": rows / cpu if rows and cpu else None,
            "bytes": len(body),
            "encoding": response.get("Content-Encoding", ""),
        }
    return results


def measure_import(clients, rows: int):
    """Budget lines exported as CSV, every amount changed by one yen, uploaded, previewed and
    confirmed as the program manager: CPU and wall time of each step, rows/s of the confirm."""
    import csv

    from programs.models import BudgetLine

    manager = clients["manager"]
    if not BudgetLine.objects.filter(program__slug__startswith="syn-p-").exists():
        rows = min(rows, BudgetLine.objects.count())
    response = manager.get("/budgets/?export=csv")
    raw = b"".join(response.streaming_content)
    raw = gzip.decompress(raw) if response.get("Content-Encoding") == "gzip" else raw
    text = raw.decode("utf-8-sig")
    reader = list(csv.reader(io.StringIO(text)))
    header, data = reader[0], reader[1 : rows + 1]
    yen = next(i for i, h in enumerate(header) if h in ("金額（円）", "Amount (yen)"))
    money = [i for i, h in enumerate(header) if h.startswith("金額（") and i != yen]
    for row in data:
        row[yen] = str(int(row[yen]) + 1)
        for i in money:
            row[i] = ""  # the unit column would disagree with the changed yen; the yen column wins
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *data])
    upload = io.BytesIO(("\ufeff" + out.getvalue()).encode("utf-8"))
    upload.name = "bench-budget-lines.csv"
    result = {"rows": len(data)}

    def step(name, call):
        wall, cpu = time.perf_counter(), time.process_time()
        response = call()
        result[f"{name}_cpu_s"] = time.process_time() - cpu
        result[f"{name}_wall_s"] = time.perf_counter() - wall
        return response

    response = step("upload", lambda: manager.post("/imports/budget-lines/", {"file": upload}))
    if response.status_code != 302:
        result["error"] = f"upload answered {response.status_code}"
        return result
    preview_url = response["Location"]
    response = step("preview", lambda: manager.get(preview_url))
    if response.status_code != 200:
        result["error"] = f"preview answered {response.status_code}"
        return result
    response = step("confirm", lambda: manager.post(preview_url))
    if response.status_code != 302:
        result["error"] = f"confirm answered {response.status_code}"
        return result
    result["confirm_rows_per_s"] = len(data) / result["confirm_wall_s"]
    return result


def dataset_sizes() -> dict:
    from clusters.models import AnnualReport, Cluster, ClusterFunding
    from programs.models import BudgetLine, OutcomeValue, Program

    return {
        m._meta.object_name: m.objects.count()
        for m in (Program, BudgetLine, OutcomeValue, Cluster, ClusterFunding, AnnualReport)
    }


def measure(args):
    setup_django()
    users = clients()
    sizes_ = dataset_sizes()
    pages = {}
    import re

    keep = re.compile(args.pages) if args.pages else None
    for label, url, who in PAGES:
        if keep and not keep.search(label) and label not in ("/healthz", "admin budget-line changelist"):
            continue
        url = resolve(url)
        pages[label] = {"url": url, **measure_url(users[who], url, N)}
    exports = {} if args.no_exports else measure_exports(users["analyst"], max(1, min(N, 3)))
    imported = measure_import(users, IMPORT_ROWS) if not args.no_import else None
    result = {"sizes": sizes_, "pages": pages, "exports": exports, "import": imported, "n": N}
    seed = json.loads(Path(args.seed).read_text()) if args.seed else None
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        report(result, seed)
    print(text.getvalue(), end="")
    if args.report:
        Path(args.report).write_text(text.getvalue())
    if args.save:
        Path(args.save).write_text(json.dumps(result, indent=1, default=str))


def report(result, seed=None):
    print(f"PostgreSQL, Redis cache, median of {result['n']} warm requests; CPU ms of this process")
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in result["sizes"].items()))
    pages = result["pages"]
    admin = pages["admin budget-line changelist"].get("cpu_ms") or 1
    health = pages["/healthz"].get("cpu_ms") or 1
    print()
    head = "| page | CPU ms | cold ms | ×admin | ×healthz |" + (" national÷seed |" if seed else "")
    print(head + " queries | HTML KB | gzip KB |")
    print("|---|---:|---:|---:|---:|" + ("---:|" if seed else "") + "---:|---:|---:|")
    for label, row in pages.items():
        if row.get("status") != 200:
            print(f"| {label} | — (HTTP {row.get('status')}) |")
            continue
        ratio = ""
        if seed:
            before = seed["pages"].get(label, {})
            ratio = f" {row['cpu_ms'] / before['cpu_ms']:.1f} |" if before.get("cpu_ms") else " — |"
        print(
            f"| {label} | {row['cpu_ms']:,.1f} | {row['cold_ms']:,.0f} | {row['cpu_ms'] / admin:.1f} | "
            f"{row['cpu_ms'] / health:,.0f} |{ratio} {row['queries']} | {row['bytes'] / 1024:,.0f} | "
            f"{row['gzip'] / 1024:,.0f} |"
        )
    print()
    print("| export | CPU ms | wall ms | rows | rows/s (CPU) | KB sent |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, row in result["exports"].items():
        if row.get("status") != 200:
            print(f"| {label} | — (HTTP {row.get('status')}) |")
            continue
        rate = f"{row['rows_per_s']:,.0f}" if row["rows_per_s"] else "—"
        rows = f"{row['rows']:,}" if row["rows"] is not None else "—"
        enc = " (gzip)" if row["encoding"] == "gzip" else ""
        print(f"| {label} | {row['cpu_ms']:,.0f} | {row['wall_ms']:,.0f} | {rows} | {rate} | "
              f"{row['bytes'] / 1024:,.0f}{enc} |")  # fmt: skip
    imported = result.get("import")
    if imported:
        print()
        if "error" in imported:
            print(f"import: {imported['error']}")
        else:
            print(
                f"import of {imported['rows']:,} budget lines: upload {imported['upload_wall_s']:.1f} s, "
                f"preview {imported['preview_wall_s']:.1f} s, confirm {imported['confirm_wall_s']:.1f} s wall "
                f"({imported['confirm_cpu_s']:.1f} s CPU in this process) = "
                f"{imported['confirm_rows_per_s']:,.0f} rows/s"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare")
    show = sub.add_parser("show", help="print the tables of a saved run again")
    show.add_argument("results")
    show.add_argument("--seed")
    m = sub.add_parser("measure")
    m.add_argument("--save", help="write the numbers to this JSON file")
    m.add_argument("--seed", help="JSON of a seed-size run to compare with (national ÷ seed)")
    m.add_argument("--report", help="write the printed tables to this file too")
    m.add_argument("--no-import", action="store_true", help="skip the import (it changes figures)")
    m.add_argument("--no-exports", action="store_true", help="pages only (while working on a page)")
    m.add_argument("--pages", help="only the pages whose label matches this regular expression (and the baselines)")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare()
    elif args.command == "show":
        seed = json.loads(Path(args.seed).read_text()) if args.seed else None
        report(json.loads(Path(args.results).read_text()), seed)
    else:
        measure(args)
