"""Pages that show when clusters ran follow the one rule of DESIGN §2b (clusters/periods.py):
running only where the known period covers the year, "N (+M with unknown period)", and a
status of 期間不明 — never 実施中 — for a cluster whose period is not known."""

import csv
import io
import re

import pytest

from clusters.models import AnnualReport, Cluster, Prefecture, Region
from clusters.periods import Period
from tests.factories import ClusterFactory, RegionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def expected_counts(fy):
    """The card's figures, counted here in Python from the plain-value form of the rule."""
    clusters = list(Cluster.objects.with_period().select_related("program"))
    running = [c for c in clusters if Period.of(c).running(fy)]
    possible = [c for c in clusters if Period.of(c).possibly_running(fy)]
    regions = {c.region_id for c in running}
    regions_possible = {c.region_id for c in possible} - regions
    through = Region.prefectures.through.objects
    prefectures = set(through.filter(region_id__in=regions).values_list("prefecture_id", flat=True))
    prefectures_possible = (
        set(through.filter(region_id__in=regions_possible).values_list("prefecture_id", flat=True)) - prefectures
    )
    return {
        "clusters": (len(running), len(possible)),
        "regions": (len(regions), len(regions_possible)),
        "prefectures": (len(prefectures), len(prefectures_possible)),
    }


def card(html, card_id):
    match = re.search(rf'<article class="card" id="{card_id}">(.*?)</article>', html, re.S)
    assert match, card_id
    body = match.group(1)
    number = re.search(r'<span class="card__number">([\d,]+)</span>', body).group(1)
    extra = re.search(r'<span class="card__extra">(.*?)</span>', body)
    return int(number.replace(",", "")), extra.group(1) if extra else None, body


def test_dashboard_cards_count_fy2008_by_the_known_period(viewer_client):
    """The old card said 26 clusters in FY2008: it counted Phase I clusters that started in
    FY2002–03 (normally five years) and Phase II clusters whose last year is unknown."""
    html = viewer_client.get("/").content.decode()
    expected = expected_counts(2008)
    n, extra, body = card(html, "card-clusters")
    assert "2008年度" in body
    assert (n, extra) == (expected["clusters"][0], f"（ほかに期間不明{expected['clusters'][1]}）")
    assert n < 26 and expected["clusters"][1] > 0
    for card_id in ("card-regions", "card-prefectures"):
        key = card_id.removeprefix("card-")
        n, extra, _body = card(html, card_id)
        assert n == expected[key][0]
        assert extra == (f"（ほかに期間不明{expected[key][1]}）" if expected[key][1] else None)
    # Phase I's FY2002 starters ran five years (to FY2006): in neither figure for FY2008;
    # Hamamatsu Phase II (FY2007–, end unknown) is only among the "+M"
    sapporo_kc1 = Cluster.objects.with_period().get(slug="sapporo-kc1")
    assert sapporo_kc1.program.normal_duration_years == 5
    assert not sapporo_kc1.period.running(2008) and not sapporo_kc1.period.possibly_running(2008)
    hamamatsu_kc2 = Cluster.objects.with_period().get(slug="hamamatsu-kc2")
    assert not hamamatsu_kc2.period.running(2008) and hamamatsu_kc2.period.possibly_running(2008)


def test_dashboard_card_in_english(viewer_client):
    viewer_client.cookies["django_language"] = "en"
    html = viewer_client.get("/").content.decode()
    expected = expected_counts(2008)
    n, extra, body = card(html, "card-clusters")
    assert "Clusters running in FY2008" in body
    assert extra == f"(+{expected['clusters'][1]} with unknown period)"


def test_a_cluster_known_to_run_counts_and_one_of_unknown_period_does_not(viewer_client):
    before = expected_counts(2008)
    source = SourceFactory()
    region = RegionFactory(prefectures=[Prefecture.objects.get(code=47)], source=source)
    ClusterFactory(region=region, start_fy=2008, end_fy=2010, source=source)
    ClusterFactory(region=region, start_fy=2008, end_fy=None, source=source)  # Phase II: may have run
    html = viewer_client.get("/").content.decode()
    n, extra, _body = card(html, "card-clusters")
    assert n == before["clusters"][0] + 1
    assert extra == f"（ほかに期間不明{before['clusters'][1] + 1}）"
    n, _extra, _body = card(html, "card-prefectures")
    assert n == before["prefectures"][0] + 1  # Okinawa through the running cluster


def test_cluster_page_says_period_unknown_never_running(viewer_client):
    html = viewer_client.get("/clusters/hamamatsu-kc2/").content.decode()
    status = re.search(r"<dt>状況</dt><dd>(.*?)</dd>", html, re.S).group(1)
    assert "期間不明" in status and "実施中" not in status
    assert "2008年度" in status  # the last year it may have run: Phase II's last funded year
    viewer_client.cookies["django_language"] = "en"
    html = viewer_client.get("/clusters/hamamatsu-kc2/").content.decode()
    status = re.search(r"<dt>Status</dt><dd>(.*?)</dd>", html, re.S).group(1)
    assert "Period unknown" in status and "Running" not in status


def test_no_page_calls_a_cluster_of_unknown_period_running(viewer_client):
    unknown = [c for c in Cluster.objects.with_period().select_related("program") if not c.period.known]
    assert unknown
    for path in ("/programs/knowledge-cluster-2/", "/regions/hamamatsu/"):
        html = viewer_client.get(path).content.decode()
        for cluster in unknown:
            if cluster.name_ja not in html:
                continue
            # the cluster's row or list item carries 期間不明 or 終了, never 実施中
            pattern = rf"{re.escape(cluster.name_ja)}</a>(.*?)</(?:tr|li)>"
            for match in re.finditer(pattern, html, re.S):
                assert "実施中" not in match.group(1), (path, cluster.slug)
    html = viewer_client.get("/regions/hamamatsu/").content.decode()
    assert re.search(r"浜松オプトロニクスクラスター</a>.*?期間不明", html, re.S)


def test_lineage_table_shows_the_derived_status(viewer_client):
    html = viewer_client.get("/regions/sapporo/").content.decode()
    table = html[html.index('id="lineage"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", table[: table.index("</table>")], re.S)
    by_name = {re.sub(r"<.*?>", "", r.split("</th>")[0]).strip(): r for r in rows if "</th>" in r}
    kc2 = next(v for k, v in by_name.items() if "Bio-S" in k)
    assert "終了" in kc2  # FY2007–FY2011, ended
    kc1 = next(v for k, v in by_name.items() if "カロッツェリア" in k)
    assert "期間不明" in kc1 and "実施中" not in kc1


def test_status_board_lists_running_clusters_and_marks_unknown_periods(viewer_client):
    response = viewer_client.get("/reports/status/", {"fy_from": 2008, "fy_to": 2010})
    assert response.status_code == 200
    years = response.context["years"]
    assert years == [2008, 2009, 2010]
    rows = {row["region"]["slug"]: row for row in response.context["rows"]}
    # Sapporo Phase II (FY2007–FY2011) runs every year shown, unmarked
    sapporo = [[i for i in items if i["cluster"]["slug"] == "sapporo-kc2"] for items in rows["sapporo"]["cells"]]
    assert all(len(cell) == 1 and not cell[0]["period_unknown"] for cell in sapporo)
    # Hamamatsu Phase II: may have run to FY2008 (Phase II's last funded year) — marked; not after,
    # unless a report was filed for the year
    hamamatsu = rows["hamamatsu"]["cells"]
    kc2_2008 = [i for i in hamamatsu[0] if i["cluster"]["slug"] == "hamamatsu-kc2"]
    assert len(kc2_2008) == 1 and kc2_2008[0]["period_unknown"]
    filed = set(AnnualReport.objects.filter(cluster__slug="hamamatsu-kc2").values_list("fiscal_year", flat=True))
    for fy, items in zip(years, hamamatsu, strict=True):
        if fy > 2008 and fy not in filed:
            assert not [i for i in items if i["cluster"]["slug"] == "hamamatsu-kc2"]
    assert "（期間不明）" in response.content.decode()


def test_dataset_export_carries_the_derived_status(client, seed_users):
    client.force_login(seed_users["analyst"])
    import zipfile

    response = client.get("/reports/dataset.zip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    archive = zipfile.ZipFile(io.BytesIO(body))
    name = next(n for n in archive.namelist() if n.endswith("clusters.csv"))
    text = archive.read(name).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    status_key = next(k for k in rows[0] if k in ("状況", "Status"))
    slug_key = next(k for k in rows[0] if k in ("クラスターキー", "Cluster key"))
    by_slug = {r[slug_key]: r[status_key] for r in rows}
    assert by_slug["hamamatsu-kc2"] == "unknown"
    assert by_slug["sapporo-kc2"] == "ended"
    assert set(by_slug.values()) <= {"planned", "active", "ended", "unknown"}


def test_period_unknown_is_explained_in_the_glossary(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert 'href="/glossary/#term-period-unknown"' in card(html, "card-clusters")[2]
    glossary = viewer_client.get("/glossary/").content.decode()
    term = glossary[glossary.index('id="term-period-unknown"') :]
    assert "期間不明" in term[:400] and "実施中とは数えず" in term[:1200]
