"""Prefectures, regions, clusters and what coordinators report about them (DESIGN §3)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import LocalizedNameMixin
from core.models import VersionedModel, fiscal_year_check, fiscal_year_field, non_negative_check, period_check
from programs.models import Indicator, Program, Source

from .choices import Block, ClusterStatus, EvaluationKind, FundingKind, ReportStatus
from .periods import Period
from .querysets import ClusterChildQuerySet, ClusterQuerySet, RegionQuerySet


class Prefecture(LocalizedNameMixin, models.Model):
    """都道府県 (prefecture), keyed by its JIS X 0401 code (1–47)."""

    code = models.PositiveSmallIntegerField(_("JIS code"), primary_key=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=20, unique=True)
    name_short_ja = models.CharField(_("short name (Japanese)"), max_length=20)
    name_en = models.CharField(_("name (English)"), max_length=40, unique=True)
    block = models.CharField(_("block"), max_length=20, choices=Block.choices)
    lat = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7)
    lon = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")
        constraints = [
            models.CheckConstraint(condition=Q(code__gte=1, code__lte=47), name="prefecture_code_range"),
        ]

    def __str__(self):
        return self.display_name


class Region(LocalizedNameMixin, VersionedModel):
    """地域 (region): a named area of one or more prefectures (e.g. 東海広域 = 愛知県 + 岐阜県).
    Its clusters over time form its lineage. Coordinators are assigned here."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    prefectures = models.ManyToManyField(Prefecture, verbose_name=_("prefectures"), related_name="regions")
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="coordinated_regions",
    )
    note = models.TextField(_("note"), blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="regions")
    history = HistoricalRecords()

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name_ja"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("clusters:region", args=[self.slug])


class Cluster(LocalizedNameMixin, VersionedModel):
    """クラスター (cluster): one region's initiative under one program for a span of fiscal years,
    e.g. 浜松オプトロニクスクラスター (知的クラスター創成事業 第II期, FY2007–)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="clusters")
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="clusters")
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=200, blank=True)
    core_organization = models.CharField(_("core organization"), max_length=200, blank=True)
    cluster_type = models.CharField(_("type"), max_length=40, blank=True)
    start_fy = fiscal_year_field(null=True, verbose_name=_("first fiscal year"))
    end_fy = fiscal_year_field(null=True, verbose_name=_("last fiscal year"))
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="clusters")
    history = HistoricalRecords()

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["region__name_ja", "start_fy", "slug"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        constraints = [
            fiscal_year_check("start_fy", "cluster_start_fy_range"),
            fiscal_year_check("end_fy", "cluster_end_fy_range"),
            period_check("cluster_period"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("clusters:cluster", args=[self.slug])

    @cached_property
    def period(self) -> Period:
        """The period with its program's bounds (clusters/periods.py owns what it means)."""
        return Period.of(self)

    @property
    def status(self) -> ClusterStatus:
        """Derived from the period and today's fiscal year, never stored: 期間不明 when unknown."""
        from core.formatting import current_fiscal_year

        return self.period.status(current_fiscal_year())

    def admits(self, fy: int) -> bool:
        """Whether a per-year row may carry ``fy``: yes unless it is known to lie outside the period."""
        if not self.program_id:
            return Period(self.start_fy, self.end_fy).admits(fy)
        return Period.of(self, funded=False).admits(fy)


class ClusterYearRow(VersionedModel):
    """A per-cluster, per-fiscal-year row: the year must lie within the cluster's period."""

    cluster = models.ForeignKey(Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="+")
    fiscal_year = fiscal_year_field()

    objects = ClusterChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        cluster = getattr(self, "cluster", None) if self.cluster_id else None
        if cluster and self.fiscal_year and not cluster.admits(self.fiscal_year):
            raise ValidationError(
                {"fiscal_year": _("Fiscal year %(fy)s lies outside the cluster's period.") % {"fy": self.fiscal_year}}
            )


class ClusterFunding(ClusterYearRow):
    """クラスター事業費 (cluster funding): national subsidy and local contribution for one cluster
    and fiscal year, as planned or actually received and spent. Whole yen."""

    cluster = models.ForeignKey(Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="funding")
    kind = models.CharField(_("plan or actual"), max_length=8, choices=FundingKind.choices)
    national_yen = models.BigIntegerField(_("national subsidy (yen)"))
    local_yen = models.BigIntegerField(_("local contribution (yen)"), default=0)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "fiscal_year", "kind"]
        verbose_name = _("cluster funding")
        verbose_name_plural = _("cluster funding")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "fiscal_year", "kind"],
                name="clusterfunding_unique_cluster_year_kind",
                violation_error_message=_("This cluster already has a row of that kind for that fiscal year."),
            ),
            non_negative_check("national_yen", "clusterfunding_national_non_negative"),
            non_negative_check("local_yen", "clusterfunding_local_non_negative"),
            fiscal_year_check("fiscal_year", "clusterfunding_fiscal_year_range"),
        ]

    def __str__(self):
        return f"{self.cluster} {self.fiscal_year} {self.get_kind_display()}"


class Evaluation(VersionedModel):
    """評価 (evaluation): the mid-term (中間評価, year 3) or final (事後評価) evaluation of a cluster,
    with its grade and the resulting change to the subsidy."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="evaluations"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=EvaluationKind.choices)
    fiscal_year = fiscal_year_field()
    grade = models.CharField(_("grade"), max_length=20)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    subsidy_change_pct = models.SmallIntegerField(_("subsidy change (%)"), null=True, blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = ClusterChildQuerySet.as_manager()

    class Meta:
        ordering = ["cluster", "fiscal_year"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.UniqueConstraint(fields=["cluster", "kind"], name="evaluation_unique_cluster_kind"),
            fiscal_year_check("fiscal_year", "evaluation_fiscal_year_range"),
            models.CheckConstraint(
                condition=Q(subsidy_change_pct__isnull=True) | Q(subsidy_change_pct__gte=-100),
                name="evaluation_subsidy_change_min",
                violation_error_message=_("A subsidy cannot shrink by more than 100%."),
            ),
        ]

    def __str__(self):
        return f"{self.cluster} {self.get_kind_display()}"

    def get_absolute_url(self):
        return f"{reverse('clusters:cluster', args=[self.cluster.slug])}#evaluations"


class ClusterOutcome(ClusterYearRow):
    """クラスター成果 (cluster outcome): a count the coordinator reports for one indicator and year."""

    cluster = models.ForeignKey(Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="outcomes")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="cluster_outcomes"
    )
    value = models.BigIntegerField(_("value"))
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "fiscal_year", "indicator__order"]
        verbose_name = _("cluster outcome")
        verbose_name_plural = _("cluster outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "fiscal_year", "indicator"],
                name="clusteroutcome_unique_cluster_year_indicator",
            ),
            non_negative_check("value", "clusteroutcome_value_non_negative"),
            fiscal_year_check("fiscal_year", "clusteroutcome_fiscal_year_range"),
        ]

    def __str__(self):
        return f"{self.cluster} {self.fiscal_year} {self.indicator}"


class AnnualReport(ClusterYearRow):
    """年次報告 (annual report): the coordinator's submission of one cluster's funding actuals and
    outcome counts for a fiscal year. draft → submitted → accepted, or returned (with a comment)."""

    cluster = models.ForeignKey(Cluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    comment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster", "fiscal_year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        constraints = [
            models.UniqueConstraint(fields=["cluster", "fiscal_year"], name="annualreport_unique_cluster_year"),
            fiscal_year_check("fiscal_year", "annualreport_fiscal_year_range"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.RETURNED) | ~Q(comment=""),
                name="annualreport_returned_has_comment",
                violation_error_message=_("A returned report needs a comment."),
            ),
        ]

    def __str__(self):
        return f"{self.cluster} {self.fiscal_year}"

    def get_absolute_url(self):
        return reverse("clusters:report", args=[self.cluster.slug, self.fiscal_year])
