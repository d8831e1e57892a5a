"""The sourced reference data: the paper's figures exactly, every row traceable to a source."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from clusters.models import Cluster, ClusterFunding, Prefecture, Region
from core.loading import FIXTURES_DIR
from programs.models import BudgetLine, Indicator, OutcomeValue, Program, ProgramFact, Source

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
    for model in (
        BudgetLine,
        OutcomeValue,
        ClusterFunding,
        Program,
        Region,
        Cluster,
        Prefecture,
        Indicator,
        ProgramFact,
    ):
        assert not model.objects.filter(source__isnull=True).exists(), model
    assert not BudgetLine.objects.filter(source__kind="illustrative").exists()
    assert not OutcomeValue.objects.filter(program__isnull=True, source__kind="illustrative").exists()
    assert not Source.objects.filter(title="").exists()


def test_illustrative_demo_rows_are_flagged():
    contributions = OutcomeValue.objects.filter(program__isnull=False)
    sourced = contributions.filter(source__key="mext-hyouka-hanei-2005-tech-transfer")
    assert sourced.count() == 2  # reference/contributions.csv: the one official program figure
    assert set(sourced.values_list("source__kind", flat=True)) == {"official"}
    assert contributions.exclude(pk__in=sourced).exists()
    assert set(contributions.exclude(pk__in=sourced).values_list("source__kind", flat=True)) == {"illustrative"}
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
    assert Cluster.objects.filter(program__slug="knowledge-cluster-1").count() == 12  # of 18
    assert Cluster.objects.filter(program__slug="knowledge-cluster-2").count() == 13  # all
    assert Cluster.objects.filter(program__slug="city-area").count() == 31


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
    models = (Source, Program, BudgetLine, Region, Cluster, OutcomeValue, ClusterFunding, ProgramFact)
    counts = {m: m.objects.count() for m in models}
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


# --- the additions (second search) and the derived-figure rules' data --------------------------------


def test_phase_two_has_all_13_regions_by_intake_year():
    phase2 = Cluster.objects.filter(program__slug="knowledge-cluster-2")
    starts = sorted(phase2.values_list("start_fy", flat=True))
    assert starts == [2007] * 6 + [2008] * 3 + [2009] * 4
    fy2009 = phase2.filter(start_fy=2009)
    assert set(fy2009.values_list("region__slug", flat=True)) == {"tokushima", "hakodate", "kurume", "yamaguchi"}
    assert set(fy2009.values_list("cluster_type", flat=True)) == {"グローバル拠点育成型"}
    assert Program.objects.get(slug="knowledge-cluster-2").normal_duration_years == 5


def test_hakodate_lineage_city_area_general_then_advanced_then_phase_two():
    hakodate = Region.objects.get(slug="hakodate")
    lineage = [(c.program.slug, c.cluster_type, c.start_fy, c.end_fy) for c in hakodate.clusters.order_by("start_fy")]
    assert lineage == [
        ("city-area", "一般型", 2003, 2005),
        ("city-area", "発展型", 2006, 2008),
        ("knowledge-cluster-2", "グローバル拠点育成型", 2009, 2013),
    ]
    assert hakodate.clusters.get(program__slug="knowledge-cluster-2").core_organization == "(財)函館地域産業振興財団"


def test_phase_one_osaka_north_and_the_fy2008_general_type_city_areas():
    saito = Cluster.objects.get(slug="osaka-north-saito-kc1")
    assert saito.core_organization == "(財)千里ライフサイエンス振興財団"
    assert (saito.start_fy, saito.end_fy) == (None, None)
    assert saito.source.kind == "press"  # read via a mirror
    general_2008 = Cluster.objects.filter(program__slug="city-area", cluster_type="一般型", start_fy=2008)
    assert set(general_2008.values_list("region__name_ja", flat=True)) == {
        "むつ小川原・八戸エリア",
        "ふくい若狭エリア",
        "みやざき臨海エリア",
        "沖縄沿岸海域エリア",
    }
    assert set(general_2008.values_list("end_fy", flat=True)) == {None}  # "likely FY2010" is not data


def test_corrections_applied():
    core = dict(Cluster.objects.filter(program__slug="knowledge-cluster-2").values_list("slug", "core_organization"))
    assert core["tokushima-kc2"] == "財団法人とくしま産業振興機構"
    assert core["sapporo-kc2"] == "公益財団法人 北海道科学技術総合振興センター"
    assert core["greater-sendai-kc2"] == "(株)インテリジェント・コスモス研究機構"
    assert core["fukuoka-kitakyushu-iizuka-kc2"] == "財団法人 福岡県産業・科学技術振興財団"
    assert "先端医療振興財団" in core["greater-kansai-kc2"]
    assert Cluster.objects.get(slug="sapporo-kc2").field == "ライフサイエンス;情報通信"
    assert Cluster.objects.get(slug="nagano-prefecture-kc2").end_fy == 2011
    assert Cluster.objects.get(slug="hakodate-city-area").start_fy == 2006


def test_leads_are_not_loaded():
    phase1_regions = set(
        Cluster.objects.filter(program__slug="knowledge-cluster-1").values_list("region__prefectures__code", flat=True)
    )
    assert 4 not in phase1_regions and 20 not in phase1_regions  # no Sendai (Miyagi) or Nagano Phase I region
    assert not BudgetLine.objects.filter(program__slug="knowledge-cluster", fiscal_year=2002).exists()
    assert not BudgetLine.objects.filter(amount_yen=10_900 * MILLION).exists()  # the METI slide's FY2010 figure


def test_fy2003_tech_transfer_budget_is_enacted_and_rounded():
    line = BudgetLine.objects.get(program__slug="gijutsu-iten-shien", fiscal_year=2003)
    assert (line.stage, line.amount_yen, line.precision, line.stage_alternative) == (
        "enacted",
        1_600 * MILLION,
        "rounded",
        "",
    )
    assert line.source.kind == "official"


def test_regional_innovation_cluster_program_fy2010_draft():
    program = Program.objects.get(slug="regional-innovation-cluster-program")
    assert (program.parent.slug, program.start_fy, program.name_en_is_translation) == (
        "regional-innovation",
        2010,
        True,
    )
    line = program.budget_lines.get()
    assert (line.fiscal_year, line.stage, line.amount_yen, line.precision) == (2010, "draft", 12_065 * MILLION, "exact")
    assert line.source.kind == "press"


def test_related_industry_academia_programs_never_count_toward_the_share():
    related = Program.objects.filter(parent__slug="industry-academia", counts_toward_outcome_share=False)
    assert set(related.values_list("slug", flat=True)) == {
        "sangakukan-renkei-senryaku",
        "daigaku-chizai-honbu",
        "sangakukan-renkei-shien",
        "matching-fund",
        "daigaku-venture-soshutsu",
    }
    assert BudgetLine.objects.filter(program__in=related).count() == 9
    # "(9億円)" is the previous year's enacted figure
    fy2002 = BudgetLine.objects.get(program__slug="sangakukan-renkei-shien", fiscal_year=2002)
    assert (fy2002.stage, fy2002.amount_yen, fy2002.precision) == ("enacted", 900 * MILLION, "rounded")
    assert BudgetLine.objects.get(program__slug="sangakukan-renkei-senryaku", fiscal_year=2009).stage == "request"


def test_stage_doubt_only_where_the_source_wording_leaves_it_open():
    doubtful = BudgetLine.objects.exclude(stage_alternative="")
    assert {(b.program.slug, b.fiscal_year, b.stage, b.stage_alternative, b.stage_wording) for b in doubtful} == {
        ("knowledge-cluster", 2004, "enacted", "draft", "government budget"),  # it-cluster.jp, in English
        ("knowledge-cluster", 2006, "enacted", "draft", "政府予算額"),
    }
    assert "2004 government budget" in Source.objects.get(key="it-cluster-english").locator
    assert "政府予算額 100億円" in Source.objects.get(key="mext-kc-outline").locator


def test_program_english_names_and_normal_durations():
    jst = Program.objects.get(slug="jst-regional-innovation")
    assert jst.name_en == "Comprehensive Support Programs for Creation of Regional Innovation"
    assert jst.name_en_is_translation is False
    assert set(Program.objects.filter(name_en_is_translation=False).values_list("slug", flat=True)) == {
        "jst-regional-innovation"
    }
    durations = dict(Program.objects.exclude(normal_duration_years=None).values_list("slug", "normal_duration_years"))
    assert durations == {"knowledge-cluster-1": 5, "knowledge-cluster-2": 5}  # City Area types ran 3 or 5 years


def test_tech_transfer_patent_applications_are_an_official_contribution():
    value = OutcomeValue.objects.get(indicator__slug="patent-applications", fiscal_year=2003, program__isnull=False)
    assert (value.program.slug, value.value, value.source.kind) == ("gijutsu-iten-shien", 802, "official")
    assert "TLO" in value.scope_note
    foreign = OutcomeValue.objects.get(indicator__slug="patent-applications-foreign", fiscal_year=2003)
    assert (foreign.program.slug, foreign.value) == ("gijutsu-iten-shien", 182)
    assert not OutcomeValue.objects.filter(fiscal_year=2003, value=620).exists()  # no domestic indicator


PAPER = Path("/work/shared/data/mext-policy-paper-2008.md")


def test_the_papers_statements_are_program_facts():
    facts = ProgramFact.objects.all()
    assert set(facts.values_list("source__key", flat=True)) == {"mext-paper-2008"}
    assert not facts.filter(text_en="").exists() and not facts.filter(quote="").exists()
    issues = ProgramFact.objects.filter(program__slug="regional-innovation", kind="issue")
    assert list(issues.values_list("label", flat=True)) == ["①", "②", "③", "④", "⑤"]
    assert all("必要ではないか" in text for text in issues.values_list("text_ja", flat=True))
    aims = ProgramFact.objects.filter(program__slug="regional-innovation", kind="aim")
    assert list(aims.values_list("label", flat=True)) == ["地域クラスターの育成", "地域イノベーションの源泉の潤沢化"]
    assert ProgramFact.objects.filter(program__slug="regional-innovation", kind="context").count() == 2
    counts = ProgramFact.objects.filter(program__slug="knowledge-cluster-1", kind="count")
    assert {(f.fiscal_year, f.measure, f.value) for f in counts} == {
        (2007, "regions_running", 7),
        (2007, "regions_ending", 4),
    }
    assert ProgramFact.objects.get(key="kc1-context-basic-plan-2").text_ja.startswith(
        "第2期科学技術基本計画（平成13年3月）"
    )
    assert ProgramFact.objects.filter(program__slug="industry-academia", kind="context").count() == 1
    if not PAPER.exists():
        pytest.skip("the shared paper is not on this machine")
    paper = PAPER.read_text(encoding="utf-8").replace("产", "産")
    for phrase in ("平成19年度は7地域で実施", "平成19年度末に、4地域で事業を終了", "1地域あたり約5億円×原則5年間"):
        assert phrase in paper
    for fact in facts:
        for part in fact.quote.replace("＜地域科学技術関係施策＞ ", "").split(" "):
            assert part.strip("()（）") in paper.replace("\n", "").replace("  ", ""), (fact.key, part)
