"""kill-mid-import: a program manager uploads a budget-lines CSV of new rows, previews it and
confirms it; the gunicorn worker applying it — found through PostgreSQL (the backend whose
transaction has begun writing, its client port → the worker's socket) — gets SIGKILL while the
transaction is open. Pass: the budget lines and their history are exactly as before; the batch is
still unapplied; gunicorn replaces the worker; and confirming the same batch again applies it
completely (every row, one history record each) — never anything in between."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from pathlib import Path

from . import infra
from .infra import Browser, Result

ROWS = 5000  # batched writes run at thousands of rows per second: enough to be killed mid-write
FY_RANGE = range(1950, 2001)  # years without budget lines in the seed
STAGES = ("request", "draft", "enacted", "supplementary", "settled")
WRITE_BEFORE_KILL = 0.3  # seconds into the writing transaction


def budget_csv(db: infra.Database) -> tuple[bytes, int]:
    programs = [row[0] for row in db.query("SELECT slug FROM programs_program ORDER BY id")]
    existing = set(db.query("SELECT p.slug, b.fiscal_year, b.stage FROM programs_budgetline b "
                            "JOIN programs_program p ON p.id = b.program_id"))  # fmt: skip
    source = db.query("SELECT key FROM programs_source WHERE kind = 'official' ORDER BY id LIMIT 1")[0][0]
    lines = ["事業キー,年度,予算段階,金額（円）,出典キー"]
    for fy in FY_RANGE:
        for slug in programs:
            for stage in STAGES:
                if (slug, fy, stage) not in existing and len(lines) <= ROWS:
                    lines.append(f"{slug},{fy},{stage},{1_000_000 + len(lines)},{source}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"), len(lines) - 1


def budget_state(db: infra.Database) -> tuple:
    rows = db.query("SELECT id, version, amount_yen FROM programs_budgetline ORDER BY id")
    history = db.query("SELECT count(*), coalesce(max(history_id), 0) FROM programs_historicalbudgetline")[0]
    return tuple(rows), tuple(history)


def writing_backend(db: infra.Database) -> tuple[int, float] | None:
    """(client port, seconds since its transaction began) of the backend on ``db`` whose transaction
    has written something (it holds a transaction id)."""
    rows = db.query(
        "SELECT client_port, extract(epoch FROM now() - xact_start) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL "
        "AND client_port IS NOT NULL ORDER BY xact_start LIMIT 1"
    )
    return (rows[0][0], float(rows[0][1])) if rows else None


def worker_for_port(server: infra.Gunicorn, port: int) -> int | None:
    """The gunicorn worker owning the TCP socket whose local port is ``port`` (its PostgreSQL connection)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    for pid in server.worker_pids():
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                found = re.match(r"socket:\[(\d+)\]", target)
                if found and found.group(1) in inodes:
                    return pid
        except OSError:
            continue
    return None


def drill() -> Result:
    db = infra.seeded_database("killimport")
    server = infra.Gunicorn(infra.app_env(db.url), workers=2, name="killimport")
    reasons: list[str] = []
    confirm_result: dict = {}
    try:
        server.start()
        content, rows = budget_csv(db)
        browser = Browser(server.port, timeout=120)
        browser.login("manager")
        form = browser.get("/imports/budget-lines/")
        upload = browser.request(
            "POST", "/imports/budget-lines/", form=[("csrfmiddlewaretoken", infra.csrf(form.text))],
            files=[("file", "drill-budget-lines.csv", content)],
        )  # fmt: skip
        if upload.status != 302:
            raise infra.DrillFailed(f"the upload answered {upload.status}")
        preview_url = upload.location
        preview = browser.get(preview_url)
        if preview.status != 200:
            raise infra.DrillFailed(f"the preview answered {preview.status}")
        token = infra.csrf(preview.text)
        before = budget_state(db)
        workers_before = server.worker_pids()

        def confirm():
            try:
                confirm_result["response"] = browser.post(preview_url, {"csrfmiddlewaretoken": token})
            except Exception as error:  # noqa: BLE001 - the worker is killed under it
                confirm_result["error"] = f"{type(error).__name__}"

        thread = threading.Thread(target=confirm, daemon=True)
        sent = time.monotonic()
        thread.start()
        victim, writing_for = None, 0.0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and thread.is_alive():
            backend = writing_backend(db)
            if backend and backend[1] >= WRITE_BEFORE_KILL:
                victim = worker_for_port(server, backend[0])
                writing_for = backend[1]
                break
            time.sleep(0.05)
        if victim is None:
            raise infra.DrillFailed("no worker was found writing the import (did it finish too fast?)")
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic() - sent
        thread.join(timeout=30)
        # the backend notices the closed connection and rolls back
        for _ in range(100):
            if writing_backend(db) is None:
                break
            time.sleep(0.1)
        after_kill = budget_state(db)
        applied = db.query("SELECT applied_at IS NOT NULL FROM core_importbatch ORDER BY id DESC LIMIT 1")[0][0]
        for _ in range(100):  # gunicorn forks a replacement
            if len(server.worker_pids()) == server.workers and victim not in server.worker_pids():
                break
            time.sleep(0.1)
        replaced = victim not in server.worker_pids() and len(server.worker_pids()) == server.workers
        served = browser.get("/budgets/").status
        # the same batch, confirmed again, is applied completely
        preview = browser.get(preview_url)
        began = time.monotonic()
        again = browser.post(preview_url, {"csrfmiddlewaretoken": infra.csrf(preview.text)})
        apply_seconds = time.monotonic() - began
        after = budget_state(db)
    finally:
        server.stop()
    added = len(after[0]) - len(before[0])
    history_added = after[1][0] - before[1][0]
    untouched = after[0][: len(before[0])] == before[0]
    figures = (
        f"{rows} new rows; worker {victim} killed {killed_at:.1f} s after confirm ({writing_for:.1f} s into its "
        f"writing transaction); after the kill: rows {'as before' if after_kill == before else 'CHANGED'}, "
        f"client got {confirm_result.get('error') or confirm_result.get('response').status}; worker replaced "
        f"{'yes' if replaced else 'no'}; confirmed again: {again.status}, +{added} rows, +{history_added} history "
        f"in {apply_seconds:.1f} s"
    )
    db.drop()
    if "response" in confirm_result and confirm_result["response"].status == 302:
        reasons.append("the confirm finished before the kill")
    if after_kill != before:
        changed = len(after_kill[0]) - len(before[0])
        reasons.append(f"partial write after the kill: {changed:+d} rows, history {after_kill[1]} vs {before[1]}")
    if applied:
        reasons.append("the batch is marked applied although the worker died")
    if not replaced or served != 200:
        reasons.append(f"gunicorn did not replace the worker / serve again (replaced {replaced}, /budgets/ {served})")
    if again.status != 302 or added != rows or history_added != rows or not untouched:
        reasons.append(
            f"the second confirm did not apply exactly the file ({again.status}, +{added}, +{history_added})"
        )
    if workers_before == []:
        reasons.append("no workers found")
    return Result(not reasons, figures, reasons)
