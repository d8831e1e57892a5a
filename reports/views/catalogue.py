"""The report catalogue (/reports/): pivots and comparisons, each with its exports, and the
whole dataset as one ZIP (DESIGN §4, §5)."""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clusters import selectors as cluster_selectors
from clusters.models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome, Evaluation, Prefecture, Region
from clusters.querysets import with_cluster_summary
from core.exports import Column, export_response, iter_csv_lines
from core.formatting import fiscal_year_label, format_money, format_percent, unit_label
from core.history import cached_per_version, data_as_of
from core.params import page_params, parse_fiscal_year
from core.roles import Role, has_role
from programs.choices import Precision, SourceKind, Stage
from programs.models import BudgetLine, Indicator, OutcomeValue, Program, Source

from .. import analytics, presenters
from .dashboard import budget_figures, chosen_stage, latest_figures, stage_choices
from .pages import page_of, year_window

REPORTS = [
    ("reports:budget_pivot", "Budget pivot", "Program × fiscal year at a chosen budget stage."),
    ("reports:region_funding", "Region funding pivot", "Region × fiscal year of cluster funding, plan or actual."),
    (
        "reports:outcome_shares",
        "Outcome shares",
        "Indicator × fiscal year: the four programs' part, the total and the share.",
    ),
    (
        "reports:yoy",
        "Year-over-year comparison",
        "Any two fiscal years side by side, with Δ and Δ%, sorted by the change.",
    ),
    ("reports:status_board", "Annual report status", "Region × fiscal year state of the coordinators' reports."),
]
# the titles above are translated where they are shown; listing them here lets makemessages find them
_("Budget pivot"), _("Region funding pivot"), _("Outcome shares"), _("Year-over-year comparison")
DATASET_ROLES = (Role.ANALYST, Role.PROGRAM_MANAGER)


def crumbs(label):
    return [{"label": _("Reports"), "url": reverse("reports:index")}, {"label": label}]


def index(request):
    return render(
        request,
        "reports/index.html",
        {
            "reports": [(reverse(name), _(title), _(text)) for name, title, text in REPORTS],
            "can_download_dataset": any(has_role(request.user, r) for r in DATASET_ROLES),
            "crumbs": [{"label": _("Reports")}],
            "data_as_of": data_as_of(),
        },
    )


def year_range(request, warnings):
    return (
        parse_fiscal_year(request.GET.get("fy_from"), warnings),
        parse_fiscal_year(request.GET.get("fy_to"), warnings),
    )


def figure_stage_text(figure: dict, labels: dict | None = None) -> str:
    """ "当初予算", "予算案（下位事業2件の合計）", or the stage with the source's doubt."""
    text = str((labels or dict(Stage.choices))[figure["stage"]])
    if figure["doubt"]:
        text += _(" (stage in doubt in the source)")
    if figure["parts"]:
        text += _(" (sum of %(count)s sub-programs)") % {"count": figure["parts"]}
    return text


def precision_text(rounded: bool) -> str:
    return str(dict(Precision.choices)[Precision.ROUNDED if rounded else Precision.EXACT])


def kind_text(kind: str) -> str:
    return str(dict(SourceKind.choices).get(kind, kind))


def budget_pivot(request):
    """Program × fiscal year at one stage (or each year's latest), in the chosen unit. Complete
    figures only (DESIGN §2b); a year where only some sub-programs have a figure says so. The
    page shows a window of years (the latest ten unless a range is asked for) and 50 programs a
    page; the download holds every program of the years shown."""
    params = page_params(request)
    stage = chosen_stage(request, params.warnings)
    fy_from, fy_to = year_range(request, params.warnings)
    programs, values, partials = budget_figures(request.user)
    window = year_window(budget_years(values), fy_from, fy_to)
    pivot = cached_per_version(
        f"budget-pivot:{stage}:{window.fy_from}:{window.fy_to}",
        lambda: analytics.budget_pivot(values, programs, stage=stage, fy_from=window.fy_from, fy_to=window.fy_to),
    )
    years = sorted(int(y) for y in pivot["fiscal_year"].unique())
    with_cells = set(pivot["program_id"].tolist())
    shown = [p for p in programs if p["id"] in with_cells]

    def cells_of(ids):
        part = pivot[pivot["program_id"].isin(ids)]
        return {(int(r.program_id), int(r.fiscal_year)): analytics.figure_dict(r) for r in part.itertuples()}

    columns = [
        Column("program_slug", "事業キー", "Program key"),
        Column("program", "事業", "Program"),
    ]
    for y in years:
        columns += [
            Column(f"fy{y}", f"{y}年度", f"FY{y}", "money"),
            Column(f"stage{y}", f"{y}年度の予算段階", f"FY{y} stage"),
            Column(f"precision{y}", f"{y}年度の精度", f"FY{y} precision"),
        ]
    columns.append(Column("source_kind", "出典の種別", "Source kind"))

    def rows():
        for p in shown:
            row = {"program_slug": p["slug"], "program": p["name_ja"]}
            kinds = set()
            for y in years:
                cell = cells.get((p["id"], y))
                row[f"fy{y}"] = cell["amount_yen"] if cell else None
                row[f"stage{y}"] = figure_stage_text(cell) if cell else ""
                row[f"precision{y}"] = precision_text(cell["rounded"]) if cell else ""
                if cell:
                    kinds.add(cell["kind"])
            row["source_kind"] = "; ".join(kind_text(k) for k in analytics.KIND_CAUTION if k in kinds)
            yield row

    if request.GET.get("export"):
        cells = cells_of(with_cells)
        notes = pivot_notes(partials, shown, years, stage, cells)
        return export_response(
            request,
            what="budget-pivot",
            columns=columns,
            rows=rows,
            unit=params.unit,
            fy_from=window.fy_from,
            fy_to=window.fy_to,
            about=report_about(request, _("Budget pivot"), params.unit, [(_("Stage"), stage)])
            + [(_("Note"), note) for note in notes],
        )
    page, page_range = page_of(request, shown)
    cells = cells_of({p["id"] for p in page.object_list})
    badges = kind_badges()
    table = [
        {
            "program": p,
            "cells": [pivot_cell(c, params.unit, badges) if (c := cells.get((p["id"], y))) else None for y in years],
        }
        for p in page.object_list
    ]
    return render(
        request,
        "reports/budget_pivot.html",
        {
            "years": years,
            "table": table,
            "page": page,
            "page_range": page_range,
            "window": window,
            "notes": pivot_notes(partials, page.object_list, years, stage, cells),
            "stage": stage,
            "stage_choices": stage_choices(),
            "fy_from": window.fy_from,
            "fy_to": window.fy_to,
            "warnings": params.warnings,
            "crumbs": crumbs(_("Budget pivot")),
            "data_as_of": data_as_of(),
        },
    )


def budget_years(values) -> list[int]:
    """Fiscal years with a complete figure."""
    return sorted(int(y) for y in values["fiscal_year"].unique()) if not values.empty else []


def stage_words() -> dict[str, str]:
    return {str(value): str(label) for value, label in Stage.choices}


def kind_badges() -> dict[str, str]:
    """The badge a figure of each marked source kind carries in a table cell (and the stage words)."""
    from ..blocks import kind_badges as badges

    return {**badges(), "stages": stage_words()}


def pivot_cell(figure: dict, unit, badges: dict[str, str]) -> dict:
    """One figure of the pivot: its text (約 when rounded), stage words and kind, and its cell's
    HTML (built here: thousands of cells are too slow through template tags)."""
    text = format_money(figure["amount_yen"], unit, rounded=figure["rounded"])
    stage = figure_stage_text(figure, badges["stages"])
    return {
        "text": text,
        "value": figure["amount_yen"],
        "stage": stage,
        "kind": figure["kind"],
        "html": format_html(
            '<td class="num" data-value="{}">{}{}<br><small>{}</small></td>',
            figure["amount_yen"],
            text,
            mark_safe(badges.get(figure["kind"], "")),  # noqa: S308 - built by format_html above
            stage,
        ),
    }


def pivot_notes(partials, programs, years, stage, cells) -> list[str]:
    """For cells left empty because only some sub-programs have a figure: "n of m" sentences.
    One selection over the partial sums, for the programs and years shown."""
    if partials.empty or not programs or not years:
        return []
    ids = {p["id"] for p in programs}
    part = partials[partials["program_id"].isin(ids) & partials["fiscal_year"].isin(years)]
    if stage != "latest":
        part = part[part["stage"] == stage]
    empty = [(int(pid), int(fy)) not in cells for pid, fy in zip(part["program_id"], part["fiscal_year"], strict=True)]
    part = part.loc[empty]  # a row mask (an empty list keeps the columns)
    with_notes = set(part["program_id"])
    notes = []
    for p in programs:
        if p["id"] in with_notes:
            for note in presenters.partial_notes(part, p["id"]):
                notes.append(f"{presenters.localized(p)}: {note}")
    return notes


def region_funding(request):
    """Region × fiscal year of cluster funding (national, local or total; plan or actual),
    summed in the database. The page shows a window of years (the latest ten unless a range is
    asked for) and 50 regions a page; the download holds every region of the years shown.
    Coordinators see the funding of every region, as on the map (``restrict``)."""
    params = page_params(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in ("plan", "actual") else "actual"
    part = request.GET.get("part") if request.GET.get("part") in ("national", "local", "total") else "national"
    fy_from, fy_to = year_range(request, params.warnings)
    window = year_window(cluster_selectors.funding_years(user=request.user, kind=kind), fy_from, fy_to)
    pivot = cached_per_version(
        f"region-funding:{kind}:{part}:{window.fy_from}:{window.fy_to}",
        lambda: analytics.region_funding_pivot(
            cluster_selectors.funding_sums(user=request.user, kind=kind, fy_from=window.fy_from, fy_to=window.fy_to),
            kind=kind,
            part=part,
        ),
    )
    regions = {r.pk: r for r in Region.objects.restrict(request.user).filter(pk__in=set(pivot["region_id"]))}
    years = sorted({int(y) for y in pivot["fiscal_year"]})
    cells = {(int(r.region_id), int(r.fiscal_year)): r for r in pivot.itertuples()}
    ordered = sorted(regions.values(), key=lambda r: r.name_ja)
    columns = [
        Column("region_slug", "地域キー", "Region key"),
        Column("region", "地域", "Region"),
        *[Column(f"fy{y}", f"{y}年度", f"FY{y}", "money") for y in years],
        Column("source_kind", "出典の種別", "Source kind"),
    ]

    def rows():
        for region in ordered:
            row = {"region_slug": region.slug, "region": region.name_ja}
            kinds = set()
            for y in years:
                cell = cells.get((region.pk, y))
                row[f"fy{y}"] = int(cell.amount_yen) if cell else None
                if cell:
                    kinds.add(cell.source_kind)
            row["source_kind"] = "; ".join(kind_text(k) for k in analytics.KIND_CAUTION if k in kinds)
            yield row

    if request.GET.get("export"):
        return export_response(
            request,
            what="region-funding",
            columns=columns,
            rows=rows,
            unit=params.unit,
            fy_from=window.fy_from,
            fy_to=window.fy_to,
            about=report_about(
                request, _("Region funding pivot"), params.unit, [(_("Plan or actual"), kind), (_("Part"), part)]
            ),
        )
    page, page_range = page_of(request, ordered)
    badge = format_html(
        ' <span class="badge badge--illustrative" title="{}">{}</span>', _("Illustrative"), _("Illustrative")
    )
    table = [
        {
            "region": region,
            "cells": [funding_cell(c, params.unit, badge) if (c := cells.get((region.pk, y))) else None for y in years],
        }
        for region in page.object_list
    ]
    return render(
        request,
        "reports/region_funding.html",
        {
            "years": years,
            "table": table,
            "page": page,
            "page_range": page_range,
            "window": window,
            "fy_from": window.fy_from,
            "fy_to": window.fy_to,
            "kind": kind,
            "part": part,
            "warnings": params.warnings,
            "illustrative": bool(pivot["illustrative"].any()) if not pivot.empty else False,
            "crumbs": crumbs(_("Region funding pivot")),
            "data_as_of": data_as_of(),
        },
    )


def funding_cell(cell, unit, badge: str) -> dict:
    amount = int(cell.amount_yen)
    text = format_money(amount, unit)
    return {
        "text": text,
        "value": amount,
        "illustrative": bool(cell.illustrative),
        "html": format_html(
            '<td class="num" data-value="{}">{}{}</td>', amount, text, badge if cell.illustrative else ""
        ),
    }


def outcome_shares(request):
    """Indicator × fiscal year: numerator, denominator and share, with the sources; a window of
    years (the latest ten unless a range is asked for), the download holding the same years."""
    from .outcomes import outcome_data

    params = page_params(request)
    indicators, totals, shares, sources = outcome_data(request.user)
    names = {i["id"]: presenters.localized(i) for i in indicators}
    slugs = {i["id"]: i["slug"] for i in indicators}
    columns = [
        Column("indicator_slug", "指標キー", "Indicator key"),
        Column("indicator", "成果指標", "Indicator"),
        Column("fiscal_year", "年度", "Fiscal year", "int"),
        Column("numerator", "4事業合計", "The four programs", "int"),
        Column("denominator", "大学等全体", "All universities", "int"),
        Column("share", "割合（%）", "Share (%)", "decimal"),
        Column("programs_with_value", "値のある事業数", "Programs with a value", "int"),
        Column("error", "データ誤り", "Data error", "int"),
        Column("total_source", "全体の出典", "Source of the total"),
        Column("total_source_kind", "全体の出典の種別", "Source kind of the total"),
        Column("part_source_kind", "4事業の出典の種別", "Source kind of the part"),
    ]
    fy_from, fy_to = year_range(request, params.warnings)
    window = year_window([int(y) for y in shares["fiscal_year"]], fy_from, fy_to)
    shown = shares[shares["fiscal_year"].isin(window.years)]
    ordered = shown.sort_values(["indicator_id", "fiscal_year"])

    def value(v):
        return None if v is None or str(v) == "nan" else v

    def rows():
        for r in ordered.itertuples():
            source = sources.get(r.total_source_id)
            yield {
                "indicator_slug": slugs.get(r.indicator_id),
                "indicator": names.get(r.indicator_id),
                "fiscal_year": int(r.fiscal_year),
                "numerator": value(r.numerator),
                "denominator": value(r.denominator),
                "share": value(r.share),
                "programs_with_value": r.parts,
                "error": int(bool(r.error)),
                "total_source": source.title if source else "",
                "total_source_kind": kind_text(r.total_kind) if r.total_kind else "",
                "part_source_kind": kind_text(r.part_kind) if r.part_kind else "",
            }

    if request.GET.get("export"):
        return export_response(
            request,
            what="outcome-shares",
            columns=columns,
            rows=rows,
            unit=params.unit,
            fy_from=window.fy_from,
            fy_to=window.fy_to,
            about=report_about(request, _("Outcome shares"), params.unit, []),
        )
    years = window.years
    grid = {}
    error_text = _("data error")
    for r in shown.itertuples():
        cell = {
            "share": presenters.charts.share_text(r.share, r.part_kind)
            if value(r.share) is not None
            else ("!" if r.error else "—"),
            "num": value(r.numerator),
            "den": value(r.denominator),
            "error": bool(r.error),
        }
        cell["html"] = format_html(
            '<td class="num">{}<br><small>{} / {}</small></td>',
            format_html('<span class="field-error">{}</span>', error_text)
            if cell["error"]
            else format_html("<strong>{}</strong>", cell["share"]),
            "—" if cell["num"] is None else cell["num"],
            "—" if cell["den"] is None else cell["den"],
        )
        grid[(r.indicator_id, int(r.fiscal_year))] = cell
    table = [
        {"indicator": i, "label": names[i["id"]], "cells": [grid.get((i["id"], y)) for y in years]}
        for i in indicators
        if any((i["id"], y) in grid for y in years)
    ]
    return render(
        request,
        "reports/outcome_shares.html",
        {
            "years": years,
            "table": table,
            "window": window,
            "fy_from": window.fy_from,
            "fy_to": window.fy_to,
            "warnings": params.warnings,
            "crumbs": crumbs(_("Outcome shares")),
            "data_as_of": data_as_of(),
        },
    )


def yoy(request):
    """Any two fiscal years side by side (each at a chosen stage or its latest), Δ and Δ%,
    sorted by the change. A change is given only between figures of the same stage, or between
    two stages the user named (the page then says so in words); 約 when either side is rounded.
    50 programs a page; the download holds them all."""
    params = page_params(request)
    programs, values, _partials = budget_figures(request.user)
    years = sorted({int(y) for y in values["fiscal_year"]}) if not values.empty else []
    from .dashboard import main_program

    root = main_program(programs, values)
    head = analytics.headline(values, root["id"]) if root else None
    default_b = head["fy"] if head else (years[-1] if years else None)
    fy_b = parse_fiscal_year(request.GET.get("fy_b"), params.warnings) or default_b
    fy_a = parse_fiscal_year(request.GET.get("fy_a"), params.warnings) or (fy_b - 1 if fy_b else None)
    valid = {c for c, _label in stage_choices()}
    stage_a = request.GET.get("stage_a") if request.GET.get("stage_a") in valid else "latest"
    stage_b = request.GET.get("stage_b") if request.GET.get("stage_b") in valid else "latest"
    frame = (
        cached_per_version(
            f"yoy:{fy_a}:{fy_b}:{stage_a}:{stage_b}",
            lambda: analytics.compare_years(values, programs, fy_a=fy_a, fy_b=fy_b, stage_a=stage_a, stage_b=stage_b),
        )
        if fy_a and fy_b
        else None
    )
    compared = list(frame.itertuples()) if frame is not None else []
    by_id = {p["id"]: p for p in programs}
    by_slug = {p["slug"]: p for p in programs}
    labels = dict(Stage.choices)
    across = stage_a != "latest" and stage_b != "latest" and stage_a != stage_b
    columns = [
        Column("program_slug", "事業キー", "Program key"),
        Column("program", "事業", "Program"),
        Column("a", f"{fy_a}年度", f"FY{fy_a}", "money"),
        Column("a_stage", f"{fy_a}年度の予算段階", f"FY{fy_a} stage"),
        Column("a_precision", f"{fy_a}年度の精度", f"FY{fy_a} precision"),
        Column("b", f"{fy_b}年度", f"FY{fy_b}", "money"),
        Column("b_stage", f"{fy_b}年度の予算段階", f"FY{fy_b} stage"),
        Column("b_precision", f"{fy_b}年度の精度", f"FY{fy_b} precision"),
        Column("delta", "増減", "Change", "money"),
        Column("delta_pct", "増減率（%）", "Change (%)", "decimal"),
        Column("delta_precision", "増減の精度", "Precision of the change"),
        Column("no_change_reason", "増減を示さない理由", "Why no change is given"),
        Column("source_kind", "出典の種別", "Source kind"),
    ]

    def rows(shown=compared):
        for r in shown:
            a, b = r.a, r.b
            has_delta = r.delta_yen is not None and r.delta_yen == r.delta_yen
            kinds = {f["kind"] for f in (a, b) if f}
            yield {
                "program_slug": by_id[r.program_id]["slug"],
                "program": by_id[r.program_id]["name_ja"],
                "a": a["amount_yen"] if a else None,
                "a_stage": figure_stage_text(a) if a else "",
                "a_precision": precision_text(a["rounded"]) if a else "",
                "b": b["amount_yen"] if b else None,
                "b_stage": figure_stage_text(b) if b else "",
                "b_precision": precision_text(b["rounded"]) if b else "",
                "delta": whole(r.delta_yen) if has_delta else None,
                "delta_pct": r.delta_pct if has_delta else None,
                "delta_precision": precision_text(bool(r.delta_rounded)) if has_delta else "",
                "no_change_reason": str(presenters.no_change_text(r.reason))
                if r.reason not in (None, "missing")
                else "",
                "source_kind": "; ".join(kind_text(k) for k in analytics.KIND_CAUTION if k in kinds),
                "_a": a,
                "_b": b,
                "_rounded": bool(r.delta_rounded),
            }

    if request.GET.get("export"):
        return export_response(
            request,
            what="year-over-year",
            columns=columns,
            rows=rows,
            unit=params.unit,
            fy_from=fy_a,
            fy_to=fy_b,
            about=report_about(
                request, _("Year-over-year comparison"), params.unit, [(_("Stages"), f"{stage_a} / {stage_b}")]
            ),
        )
    page, page_range = page_of(request, compared)
    table = []
    for row in rows(page.object_list):
        a, b = row["_a"], row["_b"]
        table.append(
            {
                **row,
                "program": presenters.localized(by_slug[row["program_slug"]]),
                "a_text": format_money(row["a"], params.unit, rounded=a["rounded"]) if a else "—",
                "b_text": format_money(row["b"], params.unit, rounded=b["rounded"]) if b else "—",
                "delta_text": format_money(row["delta"], params.unit, rounded=row["_rounded"], signed=True)
                if row["delta"] is not None
                else "—",
                "pct_text": format_percent(row["delta_pct"], signed=True, rounded=row["_rounded"])
                if row["delta_pct"] is not None
                else "—",
                "kinds": {f["kind"] for f in (a, b) if f},
            }
        )  # fmt: skip
    return render(
        request,
        "reports/yoy.html",
        {
            "years": years,
            "fy_a": fy_a,
            "fy_b": fy_b,
            "stage_a": stage_a,
            "stage_b": stage_b,
            "across": across,
            "stage_a_label": labels.get(stage_a, ""),
            "stage_b_label": labels.get(stage_b, ""),
            "stage_choices": stage_choices(),
            "table": table,
            "page": page,
            "page_range": page_range,
            "warnings": params.warnings,
            "crumbs": crumbs(_("Year-over-year comparison")),
            "data_as_of": data_as_of(),
            "fy_a_label": fiscal_year_label(fy_a, "short") if fy_a else "",
            "fy_b_label": fiscal_year_label(fy_b, "short") if fy_b else "",
        },
    )


def no_change_reason(reason) -> str:
    return str(presenters.no_change_text(reason)) if reason not in (None, analytics.NO_CHANGE_MISSING) else ""


def whole(value) -> int | None:
    """A pandas cell as whole yen, or None for a missing value (NaN)."""
    return None if value is None or value != value else int(value)


def report_about(request, title, unit, extra):
    as_of = data_as_of()
    return [
        (_("Report"), str(title)),
        (_("Exported from"), request.build_absolute_uri()),
        (_("Data as of"), timezone.localtime(as_of).isoformat(timespec="seconds") if as_of else "—"),
        (_("Unit of money columns"), unit_label(unit)),
        *[(str(k), str(v)) for k, v in extra],
    ]


# --- The whole dataset -----------------------------------------------------------------------


def dataset_tables(user):
    """(file name, columns, rows, description) for every table of the dataset, all restricted."""
    from clusters import exports as ce
    from programs import exports as pe

    funding = ClusterFunding.objects.restrict(user).order_by("cluster__slug", "fiscal_year", "kind")
    return [
        (
            "sources.csv",
            pe.SOURCE_COLUMNS,
            pe.source_rows(Source.objects.restrict(user).order_by("key")),
            "出典 / sources",
        ),
        (
            "programs.csv",
            pe.PROGRAM_COLUMNS,
            pe.program_rows(
                Program.objects.restrict(user).select_related("parent").with_cluster_count().order_by("order", "slug"),
                latest_figures(user),
            ),
            "事業 / programs",
        ),
        (
            "budget_lines.csv",
            pe.BUDGET_LINE_COLUMNS,
            pe.budget_line_rows(BudgetLine.objects.restrict(user).order_by("program__slug", "fiscal_year", "stage")),
            "予算額 / budget lines",
        ),
        (
            "indicators.csv",
            pe.INDICATOR_COLUMNS,
            pe.indicator_rows(Indicator.objects.restrict(user).order_by("order", "slug")),
            "成果指標 / indicators",
        ),
        (
            "outcome_values.csv",
            pe.OUTCOME_VALUE_COLUMNS,
            pe.outcome_value_rows(
                OutcomeValue.objects.restrict(user).order_by("indicator__slug", "fiscal_year", "program__slug")
            ),
            "成果実績 / outcome values",
        ),
        (
            "prefectures.csv",
            ce.PREFECTURE_COLUMNS,
            Prefecture.objects.order_by("code").values("code", "name_ja", "name_en", "block", "lat", "lon"),
            "都道府県 / prefectures",
        ),
        (
            "regions.csv",
            ce.REGION_COLUMNS,
            ce.region_rows(
                with_cluster_summary(Region.objects.restrict(user)).prefetch_related("prefectures").order_by("slug")
            ),
            "地域 / regions",
        ),
        (
            "clusters.csv",
            ce.CLUSTER_COLUMNS,
            cluster_rows(Cluster.objects.restrict(user).order_by("slug")),
            "クラスター / clusters",
        ),
        (
            "cluster_funding.csv",
            ce.CLUSTER_FUNDING_COLUMNS,
            ce.funding_rows(funding),
            "クラスター事業費 / cluster funding",
        ),
        (
            "cluster_outcomes.csv",
            ce.CLUSTER_OUTCOME_COLUMNS,
            ce.outcome_rows(
                ClusterOutcome.objects.restrict(user).order_by("cluster__slug", "fiscal_year", "indicator__slug")
            ),
            "クラスター成果 / cluster outcomes",
        ),
        (
            "evaluations.csv",
            ce.EVALUATION_COLUMNS,
            evaluation_rows(Evaluation.objects.restrict(user).order_by("cluster__slug", "kind")),
            "評価 / evaluations",
        ),
        (
            "annual_reports.csv",
            ce.ANNUAL_REPORT_COLUMNS,
            report_rows(AnnualReport.objects.restrict(user).order_by("cluster__slug", "fiscal_year")),
            "年次報告 / annual reports",
        ),
    ]


def cluster_rows(queryset):
    """The clusters table with its derived status: clusters.exports.cluster_rows (clusters/periods.py)."""
    from clusters import exports as ce

    return ce.cluster_rows(queryset)


def evaluation_rows(queryset):
    for row in queryset.values(
        "cluster__slug",
        "kind",
        "fiscal_year",
        "grade",
        "subsidy_change_pct",
        "summary_ja",
        "source__key",
        "source__kind",
    ):
        yield {k.replace("__", "_"): v for k, v in row.items()}


def report_rows(queryset):
    for row in queryset.values("cluster__slug", "fiscal_year", "status", "submitted_at", "reviewed_at", "comment"):
        yield {k.replace("__", "_"): v for k, v in row.items()}


def data_dictionary(tables) -> str:
    """README.md of the ZIP: every table and column, with unit, meaning and the source kinds."""
    lines = [
        "# Kakehashi dataset / 架け橋 データセット",
        "",
        f"Exported {timezone.localtime():%Y-%m-%d %H:%M %Z}. Data as of {data_as_of() or '—'}.",
        "",
        "CSV files: UTF-8 with BOM, CRLF line ends, one header row in the language of the download.",
        "Money columns marked (円)/(yen) are whole yen; other money columns are in the unit in their header.",
        "Fiscal years (年度) run April–March and are written as the Western year they start in (2008 = 平成20年度).",
        "source_kind: official = a ministry or agency document; press = other publications;",
        "reported = entered by a region's coordinator in an annual report (地域からの報告),",
        "not checked by the ministry;",
        "illustrative = demo figures invented to show the pages, NOT official (例示データ).",
        "precision: exact = the figure as stated in the source, with the source's own digits (出典記載の数値) — it",
        "does not claim the figure is final; rounded = the source gave the figure rounded (概数（約）, e.g. 約75億円),",
        "and the yen amount is that round figure written out, not an exact amount. A sum or change that uses a",
        "rounded figure is rounded too.",
        "stage: 概算要求 request → 予算案 government draft → 当初予算 enacted → 補正後 after supplementary → 決算",
        "settled. stage_alternative is set where the source's wording (stage_wording, e.g. 政府予算) does not settle",
        "the stage.",
        "",
    ]
    for filename, columns, _rows, description in tables:
        lines += [
            f"## {filename} — {description}",
            "",
            "| key | 日本語 | English | kind | meaning |",
            "|---|---|---|---|---|",
        ]
        for c in columns:
            meaning = c.description_en or c.description_ja
            if c.description_ja and c.description_en:
                meaning = f"{c.description_ja} / {c.description_en}"
            lines.append(f"| {c.key} | {c.label_ja} | {c.label_en} | {c.kind} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


def dataset_zip(request):
    """One ZIP: a CSV per table plus README.md with the data dictionary. Analysts and program
    managers (and administrators) only."""
    if not any(has_role(request.user, r) for r in DATASET_ROLES):
        raise PermissionDenied
    unit = page_params(request).unit
    tables = dataset_tables(request.user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for filename, columns, rows, _description in tables:
            with archive.open(filename, "w") as handle:
                handle.write(b"\xef\xbb\xbf")
                for line in iter_csv_lines(columns, rows, unit):
                    handle.write(line.encode("utf-8"))
        archive.writestr("README.md", data_dictionary(tables))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    name = f"kakehashi-dataset_{timezone.localdate():%Y%m%d}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
