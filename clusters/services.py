"""Writes to region-owned rows: cluster profiles and the annual report workflow.

Every function runs in one transaction, checks the version, validates, records the user in
history and re-checks scope after saving (core.services.save_tracked).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.querysets import CHANGE, VIEW
from core.roles import Role, has_role
from core.services import FieldChange, StaleVersion, save_tracked
from programs.models import Indicator, Source

from .choices import FundingKind, ReportStatus
from .models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome

#: the indicator families a coordinator reports each year (the redefinition valid for the year is used)
REPORT_INDICATOR_SLUGS = (
    "joint-research-count",
    "patent-applications",
    "patent-licenses-implemented",
    "startups-founded-in-year",
)
LOCKED_FOR_COORDINATORS = {ReportStatus.SUBMITTED, ReportStatus.ACCEPTED}


class ReportLocked(PermissionDenied):
    """Submitted and accepted reports are read-only to coordinators."""


def report_indicators(fy: int) -> list[Indicator]:
    """The indicators reported for fiscal year ``fy``: for each family, the definition in force."""
    indicators = {i.slug: i for i in Indicator.objects.all()}
    replaced_by = {i.replaces_id: i for i in indicators.values() if i.replaces_id}
    result = []
    for slug in REPORT_INDICATOR_SLUGS:
        indicator = indicators.get(slug)
        if indicator is None:
            continue
        while (
            indicator.pk in replaced_by
            and replaced_by[indicator.pk].break_fy
            and replaced_by[indicator.pk].break_fy <= fy
        ):
            indicator = replaced_by[indicator.pk]
        result.append(indicator)
    return result


def report_source(*, user, cluster: Cluster, fy: int) -> Source:
    """The source every figure of a cluster's annual report points to: one row per cluster and
    year, of the kind ``reported`` (地域からの報告), created through the one write path.

    Called only from ``report_save``, after the user's change scope over the cluster has been
    checked; the source itself is a national row, so its own scope check is the read scope.
    """
    key = f"annual-report-{cluster.slug}-{fy}"[:80]
    source = Source.objects.filter(key=key).first()
    if source is None:
        source = Source(
            key=key,
            kind="reported",
            title=f"年次報告：{cluster.name_ja}（{fy}年度）",
            publisher=cluster.region.name_ja,
            locator=_("Annual report submitted through Kakehashi"),
        )
        save_tracked(user=user, instance=source, version=None, action=VIEW)
    return source


def _editable_report(user, report: AnnualReport):
    if report.status in LOCKED_FOR_COORDINATORS and not has_role(user, Role.PROGRAM_MANAGER):
        raise ReportLocked(_("This report has been submitted and can no longer be changed by the coordinator."))


def _child_rows(cluster: Cluster, fy: int) -> list:
    """The rows an annual report writes besides itself: the year's actual funding and outcomes."""
    rows: list = list(ClusterFunding.objects.filter(cluster=cluster, fiscal_year=fy, kind=FundingKind.ACTUAL))
    rows += list(ClusterOutcome.objects.filter(cluster=cluster, fiscal_year=fy).select_related("indicator"))
    return rows


CHILD_FIELDS = {ClusterFunding: ("national_yen", "local_yen"), ClusterOutcome: ("value",)}


def _child_label(row, field: str) -> str:
    if isinstance(row, ClusterOutcome):
        return row.indicator.display_name
    return str(ClusterFunding._meta.get_field(field).verbose_name)


def report_changes_since(report: AnnualReport, *, version: int | None, opened=None) -> list[FieldChange]:
    """What changed in a report and its child rows since the form was opened: the report's own
    fields since ``version`` (none: since before it existed), and each funding and outcome row
    against how it stood when that version was written (or at ``opened``)."""
    from core.services import _changes_since

    changes, base = [], None
    if report.pk is not None:
        changes = [c for c in _changes_since(report, version or 0)[0] if c.field not in ("submitted_at", "reviewed_at")]
        base = report.history.filter(version=version).order_by("history_date").first() if version else None
    since = opened or (base.history_date if base else None)
    for row in _child_rows(report.cluster, report.fiscal_year):
        then = None
        if since is not None:
            then = row.history.filter(history_date__lte=since).order_by("-history_date", "-history_id").first()
        for field in CHILD_FIELDS[type(row)]:
            old, new = (getattr(then, field) if then is not None else None), getattr(row, field)
            if old != new:
                changes.append(FieldChange(field, _child_label(row, field), new, old))
    return changes


def _children_changed_since(cluster: Cluster, fy: int, opened, user) -> bool:
    """Whether anyone else wrote a funding or outcome row of this report after ``opened``."""
    for row in _child_rows(cluster, fy):
        later = row.history.filter(history_date__gt=opened)
        if later.exclude(history_user=user).exists() or later.filter(history_user__isnull=True).exists():
            return True
    return False


def report_save(
    *,
    user,
    cluster: Cluster,
    fy: int,
    version: int | None,
    national_yen,
    local_yen,
    outcomes: dict[int, int | None],
    opened=None,
) -> AnnualReport:
    """Save a draft of the annual report: the year's actual funding and outcome counts.

    A returned report becomes a draft again. Refused (nothing written) when the report is
    submitted or accepted (for coordinators), when any value is invalid, and — with
    StaleVersion listing every change, child rows included — when the form is out of date: its
    ``version`` is stale, it has none although the report now exists (someone created it while
    the form was open), or a funding or outcome row was changed by someone else after the form
    was ``opened``. Funding and outcomes are written with the report as their source.
    """
    with transaction.atomic():
        # saves of one cluster's reports wait for each other, so two people creating the same report is a 409, not a 500
        Cluster.objects.select_for_update().filter(pk=cluster.pk).order_by("pk").first()
        report = AnnualReport.objects.select_for_update().filter(cluster=cluster, fiscal_year=fy).order_by("pk").first()
        if report is None:
            report = AnnualReport(cluster=cluster, fiscal_year=fy, status=ReportStatus.DRAFT)
            version = None
            if opened is not None and _children_changed_since(cluster, fy, opened, user):
                raise StaleVersion(report, report_changes_since(report, version=None, opened=opened), None, None)
        else:
            if version != report.version or (opened is not None and _children_changed_since(cluster, fy, opened, user)):
                latest = report.history.order_by("-history_date", "-history_id").first()
                changes = report_changes_since(report, version=version, opened=opened)
                raise StaleVersion(report, changes, latest.history_user if latest else None,
                                   latest.history_date if latest else None)  # fmt: skip
            _editable_report(user, report)
        if report.status == ReportStatus.RETURNED:
            report.status = ReportStatus.DRAFT
        report = save_tracked(user=user, instance=report, version=version, action=CHANGE)
        source = report_source(user=user, cluster=cluster, fy=fy)
        if national_yen is not None or local_yen is not None:
            funding = ClusterFunding.objects.filter(cluster=cluster, fiscal_year=fy, kind=FundingKind.ACTUAL).first()
            if funding is None:
                funding = ClusterFunding(cluster=cluster, fiscal_year=fy, kind=FundingKind.ACTUAL)
            funding.national_yen = national_yen or 0
            funding.local_yen = local_yen or 0
            funding.source = source
            save_tracked(user=user, instance=funding, version=funding.version if funding.pk else None, action=CHANGE)
        for indicator_id, value in outcomes.items():
            row = ClusterOutcome.objects.filter(cluster=cluster, fiscal_year=fy, indicator_id=indicator_id).first()
            if value is None:
                continue
            if row is None:
                row = ClusterOutcome(cluster=cluster, fiscal_year=fy, indicator_id=indicator_id)
            elif row.value == value and row.source_id == source.pk:
                continue
            row.value = value
            row.source = source
            save_tracked(user=user, instance=row, version=row.version if row.pk else None, action=CHANGE)
    return report


def _transition(*, user, report: AnnualReport, version: int, allowed_from: set, to: str, **fields) -> AnnualReport:
    if report.status not in allowed_from:
        raise ValidationError(
            _("A report that is “%(status)s” cannot become “%(to)s”.")
            % {"status": report.get_status_display(), "to": ReportStatus(to).label}
        )
    report.status = to
    for name, value in fields.items():
        setattr(report, name, value)
    return save_tracked(user=user, instance=report, version=version, action=CHANGE)


def report_submit(*, user, report: AnnualReport, version: int) -> AnnualReport:
    """draft → submitted, by the region's coordinator (or a program manager)."""
    return _transition(
        user=user,
        report=report,
        version=version,
        allowed_from={ReportStatus.DRAFT},
        to=ReportStatus.SUBMITTED,
        submitted_by=user,
        submitted_at=timezone.now(),
    )


def _require_manager(user):
    if not has_role(user, Role.PROGRAM_MANAGER):
        raise PermissionDenied(_("Only program managers review annual reports."))


def report_accept(*, user, report: AnnualReport, version: int) -> AnnualReport:
    """submitted → accepted, by a program manager only."""
    _require_manager(user)
    return _transition(
        user=user,
        report=report,
        version=version,
        allowed_from={ReportStatus.SUBMITTED},
        to=ReportStatus.ACCEPTED,
        reviewed_by=user,
        reviewed_at=timezone.now(),
    )


def report_return(*, user, report: AnnualReport, version: int, comment: str) -> AnnualReport:
    """submitted → returned with a comment, by a program manager only."""
    _require_manager(user)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the report is returned.")})
    return _transition(
        user=user,
        report=report,
        version=version,
        allowed_from={ReportStatus.SUBMITTED},
        to=ReportStatus.RETURNED,
        comment=comment.strip(),
        reviewed_by=user,
        reviewed_at=timezone.now(),
    )
