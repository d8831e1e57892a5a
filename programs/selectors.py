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


def budget_overview(*, user) -> tuple[list[ProgramNode], list[tuple[int, str]], list[Source]]:
    """The program tree with each program's budget lines keyed by (fiscal year, stage).

    Returns the nodes, the (fiscal year, stage) columns that have at least one figure (in year
    then stage order), and the sources of the figures shown, each once. Three queries.
    """
    nodes = [ProgramNode(program=p, depth=p.depth) for p in program_tree(user=user)]
    by_program = {node.program.pk: node for node in nodes}
    columns: set[tuple[int, str]] = set()
    sources: dict[int, Source] = {}
    for line in BudgetLine.objects.restrict(user).select_related("source"):
        node = by_program.get(line.program_id)
        if node is None:
            continue
        key = (line.fiscal_year, line.stage)
        node.lines[key] = line
        columns.add(key)
        sources.setdefault(line.source_id, line.source)
    ordered_columns = sorted(columns, key=lambda c: (c[0], STAGE_ORDER[c[1]]))
    ordered_sources = sorted(sources.values(), key=lambda s: (s.kind != "official", s.title))
    return nodes, ordered_columns, ordered_sources
