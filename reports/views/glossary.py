"""The glossary: programs, domain terms and the data dictionary of every export column."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clusters import exports as cluster_exports
from core.glossary import TERMS
from core.history import data_as_of
from programs import exports as program_exports
from programs.models import Program


def dictionary():
    """(table name, columns) for every export table."""
    return [
        ("budget_lines", program_exports.BUDGET_LINE_COLUMNS),
        ("programs", program_exports.PROGRAM_COLUMNS),
        ("outcome_values", program_exports.OUTCOME_VALUE_COLUMNS),
        ("indicators", program_exports.INDICATOR_COLUMNS),
        ("sources", program_exports.SOURCE_COLUMNS),
        ("regions", cluster_exports.REGION_COLUMNS),
        ("clusters", cluster_exports.CLUSTER_COLUMNS),
        ("cluster_funding", cluster_exports.CLUSTER_FUNDING_COLUMNS),
        ("cluster_outcomes", cluster_exports.CLUSTER_OUTCOME_COLUMNS),
        ("prefectures", cluster_exports.PREFECTURE_COLUMNS),
        ("evaluations", cluster_exports.EVALUATION_COLUMNS),
        ("annual_reports", cluster_exports.ANNUAL_REPORT_COLUMNS),
    ]


KIND_WORDS = {
    "text": gettext_lazy("text"),
    "int": gettext_lazy("integer"),
    "money": gettext_lazy("money in the chosen unit"),
    "yen": gettext_lazy("whole yen"),
    "decimal": gettext_lazy("decimal"),
    "number": gettext_lazy("number"),
    "date": gettext_lazy("date"),
}


def glossary(request):
    programs = Program.objects.restrict(request.user).select_related("parent").order_by("order", "slug")
    return render(
        request,
        "reports/glossary.html",
        {
            "programs": programs,
            "terms": TERMS,
            "dictionary": dictionary(),
            "kind_words": {k: str(v) for k, v in KIND_WORDS.items()},
            "crumbs": [{"label": _("Glossary")}],
            "data_as_of": data_as_of(),
        },
    )
