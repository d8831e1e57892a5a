"""The annual-report status board: region × fiscal year (DESIGN §4 /reports/)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from clusters.models import AnnualReport, Cluster, Region
from clusters.periods import VALUE_FIELDS, Period
from clusters.selectors import cluster_years
from core.history import data_as_of
from core.roles import Role, has_role

BOARD_ROLES = (Role.VIEWER, Role.ANALYST, Role.PROGRAM_MANAGER)


def status_board(request):
    """For ministry staff and program managers: per region and fiscal year, each running
    cluster's report status (or that no report was started); clusters of unknown period appear,
    marked, in the years they may have run (clusters/periods.py)."""
    if not any(has_role(request.user, role) for role in BOARD_ROLES):
        raise PermissionDenied
    years = cluster_years(user=request.user)
    if request.GET.get("fy_from", "").isdigit():
        years = [y for y in years if y >= int(request.GET["fy_from"])]
    if request.GET.get("fy_to", "").isdigit():
        years = [y for y in years if y <= int(request.GET["fy_to"])]
    clusters = list(
        Cluster.objects.restrict(request.user)
        .with_period()
        .values("id", "slug", "name_ja", "name_en", "region_id", *VALUE_FIELDS)
    )
    periods = {c["id"]: Period.from_row(c) for c in clusters}
    reports = {
        (r["cluster_id"], r["fiscal_year"]): r["status"]
        for r in AnnualReport.objects.restrict(request.user).values("cluster_id", "fiscal_year", "status")
    }
    labels = dict(AnnualReport._meta.get_field("status").flatchoices)
    rows = []
    for region in Region.objects.restrict(request.user).order_by("name_ja").values("id", "slug", "name_ja"):
        cells = []
        own = [c for c in clusters if c["region_id"] == region["id"]]
        any_active = False
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
                        "label": labels.get(status, _("Not started")) if status else _("Not started"),
                        "period_unknown": not running,
                    }
                )
            any_active = any_active or bool(items)
            cells.append(items)
        if any_active:
            rows.append({"region": region, "cells": cells})
    if request.GET.get("export"):
        return status_export(request, rows, years)
    return render(
        request,
        "reports/status.html",
        {
            "years": years,
            "rows": rows,
            "data_as_of": data_as_of(),
            "crumbs": [{"label": _("Annual report status")}],
            "can_open": has_role(request.user, Role.PROGRAM_MANAGER),
        },
    )


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
