"""A synthetic national dataset for the benchmark (issue 13 item 7): NOT real data.

Adds, beside whatever is loaded, about the size of the whole national picture: 262 programs in a
tree (with periods, own figures on some parents), ≈45,000 budget lines, 32 indicators with
≈300,000 outcome values, 480 regions with ≈2,000 clusters, ≈52,000 funding rows, ≈26,000 annual
reports, evaluations and a few cluster outcomes. Every row points to its own Source of kind
*illustrative* titled "synthetic benchmark data (not real)", so every page badges it.

Deterministic (a seeded random generator: the same database and ``--seed`` give the same rows),
fast (bulk inserts with history records tagged ``loader: generate_national``, so the loaders and
the "changed by a person" rule treat them as a loader's rows), and never loaded by ``make run``:
only ``make bench-national`` runs it, on its own database. Refuses to run on a database where a
person has edited anything (a history record with a user or a person's reason) unless --force,
and does nothing when the synthetic source already has rows.
"""

from __future__ import annotations

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from clusters.models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome, Evaluation, Prefecture, Region
from core.history import bump_data_version, tracked_models
from core.loading import _by_person, loader_reason
from programs.models import BudgetLine, Indicator, OutcomeValue, Program, Source

SOURCE_KEY = "synthetic-benchmark"
SOURCE_TITLE = "synthetic benchmark data (not real)"
REASON = loader_reason("generate_national")
STAGES = ["request", "draft", "enacted", "supplementary", "settled"]
FIRST_FY, LAST_FY = 1985, 2025
OUTCOME_FY = 1990  # outcome values from this year on
BATCH = 5000

#: sizes (issue 13): programs, indicators, regions, clusters
PROGRAMS = 262
ROOTS = 12
INDICATORS = 32
REGIONS = 480
CLUSTERS = 2000


class Command(BaseCommand):
    help = (
        "Add a synthetic national dataset (≈45,000 budget lines, ≈300,000 outcome values, ≈2,000 clusters…) "
        "for the benchmark. Illustrative, labelled 'synthetic benchmark data (not real)'. Never use on real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")
        parser.add_argument("--force", action="store_true", help="run even where people have edited data")
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of the national size (tests: 0.02)")

    def handle(self, *args, seed=13, force=False, scale=1.0, **options):
        if Source.objects.filter(key=SOURCE_KEY).exists():
            self.stdout.write("The synthetic national dataset is already loaded; nothing to do.")
            return
        edited = [m._meta.label for m in tracked_models() if m.history.filter(_by_person()).exists()]
        if edited and not force:
            raise CommandError(
                "People have edited this database (" + ", ".join(edited) + "). generate_national adds "
                "synthetic rows to it; it is meant for a benchmark database. Use --force if you really mean it."
            )
        started = time.perf_counter()
        with transaction.atomic():
            counts = Generator(random.Random(seed), scale).run()
        bump_data_version()  # bulk inserts send no history signals: cached figures are stale now
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count:,} created")
        self.stdout.write(
            self.style.SUCCESS(f"Synthetic national dataset ready in {time.perf_counter() - started:.0f} s.")
        )


def create(model, objs) -> list:
    """Bulk insert with history records (a loader's: no user, reason ``loader: generate_national``)."""
    return bulk_create_with_history(objs, model, batch_size=BATCH, default_change_reason=REASON)


class Generator:
    def __init__(self, rng: random.Random, scale: float = 1.0):
        self.rng = rng
        self.counts: dict[str, int] = {}
        self.n_programs = max(ROOTS * 3, round(PROGRAMS * scale))
        self.n_indicators = max(4, round(INDICATORS * scale))
        self.n_regions = max(3, round(REGIONS * scale))
        self.n_clusters = max(6, round(CLUSTERS * scale))

    def run(self) -> dict[str, int]:
        self.source = Source(
            key=SOURCE_KEY,
            kind="illustrative",
            title=SOURCE_TITLE,
            publisher="generate_national",
            note="Invented rows of national size for the performance benchmark (make bench-national). Not real.",
        )
        self.source._change_reason = REASON
        self.source.save()
        self.programs()
        self.budget_lines()
        self.indicators_and_values()
        self.regions()
        self.clusters()
        self.cluster_rows()
        return self.counts

    def count(self, model, objs):
        created = create(model, objs)
        self.counts[model._meta.object_name] = len(created)
        return created

    # --- programs and budgets ------------------------------------------------------------------
    def programs(self):
        """ROOTS roots, each with mid-level programs, each with leaves: PROGRAMS in all."""
        rng = self.rng
        area = ["regional", "industry_academia"]
        per_root = (self.n_programs - ROOTS) // ROOTS  # 20 below each root, 10 more over the first roots
        extra = (self.n_programs - ROOTS) - per_root * ROOTS
        number = 0

        def program(parent, level, order):
            nonlocal number
            number += 1
            start = rng.choice([None, None, *range(FIRST_FY, 1996)]) if level else None
            end = None if rng.random() < 0.7 or start is None else rng.randint(2015, LAST_FY)
            return Program(
                slug=f"syn-p-{number:03d}",
                name_ja=f"合成事業{number:03d}（ベンチマーク用）",
                name_en=f"Synthetic program {number:03d} (benchmark)",
                parent=parent,
                policy_area=area[number % 2],
                implementer="jst" if number % 5 == 0 else "mext",
                start_fy=start,
                end_fy=end,
                normal_duration_years=rng.choice([None, 5, 10]) if level == 2 else None,
                counts_toward_outcome_share=level == 1 and number % 7 == 0,
                order=100 + order,
                source=self.source,
            )

        roots = self.count(Program, [program(None, 0, i) for i in range(ROOTS)])
        mids, mid_parent = [], []
        sizes = []
        for i, root in enumerate(roots):
            below = per_root + (1 if i < extra else 0)
            n_mid = min(rng.randint(3, 5), below - 1)
            sizes.append((root, n_mid, below - n_mid))
            for j in range(n_mid):
                mids.append(program(root, 1, j))
                mid_parent.append(i)
        mids = create(Program, mids)
        leaves = []
        offset = 0
        for _root, n_mid, n_leaves in sizes:
            group = mids[offset : offset + n_mid]
            offset += n_mid
            for k in range(n_leaves):
                leaves.append(program(group[k % n_mid], 2, k))
        leaves = create(Program, leaves)
        self.roots, self.mids, self.leaves = roots, mids, leaves
        self.all_programs = [*roots, *mids, *leaves]
        self.counts["Program"] = len(self.all_programs)

    def years_of(self, program) -> range:
        return range(program.start_fy or FIRST_FY, (program.end_fy or LAST_FY) + 1)

    def budget_lines(self):
        """Leaves: a figure at every stage a year has reached; parents: their own figure in some
        years (else the complete sum of their children applies); a few rounded or stage-doubted."""
        rng = self.rng
        lines = []
        leaf_ids = {p.pk for p in self.leaves}
        for program in self.all_programs:
            is_leaf = program.pk in leaf_ids
            base = rng.randint(20, 3000) * 1_000_000
            for fy in self.years_of(program):
                reached = 5 if fy <= LAST_FY - 3 else 5 - (fy - (LAST_FY - 3))
                amount = int(base * (1 + 0.03 * (fy - FIRST_FY)))
                for stage in STAGES[:reached]:
                    if not is_leaf and rng.random() > 0.95:
                        continue
                    if is_leaf and rng.random() > 0.99:
                        continue
                    doubt = stage == "enacted" and rng.random() < 0.02
                    lines.append(
                        BudgetLine(
                            program=program,
                            fiscal_year=fy,
                            stage=stage,
                            amount_yen=amount + STAGES.index(stage) * 1_000_000 * rng.randint(0, 50),
                            precision="rounded" if rng.random() < 0.08 else "exact",
                            stage_alternative="draft" if doubt else "",
                            stage_wording="政府予算" if doubt else "",
                            source=self.source,
                        )
                    )
        self.count(BudgetLine, lines)

    # --- outcomes -------------------------------------------------------------------------------
    def indicators_and_values(self):
        """INDICATORS indicators (two of them redefinitions of others) and, for every fiscal year,
        an all-university total and every program's contribution (below the total)."""
        rng = self.rng

        def indicator(n, replaces=None):
            return Indicator(
                slug=f"syn-i-{n:02d}",
                name_ja=f"合成指標{n:02d}",
                name_en=f"Synthetic indicator {n:02d}",
                unit="yen" if n % 8 == 7 else "cases",
                order=100 + n,
                replaces=replaces,
                break_fy=2009 if replaces else None,
                source=self.source,
            )

        redefined = {1: 0, 3: 2}  # new → old: a definition break in FY2009
        first = create(Indicator, [indicator(n) for n in range(self.n_indicators) if n not in redefined])
        by_number = {int(i.slug[-2:]): i for i in first}
        second = create(Indicator, [indicator(n, by_number[old]) for n, old in redefined.items()])
        indicators = sorted([*first, *second], key=lambda i: i.order)
        self.counts["Indicator"] = len(indicators)
        values = []
        for indicator in indicators:
            scale = 1_000_000 if indicator.unit == "yen" else 1
            for fy in range(OUTCOME_FY, LAST_FY + 1):
                parts = [rng.randint(1, 400) * scale for _ in self.all_programs]
                values.append(
                    OutcomeValue(indicator=indicator, fiscal_year=fy, value=sum(parts) * 3, source=self.source)
                )
                for program, value in zip(self.all_programs, parts, strict=True):
                    values.append(
                        OutcomeValue(
                            indicator=indicator, fiscal_year=fy, program=program, value=value, source=self.source
                        )
                    )
        self.count(OutcomeValue, values)

    # --- regions and clusters -------------------------------------------------------------------
    def regions(self):
        rng = self.rng
        codes = list(Prefecture.objects.values_list("code", flat=True))
        regions = self.count(
            Region,
            [
                Region(
                    slug=f"syn-r-{n:03d}",
                    name_ja=f"合成地域{n:03d}",
                    name_en=f"Synthetic region {n:03d}",
                    source=self.source,
                )
                for n in range(self.n_regions)
            ],
        )
        through = Region.prefectures.through
        links = []
        for region in regions:
            for code in rng.sample(codes, rng.choice([1, 1, 1, 2, 3])):
                links.append(through(region_id=region.pk, prefecture_id=code))
        through.objects.bulk_create(links)
        self.region_list = regions

    def clusters(self):
        """CLUSTERS clusters of about 14 years each under leaf programs; a few of unknown period."""
        rng = self.rng
        clusters = []
        for n in range(self.n_clusters):
            program = self.leaves[n % len(self.leaves)]
            low = max(program.start_fy or FIRST_FY, 1995)
            high = min((program.end_fy or LAST_FY) - 13, 2011)
            start = rng.randint(low, max(low, high))
            end = min(start + 13, program.end_fy or LAST_FY)
            unknown = rng.random()
            clusters.append(
                Cluster(
                    slug=f"syn-c-{n:04d}",
                    region=self.region_list[n % self.n_regions],
                    program=program,
                    name_ja=f"合成クラスター{n:04d}",
                    name_en=f"Synthetic cluster {n:04d}",
                    field=rng.choice(["ライフサイエンス", "情報通信", "ナノテク・材料", "環境", "ものづくり"]),
                    core_organization=f"合成財団{n % 97:02d}",
                    start_fy=None if unknown < 0.02 else start,
                    end_fy=None if unknown < 0.08 else end,
                    source=self.source,
                )
            )
        self.cluster_list = self.count(Cluster, clusters)
        self.spans = {c.pk: (c.start_fy or c.program.start_fy or 1995, c.end_fy or (c.start_fy or 1995) + 4)
                      for c in self.cluster_list}  # fmt: skip

    def cluster_rows(self):
        """Per cluster and year of its span: plan and actual funding and an annual report; a mid-term
        and (for ended clusters) a final evaluation; outcome counts for three years."""
        rng = self.rng
        funding, reports, evaluations, outcomes = [], [], [], []
        statuses = ["accepted"] * 14 + ["submitted"] * 3 + ["draft"] * 2 + ["returned"]
        indicator_ids = list(Indicator.objects.filter(slug__startswith="syn-i-").values_list("pk", flat=True)[:3])
        for cluster in self.cluster_list:
            first, last = self.spans[cluster.pk]
            plan = rng.randint(50, 600) * 1_000_000
            for fy in range(first, last + 1):
                for kind in ("plan", "actual"):
                    national = plan if kind == "plan" else int(plan * rng.uniform(0.8, 1.05))
                    funding.append(
                        ClusterFunding(
                            cluster=cluster,
                            fiscal_year=fy,
                            kind=kind,
                            national_yen=national,
                            local_yen=national // rng.randint(2, 6),
                            source=self.source,
                        )
                    )
                status = rng.choice(statuses)
                reports.append(
                    AnnualReport(
                        cluster=cluster,
                        fiscal_year=fy,
                        status=status,
                        comment="合成データ：要修正" if status == "returned" else "",
                    )
                )
            evaluations.append(
                Evaluation(
                    cluster=cluster, kind="midterm", fiscal_year=min(first + 2, last), grade=rng.choice("SABC"),
                    subsidy_change_pct=rng.choice([None, -20, 0, 10]), source=self.source,
                )
            )  # fmt: skip
            if cluster.end_fy and cluster.end_fy < LAST_FY:
                evaluations.append(
                    Evaluation(cluster=cluster, kind="final", fiscal_year=last, grade=rng.choice("SABC"),
                               source=self.source)
                )  # fmt: skip
            for fy in range(first, min(first + 3, last + 1)):
                for indicator_id in indicator_ids:
                    outcomes.append(
                        ClusterOutcome(
                            cluster=cluster,
                            fiscal_year=fy,
                            indicator_id=indicator_id,
                            value=rng.randint(0, 40),
                            source=self.source,
                        )
                    )
        self.count(ClusterFunding, funding)
        self.count(AnnualReport, reports)
        self.count(Evaluation, evaluations)
        self.count(ClusterOutcome, outcomes)
