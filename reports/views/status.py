"""The annual-report status board: region × fiscal year (DESIGN §4 /reports/)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from clusters.models import AnnualReport, Cluster, Region
from clusters.periods import VALUE_FIELDS, Period
from clusters.selectors import cluster_years
from core.history import data_as_of
from core.i18n import falls_back, localized
from core.roles import Role, has_role

from .pages import page_of, year_window

BOARD_ROLES = (Role.VIEWER, Role.ANALYST, Role.PROGRAM_MANAGER)


def status_board(request):
    """For ministry staff and program managers: per region and fiscal year, each running
    cluster's report status (or that no report was started); clusters of unknown period appear,
    marked, in the years they may have run (clusters/periods.py). The page shows a window of
    years (the latest ten unless a range is asked for) and 50 regions a page; the download holds
    every region of the years shown."""
    if not any(has_role(request.user, role) for role in BOARD_ROLES):
        raise PermissionDenied
    window = year_window(
        cluster_years(user=request.user),
        int(request.GET["fy_from"]) if request.GET.get("fy_from", "").isdigit() else None,
        int(request.GET["fy_to"]) if request.GET.get("fy_to", "").isdigit() else None,
    )
    years = window.years
    clusters = list(
        Cluster.objects.restrict(request.user)
        .with_period()
        .values("id", "slug", "name_ja", "name_en", "region_id", *VALUE_FIELDS)
    )
    periods = {c["id"]: Period.from_row(c) for c in clusters}
    by_region: dict[int, list[dict]] = {}
    for c in clusters:
        by_region.setdefault(c["region_id"], []).append(c)
    reports_in_window = AnnualReport.objects.restrict(request.user).filter(fiscal_year__in=years)
    with_reports = set(reports_in_window.order_by().values_list("cluster__region_id", flat=True).distinct())

    def shows(region) -> bool:
        """Whether the region has a running, possibly running or reported cluster in the years shown."""
        if region["id"] in with_reports:
            return True
        own = [periods[c["id"]] for c in by_region.get(region["id"], [])]
        return any(p.running(fy) or p.possibly_running(fy) for p in own for fy in years)

    regions = [
        r for r in Region.objects.restrict(request.user).order_by("name_ja").values("id", "slug", "name_ja", "name_en")
        if shows(r)
    ]  # fmt: skip
    exporting = bool(request.GET.get("export"))
    page, page_range = (None, []) if exporting else page_of(request, regions)
    listed = regions if exporting else list(page.object_list)
    ids = [c["id"] for r in listed for c in by_region.get(r["id"], [])]
    reports = {
        (r["cluster_id"], r["fiscal_year"]): r["status"]
        for r in reports_in_window.filter(cluster_id__in=ids).values("cluster_id", "fiscal_year", "status")
    }
    labels = dict(AnnualReport._meta.get_field("status").flatchoices)
    not_started = _("Not started")
    rows = []
    for region in listed:
        cells = []
        own = by_region.get(region["id"], [])
        for fy in years:
            items = []
            for c in own:
                # the one rule (clusters/periods.py): running, or of unknown period and possibly
                # running (marked as such); a report already filed for the year always shows
                period = periods[c["id"]]
                status = reports.get((c["id"], fy))
                running = period.running(fy)
                if not (running or period.possibly_running(fy) or status):
                    continue
                items.append(
                    {
                        "cluster": c,
                        "fy": fy,
                        "status": status or "none",
                        "label": labels.get(status, not_started) if status else not_started,
                        "period_unknown": not running,
                    }
                )
            cells.append(items)
        rows.append({"region": region, "cells": cells})
    if exporting:
        return status_export(request, rows, years)
    can_open = has_role(request.user, Role.PROGRAM_MANAGER)
    unknown = _("(period unknown)")
    for row in rows:
        row["html"] = [cell_html(items, can_open, unknown) for items in row["cells"]]
    return render(
        request,
        "reports/status.html",
        {
            "years": years,
            "rows": rows,
            "page": page,
            "page_range": page_range,
            "window": window,
            "data_as_of": data_as_of(),
            "crumbs": [{"label": _("Annual report status")}],
            "can_open": can_open,
        },
    )


def cell_html(items: list[dict], can_open: bool, unknown: str) -> str:
    """One cell of the board (built here: thousands of items are too slow through template tags)."""
    if not items:
        return mark_safe("<td>—</td>")
    parts = []
    for item in items:
        name = localized(item["cluster"])
        if falls_back(item["cluster"]):
            name = f"{name} ({_('Japanese name only')})"
        badge = format_html('<span class="badge badge--report-{}">{}</span>', item["status"], item["label"])
        if can_open:
            url = reverse("clusters:report", args=[item["cluster"]["slug"], item["fy"]])
            badge = format_html('<a href="{}" title="{}">{}</a>', url, name, badge)
        mark = format_html(' <small class="period-unknown">{}</small>', unknown) if item["period_unknown"] else ""
        parts.append(format_html('<div>{}{}<span class="visually-hidden"> {}</span></div>', badge, mark, name))
    return format_html("<td>{}</td>", mark_safe("".join(parts)))  # noqa: S308 - each part built by format_html


def status_export(request, rows, years):
    from core.exports import Column, export_response
    from core.params import page_params

    columns = [
        Column("region_slug", "地域キー", "Region key"),
        Column("region", "地域", "Region"),
        Column("fiscal_year", "年度", "Fiscal year", "int"),
        Column("cluster_slug", "クラスターキー", "Cluster key"),
        Column("cluster", "クラスター", "Cluster"),
        Column("status", "状況", "Status"),
        Column(
            "period_unknown",
            "期間不明",
            "Period unknown",
            "int",
            description_ja="1：期間が不明で、この年度に実施していた可能性がある",
            description_en="1: the cluster's period is unknown; it may have run that year",
        ),
    ]

    def export_rows():
        for row in rows:
            for items in row["cells"]:
                for item in items:
                    yield {
                        "region_slug": row["region"]["slug"],
                        "region": row["region"]["name_ja"],
                        "fiscal_year": item["fy"],
                        "cluster_slug": item["cluster"]["slug"],
                        "cluster": item["cluster"]["name_ja"],
                        "status": item["status"],
                        "period_unknown": int(item["period_unknown"]),
                    }

    return export_response(
        request,
        what="report-status",
        columns=columns,
        rows=export_rows,
        unit=page_params(request).unit,
        fy_from=years[0] if years else None,
        fy_to=years[-1] if years else None,
    )
