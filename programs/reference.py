"""Load the national reference data (sources, programs, budget lines, indicators, totals)."""

from datetime import date

from core.loading import MISSING, LoadReport, flag, int_or_none, million_yen, read_csv, upsert

from .models import BudgetLine, Indicator, OutcomeValue, Program, ProgramFact, Source


def load_sources(report: LoadReport, path: str = "reference/sources.csv") -> dict[str, Source]:
    sources = {}
    for row in read_csv(path):
        sources[row["key"]] = upsert(
            Source,
            {"key": row["key"]},
            {
                "kind": row["kind"],
                "title": row["title"],
                "publisher": row["publisher"],
                "published": date.fromisoformat(row["published"]) if row["published"] else None,
                "url": row["url"],
                "locator": row["locator"],
                "note": row["note"],
            },
            report,
            origin=path,
        )
    return sources


def load_programs(report: LoadReport, sources: dict[str, Source]) -> dict[str, Program]:
    path = "reference/programs.csv"
    programs: dict[str, Program] = {}
    for row in read_csv(path):  # parents come before their children
        programs[row["slug"]] = upsert(
            Program,
            {"slug": row["slug"]},
            {
                "parent": programs[row["parent_slug"]] if row["parent_slug"] else None,
                "name_ja": row["name_ja"],
                "name_en": row["name_en"],
                "policy_area": row["policy_area"],
                "implementer": row["implementer"],
                "start_fy": int_or_none(row["start_fy"]),
                "end_fy": int_or_none(row["end_fy"]),
                "name_en_is_translation": flag(row["name_en_is_translation"]),
                "normal_duration_years": int_or_none(row["normal_duration_years"]),
                "counts_toward_outcome_share": flag(row["counts_toward_outcome_share"]),
                "order": int(row["order"] or 0),
                "description_ja": row["description_ja"],
                "description_en": row["description_en"],
                "source": sources[row["source_key"]],
            },
            report,
            origin=path,
        )
    return programs


def load_budget_lines(report: LoadReport, sources, programs) -> None:
    path = "reference/budget_lines.csv"
    for row in read_csv(path):
        upsert(
            BudgetLine,
            {
                "program": programs[row["program_slug"]],
                "fiscal_year": int(row["fiscal_year"]),
                "stage": row["stage"],
            },
            {
                "amount_yen": million_yen(row["amount_million_yen"]),
                "precision": row["precision"],
                "precision_note": row["precision_note"],
                "stage_alternative": row["stage_alternative"],
                "stage_wording": row["stage_wording"],
                "source": sources[row["source_key"]],
                "note": row["note"],
            },
            report,
            origin=path,
        )


def load_indicators(report: LoadReport, sources) -> dict[str, Indicator]:
    path = "reference/indicators.csv"
    rows = read_csv(path)
    indicators: dict[str, Indicator] = {}
    # first pass without links, second pass links redefinitions to what they replace
    for row in rows:
        indicators[row["slug"]] = upsert(
            Indicator,
            {"slug": row["slug"]},
            {
                "name_ja": row["name_ja"],
                "name_en": row["name_en"],
                "unit": row["unit"],
                "definition_ja": row["definition_ja"],
                "definition_en": row["definition_en"],
                "order": int(row["order"] or 0),
                "source": sources[row["source_key"]],
            },
            report,
            origin=path,
        )
    for row in rows:
        upsert(
            Indicator,
            {"slug": row["slug"]},
            {
                "replaces": indicators[row["replaces_slug"]] if row["replaces_slug"] else None,
                "break_fy": int_or_none(row["break_fy"]),
            },
            report,
            origin=path,
        )
    current = Indicator.objects.in_bulk(list(indicators), field_name="slug")
    return {slug: current.get(slug, MISSING) for slug in indicators}


def load_outcome_totals(report: LoadReport, sources, indicators) -> None:
    path = "reference/outcome_values.csv"
    for row in read_csv(path):
        upsert(
            OutcomeValue,
            {
                "indicator": indicators[row["indicator_slug"]],
                "fiscal_year": int(row["fiscal_year"]),
                "program": None,
            },
            {
                "value": int(row["value"]),
                "precision": row["precision"],
                "derived": flag(row["derived"]),
                "derived_note": row["derived_note"],
                "scope_note": row["scope_note"],
                "source": sources[row["source_key"]],
            },
            report,
            origin=path,
        )


def load_contributions(report: LoadReport, sources, programs, indicators, path: str) -> None:
    """Program contributions (the numerators of the outcome share): the sourced ones in
    reference/contributions.csv, the illustrative ones in demo/contributions.csv."""
    for row in read_csv(path):
        upsert(
            OutcomeValue,
            {
                "indicator": indicators[row["indicator_slug"]],
                "fiscal_year": int(row["fiscal_year"]),
                "program": programs[row["program_slug"]],
            },
            {
                "value": int(row["value"]),
                "precision": row.get("precision") or "exact",
                "scope_note": row.get("scope_note", ""),
                "source": sources[row.get("source_key") or "illustrative-demo"],
            },
            report,
            origin=path,
        )


def load_program_facts(report: LoadReport, sources, programs) -> None:
    """What sources state about programs (aims, issues, stated counts), DESIGN §2b."""
    path = "reference/program_facts.csv"
    for row in read_csv(path):
        upsert(
            ProgramFact,
            {"key": row["key"]},
            {
                "program": programs[row["program_slug"]],
                "kind": row["kind"],
                "fiscal_year": int_or_none(row["fiscal_year"]),
                "value": int_or_none(row["value"]),
                "measure": row["measure"],
                "label": row["label"],
                "text_ja": row["text_ja"],
                "text_en": row["text_en"],
                "quote": row["quote"],
                "order": int(row["order"] or 0),
                "source": sources[row["source_key"]],
            },
            report,
            origin=path,
        )
