"""Turn analytics frames into ChartBlocks (figure + table alternative + words) for templates.

Shared by the dashboard and the program pages; no ORM and no request here.
"""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext as _

from core.formatting import fiscal_year_label, format_money, format_percent, unit_label

from . import analytics, charts
from .blocks import Cell, ChartBlock


def localized(row: dict) -> str:
    from django.utils.translation import get_language

    if (get_language() or "ja").startswith("en") and row.get("name_en"):
        return row["name_en"]
    return row["name_ja"]


def stage_labels() -> dict[str, str]:
    from programs.choices import Stage

    return {str(value): str(label) for value, label in Stage.choices}


def money_cell(amount: int | None, unit: str, rounded: bool = False) -> Cell:
    return Cell(format_money(amount, unit, rounded=rounded), numeric=True, value=amount)


def budget_stack_block(
    values: pd.DataFrame, programs: list[dict], parent: dict, *, stage: str, unit: str, block_id: str
) -> ChartBlock | None:
    """The parent's budget by child program and fiscal year, stacked, with the unitemized
    remainder as its own series, at one stage per year (``stage``: latest or a named stage)."""
    labels = stage_labels()
    frame = analytics.breakdown(values, programs, parent["id"])
    stages = analytics.stage_per_year(values, parent["id"], stage)
    frame = analytics.select_stages(frame, stages)
    if frame.empty:
        return None
    children = [p for p in programs if p["parent_id"] == parent["id"]]
    series_labels = {p["id"]: localized(p) for p in children}
    series_labels[analytics.REMAINDER] = _("Other / unitemized")
    series_order = [p["id"] for p in children] + [analytics.REMAINDER]
    present = [s for s in series_order if s in set(frame["series"])]
    fig = charts.budget_stack(frame, series_labels=series_labels, series_order=present, stage_labels=labels, unit=unit)
    parent_values = analytics.select_stages(values[values["program_id"] == parent["id"]], stages)
    parent_by_year = {int(r.fiscal_year): r for r in parent_values.itertuples()}
    rows = []
    for fy in sorted(stages):
        part = frame[frame["fiscal_year"] == fy]
        if part.empty:
            continue
        by_series = {r.series: r for r in part.itertuples()}
        row = [Cell(fiscal_year_label(fy, "short"), header=True), Cell(labels[stages[fy]])]
        for series in present:
            item = by_series.get(series)
            row.append(money_cell(int(item.amount_yen), unit, bool(item.rounded)) if item else Cell("—", numeric=True))
        total = parent_by_year.get(fy)
        row.append(money_cell(int(total.amount_yen), unit, bool(total.rounded)) if total else Cell("—", numeric=True))
        rows.append(row)
    columns = [_("Fiscal year"), _("Stage"), *[series_labels[s] for s in present], localized(parent)]
    stage_words = (
        _("each year at its most advanced stage with a figure")
        if stage == "latest"
        else _("at the stage “%(stage)s”") % {"stage": labels[stage]}
    )
    return ChartBlock(
        id=block_id,
        title=_("Budget of “%(program)s” by program and fiscal year") % {"program": localized(parent)},
        summary=_(
            "Stacked bars show each program's figure, %(stages)s; the grey part is the part of the total "
            "that the source does not itemize."
        )
        % {"stages": stage_words},
        figure=charts.figure_json(fig),
        columns=columns,
        numeric_columns=set(range(2, len(columns))),
        rows=rows,
        unit_caption=_("(Unit: %(unit)s)") % {"unit": unit_label(unit)},
        illustrative=bool(frame["illustrative"].any()),
    )


def headline_card(head: dict | None, program: dict, unit: str) -> dict | None:
    """Words and figures for the headline card (UI.md B5): value, change in words, period."""
    if head is None:
        return None
    labels = stage_labels()
    card = {
        "label": localized(program),
        "value": format_money(head["amount_yen"], unit, rounded=head["rounded"]),
        "unit": unit_label(unit),
        "period": f"{fiscal_year_label(head['fy'], 'prose')} {labels[head['stage']]}",
        "stage": head["stage"],
        "stage_label": labels[head["stage"]],
        "rounded": head["rounded"],
        "comparison": None,
    }
    previous = head["previous"]
    if previous:
        delta = previous["delta_yen"]
        direction = _("increase") if delta > 0 else _("decrease") if delta < 0 else _("no change")
        sign = "+" if delta > 0 else ""
        rounded = head["rounded"] or previous["rounded"]
        card["comparison"] = {
            "text": _("Change from the previous year %(delta)s%(unit)s (%(pct)s), %(direction)s")
            % {
                "delta": sign + format_money(delta, unit, rounded=rounded),
                "unit": unit_label(unit),
                "pct": format_percent(previous["delta_pct"], signed=True),
                "direction": direction,
            },
            "basis": _("%(new)s compared with %(old)s")
            % {
                "new": f"{fiscal_year_label(head['fy'], 'short')} {labels[head['stage']]}",
                "old": f"{fiscal_year_label(previous['fy'], 'short')} {labels[previous['stage']]}",
            },
            "same_stage": previous["same_stage"],
            "delta_yen": delta,
            "delta_pct": previous["delta_pct"],
        }
    return card


def stage_block(values: pd.DataFrame, program: dict, *, unit: str, block_id: str) -> ChartBlock | None:
    """One program's figures by fiscal year with each budget stage as its own series, and a table
    with the change from the previous year at the same stage only."""
    labels = stage_labels()
    frame = values[values["program_id"] == program["id"]]
    if frame.empty:
        return None
    fig = charts.stage_bars(frame, stage_labels=labels, unit=unit)
    changes = analytics.year_over_year(values, program["id"])
    rows = []
    for r in changes.itertuples():
        own = frame[(frame["fiscal_year"] == r.fiscal_year) & (frame["stage"] == r.stage)]["own"].iloc[0]
        rows.append(
            [
                Cell(fiscal_year_label(int(r.fiscal_year), "short"), header=True),
                Cell(labels[r.stage]),
                money_cell(int(r.amount_yen), unit, bool(r.rounded)),
                Cell(
                    format_money(r.delta_yen, unit, rounded=bool(r.rounded)) if pd.notna(r.delta_yen) else "—",
                    numeric=True,
                    value=r.delta_yen,
                ),
                Cell(
                    format_percent(r.delta_pct, signed=True)
                    if r.delta_pct is not None and pd.notna(r.delta_pct)
                    else "—",
                    numeric=True,
                ),
                Cell(_("own figure") if own else _("sum of sub-programs")),
            ]
        )
    return ChartBlock(
        id=block_id,
        title=_("“%(program)s” by budget stage and fiscal year") % {"program": localized(program)},
        summary=_(
            "Each budget stage (request, draft, enacted …) is its own series; changes are computed only "
            "between consecutive years at the same stage."
        ),
        figure=charts.figure_json(fig),
        columns=[
            _("Fiscal year"),
            _("Stage"),
            _("Amount"),
            _("Change from previous year (same stage)"),
            _("Change (%)"),
            _("Basis"),
        ],
        numeric_columns={2, 3, 4},
        rows=rows,
        unit_caption=_("(Unit: %(unit)s)") % {"unit": unit_label(unit)},
        illustrative=bool(frame["illustrative"].any()),
    )
