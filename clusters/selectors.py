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
