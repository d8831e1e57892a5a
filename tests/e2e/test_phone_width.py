"""On a 390 px phone no page scrolls sideways: wide tables scroll inside their own box, cards stack,
and nothing hidden (screen-reader text included) widens the page."""

import pytest

from .conftest import login

PAGES = [
    "/", "/programs/", "/programs/knowledge-cluster/", "/budgets/", "/regions/", "/regions/hamamatsu/",
    "/clusters/hamamatsu-kc2/", "/funding/", "/cluster-outcomes/", "/outcomes/", "/outcomes/values/", "/sources/",
    "/reports/budget-pivot/", "/reports/year-over-year/", "/reports/region-funding/", "/reports/outcome-shares/",
    "/reports/status/", "/glossary/", "/paper/",
]  # fmt: skip


@pytest.mark.parametrize("language", ["ja", "en"])
def test_no_page_scrolls_sideways_at_390_px(page, seeded_live_server, language):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, seeded_live_server, "analyst")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": seeded_live_server.url}])
    wide = {}
    for path in PAGES:
        response = page.goto(seeded_live_server.url + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}
