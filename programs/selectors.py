"""Reads of national data that views need. Every read goes through ``restrict(user, action)``."""

from __future__ import annotations

from dataclasses import dataclass, field

from .choices import STAGE_ORDER
from .models import BudgetLine, Program, Source


@dataclass
class ProgramNode:
    program: Program
    depth: int
    lines: dict[tuple[int, str], BudgetLine] = field(default_factory=dict)


def program_tree(*, user) -> list[Program]:
    """All programs the user may see, parents first, siblings in ``order`` (depth-first)."""
    programs = list(Program.objects.restrict(user).select_related("source").order_by("order", "slug"))
    children: dict[int | None, list[Program]] = {}
    for program in programs:
        children.setdefault(program.parent_id, []).append(program)
    ordered: list[Program] = []

    def visit(parent_id, depth):
        for program in children.get(parent_id, []):
            program.depth = depth
            ordered.append(program)
            visit(program.pk, depth + 1)

    visit(None, 0)
    return ordered


#: the dashboard's overview: whole levels of the tree while they fit this many rows, and the
#: latest fiscal years with a figure (the full table is /budgets/ and the budget pivot)
OVERVIEW_ROWS = 80
OVERVIEW_YEARS = 5


@dataclass
class Overview:
    nodes: list[ProgramNode]
    columns: list[tuple[int, str]]  # (fiscal year, stage) with at least one figure, year then stage order
    sources: list[Source]  # every source a budget figure cites, official first, each once
    programs_total: int
    depth: int  # deepest level shown (0: the roots only)


def budget_overview(*, user, max_rows: int = OVERVIEW_ROWS, max_years: int = OVERVIEW_YEARS) -> Overview:
    """The top of the program tree — whole levels, as many as fit ``max_rows`` (the roots at
    least) — with each program's budget lines of the latest ``max_years`` fiscal years that have
    any of theirs, keyed by (fiscal year, stage). Cost follows what is shown, not what is
    stored: only those lines are read. Four queries."""
    tree = program_tree(user=user)
    by_depth: dict[int, int] = {}
    for program in tree:
        by_depth[program.depth] = by_depth.get(program.depth, 0) + 1
    depth, rows = 0, by_depth.get(0, 0)
    while depth + 1 in by_depth and rows + by_depth[depth + 1] <= max_rows:
        depth += 1
        rows += by_depth[depth]
    nodes = [ProgramNode(program=p, depth=p.depth) for p in tree if p.depth <= depth]
    by_program = {node.program.pk: node for node in nodes}
    lines = BudgetLine.objects.restrict(user).filter(program_id__in=list(by_program))
    years = list(lines.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()[:max_years])
    columns: set[tuple[int, str]] = set()
    for line in lines.filter(fiscal_year__in=years).order_by():
        node = by_program[line.program_id]
        key = (line.fiscal_year, line.stage)
        node.lines[key] = line
        columns.add(key)
    sources = Source.objects.restrict(user).filter(pk__in=BudgetLine.objects.restrict(user).values("source_id"))
    ordered_columns = sorted(columns, key=lambda c: (c[0], STAGE_ORDER[c[1]]))
    ordered_sources = sorted(sources, key=lambda s: (s.kind != "official", s.title))
    return Overview(nodes, ordered_columns, ordered_sources, len(tree), depth)


def program_rows(*, user) -> list[dict]:
    """Programs as plain rows (id, parent_id, slug, names, order) for analytics; one query."""
    return list(
        Program.objects.restrict(user)
        .order_by("order", "slug")
        .values(
            "id",
            "parent_id",
            "slug",
            "name_ja",
            "name_en",
            "name_en_is_translation",
            "order",
            "policy_area",
            "implementer",
            "start_fy",
            "end_fy",
        )  # fmt: skip
    )


def budget_line_rows(*, user, queryset=None) -> list[dict]:
    """Budget lines as plain rows for analytics (whole yen, rounded flag, source kind); one query.

    ``queryset`` lets a filtered list feed the same rows to its chart and its totals.
    """
    qs = queryset if queryset is not None else BudgetLine.objects.restrict(user)
    return [
        {
            "program_id": row["program_id"],
            "fiscal_year": row["fiscal_year"],
            "stage": row["stage"],
            "amount_yen": row["amount_yen"],
            "rounded": row["precision"] == "rounded",
            "source_kind": row["source__kind"],
            "doubt": bool(row["stage_alternative"]),
        }
        for row in qs.values(
            "program_id", "fiscal_year", "stage", "amount_yen", "precision", "source__kind", "stage_alternative"
        )
    ]


def program_get(*, user, slug: str) -> Program:
    """One program the user may see, with its parent and source; Http404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Program.objects.restrict(user).select_related("parent", "source"), slug=slug)


def sources_for(*, user, source_ids) -> list[Source]:
    """The given sources (official first), each once."""
    return list(Source.objects.restrict(user).filter(pk__in=set(source_ids)).order_by("kind", "title"))


def budget_years(*, user) -> list[int]:
    """Fiscal years that have at least one budget figure."""
    return sorted(BudgetLine.objects.restrict(user).order_by().values_list("fiscal_year", flat=True).distinct())


def budget_totals(queryset) -> dict:
    """Σ amount over every row of a (filtered) queryset — all pages, not just one — with the row
    count, whether any row was rounded in its source, and the distinct (program, stage, stage in
    doubt) keys, so the caller can apply DESIGN §2b's totals rule (reports.analytics.can_total).
    Two queries, whatever the number of rows."""
    from django.db.models import Count, Q, Sum

    result = queryset.order_by().aggregate(
        amount_yen=Sum("amount_yen"),
        count=Count("pk"),
        rounded_rows=Count("pk", filter=Q(precision="rounded")),
    )
    keys = queryset.order_by().values_list("program_id", "stage", "stage_alternative").distinct()
    return {
        "amount_yen": result["amount_yen"],
        "count": result["count"],
        "rounded": bool(result["rounded_rows"]),
        "keys": [(pid, stage, bool(alt)) for pid, stage, alt in keys],
    }


def program_ancestors(program: Program, programs: list[dict]) -> list[dict]:
    """Ancestors of a program, root first, from the in-memory program rows."""
    by_id = {p["id"]: p for p in programs}
    chain = []
    parent_id = program.parent_id
    while parent_id is not None and parent_id in by_id:
        chain.append(by_id[parent_id])
        parent_id = by_id[parent_id]["parent_id"]
    return list(reversed(chain))


def contributions_for(*, user, program_ids, latest_years: int | None = None) -> list:
    """Outcome contributions of the given programs, with indicator and source; with
    ``latest_years``, only those of the latest that many fiscal years that have one."""
    from .models import OutcomeValue

    values = OutcomeValue.objects.restrict(user).filter(program_id__in=program_ids)
    if latest_years is not None:
        years = values.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()[:latest_years]
        values = values.filter(fiscal_year__in=list(years))
    return list(values.select_related("indicator", "source", "program").order_by("indicator__order", "fiscal_year"))


def contribution_source_ids(*, user, program_ids) -> set[int]:
    """The sources the programs' outcome contributions cite. One query."""
    from .models import OutcomeValue

    values = OutcomeValue.objects.restrict(user).filter(program_id__in=program_ids).order_by()
    return set(values.values_list("source_id", flat=True).distinct())


def line_source_ids(*, user, program_ids) -> set[int]:
    lines = BudgetLine.objects.restrict(user).filter(program_id__in=program_ids).order_by()
    return set(lines.values_list("source_id", flat=True).distinct())


def indicator_rows(*, user) -> list[dict]:
    from .models import Indicator

    return list(
        Indicator.objects.restrict(user)
        .order_by("order", "slug")
        .values("id", "slug", "name_ja", "name_en", "unit", "replaces_id", "break_fy", "definition_ja", "definition_en")
    )


def outcome_rows(*, user, queryset=None, counting_only: bool = False) -> tuple[list[dict], list[dict]]:
    """All-university totals and program contributions as plain rows, from one query over the
    (filtered) outcome values the user may see; ``counting_only``: contributions of the programs
    that count toward the outcome share only (all a share needs: cost follows what is shown)."""
    from django.db.models import Q

    from .models import OutcomeValue

    qs = queryset if queryset is not None else OutcomeValue.objects.restrict(user)
    if counting_only:
        qs = qs.filter(Q(program__isnull=True) | Q(program__counts_toward_outcome_share=True))
    totals, contributions = [], []
    for row in qs.values(
        "indicator_id",
        "fiscal_year",
        "program_id",
        "value",
        "derived",
        "derived_note",
        "precision",
        "source_id",
        "source__kind",
    ):
        item = {
            "indicator_id": row["indicator_id"],
            "fiscal_year": row["fiscal_year"],
            "program_id": row["program_id"],
            "value": row["value"],
            "derived": row["derived"],
            "derived_note": row["derived_note"],
            "rounded": row["precision"] == "rounded",
            "source_id": row["source_id"],
            "illustrative": row["source__kind"] == "illustrative",
            "source_kind": row["source__kind"],
        }
        (totals if row["program_id"] is None else contributions).append(item)
    return totals, contributions


def outcome_source_ids(*, user, queryset=None) -> set[int]:
    """The sources the (filtered) outcome values cite. One query."""
    from .models import OutcomeValue

    qs = queryset if queryset is not None else OutcomeValue.objects.restrict(user)
    return set(qs.order_by().values_list("source_id", flat=True).distinct())


def counting_program_ids(*, user) -> set[int]:
    return set(Program.objects.restrict(user).counting_toward_share().values_list("id", flat=True))
