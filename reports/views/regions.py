"""Regions (map and list), a region's page and a cluster's page (DESIGN §4)."""

from django.db.models import Prefetch
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from clusters import exports as cluster_exports
from clusters import selectors
from clusters.filtersets import RegionFilterSet
from clusters.models import Cluster, Region
from clusters.querysets import with_cluster_summary
from clusters.tables import RegionTable
from core.history import data_as_of
from core.params import page_params, parse_fiscal_year
from core.roles import Role, has_role
from core.views import FilteredTableView, can_edit
from programs.selectors import sources_for

from .. import analytics, presenters
from .pages import render_page

GEOJSON = "geo/japan_prefectures_naturalearth_10m.geojson"
MEASURES = ("clusters", "funding")
KINDS = ("plan", "actual")


def map_params(request, warnings: list[str], years: list[int], default_fy: int | None) -> dict:
    """measure (clusters | funding), fiscal year, and plan/actual for the map; bad values fall back."""
    measure = request.GET.get("measure") or "clusters"
    if measure not in MEASURES:
        warnings.append(_("Unknown measure “%(value)s”; showing running clusters.") % {"value": measure})
        measure = "clusters"
    kind = request.GET.get("kind") or "actual"
    if kind not in KINDS:
        warnings.append(_("Unknown funding kind “%(value)s”; showing actual funding.") % {"value": kind})
        kind = "actual"
    fy = parse_fiscal_year(request.GET.get("map_fy"), warnings) or default_fy
    return {"measure": measure, "kind": kind, "fy": fy, "years": years}


def default_map_year(user, years: list[int]) -> int | None:
    """The latest year with actual funding reported, else the latest year with a cluster starting."""
    latest = selectors.latest_funding_year(user=user, kind="actual")
    if latest is not None:
        return latest
    return years[-1] if years else None


def build_map(request, params: dict, unit: str):
    """The map block, cached per data version: every signed-in user reads every region (rows are
    national for reading), so the key is what the map shows — year, kind, measure, unit, language."""
    from django.utils.translation import get_language

    from core.history import cached_per_version

    if params["fy"] is None:
        return None
    key = f"region-map:{params['fy']}:{params['kind']}:{params['measure']}:{unit}:{get_language()}"
    return cached_per_version(key, lambda: _build_map(request, params, unit))


def _build_map(request, params: dict, unit: str):
    inputs = selectors.map_inputs(user=request.user, fy=params["fy"], kind=params["kind"])
    frame = analytics.prefecture_measures(**inputs)
    unknown_clusters = selectors.unknown_period_clusters(user=request.user, fy=params["fy"])
    unknown = analytics.prefecture_measures(**{**inputs, "clusters": unknown_clusters, "funding": {}})
    return presenters.map_block(
        frame,
        measure=params["measure"],
        fy=params["fy"],
        kind=params["kind"],
        unit=unit,
        geojson_url=static(GEOJSON),
        unknown=unknown,
    )


class RegionListView(FilteredTableView):
    """The prefecture map and a filterable, sortable table of regions."""

    template_name = "clusters/region_list.html"
    filterset_class = RegionFilterSet
    table_class = RegionTable
    export_name = "regions"
    export_columns = cluster_exports.REGION_COLUMNS

    def export_rows(self, queryset):
        return cluster_exports.region_rows(queryset)

    def can_edit(self, request):
        return False

    def render(self, request, context):
        return render_page(request, self.template_name, context)

    def get_queryset(self, request):
        return with_cluster_summary(Region.objects.restrict(request.user)).prefetch_related(
            "prefectures", Prefetch("clusters", queryset=Cluster.objects.select_related("program"))
        )

    def extra_context(self, request, filterset, table):
        params = page_params(request)
        years = selectors.cluster_years(user=request.user)
        warnings: list[str] = []
        mp = map_params(request, warnings, years, default_map_year(request.user, years))
        return {
            "map": build_map(request, mp, params.unit),
            "map_params": mp,
            "map_warnings": warnings,
            "crumbs": [{"label": _("Regions")}],
        }


region_list = RegionListView.as_view()


def region_detail(request, slug):
    """Lineage timeline, funding by year stacked by cluster, evaluations, outcomes, coordinators,
    annual report status and every figure's source."""
    params = page_params(request)
    region = selectors.region_get(user=request.user, slug=slug)
    clusters = selectors.region_clusters(user=request.user, region=region)
    cluster_ids = [c["id"] for c in clusters]
    funding = selectors.funding_rows(user=request.user, region_ids=[region.pk])
    years = selectors.cluster_years(user=request.user)
    horizon = max([r["fiscal_year"] for r in funding] + [c["end_fy"] or 0 for c in clusters] + years[-1:] or [2008])
    evaluations = selectors.evaluations_for(user=request.user, cluster_ids=cluster_ids)
    outcomes = selectors.outcomes_for(user=request.user, cluster_ids=cluster_ids)
    source_ids = {region.source_id}
    source_ids |= set(Cluster.objects.restrict(request.user).filter(region=region).values_list("source_id", flat=True))
    source_ids |= {e.source_id for e in evaluations} | {o.source_id for o in outcomes}
    source_ids |= set(region_funding_sources(request.user, region))
    context = {
        "region": region,
        "prefectures": list(region.prefectures.order_by("code")),
        "coordinators": list(region.coordinators.order_by("username")),
        "clusters": clusters,
        **region_charts(region, clusters, funding, horizon=horizon, unit=params.unit),
        "evaluations": evaluations,
        "outcomes": outcomes,
        "reports": selectors.reports_for(user=request.user, cluster_ids=cluster_ids),
        "sources": sources_for(user=request.user, source_ids=source_ids),
        "warnings": params.warnings,
        "data_as_of": data_as_of(),
        "crumbs": [{"label": _("Regions"), "url": reverse("clusters:region_list")}, {"label": region.display_name}],
    }
    return render_page(request, "clusters/region_detail.html", context)


def region_charts(region, clusters, funding, *, horizon: int, unit: str) -> dict:
    """The lineage timeline and the funding chart of a region page: built from rows every signed-in
    user reads alike, so cached per data version, region, unit and language (two plotly figures
    and their tables are most of the page's cost for a region with many clusters)."""
    from django.utils.translation import get_language

    from core.history import cached_per_version

    def build():
        in_funding = {r["cluster_id"] for r in funding}
        return {
            "lineage": presenters.lineage_block(clusters, horizon=horizon),
            "funding": presenters.funding_block(
                funding,
                series_labels={c["id"]: c["name"] for c in clusters if c["id"] in in_funding},
                unit=unit,
                block_id="region-funding",
                title=_("Funding of %(region)s by fiscal year, stacked by cluster") % {"region": region.display_name},
            ),
        }

    return cached_per_version(f"region-charts:{region.pk}:{horizon}:{unit}:{get_language()}", build)


def region_funding_sources(user, region) -> list[int]:
    from clusters.models import ClusterFunding

    return list(
        ClusterFunding.objects.restrict(user)
        .filter(cluster__region=region)
        .values_list("source_id", flat=True)
        .distinct()
    )


def cluster_detail(request, slug):
    """Profile, funding plan vs actual, evaluations, outcomes and sources of one cluster."""
    params = page_params(request)
    cluster = selectors.cluster_get(user=request.user, slug=slug)
    funding = selectors.funding_rows(user=request.user, cluster_ids=[cluster.pk])
    evaluations = selectors.evaluations_for(user=request.user, cluster_ids=[cluster.pk])
    outcomes = selectors.outcomes_for(user=request.user, cluster_ids=[cluster.pk])
    source_ids = {cluster.source_id} | {e.source_id for e in evaluations} | {o.source_id for o in outcomes}
    from clusters.models import ClusterFunding

    source_ids |= set(
        ClusterFunding.objects.restrict(request.user).filter(cluster=cluster).values_list("source_id", flat=True)
    )
    reports = selectors.reports_for(user=request.user, cluster_ids=[cluster.pk])
    context = {
        "cluster": cluster,
        "can_edit": can_edit(request.user, cluster),
        "is_manager": has_role(request.user, Role.PROGRAM_MANAGER),
        "report_years": report_years(cluster, reports, funding),
        "funding": presenters.funding_block(
            funding,
            series_labels={cluster.pk: cluster.display_name},
            unit=params.unit,
            block_id="cluster-funding",
            title=_("Funding of %(cluster)s: plan and actual") % {"cluster": cluster.display_name},
            local=True,
        ),
        "evaluations": evaluations,
        "outcomes": outcomes,
        "reports": reports,
        "sources": sources_for(user=request.user, source_ids=source_ids),
        "warnings": params.warnings,
        "data_as_of": data_as_of(),
        "crumbs": [
            {"label": _("Regions"), "url": reverse("clusters:region_list")},
            {"label": cluster.region.display_name, "url": reverse("clusters:region", args=[cluster.region.slug])},
            {"label": cluster.display_name},
        ],
    }
    return render_page(request, "clusters/cluster_detail.html", context)


def report_years(cluster, reports, funding) -> list[dict]:
    """Fiscal years a report can be opened for: the years the cluster ran or may have run
    (clusters/periods.py), the years it has funding figures for, and any year that already has a
    report."""
    period = cluster.period
    years = {r.fiscal_year for r in reports} | {r["fiscal_year"] for r in funding if cluster.admits(r["fiscal_year"])}
    last = period.end_fy if period.known else period.cap
    if period.earliest is not None and last is not None:
        years |= {fy for fy in range(period.earliest, last + 1) if period.running(fy) or period.possibly_running(fy)}
    by_year = {r.fiscal_year: r for r in reports}
    return [
        {"fy": fy, "status": by_year[fy].status if fy in by_year else None,
         "label": by_year[fy].get_status_display() if fy in by_year else ""}
        for fy in sorted(years)
    ]  # fmt: skip
