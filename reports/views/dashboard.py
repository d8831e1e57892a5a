"""The dashboard: headline cards, budget by program by year, the full budget table."""

from django.utils.translation import gettext as _

from clusters.selectors import coverage
from core.history import data_as_of
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
    the one read behind every budget figure on the dashboard, program pages and reports."""
    programs = program_rows(user=user)
    values, partials = analytics.roll_up(analytics.lines_frame(budget_line_rows(user=user)), programs)
    return programs, values, partials


def doubt_text(line) -> str:
    """The stage of a budget line whose source leaves it open ("予算案または当初予算（…）"), else ""."""
    return stage_text(line.stage, line.stage_alternative, line.stage_wording) if line.stage_alternative else ""


def share_inputs(user):
    from .outcomes import outcome_data

    indicators, _totals, shares, _sources = outcome_data(user)
    return indicators, shares


def dashboard(request):
    """Parameters → selectors → analytics → charts → render."""
    params = page_params(request)
    stage = chosen_stage(request, params.warnings)
    programs, values, partials = budget_figures(request.user)
    root = main_program(programs, values)
    head = analytics.headline(values, root["id"]) if root else None
    card = presenters.headline_card(head, root, params.unit) if root else None
    nodes, columns, sources = budget_overview(user=request.user)
    source_numbers = {source.pk: index for index, source in enumerate(sources, start=1)}
    stage_labels = dict(Stage.choices)
    rows = [
        {
            "program": node.program,
            "depth": node.depth,
            "cells": [
                {
                    "line": node.lines[column],
                    "note": source_numbers[node.lines[column].source_id],
                    "doubt": stage_text(
                        column[1], node.lines[column].stage_alternative, node.lines[column].stage_wording
                    )
                    if node.lines[column].stage_alternative
                    else "",
                }
                if column in node.lines
                else {"line": None}
                for column in columns
            ],
        }
        for node in nodes
    ]
    years = []
    for fy, _stage in columns:
        if years and years[-1]["fy"] == fy:
            years[-1]["span"] += 1
        else:
            years.append({"fy": fy, "span": 1})
    context = {
        "warnings": params.warnings,
        "card": card,
        "head": head,
        "root": root,
        "coverage": coverage(user=request.user, fy=head["fy"]) if head else None,
        "chart": presenters.budget_stack_block(
            values, programs, root, stage=stage, unit=params.unit, block_id="budget-by-program", partials=partials
        )
        if root
        else None,
        "stage": stage,
        "stage_choices": stage_choices(),
        "shares": presenters.share_multiples_block(*share_inputs(request.user)),
        "rows": rows,
        "columns": [{"fy": fy, "stage": st, "label": stage_labels[st]} for fy, st in columns],
        "years": years,
        "sources": sources,
        "data_as_of": data_as_of(),
    }
    return render_page(request, "reports/dashboard.html", context)
