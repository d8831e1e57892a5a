"""The sourced reference data: the paper's figures exactly, every row traceable to a source."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from clusters.models import Cluster, ClusterFunding, Prefecture, Region
from core.loading import FIXTURES_DIR
from programs.models import BudgetLine, Indicator, OutcomeValue, Program, Source

pytestmark = pytest.mark.django_db

MILLION = 1_000_000

# (program slug, fiscal year, stage, 百万円, precision): every budget figure the 2008 paper states.
PAPER_FIGURES = [
    ("regional-innovation", 2008, "draft", 26_095, "exact"),
    ("regional-innovation", 2007, "enacted", 25_271, "exact"),
    ("knowledge-cluster-1", 2008, "draft", 1_566, "exact"),
    ("knowledge-cluster-1", 2007, "enacted", 3_420, "exact"),
    ("knowledge-cluster-2", 2008, "draft", 7_500, "rounded"),
    ("knowledge-cluster-2", 2007, "enacted", 5_500, "rounded"),
    ("city-area", 2008, "draft", 4_600, "rounded"),
    ("city-area", 2007, "enacted", 4_500, "rounded"),
    ("jst-regional-innovation", 2008, "draft", 11_000, "rounded"),
    ("jst-regional-innovation", 2007, "enacted", 9_400, "rounded"),
]


@pytest.mark.parametrize(("slug", "fy", "stage", "million", "precision"), PAPER_FIGURES)
def test_each_paper_figure_is_in_the_database_exactly(slug, fy, stage, million, precision):
    line = BudgetLine.objects.get(program__slug=slug, fiscal_year=fy, stage=stage)
    assert line.amount_yen == million * MILLION
    assert line.precision == precision
    assert line.source.key == "mext-paper-2008"
    assert line.source.kind == "official"


def test_other_sourced_budget_rows_loaded():
    # enacted FY2008 Phase I as reported in May 2008 (約16億円), distinct from the 1,566 draft
    enacted = BudgetLine.objects.get(program__slug="knowledge-cluster-1", fiscal_year=2008, stage="enacted")
    assert (enacted.amount_yen, enacted.precision) == (1_600 * MILLION, "rounded")
    request = BudgetLine.objects.get(program__slug="city-area", fiscal_year=2009, stage="request")
    assert (request.amount_yen, request.precision) == (5_500 * MILLION, "exact")
    assert BudgetLine.objects.filter(program__slug="knowledge-cluster", stage="enacted").count() == 4


def test_budget_lines_match_the_fixture_file_row_for_row():
    with (FIXTURES_DIR / "reference" / "budget_lines.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert BudgetLine.objects.count() == len(rows)
    for row in rows:
        line = BudgetLine.objects.get(
            program__slug=row["program_slug"], fiscal_year=int(row["fiscal_year"]), stage=row["stage"]
        )
        assert line.amount_yen == int(row["amount_million_yen"]) * MILLION


def test_every_figure_has_a_source_and_reference_figures_are_not_illustrative():
    for model in (BudgetLine, OutcomeValue, ClusterFunding, Program, Region, Cluster, Prefecture, Indicator):
        assert not model.objects.filter(source__isnull=True).exists(), model
    assert not BudgetLine.objects.filter(source__kind="illustrative").exists()
    assert not OutcomeValue.objects.filter(program__isnull=True, source__kind="illustrative").exists()
    assert not Source.objects.filter(title="").exists()


def test_illustrative_demo_rows_are_flagged():
    contributions = OutcomeValue.objects.filter(program__isnull=False)
    assert contributions.exists()
    assert set(contributions.values_list("source__kind", flat=True)) == {"illustrative"}
    assert set(ClusterFunding.objects.values_list("source__kind", flat=True)) == {"illustrative"}


def test_program_tree_and_outcome_share_flags():
    root = Program.objects.get(slug="regional-innovation")
    assert set(root.children.values_list("slug", flat=True)) >= {
        "knowledge-cluster",
        "city-area",
        "jst-regional-innovation",
    }
    assert Program.objects.get(slug="knowledge-cluster-1").parent.slug == "knowledge-cluster"
    flagged = set(Program.objects.filter(counts_toward_outcome_share=True).values_list("name_ja", flat=True))
    assert flagged == {
        "産学官連携活動高度化促進事業",
        "産学共同シーズイノベーション化事業",
        "独創的シーズ展開事業",
        "技術移転支援センター事業",
    }
    assert not Program.objects.filter(name_en="").exists()


def test_47_prefectures_in_8_blocks_matching_the_geojson():
    import json

    assert Prefecture.objects.count() == 47
    assert sorted(Prefecture.objects.values_list("code", flat=True)) == list(range(1, 48))
    assert Prefecture.objects.values("block").distinct().count() == 8
    assert Prefecture.objects.get(code=22).name_ja == "静岡県"
    assert Prefecture.objects.get(code=24).block == "kinki"  # Mie in Kinki, as the reference says
    geo = json.loads(
        (FIXTURES_DIR.parent / "static" / "geo" / "japan_prefectures_naturalearth_10m.geojson").read_text(
            encoding="utf-8"
        )
    )
    assert {f["properties"]["name"] for f in geo["features"]} == set(
        Prefecture.objects.values_list("name_en", flat=True)
    )


def test_multi_prefecture_regions_kept():
    tokai = Region.objects.get(name_ja__contains="東海広域")
    assert set(tokai.prefectures.values_list("name_ja", flat=True)) == {"愛知県", "岐阜県"}
    keihanna = Region.objects.get(slug="keihanna")
    assert set(keihanna.prefectures.values_list("name_ja", flat=True)) == {"京都府", "大阪府", "奈良県"}


def test_hamamatsu_lineage_phase_one_then_two():
    hamamatsu = Region.objects.get(slug="hamamatsu")
    programs = [c.program.slug for c in hamamatsu.clusters.order_by("program__start_fy", "start_fy")]
    assert programs == ["knowledge-cluster-1", "knowledge-cluster-2"]
    phase2 = hamamatsu.clusters.get(program__slug="knowledge-cluster-2")
    assert phase2.name_ja == "浜松オプトロニクスクラスター"
    assert phase2.start_fy == 2007
    sapporo = Region.objects.get(slug="sapporo")
    assert sapporo.clusters.count() == 2


def test_cluster_counts_match_reference_lists():
    assert Cluster.objects.filter(program__slug="knowledge-cluster-1").count() == 11
    assert Cluster.objects.filter(program__slug="knowledge-cluster-2").count() == 10
    assert Cluster.objects.filter(program__slug="city-area").count() == 26


def test_joint_research_definition_break_is_two_linked_indicators():
    new = Indicator.objects.get(slug="joint-research-company-count")
    assert new.replaces.slug == "joint-research-count"
    assert new.break_fy == 2009
    assert (
        OutcomeValue.objects.get(indicator__slug="joint-research-count", fiscal_year=2008, program=None).value == 17_638
    )
    assert OutcomeValue.objects.get(indicator=new, fiscal_year=2010, program=None).value == 15_544


def test_derived_values_marked_and_money_in_yen():
    derived = OutcomeValue.objects.get(indicator__slug="joint-research-count", fiscal_year=2003, program=None)
    assert derived.value == 9_255
    assert derived.derived and "1,473" in derived.derived_note
    assert OutcomeValue.objects.filter(program=None, derived=True).count() == 7
    income = OutcomeValue.objects.get(indicator__slug="licensing-income", fiscal_year=2007, program=None)
    assert income.value == 774_000_000


def test_loading_twice_changes_nothing(capsys):
    counts = {
        m: m.objects.count() for m in (Source, Program, BudgetLine, Region, Cluster, OutcomeValue, ClusterFunding)
    }
    history = {m: m.history.count() for m in counts}
    call_command("load_reference")
    call_command("seed_demo", "--force")
    assert {m: m.objects.count() for m in counts} == counts
    assert {m: m.history.count() for m in counts} == history
    out = capsys.readouterr().out
    assert " 0 created, 0 updated" in out


def test_project_reads_no_shared_folder_at_run_time():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("config", "core", "programs", "clusters", "reports", "templates")
        for path in (root / folder).rglob("*")
        if path.is_file() and path.suffix in {".py", ".html"} and "../shared" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
