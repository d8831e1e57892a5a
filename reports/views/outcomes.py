"""University outcomes and the four MEXT programs' share (DESIGN §2 "Indicator", §4)."""

from django.utils.translation import gettext as _

from core.history import cached_per_version, data_as_of
from core.params import page_params
from programs import selectors
from programs.filtersets import OutcomeValueFilterSet
from programs.models import OutcomeValue

from .. import analytics, presenters
from .pages import page_of, render_page, year_window

#: indicator families (one chart and its table each) per page
FAMILIES_PER_PAGE = 8


def outcome_data(user, queryset=None):
    """Indicators, share rows and the sources the outcome values cite, for the outcomes page,
    the outcome-shares report and the dashboard. Only the totals and the contributions of the
    programs that count toward the share are read (a share needs no others). Outcome values
    are national rows that every signed-in user reads in full, so the unfiltered data is kept
    once per data version (read-only: callers copy before changing anything)."""
    if queryset is None and user.is_authenticated:
        return cached_per_version("outcome-data", lambda: compute_outcome_data(user))
    return compute_outcome_data(user, queryset)


def compute_outcome_data(user, queryset=None):
    indicators = selectors.indicator_rows(user=user)
    totals, contributions = selectors.outcome_rows(user=user, queryset=queryset, counting_only=True)
    shares = analytics.outcome_shares(totals, contributions, selectors.counting_program_ids(user=user))
    source_ids = selectors.outcome_source_ids(user=user, queryset=queryset)
    sources = {s.pk: s for s in selectors.sources_for(user=user, source_ids=source_ids)}
    return indicators, totals, shares, sources


def cached_families(request, filterset, window):
    """The chart blocks of the outcomes page, cached per data version, language, filters and
    year window.

    Outcome values are national rows every signed-in user reads in full (restrict is
    all-or-nothing for them), so one cached copy serves everyone; every write bumps the version.
    """
    cleaned = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    filters = any(value not in (None, "", [], ()) and not is_empty_queryset(value) for value in cleaned.values())
    query = sorted((k, v) for k, v in request.GET.lists() if k not in ("page", "export", "chart", "encoding"))
    key = f"outcomes:{request.LANGUAGE_CODE}:{query if filters else ''}:{window.fy_from if window.limited else ''}"

    def build():
        queryset = filterset.qs if filters else None
        if window.limited:
            queryset = (queryset if queryset is not None else OutcomeValue.objects.restrict(request.user)).filter(
                fiscal_year__gte=window.fy_from
            )
        indicators, totals, shares, sources = outcome_data(request.user, queryset)
        families = presenters.outcome_families(indicators, shares, totals, sources)
        for item in families:
            item["block"].table_body()  # kept with the cached block
        return families, sources

    return cached_per_version(key, build, timeout=3600)


def is_empty_queryset(value) -> bool:
    return hasattr(value, "exists") and not value.exists()


def outcomes(request):
    """Per indicator: the all-university total, the four programs' part, the share and its
    sources; definition breaks as separate series; data errors flagged, never charted. The
    latest ten fiscal years unless a range is asked for, eight indicator families a page, with
    an index of all of them."""
    params = page_params(request)
    filterset = OutcomeValueFilterSet(
        request.GET or None, queryset=OutcomeValue.objects.restrict(request.user), request=request
    )
    asked = request.GET.get("fy_from") or request.GET.get("fy_to")
    shares = outcome_data(request.user)[2]
    window = year_window([] if asked else [int(y) for y in shares["fiscal_year"].unique()], None, None)
    families, sources = cached_families(request, filterset, window)
    exporting = request.GET.get("export") and request.GET.get("chart")
    page, page_range = page_of(request, families, per_page=FAMILIES_PER_PAGE)
    index = [
        {"slug": item["family"][0]["slug"], "title": item["block"].title, "page": n // FAMILIES_PER_PAGE + 1}
        for n, item in enumerate(families)
    ]
    return render_page(
        request,
        "reports/outcomes.html",
        {
            "filterset": filterset,
            "families": families if exporting else page.object_list,  # a chart's download from any page
            "page": page,
            "page_range": page_range,
            "window": window,
            "index": index if page.paginator.num_pages > 1 else [],
            "sources": sorted(sources.values(), key=lambda s: (s.kind, s.title)),
            "warnings": params.warnings,
            "data_as_of": data_as_of(),
            "crumbs": [{"label": _("University outcomes")}],
        },
    )
