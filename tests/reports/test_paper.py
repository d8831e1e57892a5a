"""/paper/ and the stated counts on program pages (issue 11 rules 7 and 11): what the 2008 paper
states, read from ProgramFact and BudgetLine rows, beside what the product holds."""

import re

import pytest

from clusters.models import Cluster
from clusters.periods import Period
from clusters.selectors import PAPER_SOURCE_KEY, program_facts
from programs.models import BudgetLine, Program, ProgramFact, Source
from tests.factories import ClusterFactory, ProgramFactFactory, ProgramFactory, RegionFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def paper_source():
    return Source.objects.get(key=PAPER_SOURCE_KEY)


def phase_one_counts(fy=2007):
    """Our own count for Phase I, in Python from the plain-value rule: regions running / ending."""
    rows = [
        (c.region_id, Period.of(c)) for c in Cluster.objects.with_period().filter(program__slug="knowledge-cluster-1")
    ]
    running = {r for r, p in rows if p.running(fy)}
    running_maybe = {r for r, p in rows if p.possibly_running(fy)} - running
    ending = {r for r, p in rows if p.end_fy == fy}
    ending_maybe = {r for r, p in rows if p.end_fy is None and p.possibly_running(fy)} - ending
    return len(running), len(running_maybe), len(ending), len(ending_maybe)


def section(html, element_id):
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


# --- the program page: stated counts beside the list's ------------------------------------------


def test_phase_one_page_shows_the_papers_7_and_4_beside_the_lists_count(viewer_client):
    response = viewer_client.get("/programs/knowledge-cluster-1/")
    assert response.status_code == 200
    html = response.content.decode()
    part = section(html, "stated-counts")
    running, running_maybe, ending, ending_maybe = phase_one_counts()
    rows = dict(re.findall(r'<tr id="fact-([\w-]+)">(.*?)</tr>', part, re.S))
    stated_running = rows["kc1-count-2007-running"]
    assert "平成19年度は7地域で実施" in stated_running and 'data-value="7">7<' in stated_running
    assert f"2007年度に実施していた地域：{running}（ほかに期間不明{running_maybe}）" in stated_running
    stated_ending = rows["kc1-count-2007-ending"]
    assert "4地域で事業を終了" in stated_ending and 'data-value="4">4<' in stated_ending
    assert f"2007年度に終了したことが分かっている地域：{ending}" in stated_ending
    assert running < 7  # the list is partial, and the page says so
    assert "一部のみ" in part
    assert 'href="/paper/"' in html


def test_phase_one_page_in_english(viewer_client):
    html = english(viewer_client).get("/programs/knowledge-cluster-1/").content.decode()
    part = section(html, "stated-counts")
    running, running_maybe, ending, ending_maybe = phase_one_counts()
    assert "In FY2007 the program ran in 7 regions." in part
    region_word = "region" if running == 1 else "regions"
    assert f"{running} {region_word} running in FY2007 (+{running_maybe} with unknown period)" in part
    assert "Our cluster list is partial" in part
    # the program's English name is our translation, and the heading says so
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "Knowledge Cluster Initiative" in h1 and "(our translation)" in h1


def test_the_comparison_follows_the_cluster_list(viewer, viewer_client):
    """A Phase I cluster known to run in FY2007 raises our count; one of unknown period only the +M."""
    program = Program.objects.get(slug="knowledge-cluster-1")
    before = program_facts(user=viewer, program=program)["counts"]
    running_before = next(c for c in before if c.event == "running").ours
    ClusterFactory(region=RegionFactory(), program=program, start_fy=2003, end_fy=2007)
    ClusterFactory(region=RegionFactory(), program=program, start_fy=None, end_fy=None)
    after = {c.event: c.ours for c in program_facts(user=viewer, program=program)["counts"]}
    assert after["running"].running == running_before.running + 1
    assert after["running"].unknown == running_before.unknown + 1
    ending_before = next(c for c in before if c.event == "ending").ours
    assert after["ending"].running == ending_before.running + 1


def test_a_program_without_facts_shows_no_comparison(viewer_client):
    program = ProgramFactory()
    html = viewer_client.get(f"/programs/{program.slug}/").content.decode()
    assert 'id="stated-counts"' not in html and 'href="/paper/"' not in html.split("<footer")[0]


def test_jst_name_is_its_own_and_carries_no_mark(viewer_client):
    jst = Program.objects.get(slug="jst-regional-innovation")
    assert not jst.name_en_is_translation
    html = english(viewer_client).get("/programs/jst-regional-innovation/").content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert jst.name_en in h1 and "our translation" not in h1
    # and in Japanese no mark at all
    viewer_client.cookies["django_language"] = "ja"
    html = viewer_client.get("/programs/knowledge-cluster-1/").content.decode()
    assert "translation-mark" not in re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)


# --- /paper/ -------------------------------------------------------------------------------------


def test_paper_page_in_japanese(viewer_client):
    response = viewer_client.get("/paper/")
    assert response.status_code == 200
    html = response.content.decode()
    # the issues ①–⑤, in order, from the facts
    issues = section(html, "paper-issues")
    labels = re.findall(r"<dt>(.*?)</dt>", issues)
    expected = list(
        ProgramFact.objects.filter(kind="issue", source=paper_source())
        .order_by("order")
        .values_list("label", flat=True)
    )
    assert labels == expected == ["①", "②", "③", "④", "⑤"]
    assert "地域における人材の不足への対応" in issues
    # the Basic Plan context and the two aims, linked to the programs that serve them
    assert "第3期科学技術基本計画" in section(html, "paper-context")
    aims = section(html, "paper-aims")
    assert aims.count("<strong>") == 2 and "地域クラスターの育成" in aims and "源泉の潤沢化" in aims
    assert 'href="/programs/regional-innovation/"' in aims
    for slug in ("knowledge-cluster-1", "city-area", "jst-regional-innovation"):
        assert f'href="/programs/{slug}/"' in aims
    # the FY2008 draft and FY2007 enacted totals are the product's budget lines, linked to the list
    ri = Program.objects.get(slug="regional-innovation")
    budget = section(html, "paper-budget")
    for fy, stage, text in ((2008, "draft", "26,095"), (2007, "enacted", "25,271")):
        line = BudgetLine.objects.get(program=ri, fiscal_year=fy, stage=stage)
        assert line.source.key == PAPER_SOURCE_KEY
        row = re.search(rf'<td class="num" data-value="{line.amount_yen}">([^<]*)</td>\s*<td><a href="([^"]*)"', budget)
        assert row and row.group(1) == text
        assert row.group(2) == f"/budgets/?program={ri.pk}&amp;fy={fy}&amp;stage={stage}"
    assert "金額（百万円）" in budget
    # the FY2007 counts, linked to the Phase I page with the comparison
    counts = section(html, "paper-counts")
    assert 'href="/programs/knowledge-cluster-1/#stated-counts"' in counts
    assert 'data-value="7">7<' in counts and 'data-value="4">4<' in counts
    # the paper cited at the bottom: title and publisher of the Source row
    source = paper_source()
    cite = html[html.index('id="paper-source"') :]
    assert source.title in cite and source.publisher in cite
    assert html.index('id="paper-source"') > html.index('id="paper-counts"')


def test_paper_page_in_english_and_other_units(viewer_client):
    html = english(viewer_client).get("/paper/", {"unit": "hundred-million"}).content.decode()
    issues = section(html, "paper-issues")
    assert "Responding to the shortage of people in the regions" in issues
    assert "Growing regional clusters" in section(html, "paper-aims")
    # names that are our translations say so; JST's own English name does not
    aims = section(html, "paper-aims")
    assert re.search(r"Knowledge Cluster Initiative \(Phase I\)</a>\s*<small class=\"translation-mark\">", aims)
    jst = Program.objects.get(slug="jst-regional-innovation")
    assert re.search(rf"{re.escape(jst.name_en)}</a>\s*</li>", aims)
    budget = section(html, "paper-budget")
    assert ">260.95<" in budget and "Amount (100 million yen)" in budget
    assert "In FY2007 the program ran in 7 regions." in section(html, "paper-counts")


def test_paper_lists_what_the_data_holds_not_what_a_template_says(viewer_client):
    """A new statement of the paper shows up; the page reads the rows."""
    ProgramFactFactory(
        program=Program.objects.get(slug="regional-innovation"),
        source=paper_source(),
        kind="issue",
        label="⑥",
        order=99,
        value=None,
        measure="",
        fiscal_year=None,
        text_ja="テスト用の六つ目の課題",
    )
    ProgramFactFactory(
        program=Program.objects.get(slug="knowledge-cluster-2"),
        source=paper_source(),
        fiscal_year=2008,
        value=9,
        measure="clusters_starting",
        text_ja="平成20年度に9クラスターが開始（テスト）",
    )
    html = viewer_client.get("/paper/").content.decode()
    assert re.findall(r"<dt>(.*?)</dt>", section(html, "paper-issues"))[-1] == "⑥"
    counts = section(html, "paper-counts")
    assert "平成20年度に9クラスターが開始（テスト）" in counts
    known = sum(1 for c in Cluster.objects.filter(program__slug="knowledge-cluster-2") if c.start_fy == 2008)
    assert f"2008年度に開始したことが分かっているクラスター：{known}" in counts


def test_paper_link_in_the_footer_and_from_the_regional_innovation_page(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert 'href="/paper/"' in html[html.index("<footer") :]
    page = viewer_client.get("/programs/regional-innovation/").content.decode()
    main = page[: page.index("<footer")]
    assert '<p class="paper-link"><a href="/paper/">' in main


def test_paper_needs_login(client):
    response = client.get("/paper/")
    assert response.status_code == 302
