"""Control characters (found by the hostile-inputs drill): forms, the admin, review comments and
imports refuse them with a clear message and write nothing; rows that hold them anyway (written
before, or by other ways in) never break an XLSX export — they show as U+FFFD."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from clusters.models import Cluster, Region
from core.exports import xlsx_text
from core.forms import CONTROL_CHARACTERS, control_characters_message
from programs.models import BudgetLine, Program, Source

pytestmark = pytest.mark.django_db

HOSTILE = "abc\x01\x02\x1b[31mred\x7f\x85"


def login(client, name):
    client.force_login(get_user_model().objects.get(username=name))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_rule_keeps_tabs_and_line_breaks_and_names_what_it_refuses():
    assert CONTROL_CHARACTERS.findall("a\tb\nc\r\nd 浜松 😀") == []
    message = control_characters_message(HOSTILE)
    assert "U+0001" in message and "U+001B" in message and "U+007F" in message
    assert xlsx_text("a\x01b\tc\nd") == "a\ufffdb\tc\nd"


def test_budget_line_form_refuses_control_characters_and_writes_nothing(client):
    login(client, "manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    before = (line.note, line.version, BudgetLine.history.count())
    data = {"version": line.version, "program": line.program_id, "fiscal_year": 2009, "stage": "request",
            "amount_yen": str(line.amount_yen), "precision": line.precision, "precision_note": line.precision_note,
            "source": line.source_id, "note": HOSTILE}  # fmt: skip
    response = client.post(f"/budgets/{line.pk}/edit/", data)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["note"])
    assert "U+0001" in errors and "制御文字" in errors
    line.refresh_from_db()
    assert (line.note, line.version, BudgetLine.history.count()) == before


def test_admin_refuses_control_characters(client):
    login(client, "admin")
    program = Program.objects.get(slug="city-area")
    page = client.get(f"/admin/programs/program/{program.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    data["name_ja"] = "都市エリア" + HOSTILE
    response = client.post(f"/admin/programs/program/{program.pk}/change/", data)
    assert response.status_code == 200
    assert "U+0001" in response.content.decode()
    program.refresh_from_db()
    assert "\x01" not in program.name_ja


def test_import_refuses_a_text_cell_with_control_characters(client):
    from core.models import ImportBatch

    login(client, "manager")
    line = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    content = (
        f"事業キー,年度,予算段階,金額（円）,備考\r\ncity-area,2009,request,{line.amount_yen},note{HOSTILE}\r\n"
    ).encode()
    response = client.post("/imports/budget-lines/", {"file": SimpleUploadedFile("x.csv", content)})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    errors = preview.context["errors"]
    assert len(errors) == 1 and "U+0001" in " ".join(errors[0].errors)
    assert not preview.context["can_confirm"]
    assert client.post(response["Location"]).status_code == 400
    line.refresh_from_db()
    assert "\x01" not in line.note
    assert ImportBatch.objects.get().applied_at is None


@pytest.mark.parametrize("url", ["/budgets/", "/programs/", "/regions/", "/funding/", "/sources/", "/reports/status/"])
def test_stored_control_characters_never_break_an_xlsx_export(client, url):
    """Rows written without the forms (older data, the shell, a restore) still export: the
    illegal characters become U+FFFD; CSV keeps the text as stored."""
    BudgetLine.objects.filter(program__slug="city-area").update(note=HOSTILE)
    Program.objects.filter(slug="city-area").update(name_ja="都市エリア" + HOSTILE)
    Cluster.objects.update(name_ja="クラスター" + HOSTILE)
    Source.objects.update(title="出典" + HOSTILE)
    Region.objects.update(name_ja="地域" + HOSTILE)
    login(client, "analyst")
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    texts = [c.value for row in workbook.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("\ufffd" in t for t in texts), "the stored text is not in the export"
    assert not any(CONTROL_CHARACTERS.search(t.replace("\x7f", "").replace("\x85", "")) for t in texts)
    csv = client.get(url, {"export": "csv"})
    assert csv.status_code == 200
