"""Program managers' editing of national figures, and the lists they edit from (DESIGN §1, §6)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.views import EditView, FilteredTableView

from . import exports
from .filtersets import OutcomeValueFilterSet, SourceFilterSet
from .forms import BudgetLineForm, IndicatorForm, OutcomeValueForm, ProgramForm, SourceForm
from .models import BudgetLine, Indicator, OutcomeValue, Program, Source
from .tables import OutcomeValueTable, SourceTable


def crumbs(*items):
    return [dict(zip(("label", "url"), item, strict=False)) for item in items]


class ProgramEdit(EditView):
    model = Program
    form_class = ProgramForm
    lookup = ("slug", "slug")

    def get_title(self, obj):
        return _("Edit program: %(name)s") % {"name": obj.display_name} if obj else _("New program")

    def extra_context(self, request, obj):
        listing = (_("Programs"), reverse("programs:program_list"))
        here = (obj.name_ja, obj.get_absolute_url()) if obj else None
        return {
            "crumbs": crumbs(listing, *([here] if here else []), (self.get_title(obj),)),
            "cancel_url": obj.get_absolute_url() if obj else reverse("programs:program_list"),
        }


class ProgramCreate(ProgramEdit):
    lookup = None


class BudgetLineEdit(EditView):
    model = BudgetLine
    form_class = BudgetLineForm
    lookup = ("pk", "pk")

    def get_title(self, obj):
        return _("Edit budget line: %(line)s") % {"line": obj} if obj else _("New budget line")

    def extra_context(self, request, obj):
        return {
            "crumbs": crumbs((_("Budget lines"), reverse("programs:budget_list")), (self.get_title(obj),)),
            "cancel_url": reverse("programs:budget_list"),
        }


class BudgetLineCreate(BudgetLineEdit):
    lookup = None


class IndicatorEdit(EditView):
    model = Indicator
    form_class = IndicatorForm
    lookup = ("slug", "slug")

    def get_title(self, obj):
        return _("Edit indicator: %(name)s") % {"name": obj.display_name} if obj else _("New indicator")

    def extra_context(self, request, obj):
        return {
            "crumbs": crumbs((_("Outcome values"), reverse("programs:outcome_value_list")), (self.get_title(obj),)),
            "cancel_url": reverse("programs:outcome_value_list"),
        }


class IndicatorCreate(IndicatorEdit):
    lookup = None


class OutcomeValueEdit(EditView):
    model = OutcomeValue
    form_class = OutcomeValueForm
    lookup = ("pk", "pk")

    def get_title(self, obj):
        return _("Edit outcome value: %(value)s") % {"value": obj} if obj else _("New outcome value")

    def extra_context(self, request, obj):
        return {
            "crumbs": crumbs((_("Outcome values"), reverse("programs:outcome_value_list")), (self.get_title(obj),)),
            "cancel_url": reverse("programs:outcome_value_list"),
        }


class OutcomeValueCreate(OutcomeValueEdit):
    lookup = None


class SourceEdit(EditView):
    model = Source
    form_class = SourceForm
    lookup = ("pk", "pk")

    def get_form_kwargs(self, request, obj):
        return {"instance": obj}

    def get_title(self, obj):
        return _("Edit source: %(title)s") % {"title": obj.title} if obj else _("New source")

    def extra_context(self, request, obj):
        return {
            "crumbs": crumbs((_("Sources"), reverse("programs:source_list")), (self.get_title(obj),)),
            "cancel_url": reverse("programs:source_list"),
        }


class SourceCreate(SourceEdit):
    lookup = None


class SourceListView(FilteredTableView):
    """Every source with its kind, publisher, date and locator."""

    template_name = "programs/source_list.html"
    filterset_class = SourceFilterSet
    table_class = SourceTable
    export_name = "sources"
    export_columns = exports.SOURCE_COLUMNS

    def export_rows(self, queryset):
        return exports.source_rows(queryset)

    def export_sources(self, queryset):
        return []

    def get_queryset(self, request):
        return Source.objects.restrict(request.user)

    def extra_context(self, request, filterset, table):
        return {"crumbs": [{"label": gettext_lazy("Sources")}]}


class OutcomeValueListView(FilteredTableView):
    """All-university totals and program contributions, for review and editing."""

    template_name = "programs/outcome_value_list.html"
    filterset_class = OutcomeValueFilterSet
    table_class = OutcomeValueTable
    export_name = "outcome-values"
    export_columns = exports.OUTCOME_VALUE_COLUMNS

    def export_rows(self, queryset):
        return exports.outcome_value_rows(queryset)

    def get_queryset(self, request):
        return OutcomeValue.objects.restrict(request.user).select_related("indicator", "program", "source")

    def extra_context(self, request, filterset, table):
        return {"crumbs": [{"label": gettext_lazy("Outcome values")}]}


program_edit = ProgramEdit.as_view()
program_create = ProgramCreate.as_view()
budget_line_edit = BudgetLineEdit.as_view()
budget_line_create = BudgetLineCreate.as_view()
indicator_edit = IndicatorEdit.as_view()
indicator_create = IndicatorCreate.as_view()
outcome_value_edit = OutcomeValueEdit.as_view()
outcome_value_create = OutcomeValueCreate.as_view()
source_edit = SourceEdit.as_view()
source_create = SourceCreate.as_view()
source_list = SourceListView.as_view()
outcome_value_list = OutcomeValueListView.as_view()
