"""Load prefectures, regions and clusters (reference) and the illustrative demo rows."""

from decimal import Decimal

from core.loading import MISSING, LoadReport, int_or_none, read_csv, set_m2m, upsert
from programs import reference as program_reference
from programs.models import Indicator, Program, Source

from .models import Cluster, ClusterFunding, ClusterOutcome, Evaluation, Prefecture, Region


def load_reference(report: LoadReport) -> None:
    """Everything in fixtures/reference/, in dependency order. Idempotent."""
    sources = program_reference.load_sources(report)
    programs = program_reference.load_programs(report, sources)
    program_reference.load_budget_lines(report, sources, programs)
    indicators = program_reference.load_indicators(report, sources)
    program_reference.load_outcome_totals(report, sources, indicators)
    program_reference.load_contributions(report, sources, programs, indicators, "reference/contributions.csv")
    program_reference.load_program_facts(report, sources, programs)
    prefectures = load_prefectures(report, sources)
    regions = load_regions(report, sources, prefectures)
    load_clusters(report, sources, programs, regions)


def load_prefectures(report: LoadReport, sources) -> dict[int, Prefecture]:
    path = "reference/prefectures.csv"
    result = {}
    for row in read_csv(path):
        result[int(row["jis_code"])] = upsert(
            Prefecture,
            {"code": int(row["jis_code"])},
            {
                "name_ja": row["name_ja"],
                "name_short_ja": row["name_short_ja"],
                "name_en": row["name_en"],
                "block": row["block"],
                "lat": Decimal(row["lat"]),
                "lon": Decimal(row["lon"]),
                "source": sources[row["source_key"]],
            },
            report,
            origin=path,
        )
    return result


def load_regions(report: LoadReport, sources, prefectures) -> dict[str, Region]:
    path = "reference/regions.csv"
    result = {}
    for row in read_csv(path):
        region = upsert(
            Region,
            {"slug": row["slug"]},
            {
                "name_ja": row["name_ja"],
                "name_en": row["name_en"],
                "note": row["note"],
                "source": sources[row["source_key"]],
            },
            report,
            origin=path,
        )
        codes = [int(code) for code in row["prefecture_codes"].split(";") if code.strip()]
        set_m2m(region, "prefectures", [prefectures[code] for code in codes], report, f"slug={row['slug']}")
        result[row["slug"]] = region
    return result


def load_clusters(report: LoadReport, sources, programs, regions) -> dict[str, Cluster]:
    path = "reference/clusters.csv"
    result = {}
    for row in read_csv(path):
        result[row["slug"]] = upsert(
            Cluster,
            {"slug": row["slug"]},
            {
                "region": regions[row["region_slug"]],
                "program": programs[row["program_slug"]],
                "name_ja": row["name_ja"],
                "name_en": row["name_en"],
                "field": row["field"],
                "core_organization": row["core_organization"],
                "cluster_type": row["cluster_type"],
                "start_fy": int_or_none(row["start_fy"]),
                "end_fy": int_or_none(row["end_fy"]),
                "description_ja": row["description_ja"],
                "note": row["note"],
                "source": sources[row["source_key"]],
            },
            report,
            origin=path,
        )
    return result


def load_demo(report: LoadReport) -> None:
    """The illustrative rows in fixtures/demo/ (source kind illustrative). Needs the reference data."""
    sources = {s.key: s for s in Source.objects.all()}
    programs = {p.slug: p for p in Program.objects.all()}
    indicators = {i.slug: i for i in Indicator.objects.all()}
    clusters = {c.slug: c for c in Cluster.objects.all()}
    demo = sources["illustrative-demo"]
    program_reference.load_contributions(report, sources, programs, indicators, "demo/contributions.csv")
    # a cluster a person deleted stays deleted, and so do its demo rows
    for row in read_csv("demo/cluster_funding.csv"):
        upsert(
            ClusterFunding,
            {
                "cluster": clusters.get(row["cluster_slug"], MISSING),
                "fiscal_year": int(row["fiscal_year"]),
                "kind": row["kind"],
            },
            {"national_yen": int(row["national_yen"]), "local_yen": int(row["local_yen"]), "source": demo},
            report,
            origin="demo/cluster_funding.csv",
        )
    for row in read_csv("demo/evaluations.csv"):
        upsert(
            Evaluation,
            {"cluster": clusters.get(row["cluster_slug"], MISSING), "kind": row["kind"]},
            {
                "fiscal_year": int(row["fiscal_year"]),
                "grade": row["grade"],
                "summary_ja": row["summary_ja"],
                "summary_en": row["summary_en"],
                "subsidy_change_pct": int_or_none(row["subsidy_change_pct"]),
                "source": demo,
            },
            report,
            origin="demo/evaluations.csv",
        )
    for row in read_csv("demo/cluster_outcomes.csv"):
        upsert(
            ClusterOutcome,
            {
                "cluster": clusters.get(row["cluster_slug"], MISSING),
                "fiscal_year": int(row["fiscal_year"]),
                "indicator": indicators[row["indicator_slug"]],
            },
            {"value": int(row["value"]), "source": demo},
            report,
            origin="demo/cluster_outcomes.csv",
        )
