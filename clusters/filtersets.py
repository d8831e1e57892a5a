"""Filters for regions. Choice lists come from what the user may see."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.forms import FastSelect
from core.models import FY_MAX, FY_MIN
from programs.filtersets import FiscalYearRowsMixin
from programs.models import Program
from programs.querysets import descendant_ids

from .choices import Block
from .models import Cluster, Prefecture, Region


def _programs_with_clusters(request):
    if request is None:
        return Program.objects.none()
    return Program.objects.restrict(request.user).order_by("order", "slug")


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search names (Japanese or English)"), method="filter_q")
    prefecture = django_filters.ModelChoiceFilter(
        label=_("Prefecture"), queryset=Prefecture.objects.order_by("code"), method="filter_prefecture"
    )
    block = django_filters.ChoiceFilter(label=_("Area (8 blocks)"), choices=Block.choices, method="filter_block")
    program = django_filters.ModelChoiceFilter(
        label=_("Program (with its sub-programs)"),
        queryset=_programs_with_clusters,
        method="filter_program",
        widget=FastSelect,
    )
    active_in = django_filters.NumberFilter(
        label=_("Running in fiscal year"),
        help_text=_("Regions with a cluster whose known period covers the year."),
        method="filter_active_in",
        min_value=FY_MIN,
        max_value=FY_MAX,
    )
    unknown_period = django_filters.BooleanFilter(
        label=_("Also regions whose cluster may have run (period unknown)"),
        widget=forms.CheckboxInput,
        method="filter_noop",
    )

    class Meta:
        model = Region
        fields = []

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        clusters = Cluster.objects.filter(region=OuterRef("pk")).filter(
            Q(name_ja__icontains=value) | Q(name_en__icontains=value)
        )
        return queryset.filter(Q(name_ja__icontains=value) | Q(name_en__icontains=value) | Exists(clusters))

    def filter_prefecture(self, queryset, name, prefecture):
        return queryset.filter(
            pk__in=Region.prefectures.through.objects.filter(prefecture=prefecture).values("region_id")
        )

    def filter_block(self, queryset, name, block):
        through = Region.prefectures.through.objects.filter(prefecture__block=block)
        return queryset.filter(pk__in=through.values("region_id"))

    def filter_program(self, queryset, name, program):
        ids = descendant_ids(Program.objects.only("id", "parent_id"), [program.pk])
        return queryset.filter(pk__in=Cluster.objects.filter(program_id__in=ids).values("region_id"))

    def filter_active_in(self, queryset, name, fy):
        """Running in ``fy`` by the one rule (clusters/periods.py); with ``unknown_period`` also the
        regions where only a cluster of unknown period may have run."""
        running = Q(pk__in=Cluster.objects.running_in(int(fy)).values("region_id"))
        if self.form.cleaned_data.get("unknown_period"):
            running |= Q(pk__in=Cluster.objects.possibly_running_in(int(fy)).values("region_id"))
        return queryset.filter(running)

    def filter_noop(self, queryset, name, value):
        return queryset  # read by filter_active_in


def _visible_clusters(request):
    if request is None:
        return Cluster.objects.none()
    return Cluster.objects.restrict(request.user).order_by("region__name_ja", "name_ja")


class ClusterYearFilterSet(FiscalYearRowsMixin):
    """Funding and outcome rows by cluster, region and fiscal-year range."""

    cluster = django_filters.ModelChoiceFilter(label=_("Cluster"), queryset=_visible_clusters, widget=FastSelect)
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        widget=FastSelect,
        field_name="cluster__region",
        queryset=lambda r: Region.objects.restrict(r.user) if r else Region.objects.none(),
    )

    class Meta:
        fields = []
