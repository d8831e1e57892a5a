"""Importers of the national tables: budget lines and outcome values (program managers only).

Natural keys: a budget line is (program key, fiscal year, stage); an outcome value is (indicator
key, fiscal year, program key — empty for the all-university total). Columns and headers are
those of the exports (``programs.exports``), so an exported file imports back unchanged.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import (
    NOTHING,
    ChoiceParser,
    ExistingRows,
    Importer,
    PreviewRow,
    parse_fiscal_year,
    parse_flag,
    parse_whole_number,
)
from core.querysets import CHANGE
from core.roles import Role, has_role

from .choices import STAGE_JA, Precision, Stage
from .exports import BUDGET_LINE_COLUMNS, OUTCOME_VALUE_COLUMNS
from .models import BudgetLine, Indicator, OutcomeValue, Program, Source

#: named in the message about a missing source (lazy: translated only when the message is made)
BUDGET_LINE = gettext_lazy("budget line")
OUTCOME_VALUE = gettext_lazy("outcome value")


class NationalImporter(Importer):
    """National rows: only program managers change them (``restrict(user, "change")``)."""

    notes = (
        gettext_lazy(
            "A new row needs a source key; an existing row keeps its source unless the source key column names another."
        ),
    )

    @classmethod
    def allowed(cls, user) -> bool:
        return has_role(user, Role.PROGRAM_MANAGER)

    def load_sources(self, user) -> None:
        self.sources = {s.key: s for s in Source.objects.restrict(user)}
        self.sources_by_pk = {s.pk: s for s in self.sources.values()}

    def attach_source(self, instance) -> None:
        """The loaded source on an existing row (ExistingRows gives none), so comparing and showing
        it costs no query."""
        source = self.sources_by_pk.get(instance.source_id)
        if source is not None:
            instance.source = source

    def source(self, row: PreviewRow, record: dict, *, is_new: bool, what: str):
        """The row's source from the source-key column; required for a new row, else kept."""
        key = self.slug(row, record, "source_key", required=False)
        if key:
            source = self.sources.get(key)
            if source is None:
                row.errors.append(_("Unknown source key “%(key)s”.") % {"key": key})
                return NOTHING
            return source
        if is_new:
            row.errors.append(
                _("A new %(what)s needs a source: fill in the column “%(column)s”.")
                % {"what": what, "column": self.header("source_key")}
            )
        return NOTHING

    def program(self, row: PreviewRow, slug: str, *, scope: dict):
        if not slug:
            return None
        program = scope.get(slug)
        if program is None:
            if slug in self.visible_programs:
                row.errors.append(_("You may not change figures of program “%(key)s”.") % {"key": slug})
            else:
                row.errors.append(_("Unknown program key “%(key)s”.") % {"key": slug})
        return program


class BudgetLineImporter(NationalImporter):
    kind = "budget-lines"
    title = gettext_lazy("Budget lines")
    description = gettext_lazy(
        "A program's figure for a fiscal year at one stage (概算要求, 予算案, 当初予算, 補正後, 決算), in whole yen."
    )
    model = BudgetLine
    columns = BUDGET_LINE_COLUMNS
    required = frozenset({"program_slug", "fiscal_year", "stage", "amount_yen"})
    ignored = frozenset({"program", "amount", "source_title", "source_kind"})
    attr_columns = {"program": "program_slug", "source": "source_key"}
    list_url_name = "programs:budget_list"

    def load(self, user) -> None:
        self.programs = {p.slug: p for p in Program.objects.restrict(user, CHANGE)}
        self.visible_programs = set(Program.objects.restrict(user).values_list("slug", flat=True))
        self.load_sources(user)
        self.existing = ExistingRows(BudgetLine.objects.restrict(user, CHANGE), ("program", "fiscal_year", "stage"))
        self.stages = ChoiceParser(Stage, extra={key: [label] for key, label in STAGE_JA.items()})
        self.stage_labels = {key: str(label) for key, label in Stage.choices}
        self.precisions = ChoiceParser(Precision)

    def build(self, record: dict, row: PreviewRow) -> None:
        slug = self.slug(row, record, "program_slug")
        fy = self.value(row, record, "fiscal_year", parse_fiscal_year, required=True)
        stage = self.value(row, record, "stage", self.stages, required=True)
        label = self.stage_labels[stage] if stage is not NOTHING else NOTHING
        self.set_key(row, (slug, fy, stage), (slug, fy, label))
        program = self.program(row, slug, scope=self.programs)
        amount = self.value(row, record, "amount_yen", parse_whole_number, required=True)
        precision = self.value(row, record, "precision", self.precisions)
        if program is None or fy is NOTHING or stage is NOTHING:
            return
        line = self.existing.get((program.pk, fy, stage))
        is_new = line is None
        if is_new:
            line = BudgetLine(program=program, fiscal_year=fy, stage=stage)
        elif "source_key" in record:
            self.attach_source(line)  # the source is compared and shown only when the file names one
        self.check_money(row, record, "amount", "amount_yen", amount, None if is_new else line.amount_yen)
        changes = {
            "amount_yen": amount,
            "precision": precision,
            "precision_note": self.text(record, "precision_note"),
            "note": self.text(record, "note"),
            "source": self.source(row, record, is_new=is_new, what=BUDGET_LINE),
        }
        self.finish(row, line, changes)


class OutcomeValueImporter(NationalImporter):
    kind = "outcome-values"
    title = gettext_lazy("Outcome values")
    description = gettext_lazy(
        "All-university totals (program key left empty) and the programs' contributions, per indicator and fiscal year."
    )
    model = OutcomeValue
    columns = OUTCOME_VALUE_COLUMNS
    required = frozenset({"indicator_slug", "fiscal_year", "program_slug", "value"})
    ignored = frozenset({"indicator", "unit", "program", "source_title", "source_kind"})
    attr_columns = {"indicator": "indicator_slug", "program": "program_slug", "source": "source_key"}
    list_url_name = "programs:outcome_value_list"

    def load(self, user) -> None:
        self.indicators = {i.slug: i for i in Indicator.objects.restrict(user)}
        # linking a value to a program needs only read access to the program (as in the form)
        self.programs = {p.slug: p for p in Program.objects.restrict(user)}
        self.visible_programs = set(self.programs)
        self.load_sources(user)
        self.values = OutcomeValue.objects.restrict(user, CHANGE)
        self.existing_by_indicator: dict[int, dict] = {}
        self.total_label = _("all universities")
        self.precisions = ChoiceParser(Precision)

    def existing_of(self, indicator) -> ExistingRows:
        """The indicator's values the user may change, loaded when the file first names it: a
        query per indicator in the file, instead of every value of every indicator (≈300,000
        nationally) for any file."""
        if indicator.pk not in self.existing_by_indicator:
            self.existing_by_indicator[indicator.pk] = ExistingRows(
                self.values.filter(indicator=indicator), ("indicator", "fiscal_year", "program")
            )
        return self.existing_by_indicator[indicator.pk]

    def build(self, record: dict, row: PreviewRow) -> None:
        indicator_slug = self.slug(row, record, "indicator_slug")
        fy = self.value(row, record, "fiscal_year", parse_fiscal_year, required=True)
        program_slug = self.slug(row, record, "program_slug", required=False)
        total = self.total_label
        self.set_key(
            row,
            (indicator_slug, fy, program_slug),
            (indicator_slug, fy, program_slug or total),
            complete=bool(indicator_slug) and fy is not NOTHING,  # an empty program is the total
        )
        indicator = self.indicators.get(indicator_slug) if indicator_slug else None
        if indicator_slug and indicator is None:
            row.errors.append(_("Unknown indicator key “%(key)s”.") % {"key": indicator_slug})
        program = self.program(row, program_slug, scope=self.programs)
        value = self.value(row, record, "value", parse_whole_number, required=True)
        precision = self.value(row, record, "precision", self.precisions)
        derived = self.value(row, record, "derived", parse_flag)
        if indicator is None or fy is NOTHING or (program_slug and program is None):
            return
        outcome = self.existing_of(indicator).get((indicator.pk, fy, program.pk if program else None))
        is_new = outcome is None
        if is_new:
            outcome = OutcomeValue(indicator=indicator, fiscal_year=fy, program=program)
        elif "source_key" in record:
            self.attach_source(outcome)
        derived_note = self.text(record, "derived_note")
        will_be_derived = outcome.derived if derived is NOTHING else derived
        will_have_note = outcome.derived_note if derived_note is NOTHING else derived_note
        if will_be_derived and not will_have_note.strip():
            row.errors.append(
                _("%(column)s: say how a derived value was derived.")
                % {
                    "column": self.header("derived_note")
                    if "derived_note" in record
                    else self.field_label("derived_note")
                }
            )
        changes = {
            "value": value,
            "precision": precision,
            "derived": derived,
            "derived_note": derived_note,
            "scope_note": self.text(record, "scope_note"),
            "source": self.source(row, record, is_new=is_new, what=OUTCOME_VALUE),
        }
        self.finish(row, outcome, changes)
