"""University outcomes and the four MEXT programs' share (DESIGN §2 "Indicator", §4)."""

from django.utils.translation import gettext as _

from core.history import data_as_of
from core.params import page_params
from programs import selectors
from programs.filtersets import OutcomeValueFilterSet
from programs.models import OutcomeValue

from .. import analytics, presenters
from .pages import render_page


def outcome_data(user, queryset=None):
    """Indicators, share rows and the sources they cite, for the outcomes page and dashboard."""
    indicators = selectors.indicator_rows(user=user)
    totals, contributions = selectors.outcome_rows(user=user, queryset=queryset)
    shares = analytics.outcome_shares(totals, contributions, selectors.counting_program_ids(user=user))
    source_ids = {t["source_id"] for t in totals} | {c["source_id"] for c in contributions}
    sources = {s.pk: s for s in selectors.sources_for(user=user, source_ids=source_ids)}
    return indicators, totals, shares, sources


def cached_families(request, filterset):
    """The chart blocks of the outcomes page, cached per data version, language and filters.

    Outcome values are national rows every signed-in user reads in full (restrict is
    all-or-nothing for them), so one cached copy serves everyone; every write bumps the version.
    """
    from django.core.cache import cache

    from core.history import data_version

    filters = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else None
    key = (
        f"kakehashi:outcomes:{data_version()}:{request.LANGUAGE_CODE}:{sorted(request.GET.lists()) if filters else ''}"
    )
    cached = cache.get(key)
    if cached is None:
        indicators, totals, shares, sources = outcome_data(request.user, filterset.qs)
        cached = (presenters.outcome_families(indicators, shares, totals, sources), sources)
        cache.set(key, cached, timeout=3600)
    return cached


def outcomes(request):
    """Per indicator: the all-university total, the four programs' part, the share and its
    sources; definition breaks as separate series; data errors flagged, never charted."""
    params = page_params(request)
    filterset = OutcomeValueFilterSet(
        request.GET or None, queryset=OutcomeValue.objects.restrict(request.user), request=request
    )
    families, sources = cached_families(request, filterset)
    return render_page(
        request,
        "reports/outcomes.html",
        {
            "filterset": filterset,
            "families": families,
            "sources": sorted(sources.values(), key=lambda s: (s.kind, s.title)),
            "warnings": params.warnings,
            "data_as_of": data_as_of(),
            "crumbs": [{"label": _("University outcomes")}],
        },
    )
