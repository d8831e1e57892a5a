"""Accessibility (axe-core, injected by the test) and A4 print of the main pages (issue 8)."""

from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, login

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/programs/",
    "/programs/knowledge-cluster/",
    "/budgets/",
    "/regions/",
    "/regions/hamamatsu/",
    "/clusters/hamamatsu-kc2/",
    "/outcomes/",
    "/reports/",
    "/reports/budget-pivot/",
    "/glossary/",
    "/paper/",
    "/programs/knowledge-cluster-1/",
    "/reports/status/",
]


@pytest.fixture
def axe_source():
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: `make setup` installs it with npm")
    return AXE.read_text(encoding="utf-8")


def run_axe(page, source):
    page.evaluate(source)  # evaluated through DevTools, not an inline script: the page's CSP stays on
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )


@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_serious_or_critical_accessibility_violations(page, seeded_live_server, axe_source, language):
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": seeded_live_server.url}])
    login(page, seeded_live_server, "analyst") if language == "ja" else login_en(page, seeded_live_server)
    problems = {}
    for path in PAGES:
        page.goto(seeded_live_server.url + path)
        page.wait_for_load_state("networkidle")
        serious = [v for v in run_axe(page, axe_source) if v["impact"] in ("serious", "critical")]
        if serious:
            problems[path] = serious
    assert problems == {}
    assert page.external_requests == []


def login_en(page, server):
    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("User name").fill("analyst")
    page.get_by_label("Password").fill("kakehashi-demo")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def test_english_page_is_fully_english_with_the_same_data(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    page.goto(seeded_live_server.url + "/regions/hamamatsu/?unit=million")
    japanese_total = page.locator("#region-funding details table").inner_text()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("networkidle")
    assert "/regions/hamamatsu/?unit=million" in page.url  # the switch keeps the URL and its filters
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Hamamatsu")
    nav = page.locator("nav.global-nav").inner_text()
    assert "Dashboard" in nav and "ダッシュボード" not in nav
    english_total = page.locator("#region-funding details table").inner_text()
    numbers = lambda text: [t for t in text.split() if any(c.isdigit() for c in t) and "," in t]  # noqa: E731
    assert numbers(english_total) == numbers(japanese_total)
    page.screenshot(path=str(ARTIFACTS / "hamamatsu-en.png"), full_page=True)


def test_hamamatsu_page_prints_on_a4_without_chrome(page, seeded_live_server):
    login(page, seeded_live_server, "ministry")
    page.goto(seeded_live_server.url + "/regions/hamamatsu/")
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    assert not page.locator("nav.global-nav").is_visible()
    assert not page.locator(".lang-switch").is_visible()
    assert page.locator(".print-meta").is_visible()
    assert "データ時点" in page.locator(".print-meta").inner_text()
    assert page.locator(".print-only").is_visible()
    assert "例示データを含む" in page.locator(".site-footer").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "hamamatsu.pdf"), format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 1
