"""load: 50 clients for 60 s against gunicorn on PostgreSQL and Redis — page reads, exports and
coordinators' edits (cluster profiles, annual report drafts). Pass: no response ≥ 500, no failed
request, and every acknowledged edit (a 302 after the POST) is in the database with its value."""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter

from . import infra
from .infra import Browser, Result

CLIENTS = 50
EDITORS = 10  # five per coordinator, the rest read and export
DURATION = 60.0
WORKERS = 3
READERS = ("ministry", "analyst", "manager")
COORDINATORS = {"coord-hamamatsu": "hamamatsu", "coord-sapporo": "sapporo"}
PAGES = ["/", "/budgets/", "/programs/", "/regions/", "/regions/{region}/", "/outcomes/", "/reports/budget-pivot/"]
EXPORTS = [
    "/budgets/?export=csv", "/budgets/?export=xlsx", "/programs/?export=csv", "/regions/?export=xlsx",
    "/reports/budget-pivot/?export=csv", "/reports/budget-pivot/?export=xlsx", "/outcomes/values/?export=csv",
]  # fmt: skip
REPORTS_PER_REGION = 3  # (cluster, fiscal year) report drafts edited by every coordinator client of a region
BURST_ROUNDS = 2  # new reports per region that all its editors save at once before the window


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.failures: list[str] = []  # ≥ 500 and exceptions, with what was asked
        self.acks: list[dict] = []
        self.conflicts = 0
        self.refused = Counter()  # other non-302 answers to edits
        self.burst = Counter()  # answers to the opening burst (new reports saved at once)

    def record(self, what: str, response=None, error: Exception | None = None) -> None:
        with self.lock:
            if error is not None:
                self.statuses["exception"] += 1
                self.failures.append(f"{what}: {type(error).__name__}: {error}")
                return
            self.latencies.append(response.elapsed)
            self.statuses[response.status] += 1
            if response.status >= 500:
                self.failures.append(f"{what}: {response.status}")


def region_targets(port: int) -> dict[str, dict]:
    """Per coordinated region: its clusters and the first report years offered on their pages."""
    targets = {}
    for user, region in COORDINATORS.items():
        browser = Browser(port)
        browser.login(user)  # report links show only on the coordinator's own clusters
        page = browser.get(f"/regions/{region}/")
        clusters = sorted({h.split("/")[2] for h in infra.links(page.text, "/") if re.match(r"^/clusters/[\w-]+/$", h)})
        reports = []
        for slug in clusters:
            cluster_page = browser.get(f"/clusters/{slug}/")
            for href in infra.links(cluster_page.text, "/"):
                found = re.match(rf"^/clusters/{slug}/reports/(\d+)/$", href)
                if found and (slug, int(found.group(1))) not in reports:
                    reports.append((slug, int(found.group(1))))
        if not clusters or not reports:
            raise infra.DrillFailed(f"region {region}: no clusters or report years found")
        targets[region] = {
            "clusters": clusters,
            "reports": reports[-REPORTS_PER_REGION:],
            # a report nobody has written yet: every editor of the region opens it before the window
            # and saves it at the same moment when the window opens (creating what someone else
            # created meanwhile must be a conflict, issue 12 item 1)
            "fresh": reports[:BURST_ROUNDS],
            "barrier": threading.Barrier(EDITORS // len(COORDINATORS)),
        }
    return targets


def edit_profile(browser: Browser, stats: Stats, user: str, slug: str, tag: str) -> None:
    path = f"/clusters/{slug}/edit/"
    form_page = browser.get(path)
    stats.record(f"GET {path}", form_page)
    if form_page.status != 200:
        return
    fields = infra.edit_form(form_page.text)
    version = int(dict(fields)["version"])
    value = f"drill load {tag}"
    response = browser.post(path, infra.replace_fields(fields, description_ja=value))
    stats.record(f"POST {path}", response)
    with stats.lock:
        if response.status == 302:
            stats.acks.append({"kind": "profile", "slug": slug, "version": version + 1, "value": value, "user": user})
        elif response.status == 409:
            stats.conflicts += 1
        else:
            stats.refused[response.status] += 1


def open_report(browser: Browser, stats: Stats, slug: str, fy: int) -> list | None:
    path = f"/clusters/{slug}/reports/{fy}/"
    form_page = browser.get(path)
    stats.record(f"GET {path}", form_page)
    return infra.edit_form(form_page.text) if form_page.status == 200 else None


def edit_report(
    browser: Browser, stats: Stats, user: str, slug: str, fy: int, amount: int, fields=None, tally=None
) -> None:
    path = f"/clusters/{slug}/reports/{fy}/"
    fields = fields or open_report(browser, stats, slug, fy)
    if fields is None:
        return
    sent_version = dict(fields).get("version") or ""
    response = browser.post(
        path, infra.replace_fields(fields, national_yen=amount, local_yen=amount % 1000, action="save")
    )
    stats.record(f"POST {path}", response)
    with stats.lock:
        if tally is not None:
            tally[response.status] += 1
        if response.status == 302:
            stats.acks.append({
                "kind": "report", "slug": slug, "fy": fy, "version": int(sent_version or 0) + 1, "value": amount,
                "user": user,
            })  # fmt: skip
        elif response.status == 409:
            stats.conflicts += 1
        else:
            stats.refused[response.status] += 1


def client(number, port, user, targets, window, stats, ready):
    """Log in once, wait for the window to open, then send requests until it closes."""
    rng = random.Random(number)
    browser = Browser(port, timeout=60)
    region = COORDINATORS.get(user)
    fresh = []
    try:
        browser.login(user)
        if region:
            fresh = [open_report(browser, stats, *key) for key in targets[region]["fresh"]]
    except Exception as error:  # noqa: BLE001 - counted as a failure
        stats.record(f"login {user}", error=error)
        return
    finally:
        ready.release()
    if region:  # the opening burst: every editor of the region saves the new report at once
        try:
            if window["burst"].wait(timeout=180):
                for round_, (key, fields) in enumerate(zip(targets[region]["fresh"], fresh, strict=True)):
                    targets[region]["barrier"].wait(timeout=30)
                    amount = number * 10_000_000 + 990 + round_
                    edit_report(browser, stats, user, *key, amount, fields=fields, tally=stats.burst)
        except Exception as error:  # noqa: BLE001 - a failed request is a finding
            stats.record(f"client {number} opening burst", error=error)
        finally:
            window["burst_done"].release()
    if not window["open"].wait(timeout=240):
        return
    count = 0
    while time.monotonic() < window["close"] and count < 10_000:
        count += 1
        roll = rng.random()
        try:
            if region and roll < 0.35:
                slug = rng.choice(targets[region]["clusters"])
                edit_profile(browser, stats, user, slug, f"{number}-{count}-{uuid.uuid4().hex[:8]}")
            elif region and roll < 0.7:
                slug, fy = rng.choice(targets[region]["reports"])
                edit_report(browser, stats, user, slug, fy, number * 10_000_000 + count * 1000 + rng.randrange(1000))
            elif roll < 0.85 or region:
                path = rng.choice(PAGES).format(region=rng.choice(list(COORDINATORS.values())))
                stats.record(f"GET {path}", browser.get(path))
            else:
                path = rng.choice(EXPORTS)
                stats.record(f"GET {path}", browser.get(path))
        except Exception as error:  # noqa: BLE001 - a failed request is a finding
            stats.record(f"client {number}", error=error)


def verify(db: infra.Database, acks: list[dict]) -> tuple[int, list[str]]:
    """How many acknowledged edits are in the database as written, and what is missing."""
    missing, verified = [], 0
    conn = db.connect()
    try:
        with conn.cursor() as cursor:
            for ack in acks:
                if ack["kind"] == "profile":
                    cursor.execute(
                        "SELECT count(*) FROM clusters_historicalcluster h "
                        "JOIN auth_user u ON u.id = h.history_user_id "
                        "WHERE h.slug = %s AND h.version = %s AND h.description_ja = %s AND u.username = %s",
                        [ack["slug"], ack["version"], ack["value"], ack["user"]],
                    )
                else:
                    cursor.execute(
                        "SELECT (SELECT count(*) FROM clusters_historicalannualreport h JOIN clusters_cluster c "
                        "        ON c.id = h.cluster_id WHERE c.slug = %s AND h.fiscal_year = %s AND h.version = %s) "
                        "     * (SELECT count(*) FROM clusters_historicalclusterfunding h JOIN clusters_cluster c "
                        "        ON c.id = h.cluster_id WHERE c.slug = %s AND h.fiscal_year = %s AND h.kind = 'actual' "
                        "        AND h.national_yen = %s)",
                        [ack["slug"], ack["fy"], ack["version"], ack["slug"], ack["fy"], ack["value"]],
                    )
                if cursor.fetchone()[0] == 1:
                    verified += 1
                else:
                    missing.append(f"{ack['kind']} {ack['slug']} {ack.get('fy', '')} v{ack['version']} {ack['value']}")
            # the row as it stands holds the last acknowledged write (the highest version)
            last: dict = {}
            for ack in acks:
                key = (ack["kind"], ack["slug"], ack.get("fy"))
                if key not in last or ack["version"] > last[key]["version"]:
                    last[key] = ack
            for (kind, slug, fy), ack in last.items():
                if kind == "profile":
                    cursor.execute("SELECT version, description_ja FROM clusters_cluster WHERE slug = %s", [slug])
                    current = cursor.fetchone()
                else:
                    cursor.execute(
                        "SELECT r.version, f.national_yen FROM clusters_annualreport r JOIN clusters_cluster c "
                        "ON c.id = r.cluster_id JOIN clusters_clusterfunding f ON f.cluster_id = c.id "
                        "AND f.fiscal_year = r.fiscal_year AND f.kind = 'actual' "
                        "WHERE c.slug = %s AND r.fiscal_year = %s",
                        [slug, fy],
                    )
                    current = cursor.fetchone()
                if current is None or tuple(current) != (ack["version"], ack["value"]):
                    missing.append(f"current {kind} {slug} {fy or ''}: {current} != last acknowledged "
                                   f"{(ack['version'], ack['value'])}")  # fmt: skip
    finally:
        conn.close()
    return verified, missing


def drill() -> Result:
    db = infra.seeded_database("load")
    infra.redis_flush(6379, infra.REDIS_DB)
    server = infra.Gunicorn(infra.app_env(db.url, infra.redis_url()), workers=WORKERS, name="load")
    stats = Stats()
    window = {
        "burst": threading.Event(), "burst_done": threading.Semaphore(0), "open": threading.Event(),
        "close": float("inf"),
    }  # fmt: skip
    threads: list[threading.Thread] = []
    try:
        server.start()
        targets = region_targets(server.port)
        users = [u for u in COORDINATORS for _ in range(EDITORS // len(COORDINATORS))]
        users += [READERS[i % len(READERS)] for i in range(CLIENTS - len(users))]
        ready = threading.Semaphore(0)
        for number, user in enumerate(users):
            thread = threading.Thread(
                target=client, args=(number, server.port, user, targets, window, stats, ready), daemon=True
            )
            threads.append(thread)
            thread.start()
        # the window opens once every client has logged in (each logs in once, correctly)
        for _ in users:
            if not ready.acquire(timeout=180):
                raise infra.DrillFailed("the clients did not log in within 180 s")
        # before the window: the editors create the same new report at once (readers still idle)
        window["burst"].set()
        for _ in range(EDITORS):
            if not window["burst_done"].acquire(timeout=90):
                raise infra.DrillFailed("the opening burst did not finish within 90 s")
        logins = sum(stats.statuses.values())
        del stats.latencies[:]  # latencies of the window only
        opened = time.monotonic()
        window["close"] = opened + DURATION
        window["open"].set()
        for thread in threads:
            thread.join(timeout=max(0.1, window["close"] + 75 - time.monotonic()))
        elapsed = time.monotonic() - opened
        alive = sum(t.is_alive() for t in threads)
        tracebacks = infra.count_in_log(server, "Internal Server Error")
    finally:
        window["close"] = 0.0
        window["burst"].set()
        window["open"].set()
        server.stop()
    try:
        verified, missing = verify(db, stats.acks)
    finally:
        db.drop()
    infra.log(f"load: statuses {dict(stats.statuses)}; acknowledged {dict(Counter(a['kind'] for a in stats.acks))}")
    requests = sum(stats.statuses.values()) - logins
    five = sum(n for s, n in stats.statuses.items() if s != "exception" and s >= 500)
    errors = stats.statuses.get("exception", 0)
    p50, p95 = (infra.percentile(stats.latencies, p) * 1000 for p in (50, 95))
    figures = (
        f"{CLIENTS} clients × {DURATION:.0f} s: {requests} requests, {requests / elapsed:.1f} rps, "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, 5xx {five}, errors {errors}, "
        f"edits acknowledged {len(stats.acks)} / verified {verified}, 409s {stats.conflicts}; opening burst "
        f"({EDITORS // len(COORDINATORS)} editors saving one new report at once, {BURST_ROUNDS * len(COORDINATORS)} "
        "times): " + ", ".join(f"{n}× {status}" for status, n in sorted(stats.burst.items()))
    )
    reasons = []
    if five:
        first = "; ".join(stats.failures[:3])
        reasons.append(f"{five} responses ≥ 500 (first: {first}; {tracebacks} logged in {server.error_log})")
    if errors:
        reasons.append(f"{errors} requests failed without a response ({stats.failures[0]})")
    if missing:
        reasons.append(f"{len(missing)} acknowledged edits not in the database as written ({'; '.join(missing[:3])})")
    if alive:
        reasons.append(f"{alive} clients still running after the window")
    if not stats.acks:
        reasons.append("no edit was acknowledged")
    refused = {status: n for status, n in stats.refused.items() if status < 500}
    if refused:
        reasons.append(f"edits refused other than with 409: {refused}")
    return Result(not reasons, figures, reasons)
