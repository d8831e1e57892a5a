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
DOUBT_PATTERN = "\\"


def base_layout(*, y_title: str, height: int = 420) -> dict:
    return {
        "template": "none",
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


def source_kind_label(kind: bool | str) -> str:
    """The words for a figure's source kind in hover texts; a bool is the old illustrative flag."""
    if isinstance(kind, bool):
        kind = "illustrative" if kind else "official"
    return {
        "illustrative": _("Illustrative (例示)"),
        "reported": _("Reported by the region"),
        "press": _("Press / other publication"),
    }.get(kind, _("Sourced"))


def marked_name(label: str, kinds) -> str:
    """A trace's name, marked when any of its figures is illustrative or reported (DESIGN §2b)."""
    kinds = set(kinds)
    if "illustrative" in kinds:
        return f"{label}（{_('illustrative')}）"
    if "reported" in kinds:
        return f"{label}（{_('reported by the region')}）"
    return label


def _hover(amount_yen: int, rounded: bool, fy: int, stage_label: str, unit: str, kind, doubt: bool = False) -> str:
    precision = _("rounded in the source") if rounded else _("as stated in the source")
    stage = stage_label + (_(" (stage in doubt in the source)") if doubt else "")
    return (
        f"{format_money(amount_yen, unit, rounded=rounded, with_unit=True)} ({precision})"
        f" · {fiscal_year_label(fy, 'short')} {stage} · {source_kind_label(kind)}"
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
                            r.kind,
                            bool(r.doubt),
                        )
                    ]
                    for r in part.itertuples()
                ],
                hovertemplate="%{customdata[0]}<extra>%{fullData.name}</extra>",
                marker={
                    "color": color,
                    "line": {"color": "#ffffff", "width": 1},
                    "pattern": {
                        "shape": [ILLUSTRATIVE_PATTERN if r.illustrative else "" for r in part.itertuples()],
                        "fillmode": "overlay",
                        "fgcolor": "#ffffff",
                    },
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
                name=marked_name(stage_labels[stage], part["kind"]),
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
                            r.kind,
                            bool(r.doubt),
                        )
                    ]
                    for r in part.itertuples()
                ],
                hovertemplate="%{customdata[0]}<extra>%{fullData.name}</extra>",
                marker={
                    "color": STAGE_COLORS[stage],
                    "line": {"color": "#ffffff", "width": 1},
                    "pattern": {
                        # a figure whose stage the source leaves in doubt is cross-hatched (DESIGN §2b)
                        "shape": [DOUBT_PATTERN if d else STAGE_PATTERNS[stage] for d in part["doubt"]],
                        "fgcolor": "#ffffff",
                        "size": 6,
                        "fillmode": "overlay",
                    },
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


def figure_json(fig: go.Figure, *, modebar: bool = False) -> dict:
    """The figure as plain JSON data (for json_script), with the page-wide display config.
    Only maps get the modebar (zoom and reset), without the plotly logo."""
    data = json.loads(fig.to_json())
    data["config"] = {"displayModeBar": modebar, "displaylogo": False, "responsive": True}
    if modebar:
        data["config"]["modeBarButtonsToRemove"] = ["toImage", "select2d", "lasso2d"]
    return data


# --- Maps and regions ------------------------------------------------------------------------

SEQUENTIAL = ["#e8f1fe", "#c5d7fb", "#7096f8", "#3460fb", "#0017c1", "#00118f"]
NO_DATA = "#f2f2f2"


def _names(names: list[str], limit: int = 8) -> str:
    shown = "、".join(names[:limit])
    if len(names) > limit:
        shown += _(" and %(count)s more") % {"count": len(names) - limit}
    return shown or "—"


def prefecture_map(
    frame: pd.DataFrame, *, measure: str, geojson_url: str, value_label: str, unit: str, name_column: str
) -> go.Figure:
    """A prefecture choropleth (Choroplethmap on a blank white style: no tiles, no network).

    ``frame`` comes from analytics.prefecture_measures. Prefectures with nothing to show are
    drawn grey and labelled "no data", not as the lowest colour.
    """
    column = "clusters" if measure == "clusters" else "funding_yen"
    values = frame[column]
    has = frame[values > 0]
    none = frame[values <= 0]

    def hover(row) -> str:
        value = (
            f"{int(row.clusters)} {_('clusters')}"
            if measure == "clusters"
            else format_money(int(row.funding_yen), unit, with_unit=True)
        )
        kind = getattr(row, "source_kind", "official")
        if measure != "clusters" and kind in ("illustrative", "reported"):
            value += f" ({source_kind_label(kind)})"
        unknown = int(getattr(row, "clusters_unknown", 0) or 0) if measure == "clusters" else 0
        if unknown:  # clusters of unknown period that may have run: beside the count, never in it
            value += " " + _("(+%(count)s with unknown period)") % {"count": unknown}
        return (
            f"<b>{getattr(row, name_column)}</b><br>{value_label}: {value}"
            f"<br>{_('Regions')}: {_names(list(row.regions))}<br>{_('Clusters')}: {_names(list(row.cluster_names))}"
        )

    fig = go.Figure()
    if not none.empty:
        fig.add_trace(
            go.Choroplethmap(
                geojson=geojson_url,
                featureidkey="properties.name",
                locations=list(none["name_en"]),
                z=[0] * len(none),
                colorscale=[[0, NO_DATA], [1, NO_DATA]],
                showscale=False,
                marker={"line": {"color": "#949494", "width": 0.5}},
                customdata=[[hover(r) + f"<br>({_('no data')})"] for r in none.itertuples()],
                hovertemplate="%{customdata[0]}<extra></extra>",
                name=_("no data"),
            )
        )
    if not has.empty:
        z = [int(v) if measure == "clusters" else float(yen_in_unit(int(v), unit)) for v in has[column]]
        fig.add_trace(
            go.Choroplethmap(
                geojson=geojson_url,
                featureidkey="properties.name",
                locations=list(has["name_en"]),
                z=z,
                zauto=False,
                zmin=0,
                zmax=max(z),
                colorscale=[[i / (len(SEQUENTIAL) - 1), c] for i, c in enumerate(SEQUENTIAL)],
                marker={"line": {"color": "#ffffff", "width": 0.8}},
                colorbar={
                    "title": {"text": value_label},
                    "thickness": 12,
                    "len": 0.6,
                    "tickformat": ",~f",
                    **({"dtick": 1} if measure == "clusters" else {}),
                },
                customdata=[[hover(r)] for r in has.itertuples()],
                hovertemplate="%{customdata[0]}<extra></extra>",
                name=value_label,
            )
        )
    layout = base_layout(y_title="", height=640)
    layout.pop("xaxis")
    layout.pop("yaxis")
    layout["hovermode"] = "closest"
    layout["margin"] = {"l": 0, "r": 0, "t": 0, "b": 0}
    layout["map"] = {"style": "white-bg", "center": {"lat": 37.0, "lon": 136.0}, "zoom": 4.0}
    layout["showlegend"] = False
    fig.update_layout(**layout)
    return fig


def lineage_timeline(frame: pd.DataFrame, *, fy_min: int, fy_max: int) -> go.Figure:
    """One horizontal bar per cluster across its fiscal years, coloured by program; a span whose
    first or last year the sources do not give is hatched and says so."""
    fig = go.Figure()
    programs = list(dict.fromkeys(frame["program"]))
    colors = {p: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, p in enumerate(programs)}
    for program in programs:
        part = frame[(frame["program"] == program) & frame["start"].notna()]
        if part.empty:
            continue
        labels, notes, patterns = [], [], []
        for r in part.itertuples():
            start_text = fiscal_year_label(int(r.start), "short") if r.start_known else _("first year unknown")
            end_text = fiscal_year_label(int(r.end), "short") if r.end_known else _("last year unknown")
            labels.append(f"{r.name}<br>{r.program}<br>{start_text} – {end_text}")
            notes.append("" if r.start_known and r.end_known else _("period partly unknown"))
            patterns.append("" if r.start_known and r.end_known else "/")
        fig.add_trace(
            go.Bar(
                name=program,
                orientation="h",
                y=list(part["name"]),
                base=[float(s) - 0.5 for s in part["start"]],
                x=[float(e) - float(s) + 1 for s, e in zip(part["start"], part["end"], strict=True)],
                marker={
                    "color": colors[program],
                    "line": {"color": colors[program], "width": 1},
                    "pattern": {"shape": patterns, "fgcolor": "#ffffff", "fillmode": "overlay"},
                },
                text=notes,
                textposition="inside",
                insidetextanchor="middle",
                customdata=[[label] for label in labels],
                hovertemplate="%{customdata[0]}<extra></extra>",
            )
        )
    years = list(range(fy_min, fy_max + 1))
    ticks = years if len(years) <= 8 else years[:: 2 if len(years) <= 16 else 5]  # readable on A4 too
    layout = base_layout(y_title="", height=max(180, 70 * len(frame) + 110))
    layout["hovermode"] = "closest"
    layout["barmode"] = "overlay"
    layout["margin"] = {"l": 24, "r": 24, "t": 16, "b": 96}
    layout["xaxis"] = {
        "type": "linear",
        "fixedrange": True,
        "range": [fy_min - 0.5, fy_max + 0.5],
        "tickvals": ticks,
        "ticktext": [fiscal_year_label(y, "short") for y in ticks],
        "gridcolor": "#e6e6e6",
        "showgrid": True,
    }
    layout["yaxis"] = {
        "type": "category",
        "fixedrange": True,
        "autorange": "reversed",
        "automargin": True,
        "categoryorder": "array",
        "categoryarray": list(frame["name"]),
    }
    fig.update_layout(**layout)
    return fig


def funding_stack(
    frame: pd.DataFrame, *, series_labels: dict, unit: str, kind_labels: dict[str, str], local: bool = False
) -> go.Figure:
    """Funding by fiscal year, plan beside actual, stacked by cluster (or, for one cluster,
    national subsidy and local contribution). ``frame``: cluster_id, fiscal_year, kind,
    national_yen, local_yen, illustrative."""
    fig = go.Figure()
    pairs = sorted({(int(r.fiscal_year), r.kind) for r in frame.itertuples()}, key=lambda p: (p[0], p[1] != "plan"))
    x_years = [fiscal_year_label(fy, "short") for fy, _kind in pairs]
    x_kinds = [kind_labels[kind] for _fy, kind in pairs]
    colors = iter(CATEGORY_PALETTE)
    parts = (
        [("national_yen", _("National subsidy")), ("local_yen", _("Local contribution"))]
        if local
        else [(cluster_id, series_labels[cluster_id]) for cluster_id in series_labels]
    )
    for key, name in parts:
        column = key if local else "national_yen"
        rows = frame if local else frame[frame["cluster_id"] == key]
        by_pair = {(int(r.fiscal_year), r.kind): r for r in rows.itertuples()}
        if not by_pair:
            continue
        ys, hovers, patterns = [], [], []
        for fy, kind in pairs:
            r = by_pair.get((fy, kind))
            amount = int(getattr(r, column)) if r is not None else None
            ys.append(float(yen_in_unit(amount, unit)) if amount is not None else None)
            hovers.append(
                [
                    f"{format_money(amount, unit, with_unit=True)} · {fiscal_year_label(fy, 'short')} "
                    f"{kind_labels[kind]} · {source_kind_label(r.source_kind) if r is not None else ''}"
                ]
            )
            patterns.append(ILLUSTRATIVE_PATTERN if r is not None and r.illustrative else "")
        color = next(colors, "#4d4d4d")
        fig.add_trace(
            go.Bar(
                name=marked_name(name, rows["source_kind"]),
                x=[x_years, x_kinds],
                y=ys,
                customdata=hovers,
                hovertemplate="%{customdata[0]}<extra>%{fullData.name}</extra>",
                marker={
                    "color": color,
                    "line": {"color": "#ffffff", "width": 1},
                    "pattern": {"shape": patterns, "fgcolor": "#ffffff", "fillmode": "overlay"},
                },
            )
        )
    layout = base_layout(y_title=unit_label(unit))
    layout["barmode"] = "stack"
    layout["xaxis"] = {"type": "multicategory", "fixedrange": True, "linecolor": "#949494"}
    layout["hovermode"] = "closest"
    fig.update_layout(**layout)
    return fig


# --- Outcomes --------------------------------------------------------------------------------

FAMILY_COLORS = [("#0017c1", "#c5d7fb"), ("#00a3bf", "#cdeff5"), ("#8b008b", "#f0d6f0")]


def outcome_value(value: int | None, unit: str) -> float | None:
    """Outcome values in their display unit: money (stored in yen) in 億円, counts as they are."""
    if value is None:
        return None
    return float(yen_in_unit(value, "hundred-million")) if unit == "yen" else float(value)


def outcome_text(value: int | None, unit: str, *, rounded: bool = False) -> str:
    from core.formatting import format_number

    if value is None:
        return "—"
    if unit == "yen":
        return format_money(value, "hundred-million", rounded=rounded, with_unit=True)
    from core.i18n import is_english

    if is_english():
        suffix = {"cases": " cases", "companies": " companies"}.get(unit, "")
    else:
        suffix = {"cases": "件", "companies": "社"}.get(unit, "")
    return f"{format_number(value)}{suffix}"


def share_text(share, kind) -> str:
    """A share's label on a chart, marked when its numerator is illustrative or reported."""
    from core.formatting import format_percent

    if share is None:
        return ""
    return marked_name(format_percent(share), [kind] if kind else [])


def outcome_chart(frame: pd.DataFrame, family: list[dict], *, hover: dict, y_title: str) -> go.Figure:
    """The all-university total as bars, the counting programs' combined part inside them, and
    the share (%) on a second axis. Each definition of the indicator is its own series; a dashed
    line marks where the definition changed, and the series are never joined across it."""

    fig = go.Figure()
    present = [i for i in family if not frame[frame["indicator_id"] == i["id"]].empty]
    slot = 0.7 / max(1, len(present))
    for index, indicator in enumerate(family):
        dark, light = FAMILY_COLORS[index % len(FAMILY_COLORS)]
        rows = frame[frame["indicator_id"] == indicator["id"]].sort_values("fiscal_year")
        if rows.empty:
            continue
        position = present.index(indicator)
        offset = -0.35 + position * slot
        years = [int(fy) for fy in rows["fiscal_year"]]
        name = indicator["label"]
        texts = [[hover[(indicator["id"], fy)]] for fy in years]
        pattern = "/" if index else ""
        fig.add_trace(
            go.Bar(
                name=_("%(name)s: all universities") % {"name": name},
                x=years,
                y=[outcome_value(v if pd.notna(v) else None, indicator["unit"]) for v in rows["denominator"]],
                width=slot,
                offset=offset,
                marker={
                    "color": light,
                    "line": {"color": dark, "width": 1},
                    "pattern": {
                        "shape": [("x" if d else pattern) for d in rows["derived"]],
                        "fgcolor": dark,
                        "fillmode": "overlay",
                        "size": 6,
                    },
                },
                customdata=texts,
                hovertemplate="%{customdata[0]}<extra></extra>",
                legendgroup=str(indicator["id"]),
            )
        )
        part_kinds = [k for k in rows["part_kind"] if k]
        fig.add_trace(
            go.Bar(
                name=marked_name(_("%(name)s: the four programs") % {"name": name}, part_kinds),
                x=years,
                y=[outcome_value(v if pd.notna(v) else None, indicator["unit"]) for v in rows["numerator"]],
                width=slot / 2,
                offset=offset + slot / 4,
                marker={
                    "color": dark,
                    "line": {"color": "#ffffff", "width": 1},
                    "pattern": {
                        "shape": ["x" if i else "" for i in rows["illustrative"]],
                        "fgcolor": "#ffffff",
                        "fillmode": "overlay",
                        "size": 5,
                    },
                },
                customdata=texts,
                hovertemplate="%{customdata[0]}<extra></extra>",
                legendgroup=str(indicator["id"]),
            )
        )
        by_year = {int(fy): s for fy, s in zip(rows["fiscal_year"], rows["share"], strict=True)}
        kinds_by_year = {int(fy): k for fy, k in zip(rows["fiscal_year"], rows["part_kind"], strict=True)}
        line_years = list(range(min(years), max(years) + 1))  # gaps stay gaps: never joined across years
        shares = [
            float(by_year[y]) if by_year.get(y) is not None and pd.notna(by_year.get(y)) else None for y in line_years
        ]
        line_hover = [[hover.get((indicator["id"], y), "")] for y in line_years]
        if any(s is not None for s in shares):
            fig.add_trace(
                go.Scatter(
                    name=marked_name(_("%(name)s: share (%%)") % {"name": name}, part_kinds),
                    x=[y + offset + slot / 2 for y in line_years],
                    y=shares,
                    yaxis="y2",
                    mode="lines+markers+text",
                    text=[share_text(s, kinds_by_year.get(y)) for s, y in zip(shares, line_years, strict=True)],
                    textposition="top center",
                    connectgaps=False,
                    line={"color": "#ac3e00", "width": 2, "dash": "solid" if index == 0 else "dash"},
                    marker={"symbol": "circle" if index == 0 else "diamond", "size": 8, "color": "#ac3e00"},
                    customdata=line_hover,
                    hovertemplate="%{customdata[0]}<extra></extra>",
                    legendgroup=str(indicator["id"]),
                )
            )
    years_all = sorted({int(fy) for fy in frame["fiscal_year"]}) or [2008]
    layout = base_layout(y_title=y_title, height=460)
    layout["barmode"] = "overlay"
    layout["hovermode"] = "closest"
    layout["xaxis"] = {
        "type": "linear",
        "fixedrange": True,
        "tickvals": years_all,
        "ticktext": [fiscal_year_label(y, "short") for y in years_all],
        "range": [years_all[0] - 0.6, years_all[-1] + 0.6],
        "linecolor": "#949494",
    }
    max_share = max([float(s) for s in frame["share"] if s is not None and pd.notna(s)] or [10])
    layout["yaxis2"] = {
        "title": {"text": _("Share (%)")},
        "overlaying": "y",
        "side": "right",
        "rangemode": "tozero",
        "range": [0, max(10.0, max_share * 1.3)],
        "fixedrange": True,
        "showgrid": False,
        "ticksuffix": "%",
        "tickformat": ".0f",
    }
    shapes, annotations = [], []
    for indicator in family[1:]:
        if indicator.get("break_fy"):
            x = indicator["break_fy"] - 0.5
            shapes.append(
                {
                    "type": "line",
                    "x0": x,
                    "x1": x,
                    "yref": "paper",
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": "#5c10be", "width": 2, "dash": "dash"},
                }
            )
            annotations.append(
                {
                    "x": x,
                    "yref": "paper",
                    "y": 1.04,
                    "showarrow": False,
                    "xanchor": "left",
                    "text": _("Definition changed from %(fy)s")
                    % {"fy": fiscal_year_label(indicator["break_fy"], "short")},
                    "font": {"color": "#5c10be", "size": 13},
                }
            )
    layout["shapes"] = shapes
    layout["annotations"] = annotations
    layout["margin"] = {"l": 72, "r": 72, "t": 32, "b": 96}
    fig.update_layout(**layout)
    return fig


def share_small_multiples(panels: list[dict]) -> go.Figure:
    """Dashboard: one small panel per indicator with the four programs' share (%) over the years;
    each definition its own line. ``panels``: [{title, series: [{name, years, shares}]}]."""
    from plotly.subplots import make_subplots

    columns = min(3, max(1, len(panels)))
    rows = (len(panels) + columns - 1) // columns
    fig = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[p["title"] for p in panels],
        horizontal_spacing=0.08,
        vertical_spacing=0.22,
    )
    for index, panel in enumerate(panels):
        row, col = index // columns + 1, index % columns + 1
        all_years = sorted({y for series in panel["series"] for y in series["years"]})
        span = list(range(all_years[0], all_years[-1] + 1))
        for number, series in enumerate(panel["series"]):
            values = dict(zip(series["years"], series["shares"], strict=True))
            hovers = dict(zip(series["years"], series["hover"], strict=True))
            fig.add_trace(
                go.Scatter(
                    x=span,
                    y=[values.get(y) for y in span],  # missing years stay gaps, never joined
                    mode="lines+markers",
                    name=marked_name(series["name"], series.get("kinds", [])),
                    showlegend=False,
                    connectgaps=False,
                    line={"color": PALETTE[number % len(PALETTE)], "dash": "solid" if number == 0 else "dash"},
                    customdata=[hovers.get(y, "") for y in span],
                    hovertemplate="%{customdata}<extra></extra>",
                ),
                row=row,
                col=col,
            )
        fig.update_yaxes(rangemode="tozero", ticksuffix="%", fixedrange=True, gridcolor="#e6e6e6", row=row, col=col)
        step = 1 if len(span) <= 5 else 2
        fig.update_xaxes(
            type="linear",
            fixedrange=True,
            tickvals=span[::step],
            ticktext=[fiscal_year_label(y, "short") for y in span[::step]],
            range=[span[0] - 0.4, span[-1] + 0.4],
            row=row,
            col=col,
        )
    fig.update_layout(
        template="none",
        font={"family": FONT_FAMILY, "size": 12, "color": "#333333"},
        height=260 * rows + 40,
        margin={"l": 48, "r": 16, "t": 48, "b": 40},
        hovermode="closest",
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
    )
    for annotation in fig.layout.annotations:
        annotation.font = {"family": FONT_FAMILY, "size": 13, "color": "#1a1a1a"}
    return fig
