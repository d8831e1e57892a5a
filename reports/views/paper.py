"""/paper/: what the ministry's 2008 paper states, each statement beside what the product holds."""

from django.urls import reverse
from django.utils.translation import gettext as _

from clusters.selectors import paper as paper_read
from core.formatting import format_money
from core.history import data_as_of
from core.params import page_params

from .pages import render_page


def budget_url(line) -> str:
    """The budget list filtered to this figure: its program (with sub-programs), year and stage."""
    return f"{reverse('programs:budget_list')}?program={line.program_id}&fy={line.fiscal_year}&stage={line.stage}"


def paper(request):
    """The paper's policy context, its two aims (linked to the programs that serve them), its issues
    ①–⑤, its stated counts beside the cluster list's, and the budget figures the product took from it
    (in the chosen unit, 約 where the paper rounded) — all read from ProgramFact and BudgetLine rows."""
    params = page_params(request)
    data = paper_read(user=request.user)
    figures = [
        {
            "line": line,
            "amount": format_money(line.amount_yen, params.unit, rounded=line.is_rounded),
            "url": budget_url(line),
        }
        for line in data.get("budget_lines", [])
    ]
    context = {
        **data,
        "budget_figures": figures,
        "count_facts": {"counts": data.get("counts", []), "paper": False},
        "warnings": params.warnings,
        "data_as_of": data_as_of(),
        "crumbs": [{"label": _("The 2008 policy paper")}],
    }
    return render_page(request, "reports/paper.html", context)
