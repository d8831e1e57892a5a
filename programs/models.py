"""Sources, programs, budget lines, indicators and outcome values (DESIGN §3)."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import LocalizedNameMixin
from core.models import VersionedModel, fiscal_year_check, fiscal_year_field, non_negative_check, period_check
from core.querysets import NationalQuerySet

from .choices import Implementer, IndicatorUnit, PolicyArea, Precision, SourceKind, Stage
from .querysets import BudgetLineQuerySet, OutcomeValueQuerySet, ProgramQuerySet


class Source(VersionedModel):
    """出典 (source): the document a figure comes from, with its kind (official / press / illustrative)."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    published = models.DateField(_("published"), null=True, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    locator = models.TextField(_("locator / quoted wording"), blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = NationalQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{reverse('programs:source_list')}#source-{self.pk}"

    @property
    def is_illustrative(self) -> bool:
        return self.kind == SourceKind.ILLUSTRATIVE


class Program(LocalizedNameMixin, VersionedModel):
    """事業 (program): a node in the program tree, e.g. 知的クラスター創成事業（第I期）.

    ``counts_toward_outcome_share`` marks the four industry–academia programs whose results
    are measured as a share of all university outcomes.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    policy_area = models.CharField(_("policy area"), max_length=32, choices=PolicyArea.choices)
    implementer = models.CharField(_("implementer"), max_length=16, choices=Implementer.choices)
    start_fy = fiscal_year_field(null=True, verbose_name=_("first fiscal year"))
    end_fy = fiscal_year_field(null=True, verbose_name=_("last fiscal year"))
    name_en_is_translation = models.BooleanField(
        _("English name is our translation"),
        default=True,
        help_text=_("Off only when the English name is the implementer's own."),
    )
    normal_duration_years = models.PositiveSmallIntegerField(
        _("normal duration per cluster (years)"),
        null=True,
        blank=True,
        help_text=_("As the program states it (Phase I: 5 years); bounds clusters whose last year is unknown."),
    )
    counts_toward_outcome_share = models.BooleanField(_("counts toward the outcome share"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="programs")
    history = HistoricalRecords()

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            fiscal_year_check("start_fy", "program_start_fy_range"),
            fiscal_year_check("end_fy", "program_end_fy_range"),
            period_check("program_period"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="program_not_own_parent"),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("programs:program", args=[self.slug])


class BudgetLine(VersionedModel):
    """予算額 (budget line): one program's figure for one fiscal year at one stage (概算要求…決算).

    Whole yen. ``precision`` records whether the source gave the figure rounded (約75億円).
    """

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    fiscal_year = fiscal_year_field()
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    amount_yen = models.BigIntegerField(_("amount (yen)"))
    precision = models.CharField(_("precision"), max_length=8, choices=Precision.choices, default=Precision.EXACT)
    precision_note = models.CharField(_("as stated in the source"), max_length=100, blank=True)
    stage_alternative = models.CharField(
        _("or possibly the stage"),
        max_length=16,
        choices=Stage.choices,
        blank=True,
        help_text=_("Set when the source's wording does not settle the stage (e.g. 政府予算: draft or enacted)."),
    )
    stage_wording = models.CharField(_("stage as worded in the source"), max_length=60, blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="budget_lines")
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering = ["program__order", "fiscal_year", "stage"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "fiscal_year", "stage"],
                name="budgetline_unique_program_year_stage",
                violation_error_message=_("This program already has a figure for that fiscal year and stage."),
            ),
            non_negative_check("amount_yen", "budgetline_amount_non_negative"),
            fiscal_year_check("fiscal_year", "budgetline_fiscal_year_range"),
            models.CheckConstraint(
                condition=~Q(stage_alternative=models.F("stage")),
                name="budgetline_alternative_differs",
                violation_error_message=_("The alternative stage must differ from the stage."),
            ),
            models.CheckConstraint(
                condition=Q(stage_alternative="") | ~Q(stage_wording=""),
                name="budgetline_doubt_has_wording",
                violation_error_message=_("Quote the source's wording when its stage is in doubt."),
            ),
        ]

    def __str__(self):
        return f"{self.program} {self.fiscal_year} {self.get_stage_display()}"

    def get_absolute_url(self):
        return f"{reverse('programs:budget_list')}?program={self.program_id}&fy={self.fiscal_year}"

    @property
    def is_rounded(self) -> bool:
        return self.precision == Precision.ROUNDED

    @property
    def stage_in_doubt(self) -> bool:
        return bool(self.stage_alternative)


class Indicator(LocalizedNameMixin, VersionedModel):
    """成果指標 (indicator): e.g. 民間企業との共同研究件数. ``replaces`` links a redefined indicator
    to the one it continues, with ``break_fy`` the first fiscal year of the new definition."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=16, choices=IndicatorUnit.choices)
    definition_ja = models.TextField(_("definition (Japanese)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    break_fy = fiscal_year_field(null=True, verbose_name=_("definition changes from"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="indicators")
    history = HistoricalRecords()

    objects = NationalQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            fiscal_year_check("break_fy", "indicator_break_fy_range"),
            models.CheckConstraint(
                condition=Q(replaces__isnull=True) | Q(break_fy__isnull=False),
                name="indicator_break_fy_with_replaces",
                violation_error_message=_("A redefined indicator needs the fiscal year its definition changes."),
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return f"{reverse('reports:outcomes')}?indicator={self.pk}"


class OutcomeValue(VersionedModel):
    """成果実績 (outcome value): an indicator's value for a fiscal year — the all-university total
    when ``program`` is empty (the denominator), else one program's contribution. Money in yen."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    fiscal_year = fiscal_year_field()
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcome_values",
        help_text=_("Empty for the all-university total."),
    )
    value = models.BigIntegerField(_("value"))
    precision = models.CharField(_("precision"), max_length=8, choices=Precision.choices, default=Precision.EXACT)
    derived = models.BooleanField(_("derived"), default=False)
    derived_note = models.CharField(_("how it was derived"), max_length=300, blank=True)
    scope_note = models.CharField(_("scope"), max_length=300, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="outcome_values"
    )
    history = HistoricalRecords()

    objects = OutcomeValueQuerySet.as_manager()

    class Meta:
        ordering = ["indicator__order", "fiscal_year", "program__order"]
        verbose_name = _("outcome value")
        verbose_name_plural = _("outcome values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year", "program"],
                name="outcomevalue_unique_indicator_year_program",
                violation_error_message=_("This program already has a value for that indicator and year."),
            ),
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"],
                condition=Q(program__isnull=True),
                name="outcomevalue_unique_indicator_year_total",
                violation_error_message=_("There is already an all-university total for that indicator and year."),
            ),
            non_negative_check("value", "outcomevalue_value_non_negative"),
            fiscal_year_check("fiscal_year", "outcomevalue_fiscal_year_range"),
            models.CheckConstraint(
                condition=Q(derived=False) | ~Q(derived_note=""),
                name="outcomevalue_derived_has_note",
                violation_error_message=_("Say how a derived value was derived."),
            ),
        ]

    def __str__(self):
        who = self.program or _("all universities")
        return f"{self.indicator} {self.fiscal_year} {who}"

    def get_absolute_url(self):
        return f"{reverse('programs:outcome_value_list')}?indicator={self.indicator_id}"


class ProgramFact(VersionedModel):
    """A statement a source makes about a program (DESIGN §2b): a count the paper states
    (FY2007: 7 Phase I regions ran, 4 ended) or a sentence (an aim, an issue, the policy context).

    Stated facts sit beside what the product derives from its own partial lists, so a page can
    say where the two disagree. ``key`` groups the paper's statements (``aim``, ``issue``…)."""

    class Kind(models.TextChoices):
        CONTEXT = "context", _("Policy context")
        AIM = "aim", _("Aim")
        ISSUE = "issue", _("Issue")
        COUNT = "count", _("Stated count")
        FIGURE = "figure", _("Stated figure")

    key = models.SlugField(_("key"), max_length=80, unique=True)
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="facts")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    fiscal_year = fiscal_year_field(null=True, verbose_name=_("fiscal year"))
    value = models.IntegerField(_("stated value"), null=True, blank=True)
    measure = models.SlugField(
        _("what the value counts"),
        max_length=40,
        blank=True,
        help_text=_("regions_running, regions_ending … (compared with the cluster list)"),
    )
    label = models.CharField(_("label"), max_length=20, blank=True, help_text=_("e.g. ① for the paper's issues"))
    text_ja = models.TextField(_("statement (Japanese)"))
    text_en = models.TextField(_("statement (English)"), blank=True)
    quote = models.TextField(_("quoted wording"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="facts")
    history = HistoricalRecords()

    objects = NationalQuerySet.as_manager()

    class Meta:
        ordering = ["program__order", "order", "key"]
        verbose_name = _("program fact")
        verbose_name_plural = _("program facts")
        constraints = [
            fiscal_year_check("fiscal_year", "programfact_fiscal_year_range"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | ~Q(measure=""),
                name="programfact_value_has_measure",
                violation_error_message=_("Say what a stated value counts."),
            ),
        ]

    def __str__(self):
        return f"{self.program} {self.get_kind_display()} {self.label or self.key}"

    @property
    def text(self) -> str:
        from django.utils.translation import get_language

        english = (get_language() or "ja").startswith("en")
        return self.text_en if english and self.text_en else self.text_ja
