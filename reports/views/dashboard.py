"""The dashboard: headline cards, budget by program by year, the top of the budget table."""

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clusters.selectors import coverage
from core.formatting import unit_label
from core.history import cached_per_version, data_as_of
from core.params import page_params
from programs.choices import Stage, stage_text
from programs.selectors import budget_line_rows, budget_overview, program_rows

from .. import analytics, presenters
from .pages import render_page

STAGE_CHOICES = ["latest", *Stage.values]


def chosen_stage(request, warnings: list[str]) -> str:
    stage = request.GET.get("stage") or "latest"
    if stage not in STAGE_CHOICES:
        warnings.append(_("Unknown stage “%(value)s”; showing the latest stage.") % {"value": stage})
        return "latest"
    return stage


def stage_choices() -> list[tuple[str, str]]:
    return [("latest", _("Latest stage each year")), *Stage.choices]


def main_program(programs: list[dict], values) -> dict | None:
    """The first root program (in display order) that has budget figures."""
    with_values = set(values["program_id"]) if not values.empty else set()
    return next((p for p in programs if p["parent_id"] is None and p["id"] in with_values), None)


def budget_figures(user):
    """Programs, their complete budget figures and the partial sums left out (analytics.roll_up):
    the one read behind every budget figure on the dashboard, program pages and reports.

    Programs and budget lines are national rows that every signed-in user reads in full
    (``restrict`` is all-or-nothing for them), so one copy per data version serves everyone
    (``cached_per_version``; computed again after every write). Read-only: callers filter and
    copy, never change the frames or rows."""
    if not user.is_authenticated:
        return compute_budget_figures(user)
    return cached_per_version("budget-figures", lambda: compute_budget_figures(user))


def compute_budget_figures(user):
    programs = program_rows(user=user)
    values, partials = analytics.roll_up(analytics.lines_frame(budget_line_rows(user=user)), programs)
    return programs, values, partials


def latest_figures(user) -> dict[int, dict]:
    """Each program's latest figure (``analytics.latest_figures``), once per data version."""
    if not user.is_authenticated:
        return analytics.latest_figures(budget_figures(user)[1])
    return cached_per_version("budget-latest", lambda: analytics.latest_figures(budget_figures(user)[1]))


def doubt_text(line) -> str:
    """The stage of a budget line whose source leaves it open ("予算案または当初予算（…）"), else ""."""
    return stage_text(line.stage, line.stage_alternative, line.stage_wording) if line.stage_alternative else ""


def share_inputs(user):
    from .outcomes import outcome_data

    indicators, _totals, shares, _sources = outcome_data(user)
    return indicators, shares


def share_block(user):
    """The outcome-share small multiples, once per data version and language (outcome values
    are national rows every signed-in user reads in full)."""
    return cached_per_version(f"dashboard-shares:{get_language()}", lambda: with_table(share_inputs(user)))


def with_table(inputs):
    block = presenters.share_multiples_block(*inputs)
    if block is not None:
        block.table_body()  # kept with the cached block
    return block


def overview(user, unit: str):
    """The overview table's HTML and the sources it numbers, once per data version, language and
    unit: the top of the program tree and the latest years (``budget_overview``), linked to the
    full table on /budgets/ and the budget pivot."""

    def build():
        data = budget_overview(user=user)
        source_numbers = {source.pk: index for index, source in enumerate(data.sources, start=1)}
        stage_labels = dict(Stage.choices)
        rows = [
            {
                "program": node.program,
                "depth": node.depth,
                "cells": [
                    {"line": line, "note": source_numbers[line.source_id], "doubt": doubt_text(line)}
                    if (line := node.lines.get(column))
                    else {"line": None}
                    for column in data.columns
                ],
            }
            for node in data.nodes
        ]
        years = []
        for fy, _stage in data.columns:
            if years and years[-1]["fy"] == fy:
                years[-1]["span"] += 1
            else:
                years.append({"fy": fy, "span": 1})
        html = render_to_string(
            "reports/dashboard_overview.html",
            {
                "rows": rows,
                "columns": [{"fy": fy, "stage": st, "label": stage_labels[st]} for fy, st in data.columns],
                "years": years,
                "unit": unit,
                "unit_label": unit_label(unit),
                "depth": data.depth,
                "shown": len(data.nodes),
                "total": data.programs_total,
                "first_fy": years[0]["fy"] if years else None,
                "last_fy": years[-1]["fy"] if years else None,
            },
        )
        return str(html), data.sources

    html, sources = cached_per_version(f"dashboard-overview:{get_language()}:{unit}", build)
    return mark_safe(html), sources  # noqa: S308 - rendered by our own template, escaped there


def budget_chart(user, programs, values, partials, root, *, stage: str, unit: str):
    """The root's budget stacked by child program, once per data version, language, stage and unit."""

    def build():
        block = presenters.budget_stack_block(
            values, programs, root, stage=stage, unit=unit, block_id="budget-by-program", partials=partials
        )
        if block is not None:
            block.table_body()  # kept with the cached block
        return block

    return cached_per_version(f"dashboard-chart:{get_language()}:{unit}:{stage}", build)


def dashboard(request):
    """Parameters → selectors → analytics → charts → render."""
    params = page_params(request)
    stage = chosen_stage(request, params.warnings)
    programs, values, partials = budget_figures(request.user)
    root = main_program(programs, values)
    head = analytics.headline(values, root["id"]) if root else None
    card = presenters.headline_card(head, root, params.unit) if root else None
    table, sources = overview(request.user, params.unit)
    context = {
        "warnings": params.warnings,
        "card": card,
        "head": head,
        "root": root,
        "coverage": coverage(user=request.user, fy=head["fy"]) if head else None,
        "chart": budget_chart(request.user, programs, values, partials, root, stage=stage, unit=params.unit)
        if root
        else None,
        "stage": stage,
        "stage_choices": stage_choices(),
        "shares": share_block(request.user),
        "overview": table,
        "sources": sources,
        "data_as_of": data_as_of(),
    }
    return render_page(request, "reports/dashboard.html", context)
