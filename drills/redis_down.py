"""redis-down: the app with its cache on a private Redis; Redis is stopped. Pass: the dashboard,
budgets, outcomes and a region page still answer 200 to a signed-in user (each asked several
times, so every worker meets the outage), and /healthz answers 200 reporting the cache as an error
and the database as ok."""

from __future__ import annotations

import json
import time

from . import infra
from .infra import Browser, Result

PATHS = ["/", "/budgets/", "/outcomes/", "/regions/hamamatsu/"]
ROUNDS = 3


def drill() -> Result:
    redis = infra.PrivateRedis(infra.free_port())
    db = infra.seeded_database("redisdown")
    server = None
    reasons: list[str] = []
    try:
        redis.start()
        server = infra.Gunicorn(infra.app_env(db.url, infra.redis_url(redis.port, 0)), workers=2, name="redisdown")
        server.start()
        browser = Browser(server.port, timeout=30)
        browser.login("analyst")
        warm = [browser.get(path).status for path in PATHS]
        health_up = browser.get("/healthz")
        if warm != [200] * len(PATHS) or health_up.status != 200:
            reasons.append(f"before the outage: pages {warm}, /healthz {health_up.status} {health_up.text[:80]}")
        redis.stop()
        statuses, slowest = [], 0.0
        for _ in range(ROUNDS):
            for path in PATHS:
                response = browser.get(path)
                statuses.append((path, response.status))
                slowest = max(slowest, response.elapsed)
        health = Browser(server.port, timeout=30).get("/healthz")
        try:
            report = json.loads(health.text)
        except ValueError:
            report = health.text[:120]
        # Redis back: the cache is used again
        redis.start()
        time.sleep(5.5)  # the backend leaves a failed Redis alone for 5 s
        health_back = Browser(server.port, timeout=30).get("/healthz")
        tracebacks = infra.count_in_log(server, "Internal Server Error")
    finally:
        redis.stop()
        if server is not None:
            server.stop()
        db.drop()
    shown = json.dumps(report, separators=(",", ":")) if isinstance(report, dict) else repr(report)
    failed = [f"{path} {status}" for path, status in statuses if status != 200]
    figures = (
        f"Redis stopped: {len(statuses) - len(failed)} of {len(statuses)} page requests 200 (slowest {slowest:.2f} s); "
        f"/healthz {health.status} {shown}; "
        f"after Redis restarted /healthz {health_back.status} {health_back.text.strip()[:40]}"
    )
    if failed:
        reasons.append(
            f"pages failed with Redis down: {', '.join(failed[:6])} ({tracebacks} logged in {server.error_log})"
        )
    if health.status != 200 or report != {"db": "ok", "cache": "error"}:
        reasons.append('/healthz with Redis down must answer 200 {"db":"ok","cache":"error"}')
    if health_back.status != 200 or '"cache": "ok"' not in health_back.text.replace('":"', '": "'):
        reasons.append("the cache was not used again after Redis came back")
    return Result(not reasons, figures, reasons)
