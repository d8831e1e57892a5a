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


def kind_label(kind: str) -> str:
    from programs.choices import SourceKind

    return str(dict(SourceKind.choices).get(kind, kind))


def precision_label(rounded: bool) -> str:
    from programs.choices import Precision

    return str(dict(Precision.choices)[Precision.ROUNDED if rounded else Precision.EXACT])


def money_cell(amount: int | None, unit: str, rounded: bool = False, kind: str | None = None) -> Cell:
    from core.formatting import yen_in_unit

    exported = yen_in_unit(amount, unit)
    return Cell(
        format_money(amount, unit, rounded=rounded),
        numeric=True,
        value=amount,
        export=format(exported.normalize(), "f") if exported is not None else "",
        rounded=rounded if amount is not None else None,
        kind=kind,
    )


def empty_cell() -> Cell:
    return Cell("—", numeric=True)


def basis_text(figure) -> str:
    """How a figure came about: its own stated figure, or the sum of N sub-programs."""
    parts = figure.get("parts") if isinstance(figure, dict) else getattr(figure, "parts", 0)
    parts = int(parts or 0)
    if parts:
        return _("Sum of %(count)s sub-programs") % {"count": parts}
    return _("Stated figure")


def partial_notes(partials: pd.DataFrame, program_id: int, *, years=None) -> list[str]:
    """ "FY2008 enacted: 1 of 2 sub-programs have a figure, so no total is shown." (DESIGN §2b)."""
    labels = stage_labels()
    rows = partials[partials["program_id"] == program_id] if not partials.empty else partials
    notes = []
    for r in rows.sort_values(["fiscal_year", "stage"]).itertuples() if not rows.empty else []:
        if years is not None and int(r.fiscal_year) not in years:
            continue
        notes.append(
            _("%(fy)s %(stage)s: only %(have)s of %(expected)s sub-programs have a figure, so no total is shown.")
            % {"fy": fiscal_year_label(int(r.fiscal_year), "short"), "stage": labels[r.stage], "have": r.have,
               "expected": r.expected}
        )  # fmt: skip
    return notes


def budget_stack_block(
    values: pd.DataFrame,
    programs: list[dict],
    parent: dict,
    *,
    stage: str,
    unit: str,
    block_id: str,
    partials: pd.DataFrame | None = None,
) -> ChartBlock | None:
    """The parent's budget by child program and fiscal year, stacked, with the unitemized
    remainder as its own series, at one stage per year (``stage``: latest or a named stage).
    A year whose children are not all known is one bar, the parent's own figure."""
    labels = stage_labels()
    frame = analytics.breakdown(values, programs, parent["id"])
    stages = analytics.stage_per_year(values, parent["id"], stage)
    frame = analytics.select_stages(frame, stages)
    if frame.empty:
        return None
    children = [p for p in programs if p["parent_id"] == parent["id"]]
    series_labels = {p["id"]: localized(p) for p in children}
    series_labels[analytics.REMAINDER] = _("Other / unitemized")
    series_labels[analytics.UNITEMIZED] = _("Total, breakdown not fully known")
    series_order = [p["id"] for p in children] + [analytics.REMAINDER, analytics.UNITEMIZED]
    present = [s for s in series_order if s in set(frame["series"])]
    kinds = {s: set(frame[frame["series"] == s]["kind"]) for s in present}
    fig = charts.budget_stack(
        frame,
        series_labels={s: charts.marked_name(series_labels[s], kinds[s]) for s in present},
        series_order=present,
        stage_labels=labels,
        unit=unit,
    )
    parent_values = analytics.select_stages(values[values["program_id"] == parent["id"]], stages)
    parent_by_year = {int(r.fiscal_year): r for r in parent_values.itertuples()}
    rows = []
    for fy in sorted(stages):
        part = frame[frame["fiscal_year"] == fy]
        if part.empty:
            continue
        by_series = {r.series: r for r in part.itertuples()}
        total = parent_by_year.get(fy)
        row = [Cell(fiscal_year_label(fy, "short"), header=True), Cell(stage_cell_text(stages[fy], total))]
        for series in present:
            item = by_series.get(series)
            row.append(money_cell(int(item.amount_yen), unit, bool(item.rounded), item.kind) if item else empty_cell())
        row.append(money_cell(int(total.amount_yen), unit, bool(total.rounded), total.kind) if total else empty_cell())
        row.append(Cell(basis_text(total) if total is not None else "—"))
        rows.append(row)
    columns = [_("Fiscal year"), _("Stage"), *[series_labels[s] for s in present], localized(parent), _("Basis")]
    stage_words = (
        _("each year at its most advanced stage with a complete figure")
        if stage == "latest"
        else _("at the stage “%(stage)s”") % {"stage": labels[stage]}
    )
    notes = partial_notes(partials, parent["id"]) if partials is not None else []
    return ChartBlock(
        id=block_id,
        title=_("Budget of “%(program)s” by program and fiscal year") % {"program": localized(parent)},
        summary=_(
            "Stacked bars show each program's figure, %(stages)s; the grey part is the part of the total "
            "that the source does not itemize. A year is shown only where the total is a stated figure or the "
            "sum of every sub-program."
        )
        % {"stages": stage_words},
        figure=charts.figure_json(fig),
        columns=columns,
        numeric_columns=set(range(2, len(columns) - 1)),
        money_columns=set(range(2, len(columns) - 1)),
        rows=rows,
        unit_caption=_("(Unit: %(unit)s)") % {"unit": unit_label(unit)},
        illustrative=bool(frame["illustrative"].any()),
        notes=notes,
    )


def stage_cell_text(stage: str, figure=None) -> str:
    """The stage of a figure, with the source's doubt where it has one."""
    labels = stage_labels()
    text = labels[stage]
    if figure is not None and bool(getattr(figure, "doubt", False)):
        text += _(" (stage in doubt in the source)")
    return text


def headline_card(head: dict | None, program: dict, unit: str) -> dict | None:
    """Words and figures for the headline card (UI.md B5): value, change in words, period.
    The two years may be at different stages; the card then names both (as the 2008 paper does)."""
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
        "basis": basis_text(head) if head.get("parts") else "",
        "kind": head["kind"],
        "comparison": None,
    }
    previous = head["previous"]
    if previous and previous["delta_yen"] is not None:
        delta = previous["delta_yen"]
        direction = _("increase") if delta > 0 else _("decrease") if delta < 0 else _("no change")
        rounded = previous["delta_rounded"]
        card["comparison"] = {
            "text": _("Change from the previous year %(delta)s (%(pct)s), %(direction)s")
            % {
                "delta": format_money(delta, unit, rounded=rounded, with_unit=True, signed=True),
                "pct": format_percent(previous["delta_pct"], signed=True, rounded=rounded),
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


def no_change_text(reason: str | None) -> str:
    return {
        analytics.NO_CHANGE_STAGES: _("different stages"),
        analytics.NO_CHANGE_DOUBT: _("stage in doubt"),
    }.get(reason, "—")


def stage_block(
    values: pd.DataFrame, program: dict, *, unit: str, block_id: str, partials: pd.DataFrame | None = None
) -> ChartBlock | None:
    """One program's complete figures by fiscal year with each budget stage as its own series,
    and a table with the change from the previous year at the same stage only."""
    labels = stage_labels()
    frame = values[values["program_id"] == program["id"]]
    if frame.empty:
        return None
    fig = charts.stage_bars(frame, stage_labels=labels, unit=unit)
    changes = analytics.year_over_year(values, program["id"])
    rows = []
    for r in changes.itertuples():
        has_delta = r.delta_yen is not None and pd.notna(r.delta_yen)
        rows.append(
            [
                Cell(fiscal_year_label(int(r.fiscal_year), "short"), header=True),
                Cell(stage_cell_text(r.stage, r)),
                money_cell(int(r.amount_yen), unit, bool(r.rounded), r.kind),
                money_cell(int(r.delta_yen), unit, bool(r.delta_rounded), r.kind)
                if has_delta
                else Cell(no_change_text(r.reason) if r.reason != analytics.NO_CHANGE_MISSING else "—", numeric=True),
                Cell(
                    format_percent(r.delta_pct, signed=True, rounded=bool(r.delta_rounded)),
                    numeric=True,
                    value=r.delta_pct,
                    rounded=bool(r.delta_rounded),
                )
                if has_delta and r.delta_pct is not None
                else Cell("—", numeric=True),
                Cell(basis_text(r)),
            ]
        )
    return ChartBlock(
        id=block_id,
        title=_("“%(program)s” by budget stage and fiscal year") % {"program": localized(program)},
        summary=_(
            "Each budget stage (request, draft, enacted …) is its own series; changes are computed only "
            "between consecutive years at the same stage, and not where a source leaves the stage in doubt "
            "(those bars are hatched)."
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
        notes=partial_notes(partials, program["id"]) if partials is not None else [],
    )


# --- Regions and clusters --------------------------------------------------------------------


def kind_labels() -> dict[str, str]:
    from clusters.choices import FundingKind

    return {str(value): str(label) for value, label in FundingKind.choices}


def map_block(
    frame: pd.DataFrame,
    *,
    measure: str,
    fy: int,
    kind: str,
    unit: str,
    geojson_url: str,
    unknown: pd.DataFrame | None = None,
) -> ChartBlock:
    """The prefecture map. ``frame`` counts the clusters running in ``fy``; ``unknown`` (the same
    measures over the clusters of unknown period that may have run) adds "+M with unknown period"
    beside each count — never into it (DESIGN §2b)."""
    from django.utils.translation import get_language

    name_column = "name_en" if (get_language() or "ja").startswith("en") else "name_ja"
    if unknown is not None:
        frame = frame.assign(clusters_unknown=list(unknown["clusters"]), unknown_names=list(unknown["cluster_names"]))
    else:
        frame = frame.assign(clusters_unknown=0, unknown_names=[[] for _row in range(len(frame))])
    if measure == "clusters":
        value_label = _("Running clusters")
        value_of = lambda r: Cell(str(int(r.clusters)), numeric=True, value=int(r.clusters))  # noqa: E731
        title = _("Where clusters were running in %(fy)s") % {"fy": fiscal_year_label(fy, "short")}
    else:
        value_label = _("National funding (%(kind)s, %(unit)s)") % {
            "kind": kind_labels()[kind],
            "unit": unit_label(unit),
        }
        value_of = lambda r: money_cell(int(r.funding_yen), unit, kind=r.source_kind if r.funding_yen else None)  # noqa: E731
        title = _("National cluster funding by prefecture in %(fy)s (%(kind)s)") % {
            "fy": fiscal_year_label(fy, "short"),
            "kind": kind_labels()[kind],
        }
    column = "clusters" if measure == "clusters" else "funding_yen"
    if measure == "clusters":
        shown = frame[(frame["clusters"] > 0) | (frame["clusters_unknown"] > 0)]
        shown = shown.sort_values(["clusters", "clusters_unknown"], ascending=False)
    else:
        shown = frame[frame[column] > 0].sort_values(column, ascending=False)
    fig = charts.prefecture_map(
        frame, measure=measure, geojson_url=geojson_url, value_label=value_label, unit=unit, name_column=name_column
    )

    def names(r) -> str:
        text = "、".join(r.cluster_names)
        if measure == "clusters" and r.unknown_names:
            extra = _("period unknown: %(names)s") % {"names": "、".join(r.unknown_names)}
            text = f"{text}（{extra}）" if text else f"（{extra}）"
        return text

    unknown_label = _("Further clusters with unknown period")
    rows = [
        [
            Cell(getattr(r, name_column), header=True),
            value_of(r),
            *(
                [Cell(str(int(r.clusters_unknown)), numeric=True, value=int(r.clusters_unknown))]
                if measure == "clusters"
                else []
            ),
            Cell("、".join(r.regions)),
            Cell(names(r)),
        ]
        for r in shown.itertuples()
    ]
    summary = _(
        "%(count)s of 47 prefectures have a value. A region spanning several prefectures counts in full for "
        "each of them, so prefecture values must not be added up."
    ) % {"count": len(shown)}
    if measure == "clusters":
        summary += " " + _(
            "Only clusters whose known period covers the year are counted; clusters whose first or last year is "
            "unknown but may have run are listed beside the count, not in it."
        )
    return ChartBlock(
        id="prefecture-map",
        title=title,
        summary=summary,
        figure=charts.figure_json(fig, modebar=True),
        interactive=True,
        columns=[
            _("Prefecture"),
            value_label,
            *([unknown_label] if measure == "clusters" else []),
            _("Regions"),
            _("Clusters"),
        ],
        numeric_columns={1, 2} if measure == "clusters" else {1},
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
                Cell(str(ClusterStatus(c["status"]).label)),
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
            "year the sources do not give: they are drawn from the program's first year "
            "to the last year the cluster may have run (its program's last year or last funded year, or its first "
            "year plus the program's normal duration), else up to the next cluster of the lineage, or open to "
            "%(fy)s."
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
        by_cluster = {int(r.cluster_id): r for r in part.itertuples()}
        row = [Cell(fiscal_year_label(int(t.fiscal_year), "short"), header=True), Cell(labels[t.kind])]
        if not local:
            row += [
                money_cell(int(by_cluster[c].national_yen), unit, kind=by_cluster[c].source_kind)
                if c in by_cluster
                else empty_cell()
                for c in cluster_ids
            ]
        row += [
            money_cell(int(t.national_yen), unit, kind=t.source_kind),
            money_cell(int(t.local_yen), unit, kind=t.source_kind),
        ]
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

    derived_notes = {(t["indicator_id"], t["fiscal_year"]): t["derived_note"] for t in totals if t["derived"]}
    indicators = [{**indicator, "label": indicator_label(indicator)} for indicator in indicators]  # rows are shared
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
            part_kind = charts.source_kind_label(r.part_kind) if r.part_kind else "—"
            parts = _("%(parts)s of %(expected)s programs") % {"parts": r.parts, "expected": r.expected_parts}
            share_text = _("data error: part exceeds total") if r.error else charts.share_text(share, r.part_kind)
            if share is None and not r.error:
                share_text = "—"
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
                        charts.outcome_text(denominator, unit, rounded=bool(r.rounded)),
                        numeric=True,
                        value=denominator,
                        rounded=bool(r.rounded) if denominator is not None else None,
                        kind=r.total_kind,
                    ),
                    Cell(
                        charts.outcome_text(numerator, unit),
                        numeric=True,
                        value=numerator,
                        rounded=False if numerator is not None else None,
                        kind=r.part_kind,
                    ),
                    Cell(parts),
                    Cell(share_text, numeric=True, value=share, kind=r.part_kind if share is not None else None),
                    Cell(total_source.title if total_source else "—"),
                    Cell(part_kind if numerator is not None else "—"),
                ]
            )
        first = family[0]
        fig = charts.outcome_chart(frame, family, hover=hover, y_title=unit_words(first["unit"]))
        latest = frame[frame["share"].notna()].sort_values("fiscal_year")
        if not latest.empty:
            last = latest.iloc[-1]
            title = share_headline(
                by_id[int(last["indicator_id"])]["label"], last["share"], int(last["fiscal_year"]), last["part_kind"]
            )
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


def share_headline(label: str, share, fy: int, kind: str | None) -> str:
    """ "…: the four programs' share was 12.3% in FY2007", or, where the programs' part is
    illustrative or reported, a headline that says so (例示データによる試算)."""
    words = {"indicator": label, "share": format_percent(share), "fy": fiscal_year_label(fy, "short")}
    if kind == "illustrative":
        return (
            _("%(indicator)s: an estimate from illustrative data puts the four programs' share at %(share)s in %(fy)s")
            % words
        )
    if kind == "reported":
        return _("%(indicator)s: from regions' reports, the four programs' share was %(share)s in %(fy)s") % words
    return _("%(indicator)s: the four programs' share was %(share)s in %(fy)s") % words


def share_panels(indicators: list[dict], shares: pd.DataFrame) -> list[dict]:
    """Small multiples for the dashboard: per indicator family with at least one share."""

    panels = []
    indicators = [{**indicator, "label": indicator_label(indicator)} for indicator in indicators]  # rows are shared
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
                    "kinds": list(rows["part_kind"]),
                    "hover": [
                        f"{indicator['label']} {fiscal_year_label(int(y), 'short')}: {charts.share_text(s, k)}"
                        for y, s, k in zip(rows["fiscal_year"], rows["share"], rows["part_kind"], strict=True)
                    ],
                }
            )
        if series:
            panels.append({"title": family[0]["label"], "series": series, "slug": family[0]["slug"]})
    return panels


MAX_DASHBOARD_PANELS = 6


def share_multiples_block(indicators: list[dict], shares: pd.DataFrame) -> ChartBlock | None:

    panels = share_panels(indicators, shares)[:MAX_DASHBOARD_PANELS]  # the rest are on /outcomes/
    if not panels:
        return None
    rows = [
        [Cell(panel["title"], header=True), Cell(series["name"]), Cell(fiscal_year_label(y, "short")),
         Cell(charts.share_text(s, k), numeric=True, value=s, kind=k)]
        for panel in panels
        for series in panel["series"]
        for y, s, k in zip(series["years"], series["shares"], series["kinds"], strict=True)
    ]  # fmt: skip
    kinds = {k for panel in panels for series in panel["series"] for k in series["kinds"]}
    return ChartBlock(
        id="share-multiples",
        title=_("The four programs' share of university outcomes, by indicator"),
        summary=_("One small chart per indicator; a dashed line is the indicator's later definition.")
        + (
            " " + _("The programs' parts are illustrative demo figures: these shares are estimates, not official.")
            if "illustrative" in kinds
            else ""
        ),
        figure=charts.figure_json(charts.share_small_multiples(panels)),
        columns=[_("Indicator"), _("Definition"), _("Fiscal year"), _("Share")],
        numeric_columns={3},
        rows=rows,
        illustrative="illustrative" in kinds,
    )
