from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BudgetLine, Indicator, OutcomeValue, Program, ProgramFact, Source


class VersionedAdmin(SimpleHistoryAdmin):
    """Admin edits bump the optimistic-locking version like every other write."""

    readonly_fields = ("version",)

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    list_display = ("key", "title", "kind", "publisher", "published")
    list_filter = ("kind", "publisher")
    search_fields = ("key", "title", "publisher", "url", "locator")


@admin.register(Program)
class ProgramAdmin(VersionedAdmin):
    list_display = (
        "slug",
        "name_ja",
        "name_en",
        "parent",
        "policy_area",
        "implementer",
        "counts_toward_outcome_share",
    )
    list_filter = ("policy_area", "implementer", "counts_toward_outcome_share")
    search_fields = ("slug", "name_ja", "name_en")
    list_select_related = ("parent",)


@admin.register(BudgetLine)
class BudgetLineAdmin(VersionedAdmin):
    list_display = ("program", "fiscal_year", "stage", "amount_yen", "precision", "source")
    list_filter = ("stage", "precision", "fiscal_year", "program__policy_area", "source__kind")
    search_fields = ("program__name_ja", "program__name_en", "note", "source__title")
    list_select_related = ("program", "source")
    autocomplete_fields = ("program", "source")


@admin.register(ProgramFact)
class ProgramFactAdmin(VersionedAdmin):
    list_display = ("key", "program", "kind", "label", "fiscal_year", "value", "measure", "source")
    list_filter = ("kind", "program")
    search_fields = ("key", "text_ja", "text_en", "quote")
    list_select_related = ("program", "source")
    autocomplete_fields = ("program", "source")


@admin.register(Indicator)
class IndicatorAdmin(VersionedAdmin):
    list_display = ("slug", "name_ja", "unit", "replaces", "break_fy")
    list_filter = ("unit",)
    search_fields = ("slug", "name_ja", "name_en", "definition_ja", "definition_en")


@admin.register(OutcomeValue)
class OutcomeValueAdmin(VersionedAdmin):
    list_display = ("indicator", "fiscal_year", "program", "value", "precision", "derived", "source")
    list_filter = ("indicator", "fiscal_year", "derived", "precision", "source__kind")
    search_fields = ("indicator__name_ja", "indicator__name_en", "program__name_ja", "scope_note")
    list_select_related = ("indicator", "program", "source")
    autocomplete_fields = ("indicator", "program", "source")
