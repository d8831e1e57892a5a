from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.forms import guard_text_fields
from core.services import StaleVersion, delete_tracked, save_tracked

from .models import BudgetLine, Indicator, OutcomeValue, Program, ProgramFact, Source


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the form was opened at, so an old admin form cannot overwrite a
    newer row: the same optimistic-locking check as every other write."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)
        if self.instance.pk is not None:
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if cleaned.get("base_version") is None or cleaned.get("base_version") != current:
                raise forms.ValidationError(
                    _(
                        "Someone else saved this in the meantime, so nothing was saved. Reload the page to see "
                        "the current version and make your changes again."
                    ),
                    code="stale",
                )
        return cleaned


class VersionedAdmin(SimpleHistoryAdmin):
    """Admin edits and deletions go through the one write path (core.services): version check,
    validation, history user and scope."""

    form = VersionedAdminForm
    readonly_fields = ("version",)

    def save_model(self, request, obj, form, change):
        version = form.cleaned_data.get("base_version") if change else None
        try:
            save_tracked(user=request.user, instance=obj, version=version)
        except StaleVersion as error:  # a save that raced past the form's check
            raise PermissionDenied(_("Someone else saved this in the meantime; nothing was saved.")) from error

    def delete_model(self, request, obj):
        delete_tracked(user=request.user, instance=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_tracked(user=request.user, instance=obj)


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
