import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.formatting import fiscal_year_label, fiscal_year_range_label, format_money, unit_label
from core.tables import FiscalYearColumn, KakehashiTable, MoneyColumn, badge, localized_name, other_name, source_cell

from .choices import Stage, stage_text
from .models import BudgetLine, OutcomeValue, Program, Source


class EditColumn(tables.Column):
    """An edit link, shown only when the table was built with ``can_edit``."""

    def __init__(self, url_name, *args, **kwargs):
        self.url_name = url_name
        kwargs.setdefault("verbose_name", "")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, record, table):
        if not getattr(table, "can_edit", False):
            return ""
        return format_html(
            '<a class="edit-link" href="{}">{}<span class="visually-hidden"> {}</span></a>',
            reverse(self.url_name, args=[record.pk]),
            _("Edit"),
            str(record),
        )


class ProgramTable(KakehashiTable):
    name = tables.Column(_("Program"), accessor="name_ja", order_by=("name_ja",))
    parent = tables.Column(_("Parent"), accessor="parent__name_ja", default="—")
    policy_area = tables.Column(_("Policy area"))
    implementer = tables.Column(_("Implementer"))
    period = tables.Column(_("Period"), accessor="start_fy", order_by=("start_fy", "end_fy"))
    latest_fy = tables.Column(_("Latest fiscal year"), accessor="pk", orderable=False)
    latest_stage = tables.Column(_("Stage"), accessor="pk", orderable=False)
    latest_amount = tables.Column(
        _("Latest figure"), accessor="pk", orderable=False, attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )
    cluster_count = tables.Column(_("Clusters"), attrs={"th": {"class": "num"}, "td": {"class": "num"}})

    class Meta(KakehashiTable.Meta):
        model = Program
        fields = []
        sequence = (
            "name",
            "parent",
            "policy_area",
            "implementer",
            "period",
            "latest_fy",
            "latest_stage",
            "latest_amount",
            "cluster_count",
        )
        order_by = ("name",)

    def __init__(self, *args, latest=None, **kwargs):
        self.latest = latest or {}  # program id → figure dict (reports.analytics.latest_figures)
        super().__init__(*args, **kwargs)

    def before_render(self, request):
        self.columns["latest_amount"].column.verbose_name = f"{_('Latest figure')}（{unit_label(self.unit)}）"

    def render_name(self, record):
        url = reverse("programs:program", args=[record.slug])
        flag = badge("info", _("counts toward the outcome share")) if record.counts_toward_outcome_share else ""
        return format_html('<a href="{}">{}</a>{}{}', url, localized_name(record), other_name(record), flag)

    def render_parent(self, record):
        return localized_name(record.parent) if record.parent_id else "—"

    def render_period(self, record):
        return fiscal_year_range_label(record.start_fy, record.end_fy) or "—"

    def render_latest_fy(self, record):
        figure = self.latest.get(record.pk)
        return fiscal_year_label(figure["fy"], "short") if figure else "—"

    def render_latest_stage(self, record):
        figure = self.latest.get(record.pk)
        if not figure:
            return "—"
        stage = dict(Stage.choices)[figure["stage"]]
        if figure["doubt"]:
            return badge("stage-doubt", format_html("{}{}", stage, _(" (stage in doubt in the source)")))
        return badge(f"stage-{figure['stage']}", stage)

    def render_latest_amount(self, record):
        figure = self.latest.get(record.pk)
        if not figure:
            return "—"
        label = format_money(figure["amount_yen"], self.unit, rounded=figure["rounded"])
        basis = (
            format_html("<br><small>{}</small>", _("Sum of %(count)s sub-programs") % {"count": figure["parts"]})
            if figure["parts"]
            else ""
        )
        return format_html('<span data-value="{}">{}</span>{}', figure["amount_yen"], label, basis)


class BudgetLineTable(KakehashiTable):
    program = tables.Column(
        _("Program"),
        accessor="program__name_ja",
        order_by=("program__order", "program__slug"),
        footer=lambda table: table.footer_label(),
        attrs={"td": {"class": "col-program"}, "th": {"class": "col-program"}},
    )
    fiscal_year = FiscalYearColumn(verbose_name=_("Fiscal year"))
    stage = tables.Column(_("Stage"))
    amount_yen = MoneyColumn(_("Amount"), rounded_accessor="is_rounded", footer=lambda table: table.footer_total())
    precision = tables.Column(_("Precision"))
    source = tables.Column(
        _("Source"),
        accessor="source__title",
        order_by=("source__kind", "source__title"),
        attrs={"td": {"class": "col-source"}},
    )
    note = tables.Column(_("Note"), orderable=False, default="", attrs={"td": {"class": "col-note"}})
    edit = EditColumn("programs:budget_line_edit")

    class Meta(KakehashiTable.Meta):
        model = BudgetLine
        fields = []
        sequence = ("program", "fiscal_year", "stage", "amount_yen", "precision", "source", "note", "edit")
        order_by = ("fiscal_year", "program")

    def __init__(self, *args, totals=None, **kwargs):
        self.totals = totals or {}
        super().__init__(*args, **kwargs)

    def before_render(self, request):
        self.columns["amount_yen"].column.verbose_name = f"{_('Amount')}（{unit_label(self.unit)}）"

    def footer_label(self):
        return _("Total (%(count)s rows)") % {"count": f"{self.totals.get('count', 0):,}"}

    def footer_total(self):
        amount = self.totals.get("amount_yen")
        if amount is None or self.totals.get("reason"):
            return format_html('<span title="{}">—</span>', self.totals.get("reason_text", ""))
        return format_html(
            '<span data-value="{}">{}</span>',
            amount,
            format_money(amount, self.unit, rounded=self.totals["rounded"]),
        )

    def render_program(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("programs:program", args=[record.program.slug]),
            localized_name(record.program),
        )

    def render_stage(self, record):
        if record.stage_in_doubt:
            text = stage_text(record.stage, record.stage_alternative, record.stage_wording)
            return badge("stage-doubt", text)
        return badge(f"stage-{record.stage}", record.get_stage_display())

    def render_precision(self, record):
        if record.is_rounded:
            note = format_html("<br><small>{}</small>", record.precision_note) if record.precision_note else ""
            return format_html("{}{}", badge("rounded", record.get_precision_display()), note)
        return record.get_precision_display()

    def render_source(self, record):
        return source_cell(record.source)

    def render_note(self, value):
        if len(value) > 120:
            return format_html("<details><summary>{}…</summary>{}</details>", value[:60], value)
        return value


class SourceTable(KakehashiTable):
    title = tables.Column(_("Title"))
    kind = tables.Column(_("Kind"))
    publisher = tables.Column(_("Publisher"))
    published = tables.Column(_("Published"), default="—")
    locator = tables.Column(_("Locator / quoted wording"), orderable=False, attrs={"td": {"class": "col-note"}})
    edit = EditColumn("programs:source_edit")

    class Meta(KakehashiTable.Meta):
        model = Source
        fields = []
        sequence = ("title", "kind", "publisher", "published", "locator", "edit")
        order_by = ("kind", "title")
        row_attrs = {"id": lambda record: f"source-{record.pk}"}

    def render_title(self, record):
        if record.url:
            return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', record.url, record.title)
        return record.title

    def render_kind(self, record):
        return badge(record.kind, record.get_kind_display())


class OutcomeValueTable(KakehashiTable):
    indicator = tables.Column(_("Indicator"), accessor="indicator__name_ja", order_by=("indicator__order",))
    fiscal_year = FiscalYearColumn(verbose_name=_("Fiscal year"))
    program = tables.Column(_("Program"), accessor="program__name_ja", default=_("All universities (total)"))
    value = tables.Column(_("Value"), attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    derived = tables.BooleanColumn(_("Derived"))
    source = tables.Column(_("Source"), accessor="source__title")
    edit = EditColumn("programs:outcome_value_edit")

    class Meta(KakehashiTable.Meta):
        model = OutcomeValue
        fields = []
        sequence = ("indicator", "fiscal_year", "program", "value", "derived", "source", "edit")
        order_by = ("indicator", "fiscal_year")

    def render_indicator(self, record):
        return localized_name(record.indicator)

    def render_program(self, record):
        return localized_name(record.program) if record.program_id else _("All universities (total)")

    def render_value(self, record):
        from core.formatting import format_number

        if record.indicator.unit == "yen":
            return format_money(record.value, "hundred-million", rounded=record.precision == "rounded", with_unit=True)
        return format_number(record.value)

    def render_source(self, record):
        return source_cell(record.source)
