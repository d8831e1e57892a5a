"""Every exported text cell is inert in Excel and LibreOffice (issue 12, item 6): headers built
from program, region and cluster names, sheet names, file names and the About sheet included."""

import csv
import io
import re
import unicodedata

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from clusters.models import Cluster, Region
from core.exports import escape_formula, export_filename
from core.imports import text_cell
from programs.models import Program

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.invalid","x")',
    " =1+1",
    "\u3000=1+1",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(A1)",
    "\u22121+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def live(text) -> bool:
    """Whether a spreadsheet could read this text cell as a formula (independent of the app's rule)."""
    if not isinstance(text, str) or not text:
        return False
    if text[0] in "\t\r\n":
        return True
    stripped = text.lstrip()
    if not stripped or NUMBER.fullmatch(stripped):
        return False
    first = stripped[0]
    return first == "\u2212" or unicodedata.normalize("NFKC", first) in ("=", "+", "-", "@")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def filename(response) -> str:
    from urllib.parse import unquote

    disposition = response["Content-Disposition"]
    match = re.search(r"filename\*=utf-8''([^;]+)", disposition) or re.search(r'filename="([^"]+)"', disposition)
    return unquote(match.group(1))


def assert_inert_csv(response, marker):
    text = body(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for row in rows for cell in row]
    assert any(marker in cell for cell in cells), "the hostile name is not in the export at all"
    assert [cell for cell in cells if live(cell)] == []
    assert not live(filename(response))


def assert_inert_xlsx(response, marker):
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    seen = False
    for sheet in workbook.worksheets:
        assert not live(sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                assert not live(cell.value), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                seen = seen or (isinstance(cell.value, str) and marker in cell.value)
    assert seen, "the hostile name is not in the export at all"
    assert not live(filename(response))
    return workbook


@pytest.fixture
def analyst_client(client):
    client.force_login(get_user_model().objects.get(username="analyst"))
    return client


@pytest.mark.parametrize("name", HOSTILE)
def test_region_chart_export_with_hostile_cluster_and_region_names(analyst_client, name):
    region = Region.objects.get(slug="hamamatsu")
    region.name_ja = name + "地域"
    region.save()
    for cluster in Cluster.objects.filter(region=region):
        cluster.name_ja = name
        cluster.save()
    marker = name.strip()[1:]
    url = "/regions/hamamatsu/"
    assert_inert_csv(analyst_client.get(url, {"export": "csv", "chart": "region-funding"}), marker)
    workbook = assert_inert_xlsx(analyst_client.get(url, {"export": "xlsx", "chart": "region-funding"}), marker)
    money = [c for row in workbook.worksheets[0].iter_rows(min_row=2) for c in row if isinstance(c.value, int | float)]
    assert money and all(c.data_type == "n" for c in money)  # numbers stay numbers


@pytest.mark.parametrize("name", HOSTILE[:4])
def test_list_export_with_a_hostile_program_name(analyst_client, name):
    program = Program.objects.get(slug="knowledge-cluster-1")
    program.name_ja = name
    program.save()
    marker = name.strip()[1:]
    assert_inert_csv(analyst_client.get("/budgets/", {"export": "csv"}), marker)
    assert_inert_xlsx(analyst_client.get("/budgets/", {"export": "xlsx"}), marker)


@pytest.mark.parametrize("name", HOSTILE)
def test_escape_rule(name):
    from core.exports import sheet_title

    assert not live(escape_formula(name))
    assert escape_formula(name) == "'" + name
    assert text_cell(escape_formula(name)) == name  # an export imports back unchanged
    assert not live(sheet_title(name)) and sheet_title(name)
    assert not live(export_filename(name, None, None, "csv"))


def test_plain_text_and_numbers_are_unchanged():
    for text in ("浜松", "R&D", "1,566", "'quoted", "a=b", "", "—"):
        assert escape_formula(text) == text
