"""What the drills start and stop: databases on the main PostgreSQL cluster, a private PostgreSQL
cluster, a private Redis, gunicorn in production mode — and a small HTTP client.

Everything runs on 127.0.0.1. Every process is started in its own session (process group) and
stopped by group in a ``finally``; every wait is bounded in time.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
GUNICORN = BIN / "gunicorn"
#: the newest installed PostgreSQL's programs (initdb, pg_ctl: not on PATH on Debian)
PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), default=Path("/usr/bin"))
MAIN_PG_PORT = 5432
RUN_ID = os.getpid()
PREFIX = f"kakehashi_drill_{RUN_ID}"
WORK = Path("/tmp") / f"kakehashi-drills-{RUN_ID}"
#: Redis databases of our own on the shared server (flushed before use)
REDIS_DB = 9
REDIS_DB_SECOND = 10
DEMO_PASSWORD = "kakehashi-demo"
SECRET_KEY = "drill-only-" + secrets.token_urlsafe(40)


#: everything started (gunicorns, private clusters and Redis servers), for a last sweep at exit
STARTED: list = []


def stop_everything() -> None:
    """Stop whatever a drill started and did not stop (a drill cut short by its time budget)."""
    for thing in reversed(STARTED):
        try:
            getattr(thing, "remove", thing.stop)()
        except Exception as error:  # noqa: BLE001 - keep sweeping
            log(f"could not stop {thing!r}: {error}")


class DrillFailed(Exception):
    """A drill could not run to its verdict (a server did not start, a step timed out …)."""


def log(message: str) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / "drills.log", "a", encoding="utf-8") as out:
        out.write(f"{time.strftime('%H:%M:%S')} {message}\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kill_group(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group of ``process`` (started with a new session), SIGKILL after ``grace``."""
    if process is None:
        return
    try:
        pgid = os.getpgid(process.pid)
    except ProcessLookupError:
        pgid = None
    if pgid is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    if pgid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)  # stragglers (workers) of the group
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        log(f"process {process.pid} did not exit after SIGKILL")


def run(cmd: list[str], *, env: dict | None = None, timeout: float = 120, check: bool = True, stdout=None):
    """Run ``cmd`` in its own process group; on timeout the whole group is killed."""
    log("$ " + " ".join(str(c) for c in cmd))
    process = subprocess.Popen(
        [str(c) for c in cmd],
        cwd=ROOT,
        env=env,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(process, grace=2)
        raise DrillFailed(f"timed out after {timeout} s: {' '.join(str(c) for c in cmd)}") from None
    finally:
        if process.poll() is None:
            kill_group(process, grace=2)
    if check and process.returncode != 0:
        tail = (err or b"").decode("utf-8", "replace")[-1500:]
        raise DrillFailed(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} exited {process.returncode}: {tail}")
    return process.returncode, out, err


# --- environment and manage.py -------------------------------------------------------------------


def app_env(database_url: str, cache_url: str = "", **extra: str) -> dict:
    """Production mode: DEBUG off, a throwaway key, plain HTTP to 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "REDIS_"))}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="false",
        # no collectstatic in the work tree: static files are not what the drills measure
        DJANGO_STATIC_MANIFEST="false",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url,
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 180) -> str:
    _, out, _ = run([PYTHON, "manage.py", *args], env=env, timeout=timeout)
    return out.decode("utf-8", "replace")


def migrate_and_seed(env: dict) -> None:
    manage(env, "migrate", "--no-input")
    # seed_demo refuses to run with DEBUG off unless forced (it creates accounts with a known password)
    manage(env, "seed_demo", "--force")


def redis_flush(port: int, db: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        sock.settimeout(3)
        data = b""
        for _ in range(100):
            if data.count(b"\r\n") >= 2:
                break
            chunk = sock.recv(1024)
            if not chunk:
                break
            data += chunk


def redis_url(port: int = 6379, db: int = REDIS_DB) -> str:
    return f"redis://127.0.0.1:{port}/{db}"


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_connect(port: int = MAIN_PG_PORT, dbname: str = "postgres", timeout: int = 5):
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, connect_timeout=timeout)
    conn.autocommit = True
    return conn


def pg_admin(sql: str, port: int = MAIN_PG_PORT) -> None:
    conn = pg_connect(port)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET statement_timeout = '60s'")
            cursor.execute(sql)
    finally:
        conn.close()


@dataclass
class Database:
    name: str
    port: int = MAIN_PG_PORT

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.name}"

    def create(self, template: str | None = None) -> Database:
        assert self.name.startswith("kakehashi_drill_"), self.name
        pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', self.port)
        pg_admin(f'CREATE DATABASE "{self.name}"' + (f' TEMPLATE "{template}"' if template else ""), self.port)
        log(f"created database {self.name} on port {self.port}" + (f" from {template}" if template else ""))
        return self

    def drop(self) -> None:
        assert self.name.startswith("kakehashi_drill_"), self.name
        try:
            pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', self.port)
            log(f"dropped database {self.name}")
        except psycopg2.Error as error:
            log(f"could not drop {self.name}: {error}")

    def connect(self):
        return pg_connect(self.port, self.name)

    def query(self, sql: str, params=None) -> list[tuple]:
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()


_seed: Database | None = None


def prepare_seed() -> Database:
    """``kakehashi_drill_<pid>_seed``: migrated and seeded (``migrate`` + ``seed_demo --force``, in
    production mode) once per run; the drills' databases are copies of it."""
    global _seed
    if _seed is None:
        seed = Database(f"{PREFIX}_seed").create()
        migrate_and_seed(app_env(seed.url))
        _seed = seed
    return _seed


def seeded_database(suffix: str) -> Database:
    """A fresh database ``kakehashi_drill_<pid>_<suffix>`` on the main cluster, copied from the seeded
    template (CREATE DATABASE … TEMPLATE: the same rows, history and accounts, in a second)."""
    return Database(f"{PREFIX}_{suffix}").create(template=prepare_seed().name)


def drop_all_databases() -> None:
    """Drop every database of this run (name starts with kakehashi_drill_<pid>)."""
    try:
        conn = pg_connect()
    except psycopg2.Error as error:
        log(f"cannot connect to drop databases: {error}")
        return
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX.replace("_", r"\_") + "%"])
            names = [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()
    for name in names:
        Database(name).drop()


class PrivateCluster:
    """A throwaway PostgreSQL 15 cluster (initdb into a temp dir), run as the postgres OS user."""

    def __init__(self, port: int):
        self.port = port
        self.datadir = WORK / f"pg-{port}"
        self.logfile = WORK / f"pg-{port}.log"
        self.started = False

    def _as_postgres(self, *cmd, timeout: float = 60, check: bool = True):
        """Run ``cmd`` as the postgres OS user when we are root (initdb and postgres refuse root)."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return run([*prefix, *[str(c) for c in cmd]], timeout=timeout, check=check)

    def init(self) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        os.chmod(WORK, 0o755)
        if self.datadir.exists():
            shutil.rmtree(self.datadir)
        self.datadir.mkdir(mode=0o700)
        self.logfile.touch()
        if os.geteuid() == 0:
            shutil.chown(self.datadir, "postgres", "postgres")
            shutil.chown(self.logfile, "postgres", "postgres")
        initdb = [PG_BIN / "initdb", "-D", self.datadir, "-U", "postgres", "-A", "trust", "--no-sync"]
        self._as_postgres(*initdb, "-E", "UTF8", "--locale", "C.UTF-8", timeout=60)
        with open(self.datadir / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.datadir}'\n"
                "shared_buffers = 32MB\nmax_connections = 50\n"
            )

    def start(self) -> None:
        STARTED.append(self)
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w", "-t", "30", "start")
        self.started = True

    def restart(self) -> None:
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w", "-t", "30", "-m", "fast",
                          "restart")  # fmt: skip

    def ready(self) -> bool:
        code, _, _ = run([PG_BIN / "pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"], timeout=5, check=False)
        return code == 0

    def stop(self) -> None:
        if not self.datadir.exists():
            return
        pid_file = self.datadir / "postmaster.pid"
        if pid_file.exists():
            pg_ctl = [PG_BIN / "pg_ctl", "-D", self.datadir]
            code, _, _ = self._as_postgres(*pg_ctl, "-w", "-t", "20", "-m", "fast", "stop", timeout=30, check=False)
            if code != 0:
                self._as_postgres(*pg_ctl, "-m", "immediate", "stop", timeout=15, check=False)
        if pid_file.exists():
            try:
                pid = int(pid_file.read_text().split()[0])
                os.kill(pid, signal.SIGKILL)
                log(f"killed postmaster {pid}")
            except (ValueError, ProcessLookupError, IndexError):
                pass
        self.started = False

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.datadir, ignore_errors=True)


# --- Redis ----------------------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        STARTED.append(self)
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with open(WORK / f"redis-{self.port}.log", "ab") as out:
            self.process = subprocess.Popen(
                [*command, "--daemonize", "no", "--dir", str(WORK)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.1)
        raise DrillFailed(f"redis-server on port {self.port} did not answer within 10 s")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process, grace=5)
            self.process = None


# --- gunicorn -------------------------------------------------------------------------------------


class Gunicorn:
    """``gunicorn config.wsgi`` from the venv, production mode, on 127.0.0.1:<free port>."""

    def __init__(self, env: dict, *, workers: int = 3, name: str = "app", timeout: int = 60):
        self.env = env
        self.workers = workers
        self.name = name
        self.timeout = timeout
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.error_log = WORK / f"gunicorn-{name}-{self.port}.log"

    def start(self, ready_within: float = 60) -> Gunicorn:
        WORK.mkdir(parents=True, exist_ok=True)
        STARTED.append(self)
        command = [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        command += ["--timeout", str(self.timeout), "--graceful-timeout", "5", "--log-level", "warning"]
        # gunicorn's own log and Django's (the tracebacks of 500s) go to one file
        with open(self.error_log, "ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        log(f"gunicorn {self.name} pid {self.process.pid} port {self.port} workers {self.workers}")
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DrillFailed(f"gunicorn exited {self.process.returncode}: {self.log_tail()}")
            try:
                answered = Browser(self.port, timeout=5).get("/healthz").status in (200, 503)
                if answered and len(self.worker_pids()) >= self.workers:  # every worker booted
                    return self
            except OSError:
                pass
            time.sleep(0.25)
        raise DrillFailed(f"gunicorn did not answer within {ready_within} s: {self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), from /proc."""
        if self.process is None:
            return []
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid …; comm may hold spaces, so split after the last ')'
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def log_tail(self, chars: int = 1500) -> str:
        try:
            return self.error_log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process, grace=10)
            log(f"gunicorn {self.name} stopped")
            self.process = None


# --- HTTP client ----------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    elapsed: float
    location: str = ""
    set_cookies: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def input_value(page: str, name: str) -> str | None:
    """The value of the <input name=…> on ``page`` (None when there is no such input)."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    return None


def textarea_value(page: str, name: str) -> str | None:
    found = re.search(rf'<textarea\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(found.group(1)).removeprefix("\n") if found else None


def selected_value(page: str, name: str) -> str | None:
    found = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    if not found:
        return None
    option = re.search(r'<option\b[^>]*value="([^"]*)"[^>]*\bselected\b', found.group(1))
    return html.unescape(option.group(1)) if option else ""


def select_options(page: str, name: str) -> list[str]:
    found = re.search(rf'<select\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    return [html.unescape(v) for v in re.findall(r'<option\b[^>]*value="([^"]*)"', found.group(1))] if found else []


class Browser:
    """A minimal client: one connection per request (gunicorn's sync workers close it anyway),
    cookies kept by name. It keeps Secure cookies over plain HTTP, as a TLS-terminating proxy in
    front of the app would: production mode marks the session and CSRF cookies Secure and the
    settings have no switch to turn that off."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form=None, files=None, headers=None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files is not None:
            boundary = "drill" + uuid.uuid4().hex
            body = multipart(boundary, form or [], files)
            sent["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form, doseq=True) if not isinstance(form, (bytes, str)) else form
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        elapsed = time.monotonic() - started
        set_cookies = response.headers.get_all("Set-Cookie") or []
        for header in set_cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(
            status=response.status,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=data,
            elapsed=elapsed,
            location=response.headers.get("Location", ""),
            set_cookies=set_cookies,
        )

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, form=None, **kwargs) -> Response:
        return self.request("POST", path, form=form, **kwargs)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        page = self.get("/accounts/login/")
        token = CSRF_RE.search(page.text)
        if page.status != 200 or not token:
            raise DrillFailed(f"login page answered {page.status}")
        response = self.post(
            "/accounts/login/", {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        )
        if response.status != 302:
            raise DrillFailed(f"login as {username} answered {response.status}")


def csrf(page: str) -> str:
    found = CSRF_RE.search(page)
    if not found:
        raise DrillFailed("no CSRF token on the page")
    return html.unescape(found.group(1))


def multipart(boundary: str, fields, files) -> bytes:
    """multipart/form-data: ``fields`` (name, value) pairs, ``files`` (name, filename, bytes) triples."""
    out = []
    for name, value in fields:
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.append(value.encode() if isinstance(value, str) else value)
        out.append(b"\r\n")
    for name, filename, content in files:
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.append(content)
        out.append(b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out)


# --- snapshots of the tracked tables ----------------------------------------------------------------


def tracked_tables(db: Database) -> list[str]:
    """Every table with an optimistic-locking ``version`` column (the editable rows)."""
    rows = db.query(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'version' "
        "AND table_name NOT LIKE '%%historical%%' ORDER BY table_name"
    )
    return [r[0] for r in rows]


def history_table(table: str) -> str:
    app, model = table.split("_", 1)
    return f"{app}_historical{model}"


def snapshot(db: Database) -> dict:
    """{table: {pk: version}} for every tracked table, and {history table: row count}."""
    result = {"rows": {}, "history": {}}
    conn = db.connect()
    try:
        with conn.cursor() as cursor:
            for table in tracked_tables(db):
                cursor.execute(f'SELECT id, version FROM "{table}"')
                result["rows"][table] = dict(cursor.fetchall())
                cursor.execute(f'SELECT count(*) FROM "{history_table(table)}"')
                result["history"][history_table(table)] = cursor.fetchone()[0]
    finally:
        conn.close()
    return result


def edit_form(page: str, index: int = 0) -> list[tuple[str, str]]:
    """The fields a browser would submit from the ``index``-th ``edit-form`` on ``page`` (no button):
    inputs with their values (checkboxes only when checked), textareas, and selects (the selected
    option, else the first)."""
    forms = re.findall(r'<form\b[^>]*class="[^"]*edit-form[^"]*"[^>]*>(.*?)</form>', page, re.S)
    if len(forms) <= index:
        raise DrillFailed("no edit form on the page")
    body = forms[index]
    fields: list[tuple[str, str]] = []
    for match in re.finditer(r"<input\b[^>]*>|<textarea\b[^>]*>.*?</textarea>|<select\b[^>]*>.*?</select>", body, re.S):
        tag = match.group(0)
        name_match = re.search(r'\bname="([^"]*)"', tag)
        if not name_match:
            continue
        name = html.unescape(name_match.group(1))
        if tag.startswith("<input"):
            kind = (re.search(r'\btype="([^"]*)"', tag) or [None, "text"])[1]
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and not re.search(r"\bchecked\b", tag):
                continue
            value = re.search(r'\bvalue="([^"]*)"', tag)
            fields.append((name, html.unescape(value.group(1)) if value else ("on" if kind == "checkbox" else "")))
        elif tag.startswith("<textarea"):
            inner = re.search(r">(.*)</textarea>", tag, re.S).group(1)
            fields.append((name, html.unescape(inner).removeprefix("\n")))
        else:
            options = re.findall(r"<option\b([^>]*)>", tag)
            chosen = next((o for o in options if re.search(r"\bselected\b", o)), options[0] if options else "")
            value = re.search(r'\bvalue="([^"]*)"', chosen)
            fields.append((name, html.unescape(value.group(1)) if value else ""))
    return fields


def replace_fields(fields: list[tuple[str, str]], **values) -> list[tuple[str, str]]:
    """``fields`` with the named values replaced (added when missing)."""
    out = [(k, str(values[k]) if k in values else v) for k, v in fields]
    out += [(k, str(v)) for k, v in values.items() if k not in {name for name, _ in fields}]
    return out


LIST_PAGES = [
    "/", "/programs/", "/budgets/", "/regions/", "/outcomes/", "/outcomes/values/", "/sources/", "/funding/",
    "/cluster-outcomes/", "/reports/", "/reports/budget-pivot/", "/reports/region-funding/",
    "/reports/outcome-shares/", "/reports/year-over-year/", "/reports/status/", "/paper/",
]  # fmt: skip


def links(page: str, base: str) -> list[str]:
    """Every local href on ``page``, resolved against the path ``base``."""
    out = []
    for href in re.findall(r'href="([^"]*)"', page):
        href = html.unescape(href)
        if href.startswith("?"):
            href = base.split("?")[0] + href
        if href.startswith("/") and not href.startswith("//"):
            out.append(href.split("#")[0])
    return out


def discover_exports(browser: Browser, pages: list[str]) -> list[str]:
    """The export links (``?export=…``) on ``pages``, in page order, without duplicates."""
    found: list[str] = []
    for path in pages:
        response = browser.get(path)
        if response.status != 200:
            raise DrillFailed(f"{path} answered {response.status} while looking for exports")
        for href in links(response.text, path):
            if "export=" in href and href not in found:
                found.append(href)
    return found


@dataclass
class Result:
    """A drill's verdict: the key figures, and for a failure the reasons."""

    passed: bool
    figures: str
    reasons: list[str] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def count_in_log(server: Gunicorn, needle: str) -> int:
    try:
        return server.error_log.read_text(errors="replace").count(needle)
    except OSError:
        return 0
