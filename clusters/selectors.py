"""Reads of region-owned data that views need; everything goes through ``restrict``."""

from .models import Cluster, Prefecture, Region


def coverage(*, user, fy: int) -> dict:
    """Clusters active in fiscal year ``fy``, the regions they belong to and the prefectures
    those regions cover (a multi-prefecture region counts each of its prefectures)."""
    clusters = Cluster.objects.restrict(user).active_in(fy)
    region_ids = set(clusters.values_list("region_id", flat=True))
    return {
        "fy": fy,
        "clusters": clusters.count(),
        "regions": len(region_ids),
        "regions_total": Region.objects.restrict(user).count(),
        "prefectures": Prefecture.objects.filter(regions__in=region_ids).distinct().count(),
    }


def clusters_for_programs(*, user, program_ids) -> list[Cluster]:
    """Clusters funded under any of the given programs, with region and program."""
    return list(
        Cluster.objects.restrict(user)
        .filter(program_id__in=program_ids)
        .select_related("region", "program", "source")
        .order_by("program__order", "start_fy", "region__name_ja")
    )


def funding_rows(*, user, region_ids=None, cluster_ids=None, fy=None, kind=None) -> list[dict]:
    """Cluster funding as plain rows (cluster, region, fiscal year, kind, national and local yen,
    illustrative flag). The one read behind the map's funding view, the region page and the
    cluster page, so their sums always agree. One query."""
    from .models import ClusterFunding

    qs = ClusterFunding.objects.restrict(user)
    if region_ids is not None:
        qs = qs.filter(cluster__region_id__in=region_ids)
    if cluster_ids is not None:
        qs = qs.filter(cluster_id__in=cluster_ids)
    if fy is not None:
        qs = qs.filter(fiscal_year=fy)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return [
        {
            "cluster_id": row["cluster_id"],
            "region_id": row["cluster__region_id"],
            "fiscal_year": row["fiscal_year"],
            "kind": row["kind"],
            "national_yen": row["national_yen"],
            "local_yen": row["local_yen"],
            "illustrative": row["source__kind"] == "illustrative",
        }
        for row in qs.values(
            "cluster_id", "cluster__region_id", "fiscal_year", "kind", "national_yen", "local_yen", "source__kind"
        ).order_by("fiscal_year", "kind", "cluster_id")
    ]


def region_funding(*, user, fy: int, kind: str) -> dict[int, dict]:
    """National funding per region in one fiscal year and kind: region id → {yen, illustrative}."""
    result: dict[int, dict] = {}
    for row in funding_rows(user=user, fy=fy, kind=kind):
        entry = result.setdefault(row["region_id"], {"yen": 0, "illustrative": False})
        entry["yen"] += row["national_yen"]
        entry["illustrative"] = entry["illustrative"] or row["illustrative"]
    return result


def map_inputs(*, user, fy: int, kind: str) -> dict:
    """Everything the prefecture map needs for one fiscal year, in five queries."""
    from django.utils.translation import get_language

    english = (get_language() or "ja").startswith("en")

    def name(row):
        return row["name_en"] if english and row["name_en"] else row["name_ja"]

    regions = {r["id"]: name(r) for r in Region.objects.restrict(user).values("id", "name_ja", "name_en")}
    through = Region.prefectures.through
    return {
        "prefectures": list(Prefecture.objects.order_by("code").values("code", "name_ja", "name_en")),
        "region_prefectures": list(through.objects.values_list("region_id", "prefecture_id")),
        "regions": regions,
        "clusters": [
            {"id": c["id"], "region_id": c["region_id"], "name": name(c)}
            for c in Cluster.objects.restrict(user).active_in(fy).values("id", "region_id", "name_ja", "name_en")
        ],
        "funding": region_funding(user=user, fy=fy, kind=kind),
    }


def cluster_years(*, user) -> list[int]:
    """Fiscal years in which at least one cluster is known to be active, or has funding."""
    from django.db.models import Max, Min

    from .models import ClusterFunding

    bounds = Cluster.objects.restrict(user).aggregate(first=Min("start_fy"), last=Max("start_fy"), end=Max("end_fy"))
    funded = ClusterFunding.objects.restrict(user).aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
    lows = [v for v in (bounds["first"], funded["first"]) if v]
    highs = [v for v in (bounds["last"], bounds["end"], funded["last"]) if v]
    if not lows:
        return []
    return list(range(min(lows), max(highs) + 1))


def region_get(*, user, slug: str) -> Region:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Region.objects.restrict(user).select_related("source"), slug=slug)


def region_clusters(*, user, region) -> list[dict]:
    """The region's clusters as rows for the lineage (with program order and period)."""
    from django.utils.translation import get_language

    english = (get_language() or "ja").startswith("en")
    rows = []
    for c in (
        Cluster.objects.restrict(user)
        .filter(region=region)
        .values(
            "id",
            "slug",
            "name_ja",
            "name_en",
            "start_fy",
            "end_fy",
            "status",
            "program_id",
            "program__name_ja",
            "program__name_en",
            "program__order",
            "program__start_fy",
            "program__end_fy",
        )
    ):
        rows.append(
            {
                "id": c["id"],
                "slug": c["slug"],
                "name": c["name_en"] if english and c["name_en"] else c["name_ja"],
                "program": c["program__name_en"] if english and c["program__name_en"] else c["program__name_ja"],
                "program_id": c["program_id"],
                "program_order": c["program__order"],
                "program_start_fy": c["program__start_fy"],
                "program_end_fy": c["program__end_fy"],
                "start_fy": c["start_fy"],
                "end_fy": c["end_fy"],
                "status": c["status"],
            }
        )
    return rows


def cluster_get(*, user, slug: str) -> Cluster:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Cluster.objects.restrict(user).select_related("region", "program", "source"), slug=slug)


def evaluations_for(*, user, cluster_ids) -> list:
    from .models import Evaluation

    return list(
        Evaluation.objects.restrict(user)
        .filter(cluster_id__in=cluster_ids)
        .select_related("cluster", "source")
        .order_by("fiscal_year", "cluster__start_fy")
    )


def outcomes_for(*, user, cluster_ids) -> list:
    from .models import ClusterOutcome

    return list(
        ClusterOutcome.objects.restrict(user)
        .filter(cluster_id__in=cluster_ids)
        .select_related("cluster", "indicator", "source")
        .order_by("indicator__order", "fiscal_year", "cluster_id")
    )


def reports_for(*, user, cluster_ids) -> list:
    from .models import AnnualReport

    return list(
        AnnualReport.objects.restrict(user)
        .filter(cluster_id__in=cluster_ids)
        .select_related("cluster")
        .order_by("fiscal_year", "cluster_id")
    )
