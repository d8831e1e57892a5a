"""Program list and detail pages and the budget-line list (DESIGN §4)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from clusters.selectors import clusters_for_programs
from core.history import data_as_of
from core.params import page_params
from core.views import FilteredTableView, can_edit
from programs import selectors
from programs.filtersets import BudgetLineFilterSet, ProgramFilterSet
from programs.models import BudgetLine, Program
from programs.querysets import descendant_ids
from programs.tables import BudgetLineTable, ProgramTable

from .. import analytics, presenters
from .dashboard import chosen_stage, stage_choices


class ProgramListView(FilteredTableView):
    """The program tree and a sortable, filterable, paginated table of programs."""

    template_name = "programs/program_list.html"
    filterset_class = ProgramFilterSet
    table_class = ProgramTable
    per_page = 25

    def get_queryset(self, request):
        return Program.objects.restrict(request.user).select_related("parent").with_latest_budget().with_cluster_count()

    def extra_context(self, request, filterset, table):
        return {"tree": selectors.program_tree(user=request.user), "crumbs": [{"label": _("Programs")}]}


program_list = ProgramListView.as_view()


def program_detail(request, slug):
    """Budget by stage over years, the children with the unitemized remainder, the clusters
    funded under the program, its outcome contributions, and every figure's source."""
    params = page_params(request)
    stage = chosen_stage(request, params.warnings)
    program = selectors.program_get(user=request.user, slug=slug)
    programs = selectors.program_rows(user=request.user)
    values = analytics.rolled_values(analytics.lines_frame(selectors.budget_line_rows(user=request.user)), programs)
    row = next(p for p in programs if p["id"] == program.pk)
    subtree = descendant_ids([Program(pk=p["id"], parent_id=p["parent_id"]) for p in programs], [program.pk])
    children = [p for p in programs if p["parent_id"] == program.pk]
    contributions = selectors.contributions_for(user=request.user, program_ids=[program.pk])
    source_ids = selectors.line_source_ids(user=request.user, program_ids=subtree) | {program.source_id}
    source_ids |= {c.source_id for c in contributions}
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
        "stage_chart": presenters.stage_block(values, row, unit=params.unit, block_id="program-stages"),
        "children_chart": presenters.budget_stack_block(
            values, programs, row, stage=stage, unit=params.unit, block_id="program-children"
        )
        if children
        else None,
        "stage": stage,
        "stage_choices": stage_choices(),
        "clusters": clusters_for_programs(user=request.user, program_ids=subtree),
        "contributions": contributions,
        "sources": selectors.sources_for(user=request.user, source_ids=source_ids),
        "warnings": params.warnings,
        "data_as_of": data_as_of(),
    }
    return render(request, "programs/program_detail.html", context)


class BudgetLineListView(FilteredTableView):
    """Every budget line, filtered (program with descendants, stage, policy area, fiscal years),
    sorted and paginated, with a totals row over all filtered rows."""

    template_name = "programs/budget_list.html"
    filterset_class = BudgetLineFilterSet
    table_class = BudgetLineTable

    def get_queryset(self, request):
        return BudgetLine.objects.restrict(request.user).select_related("program", "source")

    def get_filterset(self, request, queryset):
        years = selectors.budget_years(user=request.user)
        return self.filterset_class(request.GET or None, queryset=queryset, request=request, years=years)

    def get_table(self, request, rows, params):
        return self.table_class(rows, unit=params.unit, totals=selectors.budget_totals(rows))

    def extra_context(self, request, filterset, table):
        return {"crumbs": [{"label": _("Budget lines")}]}


budget_list = BudgetLineListView.as_view()
