"""Reads of region-owned data that views need; everything goes through ``restrict``."""

from dataclasses import dataclass

from django.utils.translation import get_language, ngettext

from .models import Cluster, Prefecture, Region
from .periods import VALUE_FIELDS, Period, RunningCount, count_event, parse_measure


def coverage(*, user, fy: int) -> dict:
    """Clusters running in fiscal year ``fy`` (their known period covers it), the regions they
    belong to and the prefectures those regions cover — each with the further ones that only a
    cluster of unknown period may have covered ("N (+M with unknown period)", DESIGN §2b).
    A multi-prefecture region counts each of its prefectures. Four queries."""
    visible = Cluster.objects.restrict(user)
    running = list(visible.running_in(fy).values_list("region_id", flat=True))
    possible = list(visible.possibly_running_in(fy).values_list("region_id", flat=True))
    regions = set(running)
    regions_possible = set(possible) - regions
    through = Region.prefectures.through.objects.filter(region_id__in=regions | regions_possible)
    prefectures: set[int] = set()
    prefectures_possible: set[int] = set()
    for region_id, prefecture_id in through.values_list("region_id", "prefecture_id"):
        (prefectures if region_id in regions else prefectures_possible).add(prefecture_id)
    return {
        "fy": fy,
        "clusters": RunningCount(len(running), len(possible)),
        "regions": RunningCount(len(regions), len(regions_possible)),
        "regions_total": Region.objects.restrict(user).count(),
        "prefectures": RunningCount(len(prefectures), len(prefectures_possible - prefectures)),
    }


def clusters_for_programs(*, user, program_ids, limit: int | None = None) -> list[Cluster]:
    """Clusters funded under any of the given programs, with region and program (the first
    ``limit`` of them when given)."""
    clusters = (
        Cluster.objects.restrict(user)
        .filter(program_id__in=program_ids)
        .with_period()
        .select_related("region", "program", "source")
        .order_by("program__order", "start_fy", "region__name_ja", "pk")
    )
    return list(clusters[:limit] if limit is not None else clusters)


def count_clusters_for_programs(*, user, program_ids) -> int:
    return Cluster.objects.restrict(user).filter(program_id__in=program_ids).count()


def latest_funding_year(*, user, kind: str) -> int | None:
    """The latest fiscal year with a funding row of ``kind``. One aggregate query."""
    from django.db.models import Max

    from .models import ClusterFunding

    return ClusterFunding.objects.restrict(user).filter(kind=kind).aggregate(latest=Max("fiscal_year"))["latest"]


def funding_rows(*, user, region_ids=None, cluster_ids=None, fy=None, kind=None) -> list[dict]:
    """Cluster funding as plain rows (cluster, region, fiscal year, kind, national and local yen,
    illustrative flag). The one read behind the map's funding view, the region page and the
    cluster page, so their sums always agree. One query."""
    from .models import ClusterFunding

    qs = ClusterFunding.objects.restrict(user)
    if region_ids is not None:
        qs = qs.filter(cluster__region_id__in=region_ids)
    if cluster_ids is not None:
        qs = qs.filter(cluster_id__in=cluster_ids)
    if fy is not None:
        qs = qs.filter(fiscal_year=fy)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return [
        {
            "cluster_id": row["cluster_id"],
            "region_id": row["cluster__region_id"],
            "fiscal_year": row["fiscal_year"],
            "kind": row["kind"],
            "national_yen": row["national_yen"],
            "local_yen": row["local_yen"],
            "illustrative": row["source__kind"] == "illustrative",
            "source_kind": row["source__kind"],
        }
        for row in qs.values(
            "cluster_id", "cluster__region_id", "fiscal_year", "kind", "national_yen", "local_yen", "source__kind"
        ).order_by("fiscal_year", "kind", "cluster_id")
    ]


def funding_sums(*, user, kind: str, fy_from: int | None = None, fy_to: int | None = None) -> list[dict]:
    """Cluster funding of one kind summed in the database per region, fiscal year and source
    kind — rows shaped like ``funding_rows`` (``cluster_id`` None), so the same analytics sum them
    per region and year. Cost follows the regions × years, not the rows stored. One query."""
    from django.db.models import Sum

    from .models import ClusterFunding

    qs = ClusterFunding.objects.restrict(user).filter(kind=kind)
    if fy_from is not None:
        qs = qs.filter(fiscal_year__gte=fy_from)
    if fy_to is not None:
        qs = qs.filter(fiscal_year__lte=fy_to)
    grouped = (
        qs.order_by()
        .values("cluster__region_id", "fiscal_year", "source__kind")
        .annotate(national=Sum("national_yen"), local=Sum("local_yen"))
    )
    return [
        {
            "cluster_id": None,
            "region_id": row["cluster__region_id"],
            "fiscal_year": row["fiscal_year"],
            "kind": kind,
            "national_yen": row["national"],
            "local_yen": row["local"],
            "illustrative": row["source__kind"] == "illustrative",
            "source_kind": row["source__kind"],
        }
        for row in grouped
    ]


def funding_years(*, user, kind: str) -> list[int]:
    """Fiscal years with cluster funding of one kind. One query."""
    from .models import ClusterFunding

    qs = ClusterFunding.objects.restrict(user).filter(kind=kind).order_by("fiscal_year")
    return list(qs.values_list("fiscal_year", flat=True).distinct())


def region_funding(*, user, fy: int, kind: str) -> dict[int, dict]:
    """National funding per region in one fiscal year and kind: region id → {yen, illustrative}."""
    result: dict[int, dict] = {}
    for row in funding_rows(user=user, fy=fy, kind=kind):
        entry = result.setdefault(row["region_id"], {"yen": 0, "illustrative": False, "kinds": set()})
        entry["yen"] += row["national_yen"]
        entry["illustrative"] = entry["illustrative"] or row["illustrative"]
        entry["kinds"].add(row["source_kind"])
    return result


def map_inputs(*, user, fy: int, kind: str) -> dict:
    """Everything the prefecture map needs for one fiscal year, in five queries; ``clusters`` are
    those running in ``fy`` (``unknown_period_clusters`` gives the ones that may have run)."""
    from django.utils.translation import get_language

    english = (get_language() or "ja").startswith("en")

    def name(row):
        return row["name_en"] if english and row["name_en"] else row["name_ja"]

    regions = {r["id"]: name(r) for r in Region.objects.restrict(user).values("id", "name_ja", "name_en")}
    through = Region.prefectures.through
    return {
        "prefectures": list(Prefecture.objects.order_by("code").values("code", "name_ja", "name_en")),
        "region_prefectures": list(through.objects.values_list("region_id", "prefecture_id")),
        "regions": regions,
        "clusters": [
            {"id": c["id"], "region_id": c["region_id"], "name": name(c)}
            for c in Cluster.objects.restrict(user).running_in(fy).values("id", "region_id", "name_ja", "name_en")
        ],
        "funding": region_funding(user=user, fy=fy, kind=kind),
    }


def unknown_period_clusters(*, user, fy: int) -> list[dict]:
    """Clusters of unknown period that may have run in ``fy`` (never counted as running), as map
    rows: id, region_id, name in the active language. One query."""
    from django.utils.translation import get_language

    english = (get_language() or "ja").startswith("en")
    return [
        {"id": c["id"], "region_id": c["region_id"], "name": c["name_en"] if english and c["name_en"] else c["name_ja"]}
        for c in Cluster.objects.restrict(user).possibly_running_in(fy).values("id", "region_id", "name_ja", "name_en")
    ]


def cluster_years(*, user) -> list[int]:
    """Fiscal years in which at least one cluster is known to be active, or has funding."""
    from django.db.models import Max, Min

    from .models import ClusterFunding

    bounds = Cluster.objects.restrict(user).aggregate(first=Min("start_fy"), last=Max("start_fy"), end=Max("end_fy"))
    funded = ClusterFunding.objects.restrict(user).aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
    lows = [v for v in (bounds["first"], funded["first"]) if v]
    highs = [v for v in (bounds["last"], bounds["end"], funded["last"]) if v]
    if not lows:
        return []
    return list(range(min(lows), max(highs) + 1))


def region_get(*, user, slug: str) -> Region:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Region.objects.restrict(user).select_related("source"), slug=slug)


def region_clusters(*, user, region) -> list[dict]:
    """The region's clusters as rows for the lineage: program order, period, the last year it may
    have run (``cap_fy``) and its derived status. One query."""
    from django.utils.translation import get_language

    from core.formatting import current_fiscal_year

    english = (get_language() or "ja").startswith("en")
    today = current_fiscal_year()
    rows = []
    for c in (
        Cluster.objects.restrict(user)
        .filter(region=region)
        .with_period()
        .values(
            "id",
            "slug",
            "name_ja",
            "name_en",
            "program_id",
            "program__name_ja",
            "program__name_en",
            "program__order",
            *VALUE_FIELDS,
        )
    ):
        period = Period.from_row(c)
        rows.append(
            {
                "id": c["id"],
                "slug": c["slug"],
                "name": c["name_en"] if english and c["name_en"] else c["name_ja"],
                "program": c["program__name_en"] if english and c["program__name_en"] else c["program__name_ja"],
                "program_id": c["program_id"],
                "program_order": c["program__order"],
                "program_start_fy": c["program__start_fy"],
                "program_end_fy": c["program__end_fy"],
                "start_fy": c["start_fy"],
                "end_fy": c["end_fy"],
                "cap_fy": None if period.known else period.cap,
                "status": period.status(today),
            }
        )
    return rows


def cluster_get(*, user, slug: str) -> Cluster:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Cluster.objects.restrict(user).with_period().select_related("region", "program", "source"), slug=slug
    )


def evaluations_for(*, user, cluster_ids) -> list:
    from .models import Evaluation

    return list(
        Evaluation.objects.restrict(user)
        .filter(cluster_id__in=cluster_ids)
        .select_related("cluster", "source")
        .order_by("fiscal_year", "cluster__start_fy")
    )


def outcomes_for(*, user, cluster_ids) -> list:
    from .models import ClusterOutcome

    return list(
        ClusterOutcome.objects.restrict(user)
        .filter(cluster_id__in=cluster_ids)
        .select_related("cluster", "indicator", "source")
        .order_by("indicator__order", "fiscal_year", "cluster_id")
    )


def reports_for(*, user, cluster_ids) -> list:
    from .models import AnnualReport

    return list(
        AnnualReport.objects.restrict(user)
        .filter(cluster_id__in=cluster_ids)
        .select_related("cluster")
        .order_by("fiscal_year", "cluster_id")
    )


# --- What a source states about a program, beside the product's own partial lists ---------------

#: the Source key of the ministry's 2008 paper (fixtures/reference/sources.csv)
PAPER_SOURCE_KEY = "mext-paper-2008"


@dataclass(frozen=True)
class StatedCount:
    """A count a source states (a ProgramFact of kind count) and the same count made from the
    product's cluster list, which is partial — so the two may differ, and the page says so."""

    fact: object  # programs.models.ProgramFact
    what: str | None  # "regions" / "clusters"; None when the measure is not one the list can count
    event: str | None  # "running" / "ending" / "starting"
    ours: RunningCount | None

    @property
    def ours_text(self) -> str:
        """ "5 regions running in FY2007 (+3 with unknown period)" — or "" when not comparable."""
        from core.formatting import fiscal_year_label

        if self.ours is None or self.fact.fiscal_year is None:
            return ""
        fy = fiscal_year_label(self.fact.fiscal_year, "short")
        n = self.ours.running
        texts = {
            ("regions", "running"): ngettext(
                "%(count)s region running in %(fy)s", "%(count)s regions running in %(fy)s", n
            ),
            ("regions", "ending"): ngettext(
                "%(count)s region known to end in %(fy)s", "%(count)s regions known to end in %(fy)s", n
            ),
            ("regions", "starting"): ngettext(
                "%(count)s region known to start in %(fy)s", "%(count)s regions known to start in %(fy)s", n
            ),
            ("clusters", "running"): ngettext(
                "%(count)s cluster running in %(fy)s", "%(count)s clusters running in %(fy)s", n
            ),
            ("clusters", "ending"): ngettext(
                "%(count)s cluster known to end in %(fy)s", "%(count)s clusters known to end in %(fy)s", n
            ),
            ("clusters", "starting"): ngettext(
                "%(count)s cluster known to start in %(fy)s", "%(count)s clusters known to start in %(fy)s", n
            ),
        }
        text = texts[(self.what, self.event)] % {"count": n, "fy": fy}
        if not self.ours.unknown:
            return text
        space = "" if (get_language() or "ja").startswith("ja") else " "  # 「…1（ほかに期間不明7）」
        return f"{text}{space}{self.ours.extra}"

    @property
    def differs(self) -> bool:
        return self.ours is not None and self.fact.value is not None and self.ours.running != self.fact.value


def stated_counts(*, user, facts) -> list[StatedCount]:
    """Each count fact beside the count made from the visible clusters of its program and the
    program's sub-programs (clusters/periods.py decides running / ending). Two queries, whatever
    the number of facts and clusters."""
    from programs.models import Program
    from programs.querysets import descendant_ids

    facts = [f for f in facts if f.kind == "count"]
    if not facts:
        return []
    tree = list(Program.objects.restrict(user).only("id", "parent_id"))
    subtrees = {f.program_id: descendant_ids(tree, [f.program_id]) for f in facts}
    wanted = set().union(*subtrees.values())
    rows = list(
        Cluster.objects.restrict(user)
        .filter(program_id__in=wanted)
        .with_period()
        .values("id", "region_id", "program_id", *VALUE_FIELDS)
    )
    result = []
    for fact in facts:
        parsed = parse_measure(fact.measure)
        if parsed is None or fact.fiscal_year is None:
            result.append(StatedCount(fact, None, None, None))
            continue
        what, event = parsed
        mine = [r for r in rows if r["program_id"] in subtrees[fact.program_id]]
        keyed = [(r["region_id"] if what == "regions" else r["id"], Period.from_row(r)) for r in mine]
        result.append(StatedCount(fact, what, event, count_event(keyed, fact.fiscal_year, event)))
    return result


def program_facts(*, user, program) -> dict:
    """For a program page: what sources state about the program — its stated counts beside the
    cluster list's own (``counts``) — and whether the 2008 paper says anything about it or its
    sub-programs (``paper``), for the link to /paper/. Three queries at most."""
    from programs.models import Program, ProgramFact
    from programs.querysets import descendant_ids

    facts = list(
        ProgramFact.objects.restrict(user).filter(program=program).select_related("program", "source")
        .order_by("fiscal_year", "order", "key")
    )  # fmt: skip
    counts = stated_counts(user=user, facts=facts)
    about_program = any(f.source.key == PAPER_SOURCE_KEY for f in facts)
    if not about_program:
        tree = Program.objects.restrict(user).only("id", "parent_id")
        subtree = descendant_ids(list(tree), [program.pk])
        about_program = (
            ProgramFact.objects.restrict(user).filter(program_id__in=subtree, source__key=PAPER_SOURCE_KEY).exists()
        )
    return {"counts": counts, "paper": about_program}


def paper(*, user) -> dict:
    """Everything /paper/ shows, from the data, never typed in: the paper's Source row, its
    statements by kind (policy context; aims, each with the programs under it that the paper
    budgets for; issues; stated figures), its stated counts beside the cluster list's, and the
    budget lines taken from it. A constant number of queries."""
    from programs.models import BudgetLine, Program, ProgramFact, Source
    from programs.querysets import descendant_ids

    source = Source.objects.restrict(user).filter(key=PAPER_SOURCE_KEY).first()
    if source is None:
        return {"source": None}
    facts = list(
        ProgramFact.objects.restrict(user).filter(source=source).select_related("program", "source")
        .order_by("kind", "order", "fiscal_year", "key")
    )  # fmt: skip
    by_kind: dict[str, list] = {}
    for fact in facts:
        by_kind.setdefault(fact.kind, []).append(fact)
    lines = sorted(
        BudgetLine.objects.restrict(user).filter(source=source).select_related("program"),
        key=lambda line: (line.program.parent_id is not None, line.program.order, line.program.slug,
                          -line.fiscal_year, line.stage),
    )  # fmt: skip
    # the programs that serve an aim: those under the aim's program that the paper budgets for
    tree = list(Program.objects.restrict(user).only("id", "parent_id"))
    budgeted = list(dict.fromkeys(line.program for line in lines))
    aims = []
    for fact in by_kind.get("aim", []):
        subtree = descendant_ids(tree, [fact.program_id]) - {fact.program_id}
        aims.append({"fact": fact, "programs": [p for p in budgeted if p.pk in subtree]})
    return {
        "source": source,
        "context": by_kind.get("context", []),
        "aims": aims,
        "issues": by_kind.get("issue", []),
        "figures": by_kind.get("figure", []),
        "counts": stated_counts(user=user, facts=by_kind.get("count", [])),
        "budget_lines": lines,
    }
