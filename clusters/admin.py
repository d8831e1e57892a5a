from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from programs.admin import VersionedAdmin

from .models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome, Evaluation, Prefecture, Region


@admin.register(Prefecture)
class PrefectureAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_ja", "name_en", "block")
    list_filter = ("block",)
    search_fields = ("name_ja", "name_en")


@admin.register(Region)
class RegionAdmin(VersionedAdmin):
    list_display = ("slug", "name_ja", "name_en")
    list_filter = ("prefectures__block", "clusters__program")
    search_fields = ("slug", "name_ja", "name_en", "prefectures__name_ja", "prefectures__name_en")
    filter_horizontal = ("prefectures", "coordinators")


@admin.register(Cluster)
class ClusterAdmin(VersionedAdmin):
    list_display = ("slug", "name_ja", "region", "program", "start_fy", "end_fy")
    list_filter = ("program", "region__prefectures__block")
    search_fields = ("slug", "name_ja", "name_en", "field", "core_organization", "region__name_ja")
    list_select_related = ("region", "program")
    autocomplete_fields = ("region", "program", "source")


@admin.register(ClusterFunding)
class ClusterFundingAdmin(VersionedAdmin):
    list_display = ("cluster", "fiscal_year", "kind", "national_yen", "local_yen", "source")
    list_filter = ("kind", "fiscal_year", "source__kind")
    search_fields = ("cluster__name_ja", "cluster__region__name_ja")
    list_select_related = ("cluster", "source")
    autocomplete_fields = ("cluster", "source")


@admin.register(Evaluation)
class EvaluationAdmin(VersionedAdmin):
    list_display = ("cluster", "kind", "fiscal_year", "grade", "subsidy_change_pct")
    list_filter = ("kind", "grade", "fiscal_year")
    search_fields = ("cluster__name_ja", "summary_ja", "summary_en")
    autocomplete_fields = ("cluster", "source")


@admin.register(ClusterOutcome)
class ClusterOutcomeAdmin(VersionedAdmin):
    list_display = ("cluster", "fiscal_year", "indicator", "value")
    list_filter = ("indicator", "fiscal_year")
    search_fields = ("cluster__name_ja", "indicator__name_ja")
    autocomplete_fields = ("cluster", "indicator", "source")


@admin.register(AnnualReport)
class AnnualReportAdmin(VersionedAdmin):
    list_display = ("cluster", "fiscal_year", "status", "submitted_at", "reviewed_at")
    list_filter = ("status", "fiscal_year")
    search_fields = ("cluster__name_ja", "cluster__region__name_ja", "comment")
    autocomplete_fields = ("cluster",)
