"""dump-restore: ``pg_dump -Fc`` of the seeded database, ``pg_restore`` into a new database, the
app run against each (two gunicorns, separate Redis databases), and every export fetched from
both: the list and report pages' exports (CSV UTF-8, CSV Shift_JIS, XLSX) in Japanese and English,
the chart exports of every program, region and cluster page in Japanese, and the dataset ZIP.

Pass: every CSV export byte-identical; every XLSX export equal cell by cell on every sheet (openpyxl
stamps the workbook's creation time into docProps/core.xml, so the bytes cannot match), where the
About sheet's "Exported at" row is skipped and its "Exported from" URL compared with the server's
address masked; the dataset ZIP equal member by member (a ZIP stamps each member's time)."""

from __future__ import annotations

import io
import re
import threading
import zipfile

from openpyxl import load_workbook

from . import infra
from .infra import Browser, Result

SKIPPED_ABOUT_KEYS = {"ダウンロード日時", "Exported at"}
ENTITY = re.compile(r"^/(programs|regions|clusters)/[\w-]+/$")


def workbook_cells(content: bytes, port: int) -> dict:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    sheets = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows(values_only=True):
            row = tuple(v.replace(f"127.0.0.1:{port}", "HOST") if isinstance(v, str) else v for v in row)
            if sheet.title == "About" and row and row[0] in SKIPPED_ABOUT_KEYS:
                continue
            rows.append(row)
        sheets[sheet.title] = rows
    book.close()
    return sheets


def zip_members(content: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def fetch_all(browser: Browser, paths: list[tuple[str, str]], out: dict, errors: list) -> None:
    for language, path in paths:
        browser.cookies["django_language"] = language
        try:
            response = browser.get(path)
        except Exception as error:  # noqa: BLE001 - reported as a failure
            errors.append(f"{path}: {type(error).__name__}")
            continue
        out[(language, path)] = response


def drill() -> Result:
    original = infra.seeded_database("dump")
    restored = infra.Database(f"{infra.PREFIX}_restored")
    dump_file = infra.WORK / "drill.dump"
    servers: list[infra.Gunicorn] = []
    reasons: list[str] = []
    try:
        infra.run(["pg_dump", "-Fc", "-h", "127.0.0.1", "-p", str(original.port), "-U", "postgres", "-f", dump_file,
                   original.name], timeout=60)  # fmt: skip
        infra.pg_admin(f'DROP DATABASE IF EXISTS "{restored.name}" WITH (FORCE)')
        infra.pg_admin(f'CREATE DATABASE "{restored.name}" TEMPLATE template0')
        infra.run(["pg_restore", "--no-owner", "--exit-on-error", "-h", "127.0.0.1", "-p", str(restored.port),
                   "-U", "postgres", "-d", restored.name, dump_file], timeout=120)  # fmt: skip
        for database, redis_db, name in ((original, infra.REDIS_DB, "original"),
                                         (restored, infra.REDIS_DB_SECOND, "restored")):  # fmt: skip
            infra.redis_flush(6379, redis_db)
            server = infra.Gunicorn(infra.app_env(database.url, infra.redis_url(6379, redis_db)), workers=2, name=name)
            servers.append(server)
            server.start()
        browsers = [Browser(server.port, timeout=60) for server in servers]
        for browser in browsers:
            browser.login("analyst")
        lists = infra.discover_exports(browsers[0], infra.LIST_PAGES)
        entities = []
        for page in ("/programs/", "/regions/"):
            entities += [h for h in infra.links(browsers[0].get(page).text, page) if ENTITY.match(h)]
        for page in sorted({h for h in entities if h.startswith("/regions/")}):
            entities += [h for h in infra.links(browsers[0].get(page).text, page) if h.startswith("/clusters/")]
        entities = sorted({h for h in entities if ENTITY.match(h)})
        infra.log(f"dump-restore: {len(lists)} list exports, {len(entities)} entity pages")
        charts = [p for p in infra.discover_exports(browsers[0], entities) if p not in lists]
        infra.log(f"dump-restore: {len(charts)} chart exports")
        paths = [("ja", p) for p in lists] + [("en", p) for p in lists] + [("ja", p) for p in charts]
        paths.append(("ja", "/reports/dataset.zip"))
        results: list[dict] = [{}, {}]
        errors: list[str] = []
        threads = [
            threading.Thread(target=fetch_all, args=(browsers[i], paths, results[i], errors), daemon=True)
            for i in range(2)
        ]
        for thread in threads:
            thread.start()
        infra.log("dump-restore: fetching")
        for thread in threads:
            thread.join(timeout=150)
        if any(thread.is_alive() for thread in threads):
            raise infra.DrillFailed("fetching the exports took longer than 150 s")
    finally:
        for server in servers:
            server.stop()
        dump_file.unlink(missing_ok=True)
        original.drop()
        restored.drop()
    infra.log("dump-restore: comparing")
    counts = {"csv": 0, "xlsx": 0, "zip": 0}
    same_bytes_xlsx = 0
    differing, bad = [], []
    for key in paths:
        a, b = results[0].get(key), results[1].get(key)
        if a is None or b is None or a.status != 200 or b.status != 200:
            bad.append(f"{key[1]} ({a.status if a else '—'}/{b.status if b else '—'})")
            continue
        kind = "zip" if key[1].endswith(".zip") else "xlsx" if "export=xlsx" in key[1] else "csv"
        counts[kind] += 1
        if kind == "csv":
            equal = a.body == b.body
        elif kind == "xlsx":
            same_bytes_xlsx += a.body == b.body
            equal = workbook_cells(a.body, servers[0].port) == workbook_cells(b.body, servers[1].port)
        else:
            equal = zip_members(a.body) == zip_members(b.body)
        if not equal:
            differing.append(f"{key[0]} {key[1]}")
    compared = sum(counts.values())
    differ = {kind: sum(f"export={kind}" in d for d in differing) for kind in ("csv", "xlsx")}
    figures = (
        f"{compared} exports compared ({counts['csv']} CSV, byte-identical: {counts['csv'] - differ['csv']}; "
        f"{counts['xlsx']} XLSX, equal cell by cell: {counts['xlsx'] - differ['xlsx']} "
        f"[{same_bytes_xlsx} also byte-identical], dataset ZIP members equal: "
        f"{'yes' if counts['zip'] and not any('.zip' in d for d in differing) else 'no'}); "
        f"{len(lists)} list/report exports × 2 languages, {len(charts)} chart exports of {len(entities)} pages"
    )
    if differing:
        reasons.append(f"{len(differing)} exports differ after dump and restore: {', '.join(differing[:5])}")
    if bad or errors:
        reasons.append(f"{len(bad) + len(errors)} exports not answered 200 by both: {', '.join((bad + errors)[:5])}")
    return Result(not reasons, figures, reasons)
