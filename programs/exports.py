"""Export columns and rows of the national tables. Column keys are stable: imports read them,
the whole-dataset ZIP documents them, and the glossary's data dictionary lists them."""

from collections.abc import Iterator

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce

from core.exports import Column

from .choices import Precision, SourceKind, Stage

SOURCE_KEY = Column(
    "source_key",
    "出典キー",
    "Source key",
    description_ja="出典一覧（sources.csv）のキー",
    description_en="Key of the source (sources.csv)",
)
SOURCE_TITLE = Column(
    "source_title", "出典", "Source", description_ja="出典の表題", description_en="Title of the source document"
)
SOURCE_KIND = Column(
    "source_kind", "出典の種別", "Source kind",
    description_ja="official（公式）／press（報道・その他）／reported（地域からの報告：コーディネーターが入力した値）／illustrative（例示データ：公式値ではない）",
    description_en="official / press (other publications) / reported (entered by a region's coordinator) / illustrative (demo data, not an official figure)",
)  # fmt: skip

PRECISION = Column(
    "precision", "精度", "Precision",
    description_ja="exact＝出典記載の数値（出典に書かれた桁のとおり。最終的な数値という意味ではない）／rounded＝概数（約）：出典が「約75億円」のように丸めて示した値",
    description_en="exact = as stated in the source (the source's own digits; not a claim that the figure is final) / rounded = the source gave it rounded (約75億円)",
)  # fmt: skip

BUDGET_LINE_COLUMNS = [
    Column("program_slug", "事業キー", "Program key", description_ja="事業の識別子", description_en="Program identifier"),
    Column("program", "事業", "Program", description_ja="事業名", description_en="Program name (Japanese)"),
    Column("fiscal_year", "年度", "Fiscal year", "int", "西暦の年度（4月始まり。2008＝平成20年度）", "Fiscal year as the Western year it starts (April–March; 2008 = Heisei 20)"),
    Column("stage", "予算段階", "Stage", description_ja="概算要求・予算案・当初予算・補正後・決算", description_en="request, draft, enacted, supplementary, settled"),
    Column("amount", "金額", "Amount", "money", "選んだ単位での金額", "Amount in the chosen unit"),
    Column("stage_alternative", "別の可能性のある予算段階", "Or possibly the stage", description_ja="出典の表記では予算段階が定まらない場合のもう一つの段階（例：政府予算＝予算案または当初予算）", description_en="Where the source's wording does not settle the stage, the other stage it may be (e.g. 政府予算: draft or enacted)"),
    Column("stage_wording", "出典の予算段階の表記", "Stage as worded in the source"),
    Column("amount_yen", "金額（円）", "Amount (yen)", "yen", "円単位の金額。精度の列が rounded なら、出典の概数を円に換算した値（例：約75億円→7500000000）", "Amount in whole yen. Where precision is rounded, the source's round figure written out in yen (約75億円 → 7500000000), not an exact amount"),
    PRECISION,
    Column("precision_note", "出典の表記", "As stated", description_ja="出典に書かれた表記", description_en="The figure as written in the source"),
    SOURCE_KEY, SOURCE_TITLE, SOURCE_KIND,
    Column("note", "備考", "Note"),
]  # fmt: skip

OUTCOME_VALUE_COLUMNS = [
    Column("indicator_slug", "指標キー", "Indicator key", description_ja="成果指標の識別子", description_en="Indicator identifier"),
    Column("indicator", "成果指標", "Indicator"),
    Column("unit", "単位", "Unit", description_ja="cases（件）／companies（社）／yen（円）", description_en="cases / companies / yen"),
    Column("fiscal_year", "年度", "Fiscal year", "int"),
    Column("program_slug", "事業キー", "Program key", description_ja="空欄は大学等全体（分母）", description_en="Empty for the all-university total (the denominator)"),
    Column("program", "事業", "Program"),
    Column("value", "値", "Value", "int", "件数、社数、または円単位の金額", "A count, or money in whole yen"),
    PRECISION,
    Column("derived", "算出値", "Derived", "int", "1＝記載された増減から算出した値", "1 = computed from a stated change"),
    Column("derived_note", "算出方法", "How derived"),
    Column("scope_note", "範囲", "Scope"),
    SOURCE_KEY, SOURCE_TITLE, SOURCE_KIND,
]  # fmt: skip

PROGRAM_COLUMNS = [
    Column("slug", "事業キー", "Program key"),
    Column("name_ja", "事業名", "Name (Japanese)"),
    Column("name_en", "事業名（英語）", "Name (English)"),
    Column("parent_slug", "上位事業キー", "Parent key"),
    Column("policy_area", "施策分野", "Policy area"),
    Column("implementer", "実施機関", "Implementer"),
    Column("start_fy", "開始年度", "First fiscal year", "int"),
    Column("end_fy", "終了年度", "Last fiscal year", "int"),
    Column("counts_toward_outcome_share", "成果シェア算定対象", "Counts toward the outcome share", "int", "1＝4事業の一つ", "1 = one of the four programs"),
    Column("latest_fy", "最新年度", "Latest fiscal year", "int", "完全な数値がある最後の年度", "The last fiscal year with a complete figure"),
    Column("latest_stage", "最新の予算段階", "Latest stage", description_ja="その年度で最も進んだ予算段階", description_en="The most advanced stage of that year"),
    Column("latest_amount", "最新の金額", "Latest figure", "money", "事業自身の数値、またはすべての下位事業の合計", "The program's own figure, or the sum of all its sub-programs"),
    Column("latest_precision", "最新の金額の精度", "Precision of the latest figure", description_ja="出典記載の数値（exact）／概数（rounded：出典が「約」で示した値を含む）", description_en="exact (as stated) / rounded (includes a figure the source gave rounded)"),
    Column("latest_basis", "最新の金額の根拠", "Basis of the latest figure", description_ja="stated（出典の数値）／sum-of-N（N件の下位事業の合計）", description_en="stated (the source's figure) / sum-of-N (the sum of N sub-programs)"),
    Column("latest_stage_doubt", "予算段階の不確かさ", "Stage in doubt", "int", "1＝出典の表記では予算段階が定まらない", "1 = the source's wording does not settle the stage"),
    Column("latest_source_kind", "最新の金額の出典の種別", "Source kind of the latest figure"),
    Column("cluster_count", "クラスター数", "Clusters", "int"),
]  # fmt: skip

SOURCE_COLUMNS = [
    Column("key", "出典キー", "Source key"),
    Column("kind", "種別", "Kind"),
    Column("title", "表題", "Title"),
    Column("publisher", "発行者", "Publisher"),
    Column("published", "発行日", "Published"),
    Column("url", "URL", "URL"),
    Column("locator", "該当箇所・引用", "Locator / quoted wording"),
    Column("note", "備考", "Note"),
]  # fmt: skip

INDICATOR_COLUMNS = [
    Column("slug", "指標キー", "Indicator key"),
    Column("name_ja", "指標名", "Name (Japanese)"),
    Column("name_en", "指標名（英語）", "Name (English)"),
    Column("unit", "単位", "Unit"),
    Column("replaces_slug", "置き換える指標", "Replaces", description_ja="定義変更前の指標", description_en="The indicator this one redefines"),
    Column("break_fy", "定義変更年度", "Definition changes from", "int"),
    Column("definition_ja", "定義", "Definition (Japanese)"),
    Column("definition_en", "定義（英語）", "Definition (English)"),
]  # fmt: skip

STAGE_LABELS = dict(Stage.choices)
PRECISION_LABELS = dict(Precision.choices)
KIND_LABELS = dict(SourceKind.choices)


#: rows fetched per round trip by the streamed exports (server-side cursor on PostgreSQL); 5,000 or
#: 20,000 measured no faster (bench/exports.py) and hold more rows in memory at once
CHUNK_SIZE = 2000


def label_of(field: str, choices, default):
    """The label of ``field``'s value in the active language, chosen by the database (CASE), so
    that rows arrive as the export writes them and no Python runs per row; other values give
    ``default``."""
    whens = [When(**{field: value}, then=Value(str(label))) for value, label in choices]
    return Case(*whens, default=default, output_field=CharField())


def budget_line_rows(queryset) -> Iterator[tuple]:
    """Rows for BUDGET_LINE_COLUMNS (tuples in their order), streamed from the queryset in its order;
    stage labels in the language active when the first row is read."""
    yield from queryset.values_list(
        "program__slug", "program__name_ja", "fiscal_year", label_of("stage", Stage.choices, F("stage")),
        "amount_yen", label_of("stage_alternative", Stage.choices, Value("")), "stage_wording", F("amount_yen"),
        "precision", "precision_note", "source__key", "source__title", "source__kind", "note",
    ).iterator(chunk_size=CHUNK_SIZE)  # fmt: skip


def outcome_value_rows(queryset) -> Iterator[tuple]:
    """Rows for OUTCOME_VALUE_COLUMNS (tuples in their order), streamed from the queryset in its order."""
    yield from queryset.values_list(
        "indicator__slug", "indicator__name_ja", "indicator__unit", "fiscal_year",
        Coalesce("program__slug", Value("")), Coalesce("program__name_ja", Value("")), "value", "precision",
        "derived", "derived_note", "scope_note", "source__key", "source__title", "source__kind",
    ).iterator(chunk_size=CHUNK_SIZE)  # fmt: skip


def program_rows(queryset, latest: dict[int, dict]) -> Iterator[dict]:
    """Programs with their latest complete figure (``latest``: reports.analytics.latest_figures)."""
    for program in queryset.iterator(chunk_size=2000):
        figure = latest.get(program.pk)
        yield {
            "slug": program.slug,
            "name_ja": program.name_ja,
            "name_en": program.name_en,
            "parent_slug": program.parent.slug if program.parent_id else "",
            "policy_area": program.policy_area,
            "implementer": program.implementer,
            "start_fy": program.start_fy,
            "end_fy": program.end_fy,
            "counts_toward_outcome_share": int(program.counts_toward_outcome_share),
            "latest_fy": figure["fy"] if figure else None,
            "latest_stage": str(STAGE_LABELS[figure["stage"]]) if figure else "",
            "latest_amount": figure["amount_yen"] if figure else None,
            "latest_precision": ("rounded" if figure["rounded"] else "exact") if figure else "",
            "latest_basis": (f"sum-of-{figure['parts']}" if figure["parts"] else "stated") if figure else "",
            "latest_stage_doubt": int(figure["doubt"]) if figure else None,
            "latest_source_kind": figure["kind"] if figure else "",
            "cluster_count": getattr(program, "cluster_count", None),
        }


def source_rows(queryset) -> Iterator[dict]:
    yield from queryset.values(*[c.key for c in SOURCE_COLUMNS]).iterator(chunk_size=2000)


def indicator_rows(queryset) -> Iterator[dict]:
    for row in queryset.values(
        "slug", "name_ja", "name_en", "unit", "replaces__slug", "break_fy", "definition_ja", "definition_en"
    ):
        row["replaces_slug"] = row.pop("replaces__slug") or ""
        yield row
