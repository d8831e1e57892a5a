from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import CountField, VersionedModelForm, YenField

from .models import BudgetLine, Indicator, OutcomeValue, Program, Source
from .querysets import descendant_ids


class ProgramForm(VersionedModelForm):
    class Meta:
        model = Program
        fields = [
            "slug", "name_ja", "name_en", "parent", "policy_area", "implementer", "start_fy", "end_fy",
            "counts_toward_outcome_share", "order", "description_ja", "description_en", "source",
        ]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Program.objects.restrict(user).order_by("order", "slug")
        self.fields["source"].queryset = Source.objects.restrict(user).order_by("kind", "title")

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent and self.instance.pk:
            below = descendant_ids(Program.objects.only("id", "parent_id"), [self.instance.pk])
            if parent.pk in below:
                raise ValidationError(_("A program cannot sit under itself or one of its sub-programs."))
        return parent


class BudgetLineForm(VersionedModelForm):
    amount_yen = YenField(label=_("Amount (yen)"), help_text=_("Whole yen; commas and full-width digits are fine."))

    class Meta:
        model = BudgetLine
        fields = ["program", "fiscal_year", "stage", "amount_yen", "precision", "precision_note", "source", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.restrict(user).order_by("order", "slug")
        self.fields["source"].queryset = Source.objects.restrict(user).order_by("kind", "title")


class IndicatorForm(VersionedModelForm):
    class Meta:
        model = Indicator
        fields = [
            "slug",
            "name_ja",
            "name_en",
            "unit",
            "definition_ja",
            "definition_en",
            "replaces",
            "break_fy",
            "order",
            "source",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = Indicator.objects.restrict(user).exclude(pk=self.instance.pk)
        self.fields["source"].queryset = Source.objects.restrict(user).order_by("kind", "title")


class OutcomeValueForm(VersionedModelForm):
    value = CountField(label=_("Value"), help_text=_("Counts as whole numbers; money in whole yen."))

    class Meta:
        model = OutcomeValue
        fields = [
            "indicator",
            "fiscal_year",
            "program",
            "value",
            "precision",
            "derived",
            "derived_note",
            "scope_note",
            "source",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.restrict(user).order_by("order", "slug")
        self.fields["program"].queryset = Program.objects.restrict(user).order_by("order", "slug")
        self.fields["program"].empty_label = _("— all universities (the total) —")
        self.fields["source"].queryset = Source.objects.restrict(user).order_by("kind", "title")


class SourceForm(VersionedModelForm):
    class Meta:
        model = Source
        fields = ["key", "kind", "title", "publisher", "published", "url", "locator", "note"]
        widgets = {"published": forms.DateInput(attrs={"type": "date"})}
