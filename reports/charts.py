"""Plotly figures built server-side: DataFrame in, figure out (DESIGN §6, UI.md B8).

SVG traces only (no WebGL), the Japanese system font stack, fixed axes, unified hover with the
formatted amount, the fiscal-year label and the source kind, the legend below, y from 0.
The page sends ``figure_json(fig)`` through ``json_script``; static/js/charts.js draws it.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
from django.utils.translation import gettext as _

from core.formatting import fiscal_year_label, format_money, unit_label, yen_in_unit

from .analytics import REMAINDER, STAGE_RANK

FONT_FAMILY = (
    '"Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "BIZ UDPGothic", '
    '"Yu Gothic UI", Meiryo, system-ui, sans-serif'
)
PALETTE = ["#0017c1", "#00a3bf", "#8b008b", "#ac3e00", "#4d4d4d", "#a565f8", "#b78f00", "#ff5454"]
CATEGORY_PALETTE = [c for c in PALETTE if c != "#4d4d4d"]
REMAINDER_COLOR = "#4d4d4d"
STAGE_COLORS = {
    "request": "#0877d7",
    "draft": "#264af4",
    "enacted": "#197a4b",
    "supplementary": "#5c10be",
    "settled": "#4d4d4d",
}
STAGE_PATTERNS = {"request": "/", "draft": ".", "enacted": "", "supplementary": "x", "settled": "-"}
ILLUSTRATIVE_PATTERN = "x"


def base_layout(*, y_title: str, height: int = 420) -> dict:
    return {
        "font": {"family": FONT_FAMILY, "size": 14, "color": "#333333"},
        "height": height,
        "margin": {"l": 72, "r": 24, "t": 16, "b": 96},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "x unified",
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.18,
            "x": 0,
            "title": {"text": ""},
            "traceorder": "normal",
        },
        "xaxis": {"type": "category", "fixedrange": True, "showgrid": False, "linecolor": "#949494"},
        "yaxis": {
            "title": {"text": y_title},
            "fixedrange": True,
            "rangemode": "tozero",
            "gridcolor": "#e6e6e6",
            "zerolinecolor": "#949494",
            "separatethousands": True,
            "tickformat": ",~f",
            "exponentformat": "none",
        },
        "bargap": 0.35,
    }


def source_kind_label(illustrative: bool) -> str:
    return _("Illustrative") if illustrative else _("Sourced")


def _hover(amount_yen: int, rounded: bool, fy: int, stage_label: str, unit: str, illustrative: bool) -> str:
    return (
        f"{format_money(amount_yen, unit, rounded=rounded, with_unit=True)}"
        f" · {fiscal_year_label(fy, 'short')} {stage_label} · {source_kind_label(illustrative)}"
    )


def x_label(fy: int, stage: str, stage_labels: dict[str, str]) -> str:
    return f"{fiscal_year_label(fy, 'short')}<br>{stage_labels[stage]}"


def budget_stack(
    frame: pd.DataFrame,
    *,
    series_labels: dict,
    series_order: list,
    stage_labels: dict[str, str],
    unit: str,
) -> go.Figure:
    """Stacked bars: one trace per child program (and the unitemized remainder), x = fiscal year
    with the stage it shows. ``frame`` has fiscal_year, stage, series, amount_yen, rounded,
    illustrative (analytics.breakdown after select_stages)."""
    fig = go.Figure()
    categories = [
        x_label(int(fy), stage, stage_labels)
        for fy, stage in sorted({(int(r.fiscal_year), r.stage) for r in frame.itertuples()})
    ]
    colors = iter(CATEGORY_PALETTE)
    for series in series_order:
        part = frame[frame["series"] == series].sort_values("fiscal_year")
        if part.empty:
            continue
        color = REMAINDER_COLOR if series == REMAINDER else next(colors, "#4d4d4d")
        fig.add_trace(
            go.Bar(
                name=series_labels[series],
                x=[x_label(int(r.fiscal_year), r.stage, stage_labels) for r in part.itertuples()],
                y=[float(yen_in_unit(int(r.amount_yen), unit)) for r in part.itertuples()],
                customdata=[
                    [
                        _hover(
                            int(r.amount_yen),
                            bool(r.rounded),
                            int(r.fiscal_year),
                            stage_labels[r.stage],
                            unit,
                            bool(r.illustrative),
                        )
                    ]
                    for r in part.itertuples()
                ],
                hovertemplate="%{customdata[0]}<extra>%{fullData.name}</extra>",
                marker={
                    "color": color,
                    "line": {"color": "#ffffff", "width": 1},
                    "pattern": {"shape": [ILLUSTRATIVE_PATTERN if r.illustrative else "" for r in part.itertuples()]},
                },
            )
        )
    layout = base_layout(y_title=unit_label(unit))
    layout["barmode"] = "stack"
    layout["xaxis"]["categoryorder"] = "array"
    layout["xaxis"]["categoryarray"] = categories
    fig.update_layout(**layout)
    return fig


def stage_bars(frame: pd.DataFrame, *, stage_labels: dict[str, str], unit: str) -> go.Figure:
    """One program's figures by fiscal year, one trace per budget stage (request, draft, enacted …)
    side by side, so stages are never joined into one line. ``frame``: fiscal_year, stage,
    amount_yen, rounded, illustrative."""
    fig = go.Figure()
    years = sorted({int(fy) for fy in frame["fiscal_year"]})
    for stage in sorted(set(frame["stage"]), key=STAGE_RANK.__getitem__):
        part = frame[frame["stage"] == stage].sort_values("fiscal_year")
        fig.add_trace(
            go.Bar(
                name=stage_labels[stage],
                x=[fiscal_year_label(int(fy), "short") for fy in part["fiscal_year"]],
                y=[float(yen_in_unit(int(a), unit)) for a in part["amount_yen"]],
                customdata=[
                    [
                        _hover(
                            int(r.amount_yen),
                            bool(r.rounded),
                            int(r.fiscal_year),
                            stage_labels[stage],
                            unit,
                            bool(r.illustrative),
                        )
                    ]
                    for r in part.itertuples()
                ],
                hovertemplate="%{customdata[0]}<extra>%{fullData.name}</extra>",
                marker={
                    "color": STAGE_COLORS[stage],
                    "line": {"color": "#ffffff", "width": 1},
                    "pattern": {"shape": STAGE_PATTERNS[stage], "fgcolor": "#ffffff", "size": 6},
                },
                text=[stage_labels[stage]] * len(part),
                textposition="none",
            )
        )
    layout = base_layout(y_title=unit_label(unit))
    layout["barmode"] = "group"
    layout["xaxis"]["categoryorder"] = "array"
    layout["xaxis"]["categoryarray"] = [fiscal_year_label(fy, "short") for fy in years]
    fig.update_layout(**layout)
    return fig


def figure_json(fig: go.Figure) -> dict:
    """The figure as plain JSON data (for json_script), with the page-wide display config."""
    data = json.loads(fig.to_json())
    data["config"] = {"displayModeBar": False, "responsive": True, "locale": "ja"}
    return data
