"""Program list and detail pages and the budget-line list (DESIGN §4)."""

from types import SimpleNamespace

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clusters.selectors import clusters_for_programs, count_clusters_for_programs, program_facts
from core.history import cached_per_version, data_as_of
from core.params import page_params
from core.views import FilteredTableView, can_edit
from programs import exports, selectors
from programs.filtersets import BudgetLineFilterSet, ProgramFilterSet
from programs.models import BudgetLine, Program
from programs.querysets import descendant_ids
from programs.tables import BudgetLineTable, ProgramTable

from .. import analytics, presenters
from .dashboard import budget_figures, chosen_stage, latest_figures, stage_choices
from .pages import render_page


class ProgramListView(FilteredTableView):
    """The program tree and a sortable, filterable, paginated table of programs."""

    template_name = "programs/program_list.html"
    filterset_class = ProgramFilterSet
    table_class = ProgramTable
    per_page = 25
    export_name = "programs"
    export_columns = exports.PROGRAM_COLUMNS

    def export_rows(self, queryset):
        return exports.program_rows(queryset, self.latest)

    def get_queryset(self, request):
        self.latest = latest_figures(request.user)  # the one "latest" rule (DESIGN §2b)
        return Program.objects.restrict(request.user).select_related("parent").with_cluster_count()

    def get_table(self, request, rows, params):
        return self.table_class(rows, unit=params.unit, latest=self.latest)

    def extra_context(self, request, filterset, table):
        return {"tree": program_tree_html(request.user), "crumbs": [{"label": _("Programs")}]}


program_list = ProgramListView.as_view()


def program_tree_html(user) -> str:
    """The whole program tree as HTML, rendered once per data version and language (programs
    are national rows every signed-in user reads in full)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    html = cached_per_version(
        f"program-tree:{get_language()}",
        lambda: str(render_to_string("programs/includes/tree.html", {"tree": selectors.program_tree(user=user)})),
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own template, escaped there


#: the program page lists this many clusters (the rest: /regions/ filtered by the program) and
#: the contributions of the latest this many fiscal years (the rest: /outcomes/values/)
CLUSTER_ROWS = 50
CONTRIBUTION_YEARS = 5


def cached_block(key: str, build):
    """A chart block (with its table) once per data version: budget figures are national rows
    every signed-in user reads in full."""

    def with_table():
        block = build()
        if block is not None:
            block.table_body()  # kept with the cached block
        return block

    return cached_per_version(key, with_table)


def program_detail(request, slug):
    """Budget by stage over years, the children with the unitemized remainder, the clusters
    funded under the program, its outcome contributions, and every figure's source."""
    params = page_params(request)
    stage = chosen_stage(request, params.warnings)
    program = selectors.program_get(user=request.user, slug=slug)
    programs, values, partials = budget_figures(request.user)
    row = next(p for p in programs if p["id"] == program.pk)
    subtree = descendant_ids([SimpleNamespace(pk=p["id"], parent_id=p["parent_id"]) for p in programs], [program.pk])
    children = [p for p in programs if p["parent_id"] == program.pk]
    contributions = (
        selectors.contributions_for(user=request.user, program_ids=[program.pk], latest_years=CONTRIBUTION_YEARS)
        if program.counts_toward_outcome_share
        else []
    )
    source_ids = selectors.line_source_ids(user=request.user, program_ids=subtree) | {program.source_id}
    source_ids |= selectors.contribution_source_ids(user=request.user, program_ids=[program.pk])
    clusters = clusters_for_programs(user=request.user, program_ids=subtree, limit=CLUSTER_ROWS)
    language = get_language()
    context = {
        "program": program,
        "can_edit": can_edit(request.user, program),
        "crumbs": [
            {"label": _("Programs"), "url": reverse("programs:program_list")},
            *[
                {"label": presenters.localized(a), "url": reverse("programs:program", args=[a["slug"]])}
                for a in selectors.program_ancestors(program, programs)
            ],
            {"label": presenters.localized(row)},
        ],
        "ancestors": selectors.program_ancestors(program, programs),
        "children": children,
        "stage_chart": cached_block(
            f"program-stages:{program.pk}:{language}:{params.unit}",
            lambda: presenters.stage_block(values, row, unit=params.unit, block_id="program-stages", partials=partials),
        ),
        "children_chart": cached_block(
            f"program-children:{program.pk}:{language}:{params.unit}:{stage}",
            lambda: presenters.budget_stack_block(
                values, programs, row, stage=stage, unit=params.unit, block_id="program-children", partials=partials
            ),
        )
        if children
        else None,
        "stage": stage,
        "stage_choices": stage_choices(),
        "clusters": clusters,
        "clusters_total": count_clusters_for_programs(user=request.user, program_ids=subtree),
        "contribution_years": CONTRIBUTION_YEARS,
        "facts": program_facts(user=request.user, program=program),
        "contributions": contributions,
        "sources": selectors.sources_for(user=request.user, source_ids=source_ids),
        "warnings": params.warnings,
        "data_as_of": data_as_of(),
    }
    return render_page(request, "programs/program_detail.html", context)


TOTAL_REFUSALS = {
    "stages": lambda: _(
        "No total: the rows shown are at different budget stages (a request and an enacted budget are not "
        "added up). Filter by one stage to see a total."
    ),
    "doubt": lambda: _(
        "No total: some rows' stage is in doubt in their source (e.g. 政府予算 may be a draft or an enacted "
        "budget), so they cannot be added up with rows of a settled stage."
    ),
    "nested": lambda: _(
        "No total: the rows include a program together with its own sub-programs, whose figures the parent's "
        "already contains. Filter by program level to see a total."
    ),
}


class BudgetLineListView(FilteredTableView):
    """Every budget line, filtered (program with descendants, stage, policy area, fiscal years),
    sorted and paginated, with a totals row over all filtered rows."""

    template_name = "programs/budget_list.html"
    filterset_class = BudgetLineFilterSet
    table_class = BudgetLineTable
    export_name = "budget-lines"
    export_columns = exports.BUDGET_LINE_COLUMNS

    def export_rows(self, queryset):
        return exports.budget_line_rows(queryset)

    def get_queryset(self, request):
        as_of = self.as_of(request)
        if as_of is not None:
            # rows as they stood at the end of that day (Asia/Tokyo), from the change history; budget
            # lines are national rows that every signed-in user may read (restrict is all-or-nothing)
            return BudgetLine.history.as_of(as_of).select_related("program", "source")
        return BudgetLine.objects.restrict(request.user).select_related("program", "source")

    def as_of(self, request):
        """End of the day named by ?as_of=YYYY-MM-DD, or None (a bad date is reported)."""
        if not hasattr(self, "_as_of"):
            self._as_of = parse_as_of(request.GET.get("as_of"), self.as_of_warnings)
        return self._as_of

    as_of_warnings: list

    def dispatch(self, request, *args, **kwargs):
        self.as_of_warnings = []
        return super().dispatch(request, *args, **kwargs)

    def can_edit(self, request):
        return self.as_of(request) is None and super().can_edit(request)

    def get_filterset(self, request, queryset):
        years = selectors.budget_years(user=request.user)
        return self.filterset_class(request.GET or None, queryset=queryset, request=request, years=years)

    def get_table(self, request, rows, params):
        totals = selectors.budget_totals(rows)
        allowed, reason = analytics.can_total(totals.pop("keys"), selectors.program_rows(user=request.user))
        totals["reason"] = reason
        if not allowed:
            totals["amount_yen"] = None  # a refused total is not computed anywhere (DESIGN §2b)
        totals["reason_text"] = TOTAL_REFUSALS[reason]() if reason else ""
        return self.table_class(rows, unit=params.unit, totals=totals)

    def extra_context(self, request, filterset, table):
        as_of = self.as_of(request)
        return {
            "crumbs": [{"label": _("Budget lines")}],
            "as_of": as_of,
            "as_of_value": request.GET.get("as_of", ""),
            "as_of_warnings": self.as_of_warnings,
        }


budget_list = BudgetLineListView.as_view()


def parse_as_of(value: str | None, warnings: list):
    """'2026-11-29' → the last instant of that day in Asia/Tokyo; bad input → None + warning."""
    import datetime as dt

    from django.utils import timezone

    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        warnings.append(_("“%(value)s” is not a date (YYYY-MM-DD); showing the current figures.") % {"value": value})
        return None
    end = dt.datetime.combine(day, dt.time.max)
    return timezone.make_aware(end, timezone.get_default_timezone())
