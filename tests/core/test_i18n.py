"""Both languages are complete: every UI string has a Japanese translation, and the catalogs
compile (issue 8)."""

from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def entries(path):
    import re

    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n\n")[1:]
    result = []
    for block in blocks:
        if block.startswith("#~"):
            continue  # obsolete
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        msgid = "".join(re.findall(r'^(?:msgid|")\s*"?(.*?)"$', block.split("msgstr")[0], re.M))
        msgstr_part = block.split("msgstr", 1)[1] if "msgstr" in block else ""
        msgstr = "".join(re.findall(r'"(.*)"', msgstr_part))
        result.append((msgid, msgstr, fuzzy))
    return result


def test_japanese_catalog_is_complete():
    po = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    missing = [msgid for msgid, msgstr, fuzzy in entries(po) if msgid and (not msgstr or fuzzy)]
    assert missing == []


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        ("Dashboard", "ダッシュボード"),
        ("Budget lines", "予算額一覧"),
        ("Illustrative", "例示データ"),
        ("Log in", "ログイン"),
    ],
)
def test_translations_are_compiled(english, japanese):
    with translation.override("ja"):
        assert translation.gettext(english) == japanese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_language_switch_keeps_the_url(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="ministry"))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/budgets/?stage=draft&unit=thousand"})
    assert response.status_code == 302 and response["Location"] == "/budgets/?stage=draft&unit=thousand"
    html = client.get("/budgets/?stage=draft&unit=thousand").content.decode()
    assert '<html lang="en">' in html and "Budget lines" in html and "thousand yen" in html


def test_japanese_by_default_even_for_an_english_browser(client):
    html = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ja">' in html and "ログイン" in html


def test_english_falls_back_to_japanese_names_marked(client):
    from django.contrib.auth import get_user_model

    from tests.factories import RegionFactory

    region = RegionFactory(name_ja="名前だけの地域", name_en="")
    client.force_login(get_user_model().objects.get(username="ministry"))
    client.cookies["django_language"] = "en"
    html = client.get("/regions/", {"q": "名前だけ"}).content.decode()
    assert '<span lang="ja">名前だけの地域</span><span class="fallback-note"> (Japanese name only)</span>' in html
    assert client.get(region.get_absolute_url()).status_code == 200
