"""Turn analytics frames into ChartBlocks (figure + table alternative + words) for templates.

Shared by the dashboard and the program pages; no ORM and no request here.
"""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext as _

from core.formatting import fiscal_year_label, format_money, format_percent, unit_label

from . import analytics, charts
from .blocks import Cell, ChartBlock


def localized(row) -> str:
    from core.i18n import localized as localized_name

    return localized_name(row)


def stage_labels() -> dict[str, str]:
    from programs.choices import Stage

    return {str(value): str(label) for value, label in Stage.choices}


def money_cell(amount: int | None, unit: str, rounded: bool = False) -> Cell:
    from core.formatting import yen_in_unit

    exported = yen_in_unit(amount, unit)
    return Cell(
        format_money(amount, unit, rounded=rounded),
        numeric=True,
        value=amount,
        export=format(exported.normalize(), "f") if exported is not None else "",
    )


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
        money_columns=set(range(2, len(columns))),
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
            "text": _("Change from the previous year %(delta)s (%(pct)s), %(direction)s")
            % {
                "delta": sign + format_money(delta, unit, rounded=rounded, with_unit=True),
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
                money_cell(int(r.delta_yen), unit, bool(r.rounded))
                if pd.notna(r.delta_yen)
                else Cell("—", numeric=True),
                Cell(
                    format_percent(r.delta_pct, signed=True)
                    if r.delta_pct is not None and pd.notna(r.delta_pct)
                    else "—",
                    numeric=True,
                    value=r.delta_pct if r.delta_pct is not None and pd.notna(r.delta_pct) else None,
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
        money_columns={2, 3},
        rows=rows,
        unit_caption=_("(Unit: %(unit)s)") % {"unit": unit_label(unit)},
        illustrative=bool(frame["illustrative"].any()),
    )


# --- Regions and clusters --------------------------------------------------------------------


def kind_labels() -> dict[str, str]:
    from clusters.choices import FundingKind

    return {str(value): str(label) for value, label in FundingKind.choices}


def map_block(frame: pd.DataFrame, *, measure: str, fy: int, kind: str, unit: str, geojson_url: str) -> ChartBlock:
    from django.utils.translation import get_language

    name_column = "name_en" if (get_language() or "ja").startswith("en") else "name_ja"
    if measure == "clusters":
        value_label = _("Active clusters")
        value_of = lambda r: Cell(str(int(r.clusters)), numeric=True, value=int(r.clusters))  # noqa: E731
        title = _("Where clusters were active in %(fy)s") % {"fy": fiscal_year_label(fy, "short")}
    else:
        value_label = _("National funding (%(kind)s, %(unit)s)") % {
            "kind": kind_labels()[kind],
            "unit": unit_label(unit),
        }
        value_of = lambda r: money_cell(int(r.funding_yen), unit)  # noqa: E731
        title = _("National cluster funding by prefecture in %(fy)s (%(kind)s)") % {
            "fy": fiscal_year_label(fy, "short"),
            "kind": kind_labels()[kind],
        }
    column = "clusters" if measure == "clusters" else "funding_yen"
    shown = frame[frame[column] > 0].sort_values(column, ascending=False)
    fig = charts.prefecture_map(
        frame, measure=measure, geojson_url=geojson_url, value_label=value_label, unit=unit, name_column=name_column
    )
    rows = [
        [
            Cell(getattr(r, name_column), header=True),
            value_of(r),
            Cell("、".join(r.regions)),
            Cell("、".join(r.cluster_names)),
        ]
        for r in shown.itertuples()
    ]
    return ChartBlock(
        id="prefecture-map",
        title=title,
        summary=_(
            "%(count)s of 47 prefectures have a value. A region spanning several prefectures counts in full for "
            "each of them, so prefecture values must not be added up."
        )
        % {"count": len(shown)},
        figure=charts.figure_json(fig, modebar=True),
        interactive=True,
        columns=[_("Prefecture"), value_label, _("Regions"), _("Clusters")],
        numeric_columns={1},
        money_columns=set() if measure == "clusters" else {1},
        rows=rows,
        unit_caption=_("(Unit: %(unit)s)") % {"unit": unit_label(unit)} if measure != "clusters" else "",
        illustrative=measure != "clusters" and bool(shown["illustrative"].any()),
    )


def lineage_block(clusters: list[dict], *, horizon: int) -> ChartBlock | None:
    from clusters.choices import ClusterStatus

    if not clusters:
        return None
    frame = analytics.lineage(clusters, horizon=horizon)
    drawn = frame[frame["start"].notna()]
    statuses = dict(ClusterStatus.choices)
    by_id = {c["id"]: c for c in clusters}
    rows = []
    for r in frame.itertuples():
        c = by_id[r.id]
        rows.append(
            [
                Cell(r.name, header=True),
                Cell(r.program),
                Cell(fiscal_year_label(int(c["start_fy"]), "short") if c["start_fy"] else _("unknown")),
                Cell(fiscal_year_label(int(c["end_fy"]), "short") if c["end_fy"] else _("unknown")),
                Cell(str(statuses.get(c["status"], c["status"]))),
            ]
        )
    fy_min = int(drawn["start"].min()) if not drawn.empty else horizon - 5
    fy_max = int(max(drawn["end"].max(), horizon)) if not drawn.empty else horizon
    names = list(frame["name"])
    return ChartBlock(
        id="lineage",
        title=_("Lineage: %(names)s") % {"names": " → ".join(names)},
        summary=_(
            "One bar per cluster across its fiscal years, coloured by program. Hatched bars have a first or last "
            "year the sources do not give: they are drawn from the program's known years, up to the next cluster "
            "of the lineage, or open to %(fy)s."
        )
        % {"fy": fiscal_year_label(horizon, "short")},
        figure=charts.figure_json(charts.lineage_timeline(frame, fy_min=fy_min, fy_max=fy_max)),
        columns=[_("Cluster"), _("Program"), _("First fiscal year"), _("Last fiscal year"), _("Status")],
        rows=rows,
    )


def funding_block(
    rows: list[dict], *, series_labels: dict, unit: str, block_id: str, title: str, local: bool = False
) -> ChartBlock | None:
    """Funding by year, plan beside actual; stacked by cluster (region page) or by national and
    local share (cluster page). The table gives every cluster's national funding and the totals."""
    if not rows:
        return None
    frame = analytics.funding_frame(rows)
    labels = kind_labels()
    fig = charts.funding_stack(frame, series_labels=series_labels, unit=unit, kind_labels=labels, local=local)
    totals = analytics.funding_totals(frame)
    table_rows = []
    cluster_ids = list(series_labels)
    for t in totals.itertuples():
        part = frame[(frame["fiscal_year"] == t.fiscal_year) & (frame["kind"] == t.kind)]
        by_cluster = {int(r.cluster_id): int(r.national_yen) for r in part.itertuples()}
        row = [Cell(fiscal_year_label(int(t.fiscal_year), "short"), header=True), Cell(labels[t.kind])]
        if not local:
            row += [
                money_cell(by_cluster.get(c), unit) if c in by_cluster else Cell("—", numeric=True) for c in cluster_ids
            ]
        row += [money_cell(int(t.national_yen), unit), money_cell(int(t.local_yen), unit)]
        table_rows.append(row)
    columns = [_("Fiscal year"), _("Plan or actual")]
    if not local:
        columns += [series_labels[c] for c in cluster_ids]
    columns += [_("National subsidy (total)"), _("Local contribution (total)")]
    return ChartBlock(
        id=block_id,
        title=title,
        summary=_("For each fiscal year the plan stands beside the actual figure; bars stack %(what)s.")
        % {"what": _("national subsidy and local contribution") if local else _("each cluster's national subsidy")},
        figure=charts.figure_json(fig),
        columns=columns,
        numeric_columns=set(range(2, len(columns))),
        money_columns=set(range(2, len(columns))),
        rows=table_rows,
        unit_caption=_("(Unit: %(unit)s)") % {"unit": unit_label(unit)},
        illustrative=bool(frame["illustrative"].any()),
    )


# --- Outcomes --------------------------------------------------------------------------------


def indicator_label(indicator: dict) -> str:
    return localized(indicator)


RAW_UNITS = {"cases": "件", "companies": "社", "yen": "円"}  # short unit marks in download headers


def unit_words(unit: str) -> str:
    return {"cases": _("cases (件)"), "companies": _("companies (社)"), "yen": unit_label("hundred-million")}[unit]


def outcome_families(
    indicators: list[dict], shares: pd.DataFrame, totals: list[dict], sources: dict[int, object]
) -> list[dict]:
    """One entry per indicator family with its chart block, data errors and notes."""
    from core.formatting import format_percent

    derived_notes = {(t["indicator_id"], t["fiscal_year"]): t["derived_note"] for t in totals if t["derived"]}
    for indicator in indicators:
        indicator["label"] = indicator_label(indicator)
    result = []
    for family in analytics.indicator_families(indicators):
        ids = [i["id"] for i in family]
        frame = shares[shares["indicator_id"].isin(ids)]
        if frame.empty:
            continue
        by_id = {i["id"]: i for i in family}
        hover, rows, errors = {}, [], []
        for r in frame.sort_values(["fiscal_year", "indicator_id"]).itertuples():
            indicator = by_id[r.indicator_id]
            unit = indicator["unit"]
            denominator = None if pd.isna(r.denominator) else int(r.denominator)
            numerator = None if pd.isna(r.numerator) else int(r.numerator)
            share = r.share if r.share is not None and not pd.isna(r.share) else None
            total_source = sources.get(r.total_source_id)
            part_kind = _("Illustrative") if r.illustrative else _("Sourced")
            parts = _("%(parts)s of %(expected)s programs") % {"parts": r.parts, "expected": r.expected_parts}
            share_text = _("data error: part exceeds total") if r.error else format_percent(share)
            derived = derived_notes.get((r.indicator_id, int(r.fiscal_year)))
            hover[(r.indicator_id, int(r.fiscal_year))] = "<br>".join(
                filter(
                    None,
                    [
                        f"<b>{fiscal_year_label(int(r.fiscal_year), 'short')} {indicator['label']}</b>",
                        _("All universities: %(value)s (source: %(source)s)")
                        % {
                            "value": charts.outcome_text(denominator, unit, rounded=bool(r.rounded)),
                            "source": total_source.title if total_source else "—",
                        },
                        _("Derived: %(note)s") % {"note": derived} if derived else "",
                        _("The four programs: %(value)s (%(parts)s; %(kind)s)")
                        % {"value": charts.outcome_text(numerator, unit), "parts": parts, "kind": part_kind},
                        _("Share: %(share)s") % {"share": share_text},
                    ],
                )
            )
            if r.error:
                errors.append(
                    _(
                        "%(fy)s %(indicator)s: the four programs' part (%(num)s) exceeds "
                        "the all-university total (%(den)s)."
                    )
                    % {
                        "fy": fiscal_year_label(int(r.fiscal_year), "short"),
                        "indicator": indicator["label"],
                        "num": charts.outcome_text(numerator, unit),
                        "den": charts.outcome_text(denominator, unit),
                    }
                )
            rows.append(
                [
                    Cell(fiscal_year_label(int(r.fiscal_year), "short"), header=True),
                    Cell(indicator["label"] + (f" — {_('derived')}" if r.derived else "")),
                    Cell(
                        charts.outcome_text(denominator, unit, rounded=bool(r.rounded)), numeric=True, value=denominator
                    ),
                    Cell(charts.outcome_text(numerator, unit), numeric=True, value=numerator),
                    Cell(parts),
                    Cell(share_text, numeric=True, value=share),
                    Cell(total_source.title if total_source else "—"),
                    Cell(part_kind if numerator is not None else "—"),
                ]
            )
        first = family[0]
        fig = charts.outcome_chart(frame, family, hover=hover, y_title=unit_words(first["unit"]))
        latest = frame[frame["share"].notna()].sort_values("fiscal_year")
        if not latest.empty:
            last = latest.iloc[-1]
            title = _("%(indicator)s: the four programs' share was %(share)s in %(fy)s") % {
                "indicator": by_id[int(last["indicator_id"])]["label"],
                "share": format_percent(last["share"]),
                "fy": fiscal_year_label(int(last["fiscal_year"]), "short"),
            }
        else:
            title = _("%(indicator)s: no share can be computed") % {"indicator": first["label"]}
        breaks = [i for i in family[1:] if i.get("break_fy")]
        result.append(
            {
                "family": family,
                "errors": errors,
                "breaks": [
                    _("From %(fy)s the indicator is “%(new)s”; before, “%(old)s”. The two are different series.")
                    % {"fy": fiscal_year_label(i["break_fy"], "short"), "new": i["label"], "old": family[n]["label"]}
                    for n, i in enumerate(family[1:])
                    if i in breaks
                ],
                "block": ChartBlock(
                    id=f"outcome-{first['slug']}",
                    title=title,
                    summary=_(
                        "Bars: the all-university total, with the four programs' combined part inside; line: the "
                        "share (%) on the right axis. Hatched bars are derived from a stated change; the programs' "
                        "part is illustrative where marked."
                    ),
                    figure=charts.figure_json(fig),
                    columns=[
                        _("Fiscal year"),
                        _("Indicator"),
                        _("All universities"),
                        _("The four programs"),
                        _("Programs with a value"),
                        _("Share"),
                        _("Source of the total"),
                        _("Source of the part"),
                    ],  # fmt: skip
                    numeric_columns={2, 3, 5},
                    export_columns=[
                        _("Fiscal year"),
                        _("Indicator"),
                        f"{_('All universities')}（{RAW_UNITS[first['unit']]}）",
                        f"{_('The four programs')}（{RAW_UNITS[first['unit']]}）",
                        _("Programs with a value"),
                        _("Share (%)"),
                        _("Source of the total"),
                        _("Source of the part"),
                    ],  # fmt: skip
                    rows=rows,
                    unit_caption=f"（{unit_words(first['unit'])}）",
                    illustrative=bool(frame["illustrative"].any()),
                ),
            }
        )
    return result


def share_panels(indicators: list[dict], shares: pd.DataFrame) -> list[dict]:
    """Small multiples for the dashboard: per indicator family with at least one share."""
    from core.formatting import format_percent

    panels = []
    for indicator in indicators:
        indicator.setdefault("label", indicator_label(indicator))
    for family in analytics.indicator_families(indicators):
        series = []
        for indicator in family:
            rows = shares[(shares["indicator_id"] == indicator["id"]) & shares["share"].notna()]
            if rows.empty:
                continue
            rows = rows.sort_values("fiscal_year")
            series.append(
                {
                    "name": indicator["label"],
                    "years": [int(y) for y in rows["fiscal_year"]],
                    "shares": [float(s) for s in rows["share"]],
                    "hover": [
                        f"{indicator['label']} {fiscal_year_label(int(y), 'short')}: {format_percent(s)}"
                        for y, s in zip(rows["fiscal_year"], rows["share"], strict=True)
                    ],
                }
            )
        if series:
            panels.append({"title": family[0]["label"], "series": series, "slug": family[0]["slug"]})
    return panels


MAX_DASHBOARD_PANELS = 6


def share_multiples_block(indicators: list[dict], shares: pd.DataFrame) -> ChartBlock | None:
    from core.formatting import format_percent

    panels = share_panels(indicators, shares)[:MAX_DASHBOARD_PANELS]  # the rest are on /outcomes/
    if not panels:
        return None
    rows = [
        [Cell(panel["title"], header=True), Cell(series["name"]), Cell(fiscal_year_label(y, "short")),
         Cell(format_percent(s), numeric=True, value=s)]
        for panel in panels
        for series in panel["series"]
        for y, s in zip(series["years"], series["shares"], strict=True)
    ]  # fmt: skip
    return ChartBlock(
        id="share-multiples",
        title=_("The four programs' share of university outcomes, by indicator"),
        summary=_(
            "One small chart per indicator; a dashed line is the indicator's later definition. "
            "The programs' parts are illustrative demo figures."
        ),
        figure=charts.figure_json(charts.share_small_multiples(panels)),
        columns=[_("Indicator"), _("Definition"), _("Fiscal year"), _("Share")],
        numeric_columns={3},
        rows=rows,
        illustrative=True,
    )
