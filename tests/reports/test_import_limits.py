"""Hostile spreadsheets are refused before they are parsed (issue 12, item 5): decompression
bombs, sheets of empty rows or cells, oversized shared strings; a clear message in the user's
language, nothing stored or written. A workbook is parsed once: the preview and the confirmation
use the rows staged at upload."""

import io
import random
import string
import time
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from core import imports
from core.models import ImportBatch
from programs.models import BudgetLine

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
SHEET_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>{rows}</sheetData></worksheet>"
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>事業キー</t></is></c><c r="B1" t="inlineStr"><is><t>年度</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>予算段階</t></is></c><c r="D1" t="inlineStr"><is><t>金額（円）</t></is></c></row>'
)


@pytest.fixture
def manager_client(client):
    client.cookies["django_language"] = "en"
    client.force_login(get_user_model().objects.get(username="manager"))
    return client


def workbook_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(["事業キー", "年度", "予算段階", "金額（円）"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_parts(content: bytes, parts: dict[str, bytes]) -> bytes:
    """The workbook with ``parts`` (name → bytes) replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def sheet(rows: str, dimension: str = "") -> bytes:
    return SHEET_XML.format(rows=rows, dimension=dimension).encode()


def one_cell_bomb() -> bytes:
    """A small .xlsx (about 50 KB) whose one cell expands to 51 MB."""
    cell = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"A" * (51 * MB)}</t></is></c></row>'
    return replace_parts(workbook_bytes(), {SHEET: sheet(HEADER_ROW + cell)})


def zip_bomb_member() -> bytes:
    """An extra member of 20 MB of zeros: 1000:1 and more."""
    return replace_parts(workbook_bytes(), {"xl/media/image1.bin": bytes(20 * MB)})


def empty_rows(count: int) -> bytes:
    rows = "".join(f'<row r="{n}"/>' for n in range(2, count + 2))
    return replace_parts(workbook_bytes(), {SHEET: sheet(HEADER_ROW + rows)})


def far_row() -> bytes:
    """One cell in the last row Excel has: a reader would walk a million empty rows to reach it."""
    return replace_parts(
        workbook_bytes(), {SHEET: sheet(HEADER_ROW + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')}
    )


def far_column() -> bytes:
    return replace_parts(workbook_bytes(), {SHEET: sheet(HEADER_ROW + '<row r="2"><c r="XFD2"><v>1</v></c></row>')})


def many_cells() -> bytes:
    """20,000 rows reaching column 150: three million cells once padded."""
    rows = "".join(f'<row r="{n}"><c r="ET{n}"><v>1</v></c></row>' for n in range(2, 20_002))
    return replace_parts(workbook_bytes(), {SHEET: sheet(HEADER_ROW + rows)})


def huge_dimension() -> bytes:
    return replace_parts(workbook_bytes(), {SHEET: sheet(HEADER_ROW, '<dimension ref="A1:Z1048576"/>')})


def big_shared_strings() -> bytes:
    text = "".join(random.choices(string.ascii_letters, k=2 * MB))
    xml = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        f"<si><t>{text}</t></si></sst>"
    ).encode()
    return replace_parts(workbook_bytes(), {"xl/sharedStrings.xml": xml})


HOSTILE = [
    ("one-cell-bomb.xlsx", one_cell_bomb, "zip bomb"),
    ("zip-bomb.xlsx", zip_bomb_member, "zip bomb"),
    ("empty-rows.xlsx", lambda: empty_rows(50_001), "50,000"),
    ("far-row.xlsx", far_row, "50,000"),
    ("far-column.xlsx", far_column, "columns"),
    ("many-cells.xlsx", many_cells, "cells"),
    ("dimension.xlsx", huge_dimension, "50,000"),
]


def upload(client, name, content):
    return client.post("/imports/budget-lines/", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(("name", "build", "message"), HOSTILE)
def test_hostile_workbooks_are_refused_before_parsing(manager_client, name, build, message):
    content = build()
    assert len(content) < 10 * MB  # every one of them fits the upload limit
    history = BudgetLine.history.count()
    started = time.monotonic()
    response = upload(manager_client, name, content)
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0 and BudgetLine.history.count() == history
    assert elapsed < 5, f"{name} took {elapsed:.1f} s to refuse"


@override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=1 * MB)
def test_a_workbook_too_large_unpacked_is_refused(manager_client):
    text = "".join(random.choices(string.ascii_letters, k=2 * MB)).encode()  # compresses about 1.3:1
    response = upload(manager_client, "large.xlsx", replace_parts(workbook_bytes(), {"xl/media/image1.bin": text}))
    assert response.status_code == 400
    assert "unpacked" in response.content.decode()
    assert ImportBatch.objects.count() == 0


@override_settings(IMPORT_MAX_SHARED_STRINGS_BYTES=1 * MB)
def test_oversized_shared_strings_are_refused(manager_client):
    response = upload(manager_client, "strings.xlsx", big_shared_strings())
    assert response.status_code == 400
    assert "shared strings" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_refusal_message_in_japanese(client):
    client.force_login(get_user_model().objects.get(username="manager"))
    response = upload(client, "zip-bomb.xlsx", zip_bomb_member())
    assert response.status_code == 400
    assert "ZIP爆弾" in response.content.decode()


def test_read_table_refuses_them_too():
    for name, build, _message in HOSTILE:
        with pytest.raises(imports.ImportFileError):
            imports.read_table(name, build())


def test_csv_empty_rows_count_towards_the_row_limit(manager_client):
    content = ("事業キー,年度,予算段階,金額（円）\r\n" + "\r\n" * 50_001).encode()
    response = upload(manager_client, "blank.csv", content)
    assert response.status_code == 400 and "50,000" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_csv_with_millions_of_fields_is_refused(manager_client):
    content = ("事業キー,年度,予算段階,金額（円）\r\n" + "," * (3 * MB) + "\r\n").encode()
    response = upload(manager_client, "wide.csv", content)
    assert response.status_code == 400 and "columns" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_an_export_reimports_and_is_parsed_only_at_upload(manager_client, monkeypatch):
    """The preview and the confirmation use the staged rows: parsing the file again would fail."""
    response = manager_client.get("/budgets/", {"export": "xlsx"})
    response = upload(manager_client, "budget-lines.xlsx", response.content)
    assert response.status_code == 302, response.content.decode()[:1000]

    def no_second_parse(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(imports, "read_table", no_second_parse)
    monkeypatch.setattr(imports, "_read_xlsx", no_second_parse)
    preview = manager_client.get(response["Location"])
    assert preview.status_code == 200
    counts = preview.context["counts"]
    assert counts["unchanged"] == BudgetLine.objects.count() and counts["error"] == 0, counts
    assert manager_client.post(response["Location"]).status_code == 302
    assert ImportBatch.objects.get().applied_at is not None
