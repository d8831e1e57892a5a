"""Benchmark of the import confirm (issue 13 item 5): rows/s of budget-line imports on PostgreSQL.

    python bench/imports.py prepare     build the template database once: migrate, seed_demo, generate_national
    python bench/imports.py measure     copy the template, then for 5,000 and 50,000 rows: create, then change

Each size uploads a CSV of N new budget lines (program × fiscal year × stage keys the national
dataset does not use, citing the synthetic source), previews it and confirms it as the program
manager; then uploads the same N rows with every amount one yen higher and confirms that (a
change of N rows). Every step goes through the real views in this process (Django's test client,
DEBUG off, Redis cache); the figure is the wall time of the confirm request — which re-checks the
whole file against the current data before writing — and rows/s = N ÷ that time; beside it the
CPU seconds of the confirm in this process and in its PostgreSQL backend, whose sum is what the
wall time comes to on an idle machine (on a busy one, wall time also counts waiting). After each
confirm the benchmark checks what was written: N rows, N history records naming the manager,
versions 1 (create) and 2 (change).

``measure`` starts from a fresh copy of the template (CREATE DATABASE … TEMPLATE), so runs before
and after a change start from the same data. Environment (its own names, so a shell set up for
bench/national.py does not point this one at that database): BENCH_IMPORTS_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/kakehashi_bench_imports; the template is ``<name>_template``;
the name must start with kakehashi_bench), BENCH_IMPORTS_CACHE_URL (default
redis://127.0.0.1:6379/12, cleared), BENCH_IMPORT_SIZES (default "5000,50000").

    make bench-imports                  prepare, then measure
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DATABASE_URL = os.environ.get(
    "BENCH_IMPORTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kakehashi_bench_imports"
)
PARTS = urlsplit(DATABASE_URL)
NAME = PARTS.path.lstrip("/")
TEMPLATE = f"{NAME}_template"
os.environ["CACHE_URL"] = os.environ.get("BENCH_IMPORTS_CACHE_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ["DJANGO_DEBUG"] = "false"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
os.environ["DJANGO_STATIC_MANIFEST"] = "false"
os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
SIZES = [int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "5000,50000").split(",")]
SOURCE_KEY = "synthetic-benchmark"  # generate_national's source


def url_of(name: str) -> str:
    return urlunsplit(PARTS._replace(path=f"/{name}"))


def admin_sql(*statements: str) -> None:
    import psycopg2

    if not NAME.startswith("kakehashi_bench"):
        raise SystemExit(f"refusing to drop {NAME!r}: the benchmark database's name starts with kakehashi_bench")
    connection = psycopg2.connect(
        host=PARTS.hostname, port=PARTS.port or 5432, user=PARTS.username or "postgres",
        password=PARTS.password or None, dbname="postgres",
    )  # fmt: skip
    connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    connection.close()


def setup_django(database: str) -> None:
    import warnings

    import django

    os.environ["DATABASE_URL"] = url_of(database)
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.core.cache import cache

    cache.clear()  # this Redis database is the benchmark's own (BENCH_CACHE_URL)


def prepare() -> None:
    """The template database: migrated, seeded, with the synthetic national dataset."""
    admin_sql(f'DROP DATABASE IF EXISTS "{TEMPLATE}"', f'CREATE DATABASE "{TEMPLATE}"')
    setup_django(TEMPLATE)
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("generate_national")
    connections.close_all()
    print(f"template {TEMPLATE} ready in {time.perf_counter() - started:.0f} s")


def free_keys(count: int, taken: set) -> list[tuple[str, int, str]]:
    """``count`` (program key, fiscal year, stage) keys no budget line has, none of ``taken``."""
    from programs.models import BudgetLine, Program

    existing = set(BudgetLine.objects.values_list("program__slug", "fiscal_year", "stage")) | taken
    slugs = list(Program.objects.order_by("pk").values_list("slug", flat=True))
    keys = []
    for fy in [*range(1950, 1985), *range(2026, 2101)]:
        for slug in slugs:
            for stage in ("request", "draft", "enacted", "supplementary", "settled"):
                if (slug, fy, stage) not in existing:
                    keys.append((slug, fy, stage))
                    if len(keys) == count:
                        return keys
    raise SystemExit(f"only {len(keys)} free budget-line keys; {count} wanted")


def budget_csv(keys, amount, *, source: bool) -> bytes:
    header = "事業キー,年度,予算段階,金額（円）" + (",出典キー" if source else "")
    lines = [header]
    for i, (slug, fy, stage) in enumerate(keys):
        lines.append(f"{slug},{fy},{stage},{amount(i)}" + (f",{SOURCE_KEY}" if source else ""))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def database_cpu() -> float:
    """CPU seconds the PostgreSQL backend serving this process has used (it runs on this machine;
    Django's test client keeps one connection across requests)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def run_import(client, content: bytes, name: str) -> dict:
    """Upload, preview and confirm ``content`` as the client's user: wall seconds of each step,
    CPU seconds of this process and of its database backend."""
    result = {}

    def step(label, call):
        database = database_cpu()
        wall, cpu = time.perf_counter(), time.process_time()
        response = call()
        result[f"{label}_s"] = time.perf_counter() - wall
        result[f"{label}_cpu_s"] = time.process_time() - cpu
        result[f"{label}_db_cpu_s"] = database_cpu() - database
        return response

    upload = io.BytesIO(content)
    upload.name = name
    response = step("upload", lambda: client.post("/imports/budget-lines/", {"file": upload}))
    if response.status_code != 302:
        raise SystemExit(f"upload answered {response.status_code}")
    preview_url = response["Location"]
    response = step("preview", lambda: client.get(preview_url))
    page = response.content.decode()
    if response.status_code != 200 or 'id="confirm-import"' not in page:
        raise SystemExit(f"preview answered {response.status_code} without the confirm button")
    estimate = re.search(r'<time datetime="PT(\d+)S"', page)  # the preview's estimate of the confirm
    result["estimate_s"] = int(estimate.group(1)) if estimate else None
    response = step("confirm", lambda: client.post(preview_url))
    if response.status_code != 302:
        raise SystemExit(f"confirm answered {response.status_code}")
    return result


def check_written(keys, manager, *, version: int, history_before: int) -> None:
    from programs.models import BudgetLine

    wanted = {(slug, fy, stage) for slug, fy, stage in keys}
    rows = BudgetLine.objects.filter(fiscal_year__in={fy for _, fy, _ in keys}, version=version)
    found = {k for k in rows.values_list("program__slug", "fiscal_year", "stage") if k in wanted}
    history = BudgetLine.history.filter(history_user=manager).count() - history_before
    if len(found) != len(keys) or history != len(keys):
        raise SystemExit(f"wrote {len(found)} rows at version {version} and {history} history records, not {len(keys)}")


def measure(args) -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{NAME}"', f'CREATE DATABASE "{NAME}" TEMPLATE "{TEMPLATE}"')
    setup_django(NAME)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from programs.models import BudgetLine

    manager = get_user_model().objects.get(username="manager")
    client = Client()
    client.force_login(manager)
    results = {"budget_lines": BudgetLine.objects.count(), "runs": []}
    shown: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        shown.append(text)

    load = os.getloadavg()[0]
    say(f"PostgreSQL {NAME} ({results['budget_lines']:,} budget lines), Redis cache; load average {load:.1f} "
        f"on {os.cpu_count()} CPUs at the start")  # fmt: skip
    say("wall seconds of each request in this process; the confirm's CPU seconds in this process and in its")
    say("PostgreSQL backend (their sum is about the wall time on an otherwise idle machine)")
    say()
    say("| rows | action | upload s | preview s | confirm s | rows/s | confirm CPU s: app + database | "
        "rows/CPU s | preview's estimate s |")  # fmt: skip
    say("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    taken: set = set()
    for size in SIZES:
        keys = free_keys(size, taken)
        taken.update(keys)
        for action, content, version in (
            ("create", budget_csv(keys, lambda i: 1_000_000 + i, source=True), 1),
            ("change", budget_csv(keys, lambda i: 1_000_001 + i, source=False), 2),
        ):
            history_before = BudgetLine.history.filter(history_user=manager).count()
            run = run_import(client, content, f"bench-{action}-{size}.csv")
            check_written(keys, manager, version=version, history_before=history_before)
            cpu = run["confirm_cpu_s"] + run["confirm_db_cpu_s"]
            run.update(rows=size, action=action, rows_per_s=size / run["confirm_s"], rows_per_cpu_s=size / cpu)
            results["runs"].append(run)
            estimate = f"{run['estimate_s']:,.0f}" if run.get("estimate_s") is not None else "—"
            say(
                f"| {size:,} | {action} | {run['upload_s']:.1f} | {run['preview_s']:.1f} | {run['confirm_s']:.1f} | "
                f"{run['rows_per_s']:,.0f} | {run['confirm_cpu_s']:.1f} + {run['confirm_db_cpu_s']:.1f} = {cpu:.1f} | "
                f"{run['rows_per_cpu_s']:,.0f} | {estimate} |"
            )
    results["load_average"] = load
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1))
    if args.report:
        Path(args.report).write_text("\n".join(shown) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare")
    m = sub.add_parser("measure")
    m.add_argument("--save", help="write the numbers to this JSON file")
    m.add_argument("--report", help="write the printed table to this file too")
    args = parser.parse_args()
    prepare() if args.command == "prepare" else measure(args)
