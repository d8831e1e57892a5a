"""Fast exports (issue 13, item 6) keep their shape: the streamed XLSX writer (core/xlsx.py) and
the per-column CSV conversions give, cell for cell, what openpyxl and plain() gave; an export
of many rows makes the same number of queries as one of few; exports still import back."""

import csv
import datetime as dt
import io
import random
import unicodedata
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import exports
from core.exports import Column, iter_csv_lines, plain, xlsx_response, xlsx_text
from core.formatting import UNIT_DIVISOR, Unit
from core.xlsx import Workbook

pytestmark = pytest.mark.django_db

KINDS = ["text", "int", "yen", "money", "decimal", "number", "date"]
COLUMNS = [Column(f"c_{kind}", f"列{kind}", f"Column {kind}", kind) for kind in KINDS]
#: values each column may meet: what the database gives, and what report rows put there
VALUES = {
    "text": [None, "", "浜松", "R&D <b>", " lead", "trail ", "   ", "=SUM(A1)", "＝1", "\u3000-1", "-3% 前年度比",
             "a\x01b", "\tx", "'quoted", 2008, True, dt.date(2008, 4, 1), "\u207a81", "x\uffff"],
    "int": [None, 0, 7, -5, 2008, True, Decimal("12"), 3.0, 12_345_678_901_234_567],
    "yen": [None, 0, 1_566_000_000, -824_000_000, 2**53 + 1, 7_500_000_000, 1],
    "money": [None, 0, 1, -5, 1_566_000_000, -824_000_000, 123_456_789, 2**53 + 3, 9_007_199_254_740_993_000,
              Decimal("1500000.5"), 1_500_000.25, True],
    "decimal": [None, Decimal("35.1234"), 139.5, "34.7", 0],
    "number": [None, 12, "3.5", Decimal("-0.25"), "n/a", "-x", "1,234"],
    "date": [None, dt.date(2009, 3, 31), dt.datetime(2009, 3, 31, 12, 30), "2009-03-31", "=1"],
}  # fmt: skip


def random_rows(n: int, seed: int = 13) -> list[tuple]:
    rng = random.Random(seed)
    return [tuple(rng.choice(VALUES[kind]) for kind in KINDS) for _ in range(n)]


# --- the reference: what the exports wrote before (openpyxl per cell; plain() per cell) ------------


def openpyxl_reference(columns, rows, unit) -> bytes:
    """The data sheet as core.exports.xlsx_response wrote it with openpyxl (write-only, a
    WriteOnlyCell per cell), up to issue 13."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Data")
    sheet.freeze_panes = "A2"
    headers = [xlsx_text(exports.escape_formula(c.label("ja", unit))) for c in columns]
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, len(header) * 2 + 2))
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    decimals = {Unit.THOUSAND: "#,##0", Unit.MILLION: "#,##0.######", Unit.HUNDRED_MILLION: "#,##0.########"}
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            if value is None:
                cells.append(None)
                continue
            if column.kind == "money":
                cell = WriteOnlyCell(sheet, value=Decimal(value) / UNIT_DIVISOR[unit])
                cell.number_format = decimals[unit]
            elif column.kind in ("int", "yen"):
                cell = WriteOnlyCell(sheet, value=int(value))
                cell.number_format = "#,##0" if column.kind == "yen" else "0"
            elif column.kind == "decimal":
                cell = WriteOnlyCell(sheet, value=Decimal(str(value)))
                cell.number_format = "0.0"
            elif column.kind == "number" and exports._is_number(value):
                cell = WriteOnlyCell(sheet, value=Decimal(str(value)))
                cell.number_format = "#,##0.########"
            else:
                cell = WriteOnlyCell(sheet, value=xlsx_text(plain(value, column, unit)))
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cells(content: bytes) -> list[list[tuple]]:
    """Every cell of the first sheet as (value, Python type, data type, number format, bold)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [
        [(c.value, type(c.value).__name__, c.data_type, c.number_format, bool(c.font.b)) for c in row]
        for row in sheet.iter_rows()
    ]


def exported(columns, rows, unit, title="Data") -> bytes:
    from django.utils import translation

    with translation.override("ja"):
        response = xlsx_response(filename="x.xlsx", columns=columns, rows=rows, unit=unit, about=[], title=title)
    return response.content


# --- XLSX: cell for cell as before ---------------------------------------------------------------------


@pytest.mark.parametrize("unit", list(Unit))
def test_xlsx_cells_keep_their_types_and_number_formats_per_column_kind(unit):
    rows = random_rows(400)
    assert cells(exported(COLUMNS, rows, unit)) == cells(openpyxl_reference(COLUMNS, rows, unit))


def test_xlsx_number_formats_and_types_by_kind():
    """The formats named in DESIGN §5: money in the display unit, yen "#,##0", ints "0"."""
    row = ("浜松", 2008, 1_566_000_000, 1_566_000_000, Decimal("34.7"), "12", dt.date(2008, 4, 1))
    got = cells(exported(COLUMNS, [row], Unit.MILLION))
    header, data = got
    assert all(bold and kind == "str" for _, kind, _, _, bold in header)
    assert [(value, kind, fmt) for value, kind, _, fmt, _ in data] == [
        ("浜松", "str", "General"),
        (2008, "int", "0"),
        (1_566_000_000, "int", "#,##0"),
        (1566, "int", "#,##0.######"),  # 1566百万円: the unit's number, a whole one reads back as int
        (34.7, "float", "0.0"),
        (12, "int", "#,##0.########"),
        ("2008-04-01", "str", "General"),
    ]
    _, data = cells(exported(COLUMNS, [row], Unit.HUNDRED_MILLION))
    assert data[3][:2] == (15.66, "float") and data[3][3] == "#,##0.########"


def test_xlsx_sheet_layout_as_before():
    content = exported(COLUMNS, random_rows(3), Unit.MILLION, title="=budget:lines")
    book, reference = (openpyxl.load_workbook(io.BytesIO(c)) for c in (content, openpyxl_reference(COLUMNS, [], 0)))
    data, about = book.worksheets
    assert book.sheetnames == ["budget_lines", "About"]  # core.exports.sheet_title: no formula start, no ':'
    assert data.freeze_panes == reference.worksheets[0].freeze_panes == "A2"
    widths = {key: dim.width for key, dim in data.column_dimensions.items()}
    assert widths == {key: dim.width for key, dim in reference.worksheets[0].column_dimensions.items()}
    assert about.column_dimensions["A"].width == 28 and about.column_dimensions["B"].width == 100
    assert about.freeze_panes is None


def test_xlsx_opens_as_a_valid_package():
    """Read by openpyxl in both modes and by Python's zipfile: the parts, the content types and
    the relationships a spreadsheet application looks for."""
    import zipfile

    content = exported(COLUMNS, random_rows(50), Unit.MILLION)
    names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
            "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} <= names  # fmt: skip
    read_only = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = list(read_only.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 51 and rows[0][0] == "列text"
    read_only.close()


def test_workbook_writes_rows_into_the_file_while_they_come():
    """Rows are compressed into the file as they are appended, not collected first: after
    20,000 appended rows most of their bytes are already in the output."""
    buffer = io.BytesIO()
    workbook = Workbook(buffer)
    with workbook, workbook.sheet("Data", number_styles=[workbook.style(number_format="#,##0")]) as sheet:
        for n in range(20_000):
            sheet.append([n * 1000, f"行{n}"])
        written = buffer.tell()
    assert written > 0.9 * buffer.tell()


def test_text_is_escaped_for_xml_and_kept():
    rows = [("<&>\"'", 1, 1, 1, 1, 1, "x"), ("a\x00b\x1fc\x7f\x85", 1, 1, 1, 1, 1, "x")]
    data = openpyxl.load_workbook(io.BytesIO(exported(COLUMNS, rows, Unit.MILLION))).worksheets[0]
    assert data["A2"].value == "<&>\"'"
    assert data["A3"].value == "a\ufffdb\ufffdc\x7f\x85"  # what XML forbids becomes U+FFFD (xlsx_text)


# --- CSV: field for field as plain() -------------------------------------------------------------------


@pytest.mark.parametrize("unit", list(Unit))
def test_csv_fields_equal_plain_per_cell(unit):
    rows = random_rows(2000, seed=7)
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow([exports.escape_formula(c.label("ja", unit)) for c in COLUMNS])
    writer.writerows([plain(value, column, unit) for column, value in zip(COLUMNS, row, strict=True)] for row in rows)
    assert "".join(iter_csv_lines(COLUMNS, rows, unit, "ja")) == expected.getvalue()
    dicts = [{c.key: v for c, v in zip(COLUMNS, row, strict=True) if v is not None} for row in rows]
    assert "".join(iter_csv_lines(COLUMNS, dicts, unit, "ja")) == expected.getvalue()  # dict rows too


def test_money_in_every_unit_equals_the_decimal_division():
    rng = random.Random(5)
    column = Column("m", "m", "m", "money")
    values = [0, 1, -1, 10**18, -(10**18) + 7, *(rng.randrange(-(10**15), 10**15) for _ in range(5000))]
    for unit in Unit:
        convert = exports._csv_row([column], unit)
        for value in values:
            decimal = Decimal(value) / UNIT_DIVISOR[unit]
            assert convert((value,)) == [format(decimal.normalize(), "f") if decimal else "0"], (value, unit)


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="2 values for 7 columns"):
        "".join(iter_csv_lines(COLUMNS, [("a", 1)], Unit.MILLION, "ja"))


def test_the_quick_formula_check_misses_no_character():
    """escape_formula looks only at texts whose first character is in _RISKY_FIRST: every
    character that can start a formula (directly, by NFKC, or as a skipped blank) is in it, and
    _FORMULA_LOOKALIKES is exactly what NFKC turns into = + - @ −."""
    lookalikes, starts = set(), set()
    for code in range(0x110000):
        char = chr(code)
        if char in exports._FORMULA_CHARS or unicodedata.normalize("NFKC", char) in exports._FORMULA_CHARS:
            lookalikes.add(char)
        if exports._LEADING_BLANKS.match(char).end() or exports.looks_like_formula(char + "1"):
            starts.add(char)
    assert lookalikes == exports._FORMULA_LOOKALIKES
    assert starts | lookalikes <= exports._RISKY_FIRST


# --- queries: bounded, whatever the number of rows --------------------------------------------------


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_query_count_does_not_grow_with_rows(client, monkeypatch, export):
    from tests.factories import BudgetLineFactory, ProgramFactory, SourceFactory

    client.force_login(get_user_model().objects.get(username="analyst"))
    source = SourceFactory()
    programs = [ProgramFactory(source=source) for _ in range(4)]
    url = f"/budgets/?export={export}&program={programs[0].pk}"

    def count():
        from programs import exports as program_exports

        monkeypatch.setattr(program_exports, "CHUNK_SIZE", 25)
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        if export == "csv":
            rows = len(body.decode("utf-8-sig").strip().split("\r\n")) - 1
        else:
            rows = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].max_row - 1
        return len(context.captured_queries), rows

    for fy in range(2000, 2012):
        BudgetLineFactory(program=programs[0], fiscal_year=fy, source=source)
    count()  # the first request after writes also fills caches (data version, filter choices)
    few = count()
    for fy in range(1950, 2000):
        for stage in ("request", "draft", "enacted", "settled"):
            BudgetLineFactory(program=programs[0], fiscal_year=fy, stage=stage, source=source)
    many = count()
    assert (few[1], many[1]) == (12, 212)  # 212 rows: nine chunks of 25
    assert many[0] == few[0] <= 15, (few, many)


# --- round trips: the faster exports import back unchanged ----------------------------------------


@pytest.mark.parametrize(
    ("url", "kind", "name"),
    [
        ("/funding/?export=xlsx", "cluster-funding", "funding.xlsx"),
        ("/funding/?export=csv&unit=hundred-million", "cluster-funding", "funding.csv"),
        ("/cluster-outcomes/?export=xlsx", "cluster-outcomes", "outcomes.xlsx"),
        ("/budgets/?export=xlsx&unit=hundred-million", "budget-lines", "budget-lines.xlsx"),
        ("/budgets/?export=xlsx&unit=thousand", "budget-lines", "budget-lines.xlsx"),
    ],
)
def test_export_imports_back_unchanged(client, url, kind, name):
    from tests.reports.test_imports import snapshot, upload_and_preview

    client.force_login(get_user_model().objects.get(username="manager"))
    response = client.get(url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    before = snapshot()
    batch_url, preview = upload_and_preview(client, kind, name, content)
    counts = preview.context["counts"]
    assert counts["unchanged"] == counts["total"] > 0 and counts["error"] == 0, counts
    assert client.post(batch_url).status_code == 302
    assert snapshot() == before


def test_budgets_as_of_a_date_export_the_figures_then(client):
    """The history queryset (?as_of=) exports through the same row function: labels and amounts."""
    from django.utils import timezone

    from core.services import save_tracked
    from programs.models import BudgetLine

    manager = get_user_model().objects.get(username="manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    BudgetLine.history.filter(id=line.pk).update(history_date=timezone.now() - dt.timedelta(days=30))
    line.amount_yen = 5_600_000_000
    save_tracked(user=manager, instance=line, version=1)
    client.force_login(manager)
    past = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    params = {"as_of": past, "program": line.program_id, "fy": 2009, "stage": "request"}
    response = client.get("/budgets/", {**params, "export": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(r["予算段階"], r["金額（円）"], r["金額（百万円）"]) for r in rows] == [("概算要求", "5500000000", "5500")]
    response = client.get("/budgets/", {**params, "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("金額（円）") + 1).value == 5_500_000_000
