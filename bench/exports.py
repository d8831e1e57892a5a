"""Benchmark: list exports against PostgreSQL's own COPY (issue 13 item 6).

    make bench-national                       # once: the national-scale database (kakehashi_bench)
    BENCH_DATABASE_URL=… .venv/bin/python bench/exports.py

For /budgets/, /funding/ and /outcomes/values/, exported as the analyst through Django's test
client in this process (DEBUG off, PostgreSQL, Redis cache):

- CSV: rows, rows/s of the whole export (wall clock: response built and consumed) and of
  ``COPY (SELECT …) TO STDOUT WITH CSV`` through psycopg2's ``copy_expert`` of the very SELECT
  the export ran (captured from the export: same rows, same columns, same order), and the ratio
  export ÷ COPY (the goal: ≥ 0.4). On a shared machine wall clocks wander with the load, so the
  same ratio is also given per CPU second: this process's CPU plus the PostgreSQL backend's
  (read from /proc, the server being on this host) — what each way costs, whatever else runs;
- XLSX: seconds of the whole export (wall; CPU of both processes), seconds per 50,000 rows
  (the goal: ≤ 5), and the peak Python memory while it is built (tracemalloc, a separate run:
  tracing slows it). Flat memory shows as a peak that grows with the compressed file only, not
  with the rows.

The medians of BENCH_N runs (default 3); BENCH_FORMATS=csv or xlsx measures one of them. Environment: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kakehashi_bench), BENCH_CACHE_URL (default
redis://127.0.0.1:6379/7).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kakehashi_bench")
os.environ["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/7")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ["DJANGO_DEBUG"] = "false"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
os.environ["DJANGO_STATIC_MANIFEST"] = "false"
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
N = int(os.environ.get("BENCH_N", "3"))
LISTS = ("/budgets/", "/funding/", "/outcomes/values/")
FORMATS = os.environ.get("BENCH_FORMATS", "csv,xlsx").split(",")
XLSX_ROWS = 50_000


def client():
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    c = Client()  # no Accept-Encoding: the bytes as written, not gzip's work
    c.force_login(get_user_model().objects.get(username="analyst"))
    return c


def export(c, url) -> tuple[float, float, bytes]:
    """(wall s, CPU s, body) of one export, the streamed body consumed."""
    wall, cpu = time.perf_counter(), time.process_time()
    response = c.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return time.perf_counter() - wall, time.process_time() - cpu, body


def export_select(c, url) -> tuple[str, int]:
    """The SELECT that produced the export's rows (the server-side cursor's), and the query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        export(c, url)
    selects = [q["sql"] for q in context.captured_queries if q["sql"].startswith("DECLARE ")]
    if len(selects) != 1:
        raise SystemExit(f"{url}: expected one cursor query, found {len(selects)}")
    return selects[0].split(" CURSOR WITH HOLD FOR ", 1)[1], len(context.captured_queries)


def backend() -> tuple[int, float]:
    """(pid, CPU seconds so far) of this process's PostgreSQL backend (CONN_MAX_AGE keeps it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return pid, float("nan")  # the server is elsewhere
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(call) -> tuple[float, float, object]:
    """(wall s, CPU s of this process and the database backend, result) of ``call()``."""
    pid, server = backend()
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pid_after, server_after = backend()
    return wall, cpu + (server_after - server if pid_after == pid else float("nan")), result


def copy(select: str) -> int:
    """COPY of ``select`` to this process as CSV; the number of rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        buffer = io.StringIO()
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", buffer)
    return buffer.getvalue().count("\n")


def csv_rows(body: bytes) -> int:
    import csv

    return sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))) - 1


def xlsx_rows(body: bytes) -> int:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
    book.close()
    return rows


def peak_memory(c, url) -> int:
    tracemalloc.start()
    export(c, url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main():
    c = client()
    print(f"PostgreSQL {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}, median of {N} runs")
    print()
    print("| list | rows | CSV rows/s | COPY rows/s | CSV ÷ COPY | CSV rows/CPU-s | COPY rows/CPU-s | "
          "CSV ÷ COPY (CPU) | queries |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    sizes = {}
    for url in LISTS if "csv" in FORMATS else ():
        select, queries = export_select(c, f"{url}?export=csv")
        exports, copies = [], []
        for _ in range(N):  # alternated, so that both meet the same load
            exports.append(measured(lambda url=url: export(c, f"{url}?export=csv")[2]))
            copies.append(measured(lambda select=select: copy(select)))
        rows = sizes[url] = csv_rows(exports[0][2])
        if copies[0][2] != rows:
            raise SystemExit(f"{url}: COPY gave {copies[0][2]} rows, the export {rows}")
        wall = rows / statistics.median(r[0] for r in exports)
        copy_wall = rows / statistics.median(r[0] for r in copies)
        cpu = rows / statistics.median(r[1] for r in exports)
        copy_cpu = rows / statistics.median(r[1] for r in copies)
        print(f"| {url} | {rows:,} | {wall:,.0f} | {copy_wall:,.0f} | {wall / copy_wall:.2f} | {cpu:,.0f} | "
              f"{copy_cpu:,.0f} | {cpu / copy_cpu:.2f} | {queries} |")  # fmt: skip
    if "xlsx" not in FORMATS:
        return
    print()
    print(f"| list | rows | XLSX s (wall) | XLSX CPU s (app+db) | s per {XLSX_ROWS:,} rows (wall) | "
          "peak MiB (tracemalloc) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for url in LISTS:
        runs = [measured(lambda url=url: export(c, f"{url}?export=xlsx")) for _ in range(N)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rows = sizes.get(url) or xlsx_rows(runs[0][2][2])
        peak = peak_memory(c, f"{url}?export=xlsx")
        print(f"| {url} | {rows:,} | {wall:.1f} | {cpu:.1f} | {wall * XLSX_ROWS / rows:.1f} | {peak / 2**20:.1f} |")


if __name__ == "__main__":
    main()
