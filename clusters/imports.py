"""Importers of region-owned rows: cluster funding and cluster outcomes.

Coordinators import for the clusters of their own regions, program managers for every cluster.
Clusters are resolved through ``Cluster.objects.restrict(user, "change")``: a row for a cluster
outside the user's regions is an error on that row (the import writes nothing), never a write.
Natural keys: funding is (cluster key, fiscal year, plan/actual); an outcome is (cluster key,
fiscal year, indicator key).

Sources: the source-key column when filled (it must exist). Without it, a coordinator's new or
changed figure cites the cluster-year's annual report, as the annual report form does
(``services.report_source``); a program manager's new row needs a source key and a changed row
keeps its source, as for national rows. A coordinator cannot change plan figures (program
managers set them) nor a year whose annual report is submitted or accepted.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import (
    NOTHING,
    WRITES,
    ChoiceParser,
    Deferred,
    ExistingRows,
    Importer,
    PreviewRow,
    parse_fiscal_year,
    parse_whole_number,
)
from core.querysets import CHANGE
from core.roles import Role, has_role
from programs.models import Indicator, Source

from .choices import FundingKind
from .exports import CLUSTER_FUNDING_COLUMNS, CLUSTER_OUTCOME_COLUMNS
from .models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome
from .services import LOCKED_FOR_COORDINATORS, report_source


class ClusterRowImporter(Importer):
    """Shared by the per-cluster, per-year importers: scope, sources and the coordinator rules."""

    attr_columns = {"cluster": "cluster_slug", "indicator": "indicator_slug", "source": "source_key"}
    notes = (
        gettext_lazy(
            "Without a source key, a coordinator's new or changed figure cites that cluster's annual report for the "
            "year, as the annual report form does; a program manager's new row needs a source key."
        ),
        gettext_lazy(
            "Coordinators import for the clusters of their own regions only: actual funding (not plans), and not "
            "for a year whose annual report has been submitted or accepted."
        ),
    )

    @classmethod
    def allowed(cls, user) -> bool:
        return has_role(user, Role.PROGRAM_MANAGER) or has_role(user, Role.COORDINATOR)

    def load(self, user) -> None:
        self.is_manager = has_role(user, Role.PROGRAM_MANAGER)
        # with the program: ClusterYearRow.clean() reads the cluster's period from it
        self.clusters = {c.slug: c for c in Cluster.objects.restrict(user, CHANGE).select_related("region", "program")}
        self.clusters_by_pk = {c.pk: c for c in self.clusters.values()}
        self.visible_clusters = set(Cluster.objects.restrict(user).values_list("slug", flat=True))
        self.sources = {s.key: s for s in Source.objects.restrict(user)}
        self.sources_by_pk = {s.pk: s for s in self.sources.values()}
        self.locked = set()
        if not self.is_manager:
            self.locked = set(
                AnnualReport.objects.restrict(user, CHANGE)
                .filter(status__in=LOCKED_FOR_COORDINATORS)
                .values_list("cluster_id", "fiscal_year")
            )

    def attach(self, instance) -> None:
        """Give an existing row (ExistingRows gives none) the loaded cluster, with its region and
        program, and source, so validating and showing it costs no query."""
        for attr, loaded in (("cluster", self.clusters_by_pk), ("source", self.sources_by_pk)):
            related = loaded.get(getattr(instance, f"{attr}_id"))
            if related is not None:
                setattr(instance, attr, related)

    def cluster(self, row: PreviewRow, slug: str):
        if not slug:
            return None
        cluster = self.clusters.get(slug)
        if cluster is None:
            if slug in self.visible_clusters:
                row.errors.append(_("Cluster “%(key)s” is outside your regions.") % {"key": slug})
            else:
                row.errors.append(_("Unknown cluster key “%(key)s”.") % {"key": slug})
        return cluster

    def source(self, row: PreviewRow, record: dict, *, cluster, fy: int, instance, values: dict):
        """The source-key column when filled (it must exist). Else a program manager's new row is
        an error and a changed row keeps its source; a coordinator's new or changed figure cites
        the cluster-year's annual report (its Source is created when the import is applied)."""
        key = self.slug(row, record, "source_key", required=False)
        if key:
            source = self.sources.get(key)
            if source is None:
                row.errors.append(_("Unknown source key “%(key)s”.") % {"key": key})
                return NOTHING
            return source
        if self.is_manager:
            if instance.pk is None:
                row.errors.append(
                    _("A new row needs a source: fill in the column “%(column)s”.")
                    % {"column": self.header("source_key")}
                )
            return NOTHING
        changed = instance.pk is None or any(
            value is not NOTHING and getattr(instance, attr) != value for attr, value in values.items()
        )
        if not changed:
            return NOTHING
        report_key = f"annual-report-{cluster.slug}-{fy}"[:80]
        existing = self.sources.get(report_key)
        if existing is not None:
            return existing
        user = self.user

        def resolve(obj):
            obj.source = report_source(user=user, cluster=cluster, fy=fy)

        return Deferred(report_key, resolve)

    def check_write(self, row: PreviewRow, instance) -> None:
        if self.is_manager or row.action not in WRITES:
            return
        if (instance.cluster_id, instance.fiscal_year) in self.locked:
            row.errors.append(
                _(
                    "The annual report for fiscal year %(fy)s has been submitted; its figures can no longer be "
                    "changed by the coordinator."
                )
                % {"fy": instance.fiscal_year}
            )


class ClusterFundingImporter(ClusterRowImporter):
    kind = "cluster-funding"
    title = gettext_lazy("Cluster funding")
    description = gettext_lazy(
        "National subsidy and local contribution per cluster and fiscal year, planned or actual, in whole yen. "
        "Coordinators import the actual figures of their own regions' clusters."
    )
    model = ClusterFunding
    columns = CLUSTER_FUNDING_COLUMNS
    required = frozenset({"cluster_slug", "fiscal_year", "kind", "national_yen"})
    ignored = frozenset({"cluster", "region_slug", "national", "local", "source_title", "source_kind"})

    def load(self, user) -> None:
        super().load(user)
        self.existing = ExistingRows(ClusterFunding.objects.restrict(user, CHANGE), ("cluster", "fiscal_year", "kind"))
        self.kinds = ChoiceParser(FundingKind)
        self.kind_labels = {key: str(label) for key, label in FundingKind.choices}

    def build(self, record: dict, row: PreviewRow) -> None:
        slug = self.slug(row, record, "cluster_slug")
        fy = self.value(row, record, "fiscal_year", parse_fiscal_year, required=True)
        kind = self.value(row, record, "kind", self.kinds, required=True)
        label = self.kind_labels[kind] if kind is not NOTHING else NOTHING
        self.set_key(row, (slug, fy, kind), (slug, fy, label))
        cluster = self.cluster(row, slug)
        national = self.value(row, record, "national_yen", parse_whole_number, required=True)
        local = self.value(row, record, "local_yen", parse_whole_number)
        if cluster is None or fy is NOTHING or kind is NOTHING:
            return
        funding = self.existing.get((cluster.pk, fy, kind))
        is_new = funding is None
        if is_new:
            funding = ClusterFunding(cluster=cluster, fiscal_year=fy, kind=kind)
            if local is NOTHING:
                local = 0
        else:
            self.attach(funding)
        self.check_money(row, record, "national", "national_yen", national, None if is_new else funding.national_yen)
        self.check_money(row, record, "local", "local_yen", local, None if is_new else funding.local_yen)
        values = {"national_yen": national, "local_yen": local}
        source = self.source(row, record, cluster=cluster, fy=fy, instance=funding, values=values)
        self.finish(row, funding, {**values, "source": source})

    def check_write(self, row: PreviewRow, instance) -> None:
        if not self.is_manager and row.action in WRITES and instance.kind == FundingKind.PLAN:
            row.errors.append(_("Plan figures are set by program managers; coordinators import actual funding only."))
            return
        super().check_write(row, instance)


class ClusterOutcomeImporter(ClusterRowImporter):
    kind = "cluster-outcomes"
    title = gettext_lazy("Cluster outcomes")
    description = gettext_lazy(
        "Yearly outcome counts per cluster and indicator (joint research, patent applications, licences, start-ups)."
    )
    model = ClusterOutcome
    columns = CLUSTER_OUTCOME_COLUMNS
    required = frozenset({"cluster_slug", "fiscal_year", "indicator_slug", "value"})
    ignored = frozenset({"cluster", "indicator", "source_kind"})

    def load(self, user) -> None:
        super().load(user)
        self.indicators = {i.slug: i for i in Indicator.objects.restrict(user)}
        self.existing = ExistingRows(
            ClusterOutcome.objects.restrict(user, CHANGE), ("cluster", "fiscal_year", "indicator")
        )

    def build(self, record: dict, row: PreviewRow) -> None:
        slug = self.slug(row, record, "cluster_slug")
        fy = self.value(row, record, "fiscal_year", parse_fiscal_year, required=True)
        indicator_slug = self.slug(row, record, "indicator_slug")
        self.set_key(row, (slug, fy, indicator_slug))
        cluster = self.cluster(row, slug)
        indicator = self.indicators.get(indicator_slug) if indicator_slug else None
        if indicator_slug and indicator is None:
            row.errors.append(_("Unknown indicator key “%(key)s”.") % {"key": indicator_slug})
        value = self.value(row, record, "value", parse_whole_number, required=True)
        if cluster is None or indicator is None or fy is NOTHING:
            return
        outcome = self.existing.get((cluster.pk, fy, indicator.pk))
        if outcome is None:
            outcome = ClusterOutcome(cluster=cluster, fiscal_year=fy, indicator=indicator)
        else:
            self.attach(outcome)
        values = {"value": value}
        source = self.source(row, record, cluster=cluster, fy=fy, instance=outcome, values=values)
        self.finish(row, outcome, {**values, "source": source})
