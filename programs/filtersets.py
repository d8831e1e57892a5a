"""Filters for programs and budget lines. Choice lists come from restricted querysets."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.forms import FastSelect
from core.models import FY_MAX, FY_MIN

from .choices import Implementer, PolicyArea, SourceKind, Stage
from .models import BudgetLine, OutcomeValue, Program, Source
from .querysets import descendant_ids


def _visible_programs(request):
    if request is None:
        return Program.objects.none()
    return Program.objects.restrict(request.user).order_by("order", "slug")


class FiscalYearRangeMixin(django_filters.FilterSet):
    fy_from = django_filters.NumberFilter(
        label=_("From fiscal year"), method="filter_noop", min_value=FY_MIN, max_value=FY_MAX
    )
    fy_to = django_filters.NumberFilter(
        label=_("To fiscal year"), method="filter_noop", min_value=FY_MIN, max_value=FY_MAX
    )

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset, where both ends are known


class FiscalYearRowsMixin(django_filters.FilterSet):
    """fy_from / fy_to on rows that carry a ``fiscal_year``."""

    fy_from = django_filters.NumberFilter(
        label=_("From fiscal year"), field_name="fiscal_year", lookup_expr="gte", min_value=FY_MIN, max_value=FY_MAX
    )
    fy_to = django_filters.NumberFilter(
        label=_("To fiscal year"), field_name="fiscal_year", lookup_expr="lte", min_value=FY_MIN, max_value=FY_MAX
    )


class BudgetLineFilterSet(FiscalYearRowsMixin):
    program = django_filters.ModelChoiceFilter(
        label=_("Program (with its sub-programs)"),
        queryset=_visible_programs,
        method="filter_program",
        widget=FastSelect,
    )
    stage = django_filters.MultipleChoiceFilter(label=_("Stage"), choices=Stage.choices)
    policy_area = django_filters.ChoiceFilter(
        label=_("Policy area"), field_name="program__policy_area", choices=PolicyArea.choices
    )
    fy = django_filters.TypedMultipleChoiceFilter(
        label=_("Fiscal years"), field_name="fiscal_year", coerce=int, choices=[]
    )

    class Meta:
        model = BudgetLine
        fields = []

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        from core.formatting import fiscal_year_label

        self.filters["fy"].extra["choices"] = [(fy, fiscal_year_label(fy, "short")) for fy in years]
        self.form.fields["fy"].choices = self.filters["fy"].extra["choices"]

    def filter_program(self, queryset, name, program):
        ids = descendant_ids(Program.objects.only("id", "parent_id"), [program.pk])
        return queryset.filter(program_id__in=ids)


class ProgramFilterSet(FiscalYearRangeMixin):
    policy_area = django_filters.ChoiceFilter(label=_("Policy area"), choices=PolicyArea.choices)
    implementer = django_filters.ChoiceFilter(label=_("Implementer"), choices=Implementer.choices)

    class Meta:
        model = Program
        fields = []

    def filter_queryset(self, queryset):
        """A program matches a fiscal-year range when it has a budget figure in the range or its
        known period overlaps the range."""
        queryset = super().filter_queryset(queryset)
        fy_from, fy_to = self.form.cleaned_data.get("fy_from"), self.form.cleaned_data.get("fy_to")
        if fy_from is None and fy_to is None:
            return queryset
        lines = BudgetLine.objects.filter(program=OuterRef("pk"))
        period = Q(start_fy__isnull=False)
        if fy_from is not None:
            lines = lines.filter(fiscal_year__gte=fy_from)
            period &= Q(end_fy__isnull=True) | Q(end_fy__gte=fy_from)
        if fy_to is not None:
            lines = lines.filter(fiscal_year__lte=fy_to)
            period &= Q(start_fy__lte=fy_to)
        return queryset.filter(Exists(lines) | period)


def _visible_indicators(request):
    from .models import Indicator

    if request is None:
        return Indicator.objects.none()
    return Indicator.objects.restrict(request.user).order_by("order", "slug")


class OutcomeValueFilterSet(FiscalYearRowsMixin):
    """Outcome values by indicator(s) and fiscal-year range. Choosing one definition of an
    indicator keeps its other definitions too, so a definition break is never hidden."""

    indicator = django_filters.ModelMultipleChoiceFilter(
        label=_("Indicators"), queryset=_visible_indicators, method="filter_indicator"
    )

    class Meta:
        model = OutcomeValue
        fields = []

    def filter_indicator(self, queryset, name, indicators):
        if not indicators:
            return queryset
        from .models import Indicator

        ids = {i.pk for i in indicators}
        links = list(Indicator.objects.values_list("pk", "replaces_id"))
        changed = True
        while changed:
            before = len(ids)
            ids |= {pk for pk, old in links if old in ids} | {old for pk, old in links if pk in ids and old}
            changed = len(ids) != before
        return queryset.filter(indicator_id__in=ids)


class SourceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search title, publisher or wording"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SourceKind.choices)

    class Meta:
        model = Source
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(publisher__icontains=value)
            | Q(locator__icontains=value)
            | Q(key__icontains=value)
        )
