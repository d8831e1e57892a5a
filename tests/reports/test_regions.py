"""Regions, clusters and the prefecture map (issue 4)."""

import json
import re

import pytest

from clusters import selectors
from clusters.models import Cluster, ClusterFunding, Prefecture, Region
from reports import analytics
from tests.factories import ClusterFactory, ClusterFundingFactory, RegionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def map_frame(user, fy, kind="actual"):
    return analytics.prefecture_measures(**selectors.map_inputs(user=user, fy=fy, kind=kind)).set_index("code")


def figure(html, figure_id):
    match = re.search(rf'<script id="{figure_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no figure {figure_id}"
    return json.loads(match.group(1))


def test_multi_prefecture_region_counts_for_each_prefecture(viewer):
    source = SourceFactory()
    aomori, iwate = Prefecture.objects.get(code=2), Prefecture.objects.get(code=3)
    before = map_frame(viewer, 2041)
    region = RegionFactory(prefectures=[aomori, iwate], source=source)
    cluster = ClusterFactory(region=region, start_fy=2040, end_fy=2042, source=source)
    ClusterFundingFactory(cluster=cluster, fiscal_year=2041, kind="actual", national_yen=300_000_000, source=source)
    frame = map_frame(viewer, 2041)
    for code in (2, 3):
        assert frame.loc[code, "clusters"] == before.loc[code, "clusters"] + 1
        assert frame.loc[code, "funding_yen"] == before.loc[code, "funding_yen"] + 300_000_000
    assert region.name_ja in frame.loc[2, "regions"] and cluster.name_ja in frame.loc[3, "cluster_names"]
    # counted in full for each prefecture: the national sum over prefectures grows by 2 for 1 cluster
    assert frame["clusters"].sum() == before["clusters"].sum() + 2
    assert frame.loc[13, "clusters"] == before.loc[13, "clusters"]


def test_seed_map_counts_fy2008(viewer, viewer_client):
    """DESIGN §2b: a cluster runs only where its known period covers the year. Hamamatsu Phase II
    (FY2007–, last year unknown) and Phase I (no known years) are not counted in Shizuoka; both are
    listed apart as clusters of unknown period that may have run in FY2008."""
    frame = map_frame(viewer, 2008)
    assert frame.loc[22, "clusters"] == 0
    unknown = {c["name"] for c in selectors.unknown_period_clusters(user=viewer, fy=2008)}
    assert "浜松オプトロニクスクラスター" in unknown
    # Sapporo Phase II (FY2007–FY2011) is known to run: Hokkaido counts it
    assert 'さっぽろバイオクラスター構想 "Bio-S"' in frame.loc[1, "cluster_names"]
    # Nara only through the Keihanna region (Kyoto + Osaka + Nara): its clusters count for Nara too
    keihanna = Region.objects.get(slug="keihanna")
    assert frame.loc[29, "clusters"] == Cluster.objects.filter(region=keihanna).running_in(2008).count()
    # the map's table gives the running count and, beside it, the clusters of unknown period
    html = viewer_client.get("/regions/", {"map_fy": 2008, "measure": "clusters"}).content.decode()
    row = re.search(r"<tr>\s*<th[^>]*>静岡県</th>(.*?)</tr>", html, re.S)
    assert row, "Shizuoka has a row: a cluster of unknown period may have run there"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert cells[0].strip() == "0" and cells[1].strip() == "2"
    assert "期間不明" in cells[3] and "浜松オプトロニクスクラスター" in cells[3]


def test_region_page_funding_equals_map_funding(viewer, viewer_client):
    """One selector feeds both: the region's cluster funding in a year equals the map value."""
    hamamatsu = Region.objects.get(slug="hamamatsu")
    for kind in ("plan", "actual"):
        expected = sum(
            ClusterFunding.objects.filter(cluster__region=hamamatsu, fiscal_year=2008, kind=kind).values_list(
                "national_yen", flat=True
            )
        )
        assert expected > 0
        assert map_frame(viewer, 2008, kind).loc[22, "funding_yen"] == expected
    html = viewer_client.get("/regions/hamamatsu/").content.decode()
    fig = figure(html, "region-funding-data")
    drawn = sum(
        y
        for t in fig["data"]
        for x_year, x_kind, y in zip(t["x"][0], t["x"][1], t["y"], strict=True)
        if x_year == "2008年度" and x_kind == "実績" and y is not None
    )
    actual = sum(
        ClusterFunding.objects.filter(cluster__region=hamamatsu, fiscal_year=2008, kind="actual").values_list(
            "national_yen", flat=True
        )
    )
    assert drawn * 1_000_000 == pytest.approx(actual, abs=0.5)


def test_map_page_funding_view(viewer_client):
    response = viewer_client.get("/regions/", {"measure": "funding", "map_fy": 2008, "kind": "actual"})
    assert response.status_code == 200
    html = response.content.decode()
    fig = figure(html, "prefecture-map-data")
    traces = [t for t in fig["data"] if t["type"] == "choroplethmap"]
    assert traces and all(t["geojson"].startswith("/static/geo/") for t in traces)
    coloured = next(t for t in traces if t.get("showscale", True) is not False)
    values = dict(zip(coloured["locations"], coloured["z"], strict=True))
    hamamatsu_actual = sum(
        ClusterFunding.objects.filter(cluster__region__slug="hamamatsu", fiscal_year=2008, kind="actual").values_list(
            "national_yen", flat=True
        )
    )
    assert values["Shizuoka"] * 1_000_000 == pytest.approx(hamamatsu_actual, abs=0.5)
    assert fig["layout"]["map"]["style"] == "white-bg"
    assert "badge--illustrative" in html


def test_map_bad_parameters_fall_back(viewer_client):
    response = viewer_client.get("/regions/", {"measure": "x", "map_fy": "abc", "kind": "nope"})
    assert response.status_code == 200
    assert len(response.context["map_warnings"]) == 3


def test_lineage_order(viewer):
    for slug in ("hamamatsu", "sapporo", "tokushima"):
        region = Region.objects.get(slug=slug)
        frame = analytics.lineage(selectors.region_clusters(user=viewer, region=region), horizon=2013)
        programs = list(Cluster.objects.filter(pk__in=list(frame["id"])).order_by().values_list("pk", "program__slug"))
        order = dict(programs)
        assert [order[i] for i in frame["id"]] == ["knowledge-cluster-1", "knowledge-cluster-2"], slug


def test_lineage_spans():
    rows = [
        {"id": 1, "name": "I", "program": "P1", "program_id": 1, "program_order": 1, "program_start_fy": 2002,
         "program_end_fy": None, "start_fy": None, "end_fy": None},
        {"id": 2, "name": "II", "program": "P2", "program_id": 2, "program_order": 2, "program_start_fy": 2007,
         "program_end_fy": None, "start_fy": 2007, "end_fy": None},
        {"id": 3, "name": "City", "program": "P3", "program_id": 3, "program_order": 3, "program_start_fy": None,
         "program_end_fy": None, "start_fy": None, "end_fy": None},
    ]  # fmt: skip
    frame = analytics.lineage(rows, horizon=2010).set_index("id")
    assert (frame.loc[1, "start"], frame.loc[1, "end"], bool(frame.loc[1, "start_known"])) == (2002, 2006, False)
    assert (frame.loc[2, "start"], frame.loc[2, "end"], bool(frame.loc[2, "end_known"])) == (2007, 2010, False)
    assert frame.loc[3, "start"] is None or str(frame.loc[3, "start"]) in ("nan", "None")
    assert list(frame.index) == [1, 2, 3]


def region_slugs(client, **params):
    response = client.get("/regions/", params)
    assert response.status_code == 200
    return {row.record.slug for row in response.context["table"].paginated_rows}


def test_region_filters(viewer_client):
    aichi = Prefecture.objects.get(name_ja="愛知県")
    assert region_slugs(viewer_client, prefecture=aichi.code) == {"aichi-nagoya", "greater-tokai"}
    shikoku = region_slugs(viewer_client, block="shikoku")
    assert "tokushima" in shikoku and "hamamatsu" not in shikoku
    kc2 = region_slugs(viewer_client, program=Cluster.objects.get(slug="hamamatsu-kc2").program_id)
    assert len(kc2) == Cluster.objects.filter(program__slug="knowledge-cluster-2").values("region").distinct().count()
    assert region_slugs(viewer_client, q="浜松") == {"hamamatsu"}
    assert region_slugs(viewer_client, q="optronics") == {"hamamatsu"}
    # running by the one rule (clusters/periods.py): Sapporo Phase II runs FY2007–FY2011;
    # Hirosaki's City Area ended FY2009; Hamamatsu Phase II's last year is unknown, so it never runs
    active_2010 = region_slugs(viewer_client, active_in=2010)
    assert "sapporo" in active_2010 and "hirosaki" not in active_2010 and "hamamatsu" not in active_2010
    assert active_2010 == set(Region.objects.running_in(2010).values_list("slug", flat=True))
    active_2008 = region_slugs(viewer_client, active_in=2008)
    assert "hamamatsu" not in active_2008 and "hirosaki" in active_2008
    # asked for, the regions where a cluster of unknown period may have run are added
    maybe_2008 = region_slugs(viewer_client, active_in=2008, unknown_period="on")
    assert maybe_2008 == active_2008 | set(Region.objects.possibly_running_in(2008).values_list("slug", flat=True))
    assert "hamamatsu" in maybe_2008
    # Hamamatsu Phase II may have run only up to its program's last funded year (FY2008 in the seed)
    assert "hamamatsu" not in region_slugs(viewer_client, active_in=2010, unknown_period="on")


def test_region_bad_filter_is_reported(viewer_client):
    response = viewer_client.get("/regions/", {"active_in": "1800", "prefecture": "99"})
    assert response.status_code == 200
    assert response.context["filterset"].form.errors


def test_region_page_shows_lineage_funding_evaluations_outcomes(viewer_client):
    html = viewer_client.get("/regions/hamamatsu/").content.decode()
    fig = figure(html, "lineage-data")
    names = [y for t in fig["data"] for y in t["y"]]
    assert names.index("浜松オプトロニクスクラスター") > 0  # Phase I drawn first
    assert "coord-hamamatsu" in html
    assert 'id="evaluations"' in html and "+10%" in html
    assert "badge--illustrative" in html
    assert "/clusters/hamamatsu-kc2/" in html


def test_cluster_page(viewer_client):
    response = viewer_client.get("/clusters/hamamatsu-kc2/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "財団法人 浜松地域テクノポリス推進機構" in html
    fig = figure(html, "cluster-funding-data")
    assert {t["name"] for t in fig["data"]} == {"国費", "地域負担"} or len(fig["data"]) == 2


def test_cluster_without_funding_renders(viewer_client):
    response = viewer_client.get("/clusters/ube-kc1/")
    assert response.status_code == 200
    assert response.context["funding"] is None


@pytest.mark.parametrize("url", ["/regions/no-such-region/", "/clusters/no-such-cluster/"])
def test_unknown_slugs_404(viewer_client, url):
    assert viewer_client.get(url).status_code == 404


def test_region_pages_need_login(client):
    for url in ["/regions/", "/regions/hamamatsu/", "/clusters/hamamatsu-kc2/"]:
        assert client.get(url).status_code == 302
