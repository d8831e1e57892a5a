"""postgres-restart: the app on a private PostgreSQL cluster under a light load of reads; the
cluster is restarted (``pg_ctl restart -m fast``) while gunicorn keeps running. Pass: pages are
served (200) again within 5 s of PostgreSQL being back, and every request started after that
answers 200 — without restarting gunicorn."""

from __future__ import annotations

import threading
import time

from . import infra
from .infra import Browser, Result

READERS = 4
PATHS = ["/", "/budgets/", "/regions/hamamatsu/", "/programs/"]
BEFORE = 4.0  # seconds of load before the restart
AFTER = 8.0  # seconds of load after PostgreSQL is back
RECOVERY_LIMIT = 5.0


def reader(number: int, port: int, stop: threading.Event, samples: list, lock: threading.Lock) -> None:
    browser = Browser(port, timeout=15)
    browser.login(("analyst", "ministry", "manager", "coord-sapporo")[number % 4])
    count = 0
    while not stop.is_set() and count < 5000:
        path = PATHS[count % len(PATHS)]
        count += 1
        began = time.monotonic()
        try:
            status = browser.get(path).status
        except Exception as error:  # noqa: BLE001 - an outage may reset connections
            status = type(error).__name__
        with lock:
            samples.append((began, time.monotonic(), status))
        if status != 200:
            time.sleep(0.05)  # keep probing, but do not spin


def drill() -> Result:
    cluster = infra.PrivateCluster(infra.free_port())
    server = None
    stop = threading.Event()
    threads: list[threading.Thread] = []
    samples: list[tuple] = []
    lock = threading.Lock()
    try:
        cluster.init()
        cluster.start()
        db = infra.Database(f"{infra.PREFIX}_pgrestart", port=cluster.port).create()
        env = infra.app_env(db.url)  # local-memory cache: only the database goes away here
        infra.migrate_and_seed(env)
        server = infra.Gunicorn(env, workers=2, name="pgrestart").start()
        master = server.process.pid
        for number in range(READERS):
            thread = threading.Thread(target=reader, args=(number, server.port, stop, samples, lock), daemon=True)
            threads.append(thread)
            thread.start()
        time.sleep(BEFORE)
        down_at = time.monotonic()
        cluster.restart()  # returns when the new postmaster accepts connections (-w)
        back_at = time.monotonic()
        if not cluster.ready():
            raise infra.DrillFailed("pg_isready fails after pg_ctl restart returned")
        time.sleep(AFTER)
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        same_master = server.process.poll() is None and server.process.pid == master
    finally:
        stop.set()
        if server is not None:
            server.stop()
        cluster.remove()
    with lock:
        recorded = sorted(samples)
    before = [s for s in recorded if s[1] < down_at]
    outage = [s for s in recorded if s[1] >= down_at and s[0] < back_at]
    after = [s for s in recorded if s[0] >= back_at]
    first_ok = next((s for s in after if s[2] == 200), None)
    recovery = (first_ok[1] - back_at) if first_ok else float("inf")
    settled = [s for s in after if first_ok and s[0] >= first_ok[1]]
    errors_outage = sum(1 for s in outage if s[2] != 200)
    errors_after = [s for s in after if s[2] != 200]
    late_errors = [s for s in settled if s[2] != 200]
    figures = (
        f"restart took {back_at - down_at:.1f} s; served again {recovery:.2f} s after PostgreSQL was back; "
        f"errors during the outage {errors_outage} of {len(outage)}, after it {len(errors_after)} of {len(after)}; "
        f"{len(recorded)} requests, same gunicorn master {'yes' if same_master else 'no'}"
    )
    reasons = []
    if not before or any(s[2] != 200 for s in before):
        reasons.append("the pages did not answer 200 before the restart")
    if recovery > RECOVERY_LIMIT:
        reasons.append(f"no 200 within {RECOVERY_LIMIT:.0f} s of PostgreSQL being back")
    if late_errors:
        reasons.append(f"{len(late_errors)} errors after recovery ({sorted({str(s[2]) for s in late_errors})})")
    if not same_master:
        reasons.append("gunicorn did not survive")
    return Result(not reasons, figures, reasons)
