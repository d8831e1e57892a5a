"""Browser benchmark (issue 13 item 3): what a chart page costs in Debian's Chromium.

For each chart page: the bytes transferred on a first load (empty cache), the bytes on a repeat visit
(same browser context, so its HTTP cache is warm) and the time from navigation start to the first
chart drawn; the median of ``--runs`` runs, each in a fresh browser context.

The server runs as in production: gunicorn from the venv, DEBUG off, ``collectstatic`` into a temporary
STATIC_ROOT (hashed, pre-compressed files served by whitenoise), the seed data in a temporary SQLite
database. Plain HTTP on 127.0.0.1 (a secure context: Chromium asks for brotli and keeps Secure cookies),
no network throttling: the bytes do not depend on the link, the times are this machine's.

- bytes: the sum of CDP ``Network.loadingFinished`` ``encodedDataLength`` (headers and compressed
  bodies as received); a response taken from the cache counts 0.
- first chart: ``performance.mark("chart:first-drawn")``, set by static/js/charts.js when the first
  ``Plotly.newPlot`` promise resolves; "seen" is when a chart's SVG first appeared in the page
  (a MutationObserver added by this script; the only measure for code without the mark).

Run: make bench-browser (writes bench/results/browser.txt); ``--output`` and ``--runs`` to change.
``--app DIR`` serves another copy of the project with this venv (an older commit, for a before/after
under the same machine load: ``git archive <commit> | tar -x -C DIR``).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PAGES = ["/", "/outcomes/", "/regions/", "/regions/hamamatsu/", "/clusters/hamamatsu-kc2/",
         "/programs/knowledge-cluster/", "/reports/budget-pivot/", "/reports/region-funding/",
         "/reports/outcome-shares/", "/reports/year-over-year/"]  # fmt: skip
USER, PASSWORD = "analyst", "kakehashi-demo"

# Records when the first plotly SVG appears inside a chart element (works with any chart code).
OBSERVER = """
(() => {
  const seen = () => document.querySelector("[data-figure] .main-svg");
  new MutationObserver((_, observer) => {
    if (seen()) { performance.mark("bench:chart-seen"); observer.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
})();
"""
FIRST_CHART = """() => {
  const find = (name) => performance.getEntriesByName(name)[0];
  const drawn = find("chart:first-drawn"), seen = find("bench:chart-seen");
  return { drawn: drawn ? drawn.startTime : null, seen: seen ? seen.startTime : null,
           charts: document.querySelectorAll("[data-figure]").length };
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Load:
    """One navigation: bytes and responses seen through CDP."""

    bytes: int = 0
    requests: int = 0
    from_cache: int = 0
    responses: dict = field(default_factory=dict)  # request id -> (url, content-encoding, status)
    sizes: dict = field(default_factory=dict)  # request id -> bytes received


class NetworkMeter:
    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)
        self.load = Load()
        self.session.on("Network.responseReceived", self._response)
        self.session.on("Network.requestServedFromCache", self._cached)
        self.session.on("Network.loadingFinished", self._finished)
        self.session.send("Network.enable")

    def reset(self) -> Load:
        done, self.load = self.load, Load()
        return done

    def _response(self, event):
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        self.load.responses[event["requestId"]] = (
            response["url"],
            headers.get("content-encoding", ""),
            response["status"],
        )

    def _cached(self, event):
        self.load.from_cache += 1

    def _finished(self, event):
        size = int(event.get("encodedDataLength", 0))
        self.load.requests += 1
        self.load.bytes += size
        self.load.sizes[event["requestId"]] = size


class Server:
    """gunicorn in production mode over a temporary database and STATIC_ROOT."""

    def __init__(self, workdir: Path, app: Path):
        self.workdir = workdir
        self.app = app
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_"))}
        self.env.update(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="bench-only-not-a-secret-" + "x" * 32,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_STATIC_ROOT=str(workdir / "static"),
            DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
            DJANGO_LOG_LEVEL="WARNING",
        )
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=self.app, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def prepare(self) -> None:
        self.manage("migrate", "--no-input", "-v0")
        self.manage("seed_demo", "--force")
        self.manage("collectstatic", "--no-input", "-v0")

    def start(self) -> str:
        command = [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"]
        log = open(self.workdir / "gunicorn.log", "ab")  # noqa: SIM115 - kept open for the server's life
        self.process = subprocess.Popen(command, cwd=self.app, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip
        url = f"http://127.0.0.1:{self.port}"
        for _ in range(120):
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited: {(self.workdir / 'gunicorn.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                return url
            except OSError:
                time.sleep(0.25)
        raise SystemExit("gunicorn did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=20)


def wait_for_first_chart(page, mark: str, timeout_ms: int = 15000) -> dict:
    """Waits until the page has drawn its first chart (or has none), then for the network to settle."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        """(mark) => !document.querySelector("[data-figure]") || performance.getEntriesByName(mark).length""",
        arg=mark,
        timeout=timeout_ms,
    )
    page.wait_for_load_state("networkidle")
    return page.evaluate(FIRST_CHART)


def measure_page(browser, base: str, state: dict, path: str, expect_mark: bool) -> dict:
    mark = "chart:first-drawn" if expect_mark else "bench:chart-seen"
    context = browser.new_context(storage_state=state, locale="ja-JP", viewport={"width": 1280, "height": 900})
    context.add_init_script(OBSERVER)
    page = context.new_page()
    meter = NetworkMeter(page)
    try:
        page.goto(base + path, wait_until="commit")
        timing = wait_for_first_chart(page, mark)
        first = meter.reset()
        page.goto("about:blank")
        meter.reset()
        page.goto(base + path, wait_until="commit")
        wait_for_first_chart(page, mark)
        repeat = meter.reset()
    finally:
        context.close()
    bundles = sorted({Path(urlparse(u).path).name for u, *_ in first.responses.values() if "/vendor/plotly/" in u})
    return {"first": first, "repeat": repeat, "timing": timing, "bundles": bundles}


def login_state(browser, base: str) -> dict:
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("ユーザー名").fill(USER)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        raise SystemExit("login failed")
    state = context.storage_state()
    context.close()
    return state


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_ms(value) -> str:
    return "—" if value is None else f"{value:.0f}"


def run(runs: int, output: Path, label: str, app: Path) -> str:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    workdir = Path(tempfile.mkdtemp(prefix="kakehashi-bench-browser-"))
    server = Server(workdir, app)
    try:
        print("preparing: migrate, seed, collectstatic …", file=sys.stderr)
        server.prepare()
        base = server.start()
        static_root = workdir / "static"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            )  # fmt: skip
            state = login_state(browser, base)
            # the chart code sets the mark when it exists; older code is measured by the observer only
            expect_mark = "chart:first-drawn" in (app / "static" / "js" / "charts.js").read_text()
            rows, details = [], []
            for path in PAGES:
                results = [measure_page(browser, base, state, path, expect_mark) for _ in range(runs)]
                first = results[0]
                rows.append(
                    (
                        path,
                        median([r["first"].bytes for r in results]) / 1024,
                        median([r["repeat"].bytes for r in results]) / 1024,
                        median([r["timing"]["drawn"] for r in results]),
                        median([r["timing"]["seen"] for r in results]),
                        first["timing"]["charts"],
                        first["first"].requests,
                        ", ".join(first["bundles"]) or "—",
                    )
                )
                print(f"  {path}: done", file=sys.stderr)
                if path in ("/", "/regions/"):
                    details.append((path, first["first"]))
            version = browser.version
            browser.close()
        report = format_report(rows, details, runs=runs, label=label, chromium=version, static_root=static_root)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report)
    return report


def format_report(rows, details, *, runs, label, chromium, static_root) -> str:
    from plotly.offline import get_plotlyjs_version

    lines = [
        f"Browser benchmark{f' ({label})' if label else ''}: {datetime.now():%Y-%m-%d %H:%M}, Chromium {chromium}, "
        f"plotly.js {get_plotlyjs_version()}, {platform.machine()} × {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}",
        f"gunicorn (2 workers), DEBUG off, collectstatic + whitenoise, seed data, user {USER!r}, viewport 1280×900, "
        f"no throttling; median of {runs} runs, each in a fresh browser context.",
        "first KB: bytes received on a first load (empty cache); repeat KB: the same page visited again in that "
        "context; drawn ms: chart:first-drawn mark; seen ms: first chart SVG in the page (both from navigation "
        "start).",
        "",
        f"{'page':<30} {'first KB':>9} {'repeat KB':>10} {'drawn ms':>9} {'seen ms':>8} {'charts':>7} "
        f"{'requests':>9}  plotly bundle",
    ]
    for path, first_kb, repeat_kb, drawn, seen, charts, requests, bundles in rows:
        lines.append(
            f"{path:<30} {first_kb:>9.0f} {repeat_kb:>10.1f} {fmt_ms(drawn):>9} {fmt_ms(seen):>8} {charts:>7} "
            f"{requests:>9}  {bundles}"
        )
    for path, load in details:
        lines += ["", f"First load of {path}, response by response (status, content-encoding, KB received):"]
        for request_id, (url, encoding, status) in sorted(load.responses.items(), key=lambda item: item[1][0]):
            size = load.sizes.get(request_id, 0) / 1024
            lines.append(f"  {status} {encoding or 'identity':<9} {size:>8.1f}  {urlparse(url).path}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "browser.txt")
    parser.add_argument("--label", default="")
    parser.add_argument("--app", type=Path, default=ROOT, help="the project copy to serve (default: this one)")
    arguments = parser.parse_args()
    print(run(arguments.runs, arguments.output, arguments.label, arguments.app.resolve()))
