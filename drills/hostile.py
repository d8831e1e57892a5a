"""hostile-inputs: hundreds of hostile posts to every edit form and dozens of hostile files to the
imports, against gunicorn in production mode.

Forms (500+ posts each, one client per form): budget line, outcome value, evaluation and source
(a program manager; edit and create URLs), cluster profile and annual report (a coordinator; their
own rows, and another region's). Each post starts from the form as served and breaks it: overlong
strings, wrong types, negative and huge numbers, full-width digits, NUL bytes, invalid UTF-8,
HTML/JS, template and SQL-ish strings, formula prefixes, forged foreign keys, missing and
duplicated fields, unknown fields, stale and forged versions, unknown actions, bodies that are not
forms at all; a few posts are left valid, so accepted writes are checked too.

Files (25+): empty, binary junk, wrong encodings, BOM variants, NUL bytes, a 9 MB line, an
unclosed quote, formula cells, too many rows or columns, mismatched and duplicated headers,
hostile file names, an .xlsx zip bomb, one of 60,000 empty rows, a huge declared dimension,
"billion laughs" XML, a CSV named .xlsx and an .xlsx named .csv. Every upload that is accepted is
previewed and confirmed.

Pass: no response ≥ 500 and no partial write. Before and after each phase every tracked table is
snapshotted ({id: version} and its history): a row may change only where a post answered 302
(by exactly as many versions as it had 302s; an annual report's funding, outcome and source rows
only for a report that answered 302; an import's table only when its confirmation answered 302),
nothing is deleted, and every version step has exactly one history record. Afterwards the pages
and exports showing what was stored must answer below 500.
"""

from __future__ import annotations

import io
import random
import threading
import time
import zipfile
from collections import Counter, defaultdict

from . import infra
from .infra import Browser, Result

POSTS_PER_FORM = 540
FILES_MIN = 25

TEXT = [
    "A" * 5001, "あ" * 5001, "x" * 60_000, "", " ", "\u3000", "\x00", "abc\x00def", "\x01\x02\x1b[31mred",
    "\r\n\r\n\t", "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</textarea><svg onload=alert(1)>",
    "javascript:alert(1)", "{{ 7*7 }}", "{% debug %}", "${7*7}", "'; DROP TABLE programs_budgetline; --",
    "1' OR '1'='1", "1; SELECT pg_sleep(5)--", "%s%s%s%n", "\\", "%00", '=HYPERLINK("http://evil.invalid","x")',
    "+cmd|' /C calc'!A0", "@SUM(1+1)", "－１", "＝1+1", " =1+1", "\u202eevil\u202c", "\ufeffbom", "👍" * 300,
    "null", "None", "undefined", "[]", "{}", "true", "\u0000\u0000", "ｶﾀｶﾅ", "𠮷野家", "\ud7ff",
    b"\xff\xfe\xfd", b"\xc0\xaf", b"\xed\xa0\x80", b"abc\xe3\x81",
]  # fmt: skip
NUMBER = [
    "-1", "-0", "−5", "▲100", "1e10", "1.5", "0x1F", "１２３４", "１，５６６，０００，０００", "1,566,000,000円",
    "9" * 30, str(10**15), str(10**15 + 1), str(2**63), str(2**63 - 1), str(-(2**63)), "1" + "0" * 400, "NaN",
    "Infinity", "-Infinity", " 42 ", "4 2", "٣", "Ⅻ", "½", "0" * 30 + "1", "+1", "1_000", "", "0", "1,,2", "¥100",
    "12\x00", "３．５", "1/2",
]  # fmt: skip
FISCAL_YEAR = [
    "1949",
    "1950",
    "2100",
    "2101",
    "0",
    "-2008",
    "平成20",
    "H20",
    "２００８",
    "2008.0",
    "99999999999",
    "2008",
]
DATE = [
    "2024-02-30", "0000-00-00", "99999-01-01", "2024-13-01", "yesterday", "2008/05/01", "２００８-０５-０１", "1-1-1",
    "2008-05-01T25:61:00", "1970-01-01T00:00:00+99:00",
]  # fmt: skip
URL = [
    "javascript:alert(1)", "http://" + "a" * 3000 + ".com", "file:///etc/passwd", "http://127.0.0.1:22/",
    "data:text/html,<script>alert(1)</script>", "//evil.invalid", "http://[::1", "https://例え.テスト/パス",
]  # fmt: skip
FOREIGN_KEY = ["999999999", "-1", "0", "abc", "1.0", "1 OR 1=1", "99999999999999999999", "", "１", "1e3", "[1]"]
CHOICE = ["", "xxx", "draft ", "DRAFT", "予算案", "'", "exact\x00", "<b>", "enacted" * 100]
VERSION = ["", "0", "-1", "abc", "1.5", str(10**20), "１", "1 OR 1=1"]
ACTION = ["", "accept", "return", "delete", "save\x00", "SAVE", "submit ", "<script>"]

#: what the free-text fields are made to hold once, for the pages and exports to show afterwards
STORED = "<script>alert(1)</script> =1+1 \u202eevil\u202c 👍 {{ 7*7 }} 𠮷 '; --\t\r\nx"
#: the same with control characters: the forms refuse it (400, nothing written); rows holding
#: them anyway still export (core.exports.xlsx_text; tests/core/test_control_characters.py)
CONTROL = "\x01\x02\x1b[31m" + STORED
NOT_TEXT = {
    "csrfmiddlewaretoken", "version", "opened", "action", "fiscal_year", "published", "url", "derived", "key",
    "program", "source", "indicator", "cluster", "replaces", "parent", "amount_yen", "value", "national_yen",
    "local_yen", "subsidy_change_pct", "order", "stage", "precision", "kind", "unit", "stage_alternative", "grade",
}  # fmt: skip
FOREIGN_KEYS = {"program", "source", "indicator", "cluster", "replaces", "parent"}
NUMBERS = {"amount_yen", "value", "national_yen", "local_yen", "subsidy_change_pct", "order"}
CHOICES = {"stage", "precision", "kind", "unit", "stage_alternative"}


def hostile_value(rng: random.Random, name: str):
    if rng.random() < 0.25:  # the wrong kind of value for the field
        return rng.choice(rng.choice([TEXT, NUMBER, FISCAL_YEAR, DATE, URL, FOREIGN_KEY, CHOICE]))
    if name in FOREIGN_KEYS:
        return rng.choice(FOREIGN_KEY)
    if name in NUMBERS or name.startswith("indicator_"):
        return rng.choice(NUMBER)
    if name == "fiscal_year":
        return rng.choice(FISCAL_YEAR)
    if name in ("published", "opened"):
        return rng.choice(DATE)
    if name == "url":
        return rng.choice(URL)
    if name in CHOICES:
        return rng.choice(CHOICE)
    if name == "version":
        return rng.choice(VERSION)
    if name == "action":
        return rng.choice(ACTION)
    if name == "derived":
        return rng.choice(["on", "off", "0", "false", "\x00", "2"])
    return rng.choice(TEXT)


class Target:
    """One form: where it is, who posts it, and what it may change."""

    def __init__(self, name: str, user: str, edit_paths: list[str], create_path: str | None, forbidden: list[str],
                 table: str, key=None):  # fmt: skip
        self.name = name
        self.user = user
        self.edit_paths = edit_paths  # each an existing row (or a report (cluster, year))
        self.create_path = create_path
        self.forbidden = forbidden  # another region's rows: must be 404, never written
        self.table = table
        self.key = key or {}  # path → row id (or (cluster id, year) for reports)


def mutate(rng: random.Random, fields: list[tuple[str, object]], target: Target):
    """The form's fields broken in one or more ways: (form or raw body, content type or None, whether
    it is hostile — a few posts are left valid)."""
    fields = list(fields)
    names = [n for n, _ in fields if n != "csrfmiddlewaretoken"]
    roll = rng.random()
    if roll < 0.04:  # left valid (with a harmless change where there is a free-text field)
        for text_field in ("note", "description_en", "summary_en", "locator", "precision_note"):
            if text_field in names:
                valid = infra.replace_fields(fields, **{text_field: f"drill hostile valid {rng.randrange(10**9)}"})
                return valid, None, False
        return fields, None, False
    if roll < 0.07:  # not a form at all
        junk = rng.choice([
            (b'{"version": 1, "amount_yen": -1}', "application/json"),
            (bytes(rng.randrange(256) for _ in range(2000)), "application/x-www-form-urlencoded"),
            (b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1", "multipart/form-data"),
            (b"a=1&" * 200_000, "application/x-www-form-urlencoded"),  # 800 KB, 200,000 fields
            (b"x=" + b"A" * 3_000_000, "application/x-www-form-urlencoded"),  # over DATA_UPLOAD_MAX_MEMORY_SIZE
            (b"%%%%%%=%%%&&&==", "application/x-www-form-urlencoded"),
        ])  # fmt: skip
        token = dict(fields).get("csrfmiddlewaretoken", "")
        body = (
            junk[0]
            if junk[1] != "application/x-www-form-urlencoded"
            else f"csrfmiddlewaretoken={token}&".encode() + junk[0]
        )
        return body, junk[1], True
    changed = list(fields)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        kind = rng.random()
        if kind < 0.6 and names:
            name = rng.choice(names)
            changed = [(n, hostile_value(rng, n) if n == name else v) for n, v in changed]
        elif kind < 0.7 and names:
            drop = rng.choice(names)
            changed = [(n, v) for n, v in changed if n != drop]
        elif kind < 0.8 and names:
            name = rng.choice(names)
            changed.append((name, hostile_value(rng, name)))  # the field twice
        elif kind < 0.88:
            changed = [(n, rng.choice(VERSION + ["1", "2"]) if n == "version" else v) for n, v in changed]
        elif kind < 0.94:
            extra = rng.choice(
                ["id", "pk", "history_user", "cluster", "region", "status", "is_superuser", "indicator_999999"]
            )
            changed.append((extra, rng.choice(FOREIGN_KEY + NUMBER[:5])))
        else:
            changed.append(("action", rng.choice(ACTION)))
    return changed, None, True


class Poster:
    """Posts one target's hostile forms; remembers every 302 (what it may have written)."""

    def __init__(self, port: int, target: Target, seed: int, stats: dict, lock: threading.Lock):
        self.browser = Browser(port, timeout=60)
        self.target = target
        self.rng = random.Random(seed)
        self.stats = stats
        self.lock = lock
        self.forms: dict[str, list] = {}

    def form(self, path: str) -> list | None:
        if path not in self.forms:
            page = self.browser.get(path)
            self.count(page.status, f"GET {path}")
            if page.status != 200:
                return None
            self.forms[path] = infra.edit_form(page.text)
        return self.forms[path]

    def count(self, status, what: str) -> None:
        with self.lock:
            self.stats["statuses"][status] += 1
            if not isinstance(status, int) or status >= 500:
                self.stats["failures"].append(f"{self.target.name}: {what} → {status}")

    def run(self, posts: int, deadline: float) -> None:
        target = self.target
        self.browser.login(target.user)
        sent = 0
        while sent < posts and time.monotonic() < deadline:
            roll = self.rng.random()
            if target.forbidden and roll < 0.05:
                path = self.rng.choice(target.forbidden)
                base = self.form(target.edit_paths[0])
            elif target.create_path and roll < 0.2:
                path = target.create_path
                base = self.form(path)
            else:
                path = self.rng.choice(target.edit_paths)
                base = self.form(path)
            if base is None:
                self.count("no form", path)
                sent += 1
                continue
            body, content_type, hostile = mutate(self.rng, base, target)
            try:
                if content_type is None:
                    response = self.browser.post(path, body)
                else:
                    response = self.browser.request("POST", path, form=body, headers={"Content-Type": content_type})
                status = response.status
            except Exception as error:  # noqa: BLE001 - a dropped connection is a finding
                status = type(error).__name__
            sent += 1
            self.count(status, f"POST {path}")
            with self.lock:
                self.stats["posts"][target.name] += 1
                self.stats["hostile"][target.name] += hostile
                if status == 302:
                    if path in target.forbidden:
                        self.stats["failures"].append(
                            f"{target.name}: POST {path} to another region's row answered 302"
                        )
                    self.stats["accepted"][target.name].append(path)
            if status == 302 and path in target.key:
                # the row moved on by one version: post from the form as served, with the new version
                self.forms[path] = [(n, str(int(v or 0) + 1) if n == "version" else v) for n, v in self.forms[path]]
            elif status == 409:
                self.forms.pop(path, None)  # read the form again
        self.store(deadline + 30)

    def store(self, deadline: float) -> int:
        """Valid posts whose every free-text field holds STORED, so that the pages and exports checked
        afterwards show it (the random posts may or may not leave such values behind)."""
        sent = 0
        for path in self.target.edit_paths:
            base = self.form(path)
            if base is None or time.monotonic() > deadline:
                continue
            texts = [n for n, _ in base if n not in NOT_TEXT and not n.startswith("indicator_")]
            if texts:
                refused = self.browser.post(path, infra.replace_fields(base, **dict.fromkeys(texts, CONTROL)))
                sent += 1
                self.count(refused.status, f"POST {path} (control characters)")
                with self.lock:
                    self.stats["posts"][self.target.name] += 1
                    self.stats["control"][refused.status] += 1
                    if refused.status == 302:
                        self.stats["accepted"][self.target.name].append(path)
                if refused.status == 302:
                    self.forms.pop(path, None)
                    base = self.form(path) or base
            body = infra.replace_fields(base, **dict.fromkeys(texts, STORED))
            response = self.browser.post(path, body)
            sent += 1
            self.count(response.status, f"POST {path} (stored values)")
            with self.lock:
                self.stats["posts"][self.target.name] += 1
                self.stats["stored"][response.status] += 1
                if response.status == 302:
                    self.stats["accepted"][self.target.name].append(path)
            self.forms.pop(path, None)
        return sent


def build_targets(db: infra.Database) -> list[Target]:
    q = db.query
    budget = [r[0] for r in q("SELECT id FROM programs_budgetline ORDER BY id LIMIT 2")]
    outcome = [r[0] for r in q("SELECT id FROM programs_outcomevalue ORDER BY id LIMIT 2")]
    evaluation = [r[0] for r in q("SELECT id FROM clusters_evaluation ORDER BY id LIMIT 2")]
    source = [r[0] for r in q("SELECT id FROM programs_source WHERE kind = 'official' ORDER BY id LIMIT 2")]
    clusters = q("SELECT c.id, c.slug, r.slug FROM clusters_cluster c JOIN clusters_region r ON r.id = c.region_id "
                 "WHERE r.slug IN ('hamamatsu', 'sapporo') ORDER BY c.id")  # fmt: skip
    own = [(cid, slug) for cid, slug, region in clusters if region == "hamamatsu"]
    other = [(cid, slug) for cid, slug, region in clusters if region == "sapporo"]
    if not (budget and outcome and evaluation and source and own and other):
        raise infra.DrillFailed("the seed lacks rows to edit")
    return [
        Target("budget line", "manager", [f"/budgets/{pk}/edit/" for pk in budget], "/budgets/new/", [],
               "programs_budgetline", {f"/budgets/{pk}/edit/": pk for pk in budget}),
        Target("outcome value", "manager", [f"/outcomes/values/{pk}/edit/" for pk in outcome], "/outcomes/values/new/",
               [], "programs_outcomevalue", {f"/outcomes/values/{pk}/edit/": pk for pk in outcome}),
        Target("evaluation", "manager", [f"/evaluations/{pk}/edit/" for pk in evaluation], "/evaluations/new/", [],
               "clusters_evaluation", {f"/evaluations/{pk}/edit/": pk for pk in evaluation}),
        Target("source", "manager", [f"/sources/{pk}/edit/" for pk in source], "/sources/new/", [],
               "programs_source", {f"/sources/{pk}/edit/": pk for pk in source}),
        Target("cluster profile", "coord-hamamatsu", [f"/clusters/{slug}/edit/" for _, slug in own], None,
               [f"/clusters/{slug}/edit/" for _, slug in other], "clusters_cluster",
               {f"/clusters/{slug}/edit/": cid for cid, slug in own}),
        Target("annual report", "coord-hamamatsu", [], None, [], "clusters_annualreport"),
    ]  # fmt: skip


def report_targets(port: int, target: Target, db: infra.Database) -> None:
    """Two report years of the coordinator's clusters, and one of another region's (must be 404)."""
    browser = Browser(port)
    browser.login("coord-hamamatsu")
    ids = dict(db.query("SELECT slug, id FROM clusters_cluster"))
    years = []
    for slug in sorted(s for s in ids if s.startswith("hamamatsu")):
        years += [
            h for h in infra.links(browser.get(f"/clusters/{slug}/").text, "/") if f"/clusters/{slug}/reports/" in h
        ]
    if len(years) < 2:
        raise infra.DrillFailed("no report years found for the coordinator")
    target.edit_paths = [years[0], years[-1]]
    target.key = {p: (ids[p.split("/")[2]], int(p.split("/")[4])) for p in target.edit_paths}
    fy = int(years[-1].split("/")[4])
    other = sorted(s for s in ids if s.startswith("sapporo"))
    target.forbidden = [f"/clusters/{other[-1]}/reports/{fy}/", f"/clusters/{other[0]}/reports/2008/"]


# --- snapshots and what a phase may have changed -------------------------------------------------


def state(db: infra.Database) -> dict:
    """{table: {id: version}} for the tracked tables, each history table's highest id, import batches."""
    result = {"rows": {}, "history_max": {}}
    conn = db.connect()
    try:
        with conn.cursor() as cursor:
            for table in infra.tracked_tables(db):
                cursor.execute(f'SELECT id, version FROM "{table}"')
                result["rows"][table] = dict(cursor.fetchall())
                cursor.execute(f'SELECT coalesce(max(history_id), 0) FROM "{infra.history_table(table)}"')
                result["history_max"][table] = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM core_importbatch")
            result["batches"] = cursor.fetchone()[0]
    finally:
        conn.close()
    return result


def changes(db: infra.Database, before: dict, after: dict) -> tuple[dict, list[str]]:
    """{table: {id: versions gained}} between two states, and every inconsistency: a deleted row,
    or a version step without exactly one history record."""
    problems, gained = [], {}
    conn = db.connect()
    try:
        with conn.cursor() as cursor:
            for table, rows in after["rows"].items():
                old = before["rows"].get(table, {})
                cursor.execute(
                    f'SELECT id, count(*), min(history_type), max(history_type) FROM "{infra.history_table(table)}" '
                    "WHERE history_id > %s GROUP BY id",
                    [before["history_max"].get(table, 0)],
                )
                history = {pk: (n, lo, hi) for pk, n, lo, hi in cursor.fetchall()}
                for pk in old.keys() - rows.keys():
                    problems.append(f"{table} {pk} deleted")
                delta = {pk: version - old.get(pk, 0) for pk, version in rows.items() if version != old.get(pk, 0)}
                for pk in delta.keys() | history.keys():
                    if history.get(pk, (0,))[0] != delta.get(pk, 0):
                        problems.append(
                            f"{table} {pk}: {delta.get(pk, 0)} versions, {history.get(pk, (0,))[0]} history"
                        )
                gained[table] = delta
    finally:
        conn.close()
    return gained, problems


def check_forms(db: infra.Database, gained: dict, targets: list[Target], accepted: dict) -> list[str]:
    """Rows changed only where posts answered 302, by exactly as many versions (creates: one each)."""
    problems = []
    report_keys = set()
    expected: dict[str, Counter] = defaultdict(Counter)
    creates: Counter = Counter()
    for target in targets:
        for path in accepted.get(target.name, []):
            if target.name == "annual report":
                report_keys.add(target.key[path])
                expected[target.table][target.key[path]] += 1
            elif path == target.create_path:
                creates[target.table] += 1
            else:
                expected[target.table][target.key[path]] += 1
    # rows an accepted annual report may write besides itself
    scoped: dict[str, set] = defaultdict(set)
    report_ids = {}
    for cluster_id, fy in report_keys:
        for table in ("clusters_annualreport", "clusters_clusterfunding", "clusters_clusteroutcome"):
            ids = {r[0] for r in db.query(f"SELECT id FROM {table} WHERE cluster_id = %s AND fiscal_year = %s",
                                          [cluster_id, fy])}  # fmt: skip
            scoped[table] |= ids
            if table == "clusters_annualreport":
                report_ids.update(dict.fromkeys(ids, (cluster_id, fy)))
        slug = db.query("SELECT slug FROM clusters_cluster WHERE id = %s", [cluster_id])[0][0]
        scoped["programs_source"] |= {r[0] for r in db.query("SELECT id FROM programs_source WHERE key = %s",
                                                             [f"annual-report-{slug}-{fy}"[:80]])}  # fmt: skip
    for table, delta in gained.items():
        new_rows = 0
        for pk, steps in delta.items():
            if table == "clusters_annualreport":
                if pk not in report_ids or steps != expected[table][report_ids[pk]]:
                    problems.append(f"annual report {pk}: +{steps} versions, {expected[table].get(report_ids.get(pk))} "
                                    "posts answered 302")  # fmt: skip
                continue
            if pk in scoped.get(table, set()):
                continue
            if pk in expected[table]:
                if steps != expected[table][pk]:
                    problems.append(f"{table} {pk}: +{steps} versions, {expected[table][pk]} posts answered 302")
                continue
            new_rows += 1
            if steps != 1:
                problems.append(f"{table} {pk}: a new row with {steps} versions")
        if new_rows != creates[table]:
            problems.append(
                f"{table}: {new_rows} rows created or changed unexpectedly, {creates[table]} creates answered 302"
            )
    for table, counter in expected.items():
        if table == "clusters_annualreport":
            continue
        for pk, posts in counter.items():
            if gained.get(table, {}).get(pk, 0) != posts:
                problems.append(
                    f"{table} {pk}: {posts} posts answered 302 but +{gained.get(table, {}).get(pk, 0)} versions"
                )
    return problems


# --- hostile files --------------------------------------------------------------------------------


def xlsx_parts(sheet_xml: bytes, shared: bytes | None = None) -> dict[str, bytes]:
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main'
            b'+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.worksheet+xml"/>'
            + (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
               b'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else b"")
            + b"</Types>"
        ),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            + (b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               b'sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else b"")
            + b"</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }  # fmt: skip
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return parts


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main">')  # fmt: skip


def inline_row(number: int, values: list[str]) -> bytes:
    cells = b"".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'.encode() for i, v in enumerate(values)
    )
    return f'<row r="{number}">'.encode() + cells + b"</row>"


def clean_exports(port: int) -> dict[str, bytes]:
    """The budget-line export (CSV, XLSX) and the coordinator's funding export, as the seed has them."""
    manager = Browser(port, timeout=60)
    manager.login("manager")
    coordinator = Browser(port, timeout=60)
    coordinator.login("coord-hamamatsu")
    result = {
        "budget.csv": manager.get("/budgets/?export=csv"),
        "budget.xlsx": manager.get("/budgets/?export=xlsx"),
        "funding.csv": coordinator.get("/funding/?export=csv"),
    }
    for name, response in result.items():
        if response.status != 200:
            raise infra.DrillFailed(f"the seed's {name} export answered {response.status}")
    return {name: response.body for name, response in result.items()}


def hostile_files(exports: dict[str, bytes]) -> list[tuple[str, str, bytes]]:
    """(import kind, file name, content): at least 25 files meant to break the importer."""
    budget_export, budget_xlsx = exports["budget.csv"], exports["budget.xlsx"]
    header, row = budget_export.removeprefix(b"\xef\xbb\xbf").decode().split("\r\n")[:2]
    funding = exports["funding.csv"].removeprefix(b"\xef\xbb\xbf").decode().split("\r\n")
    funding_cells = funding[1].split(",")
    formula_funding = ",".join([funding_cells[0], "=1+1", *funding_cells[2:]])
    body = budget_export.removeprefix(b"\xef\xbb\xbf")
    text = body.decode("utf-8")
    valid = (header + "\r\n" + row + "\r\n").encode()
    header_cells = header.split(",")
    values = row.split(",")
    files = [
        ("budget-lines", "empty.csv", b""),
        ("budget-lines", "empty.xlsx", b""),
        ("budget-lines", "junk.csv", bytes(random.Random(1).randrange(256) for _ in range(20_000))),
        ("budget-lines", "junk.xlsx", bytes(random.Random(2).randrange(256) for _ in range(20_000))),
        ("budget-lines", "png.csv", b"\x89PNG\r\n\x1a\n" + bytes(200)),
        ("budget-lines", "utf16le.csv", b"\xff\xfe" + text.encode("utf-16-le")),
        ("budget-lines", "utf16be.csv", b"\xfe\xff" + text.encode("utf-16-be")),
        ("budget-lines", "utf32.csv", text.encode("utf-32")),
        ("budget-lines", "eucjp.csv", text.encode("euc-jp", "replace")),
        ("budget-lines", "latin1.csv", (header + "\r\n" + row + ",café\r\n").encode("latin-1", "replace")),
        ("budget-lines", "broken-utf8-bom.csv", b"\xef\xbb\xbf" + valid + b"\xe3\x81\r\n"),
        ("budget-lines", "bom-export.csv", budget_export),
        ("budget-lines", "no-bom-export.csv", body),
        ("budget-lines", "double-bom.csv", b"\xef\xbb\xbf" + budget_export),
        ("budget-lines", "bom-utf16.csv", b"\xef\xbb\xbf\xff\xfe" + header.encode("utf-16-le")),
        ("budget-lines", "cp932-export.csv", text.encode("cp932", "replace")),
        ("budget-lines", "nul.csv", valid.replace(b",", b",\x00", 1)),
        ("budget-lines", "huge-line.csv", header.encode() + b"\r\n" + b"A" * 9_000_000 + b"\r\n"),
        ("budget-lines", "unclosed-quote.csv", header.encode() + b'\r\n"' + b"x," * 500_000),
        ("budget-lines", "formulas.csv", (header + "\r\n" + ",".join(
            [values[0], values[1], values[2], values[3]] + ['=HYPERLINK("http://evil.invalid","x")'] * (len(values) - 4)
        ) + "\r\n" + "=1+1,+2,-3,@SUM(1)\r\n\t=1,\r=2,＝3,－4\r\n").encode()),  # fmt: skip
        ("budget-lines", "mac-line-endings.csv", valid.replace(b"\r\n", b"\r")),
        ("budget-lines", "too-many-rows.csv", header.encode() + b"\r\n" + b"x,2008,draft,1\r\n" * 50_001),
        ("budget-lines", "empty-rows.csv", header.encode() + b"\r\n" + b",,,,\r\n" * 60_000),
        ("budget-lines", "too-many-columns.csv", (",".join(f"c{i}" for i in range(5000)) + "\r\n1\r\n").encode()),
        ("budget-lines", "mismatched-headers.csv", b"foo,bar,baz\r\n1,2,3\r\n"),
        ("budget-lines", "duplicated-headers.csv", f"{header},{header}\r\n{row},{row}\r\n".encode()),
        ("budget-lines", "headers-only.csv", (header + "\r\n").encode()),
        ("budget-lines", "../../etc/passwd.csv", valid),
        ("budget-lines", "a" * 300 + ".csv", valid),
        ("budget-lines", "no-extension", valid),
        ("budget-lines", "report.xlsx.exe", valid),
        ("budget-lines", "csv-named.xlsx", valid),
        ("budget-lines", "xlsx-named.csv", budget_xlsx),
        ("budget-lines", "zip-bomb.xlsx", zipped(xlsx_parts(
            SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            b'2006/main" count="1" uniqueCount="1"><si><t>' + b"A" * 60_000_000 + b"</t></si></sst>"))),
        ("budget-lines", "empty-rows.xlsx", zipped(xlsx_parts(
            SHEET_HEAD + b"<sheetData>" + inline_row(1, header_cells)
            + b"".join(f'<row r="{n}"/>'.encode() for n in range(2, 60_002)) + b"</sheetData></worksheet>"))),
        ("budget-lines", "huge-dimension.xlsx", zipped(xlsx_parts(
            SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>' + inline_row(1, header_cells)
            + inline_row(1048576, values) + b"</sheetData></worksheet>"))),
        ("budget-lines", "billion-laughs.xlsx", zipped(xlsx_parts(
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
            b'&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
            b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;'
            b'&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'
            b'&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
            b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;'
            b'&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c>'
            b"</row></sheetData></worksheet>"))),
        ("budget-lines", "external-entity.xlsx", zipped(xlsx_parts(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + SHEET_HEAD[38:]
            + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'))),
        ("budget-lines", "not-a-workbook.xlsx", zipped({"hello.txt": b"hello"})),
        ("budget-lines", "valid-export.xlsx", budget_xlsx),
        ("outcome-values", "budget-file-as-outcomes.csv", budget_export),
        ("outcome-values", "junk.xlsx", bytes(random.Random(3).randrange(256) for _ in range(5000))),
        ("cluster-funding", "budget-file-as-funding.csv", budget_export),
        ("cluster-funding", "formula-cells.csv", f"{funding[0]}\r\n{formula_funding}\r\n".encode()),
        ("cluster-funding", "own-export.csv", exports["funding.csv"]),
        ("cluster-outcomes", "empty.csv", b"\xef\xbb\xbf"),
    ]  # fmt: skip
    return files


def post_files(port: int, files, stats: dict, lock: threading.Lock, deadline: float) -> dict:
    """Upload each file as the user allowed to import its kind; preview and confirm what is accepted."""
    results = {"uploads": Counter(), "confirmed": Counter(), "staged": 0, "refused": 0}
    browsers = {}
    for kind, name, content in files:
        if time.monotonic() > deadline:
            stats["failures"].append("files: out of time")
            break
        user = "coord-hamamatsu" if kind.startswith("cluster-") else "manager"
        if user not in browsers:
            browsers[user] = Browser(port, timeout=90)
            browsers[user].login(user)
        browser = browsers[user]
        path = f"/imports/{kind}/"
        form = browser.get(path)
        try:
            response = browser.request("POST", path, form=[("csrfmiddlewaretoken", infra.csrf(form.text))],
                                       files=[("file", name, content)])  # fmt: skip
            status = response.status
        except Exception as error:  # noqa: BLE001 - a dropped connection is a finding
            status, response = type(error).__name__, None
        with lock:
            stats["files"] += 1
            stats["statuses"][status] += 1
            results["uploads"][status] += 1
            if not isinstance(status, int) or status >= 500:
                stats["failures"].append(f"upload {name} → {status}")
        infra.log(f"hostile file {kind} {name[:60]} ({len(content)} bytes): upload {status}")
        if status != 302:
            results["refused"] += 1
            continue
        results["staged"] += 1
        preview = browser.get(response.location)
        with lock:
            stats["statuses"][preview.status] += 1
            if preview.status >= 500:
                stats["failures"].append(f"preview {name} → {preview.status}")
        if preview.status != 200 or 'name="csrfmiddlewaretoken"' not in preview.text:
            continue
        confirm = browser.post(response.location, {"csrfmiddlewaretoken": infra.csrf(preview.text)})
        with lock:
            stats["statuses"][confirm.status] += 1
            if confirm.status >= 500:
                stats["failures"].append(f"confirm {name} → {confirm.status}")
            if confirm.status == 302:
                results["confirmed"][kind] += 1
        infra.log(f"hostile file {name[:60]}: preview {preview.status}, confirm {confirm.status}")
    return results


IMPORT_TABLES = {
    "budget-lines": "programs_budgetline",
    "outcome-values": "programs_outcomevalue",
    "cluster-funding": "clusters_clusterfunding",
    "cluster-outcomes": "clusters_clusteroutcome",
}
AFTER_PAGES = [
    "/", "/budgets/", "/outcomes/", "/outcomes/values/", "/sources/", "/regions/", "/regions/hamamatsu/",
    "/regions/hamamatsu/history/", "/funding/", "/cluster-outcomes/", "/reports/status/", "/programs/",
    "/reports/budget-pivot/", "/reports/region-funding/", "/reports/dataset.zip",
]  # fmt: skip
AFTER_PAGES += [
    f"{page}?export={kind}"
    for page in ("/budgets/", "/outcomes/values/", "/sources/", "/regions/", "/funding/", "/cluster-outcomes/",
                 "/programs/", "/reports/status/", "/reports/region-funding/")
    for kind in ("csv", "xlsx")
] + ["/budgets/?export=csv&encoding=cp932", "/sources/?export=csv&encoding=cp932"]  # fmt: skip


def drill() -> Result:
    db = infra.seeded_database("hostile")
    server = infra.Gunicorn(infra.app_env(db.url), workers=3, name="hostile")
    stats = {
        "statuses": Counter(), "failures": [], "posts": Counter(), "accepted": defaultdict(list), "files": 0,
        "stored": Counter(), "control": Counter(), "hostile": Counter(),
    }  # fmt: skip
    lock = threading.Lock()
    reasons: list[str] = []
    try:
        server.start()
        targets = build_targets(db)
        report_targets(server.port, targets[-1], db)
        exports = clean_exports(server.port)  # the files' raw material, before the forms store hostile text
        # --- phase 1: forms
        before = state(db)
        deadline = time.monotonic() + 150
        posters = [Poster(server.port, t, seed, stats, lock) for seed, t in enumerate(targets)]
        threads = [threading.Thread(target=p.run, args=(POSTS_PER_FORM, deadline), daemon=True) for p in posters]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, deadline + 70 - time.monotonic()))
        forms_seconds = time.monotonic() - began
        if any(t.is_alive() for t in threads):
            reasons.append("form posters still running at the deadline")
        middle = state(db)
        gained, problems = changes(db, before, middle)
        problems += check_forms(db, gained, targets, stats["accepted"])
        # --- phase 2: files
        files = hostile_files(exports)
        began = time.monotonic()
        file_results = post_files(server.port, files, stats, lock, time.monotonic() + 120)
        files_seconds = time.monotonic() - began
        after = state(db)
        file_gained, file_problems = changes(db, middle, after)
        for kind, table in IMPORT_TABLES.items():
            if file_gained.get(table) and not file_results["confirmed"][kind]:
                file_problems.append(f"{table} changed by files although no {kind} import was confirmed")
        for table, delta in file_gained.items():
            if delta and table not in IMPORT_TABLES.values():
                file_problems.append(f"{table} changed by an import")
        if after["batches"] - middle["batches"] != file_results["staged"]:
            file_problems.append(f"{after['batches'] - middle['batches']} import batches stored, "
                                 f"{file_results['staged']} uploads accepted")  # fmt: skip
        # --- what was stored still renders
        viewer = Browser(server.port, timeout=60)
        viewer.login("analyst")
        rendered, broken_pages = Counter(), []
        coordinator = Browser(server.port, timeout=60)
        coordinator.login("coord-hamamatsu")
        pages = [(viewer, p) for p in AFTER_PAGES] + [(coordinator, p) for t in targets[4:] for p in t.edit_paths]
        pages += [(viewer, p.replace("/edit/", "/").split("/reports/")[0] + "/") for p in targets[4].edit_paths]
        for browser, path in pages:
            status = browser.get(path).status
            rendered[status] += 1
            if status >= 500:
                stats["failures"].append(f"afterwards GET {path} → {status}")
                broken_pages.append(path)
        tracebacks = infra.count_in_log(server, "Internal Server Error")
    finally:
        server.stop()
        db.drop()
    five = sum(n for s, n in stats["statuses"].items() if not isinstance(s, int) or s >= 500)
    posts = sum(stats["posts"].values())
    accepted = sum(len(v) for v in stats["accepted"].values())
    per_form = min(stats["hostile"].get(t.name, 0) for t in targets)
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(stats["statuses"].items(), key=lambda i: str(i[0])))
    figures = (
        f"{posts} form posts ({per_form}+ hostile per form, {len(targets)} forms, {forms_seconds:.0f} s; "
        f"{accepted} answered 302), "
        f"{stats['files']} files ({file_results['staged']} staged, {sum(file_results['confirmed'].values())} "
        f"confirmed, {files_seconds:.0f} s); ≥500 or dropped: {five}; partial writes: "
        f"{len(problems) + len(file_problems)}; statuses {{{statuses}}}; {stats['stored'][302]} of "
        f"{sum(stats['stored'].values())} posts storing HTML, formulas and bidi controls in every text field "
        f"accepted, {stats['control'][400]} of {sum(stats['control'].values())} with control characters refused; "
        f"afterwards {sum(rendered.values())} pages and exports showing them, {len(broken_pages)} ≥ 500"
    )
    infra.log(f"hostile: accepted { {k: len(v) for k, v in stats['accepted'].items()} }; files {file_results}")
    during = [f for f in stats["failures"] if not f.startswith("afterwards")]
    if five or during:
        reasons.append(f"{five} responses ≥ 500 or dropped ({'; '.join(during[:4])})")
    if broken_pages:
        reasons.append(
            f"hostile values the forms accepted break {len(broken_pages)} pages or exports: {', '.join(broken_pages)}"
        )
    if five or during or broken_pages:
        reasons.append(f"{tracebacks} server errors logged in {server.error_log}")
    if problems or file_problems:
        reasons.append(f"writes not explained by a 302: {'; '.join((problems + file_problems)[:5])}")
    if stats["control"][302]:
        reasons.append(f"{stats['control'][302]} posts with control characters were accepted")
    if per_form < 500:
        reasons.append(f"only {per_form} hostile posts to one of the forms")
    if stats["files"] < FILES_MIN:
        reasons.append(f"only {stats['files']} files")
    return Result(not reasons, figures, reasons)
