from tests.e2e.conftest import login, screenshot


def test_ministry_logs_in_and_sees_the_paper_figures(page, seeded_live_server):
    page.goto(seeded_live_server.url + "/")
    assert "/accounts/login/" in page.url  # login required
    login(page, seeded_live_server, "ministry")
    assert page.url.rstrip("/") == seeded_live_server.url
    table = page.locator("#budget-overview")
    assert "26,095" in table.inner_text()
    assert "1,566" in table.inner_text()
    assert "約7,500" in table.inner_text()
    assert page.locator("ol.sources li").count() >= 5
    screenshot(page, "dashboard-ministry")
    assert page.external_requests == []
    assert page.console_errors == []


def test_wrong_password_shows_a_message(page, seeded_live_server):
    login(page, seeded_live_server, "ministry", password="not-the-password")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").inner_text().startswith("入力内容にエラーがあります")
    screenshot(page, "login-error")


def test_keyboard_skip_link_is_first(page, seeded_live_server):
    login(page, seeded_live_server, "analyst")
    page.goto(seeded_live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "本文へ移動"
