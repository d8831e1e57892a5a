from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CountField, VersionedModelForm, YenField, guard_text_fields
from programs.models import Source

from .models import Cluster, Evaluation


class ClusterForm(VersionedModelForm):
    """A cluster's profile, as coordinators keep it (no region or program: those are the admin's)."""

    class Meta:
        model = Cluster
        fields = ["name_ja", "name_en", "field", "core_organization", "description_ja", "description_en"]
        widgets = {
            "description_ja": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }


class AnnualReportForm(forms.Form):
    """One cluster's report for one fiscal year: actual funding and outcome counts."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    #: when the form was opened: a funding or outcome row someone else changes after this is a conflict
    opened = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    national_yen = YenField(label=_("National subsidy received and spent (yen)"), required=False)
    local_yen = YenField(label=_("Local contribution (yen)"), required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            field = YenField if indicator.unit == "yen" else CountField
            self.fields[f"indicator_{indicator.pk}"] = field(label=indicator.name_ja, required=False)

    def outcome_values(self) -> dict[int, int | None]:
        return {i.pk: self.cleaned_data.get(f"indicator_{i.pk}") for i in self.indicators}


class ReviewForm(forms.Form):
    """A program manager's decision on a submitted report."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("Comment to the coordinator"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning the report."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)


class EvaluationForm(VersionedModelForm):
    class Meta:
        model = Evaluation
        fields = ["cluster", "kind", "fiscal_year", "grade", "subsidy_change_pct", "summary_ja", "summary_en", "source"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from core.querysets import CHANGE

        self.fields["cluster"].queryset = Cluster.objects.restrict(user, CHANGE).order_by("region__name_ja", "name_ja")
        self.fields["source"].queryset = Source.objects.restrict(user).order_by("kind", "title")
