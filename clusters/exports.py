"""Export columns and rows of the region-owned tables."""

from collections.abc import Iterator

from django.db.models import F

from core.exports import Column
from programs.exports import CHUNK_SIZE, SOURCE_KEY, SOURCE_KIND, SOURCE_TITLE

REGION_COLUMNS = [
    Column("slug", "地域キー", "Region key"),
    Column("name_ja", "地域名", "Name (Japanese)"),
    Column("name_en", "地域名（英語）", "Name (English)"),
    Column(
        "prefectures",
        "都道府県",
        "Prefectures",
        description_ja="；区切り。複数の都道府県にまたがる地域があります",
        description_en="';'-separated; a region may span several prefectures",
    ),
    Column("cluster_count", "クラスター数", "Clusters", "int"),
    Column("first_fy", "最初の年度", "First fiscal year", "int"),
    Column("last_fy", "最後の年度", "Last fiscal year", "int"),
]

CLUSTER_COLUMNS = [
    Column("slug", "クラスターキー", "Cluster key"),
    Column("region_slug", "地域キー", "Region key"),
    Column("program_slug", "事業キー", "Program key"),
    Column("name_ja", "クラスター名", "Name (Japanese)"),
    Column("name_en", "クラスター名（英語）", "Name (English)"),
    Column("field", "分野", "Field"),
    Column("core_organization", "中核機関", "Core organization"),
    Column("cluster_type", "類型", "Type"),
    Column("start_fy", "開始年度", "First fiscal year", "int"),
    Column("end_fy", "終了年度", "Last fiscal year", "int"),
    Column(
        "status",
        "状況",
        "Status",
        description_ja="期間と出力日の年度から算出：planned（開始前）／active（実施中）／ended（終了）／unknown（期間不明）",
        description_en="Derived from the period and the fiscal year of the export: planned / active (running) / ended / "
        "unknown (period unknown)",
    ),
    SOURCE_KEY, SOURCE_KIND,
]  # fmt: skip


def cluster_rows(queryset) -> Iterator[dict]:
    """Clusters as export rows, with the status derived by clusters/periods.py (never stored)."""
    from core.formatting import current_fiscal_year

    from .periods import VALUE_FIELDS, Period

    today = current_fiscal_year()
    fields = ("slug", "region__slug", "program__slug", "name_ja", "name_en", "field", "core_organization",
              "cluster_type", "source__key", "source__kind")  # fmt: skip
    for row in queryset.with_period().values(*fields, *VALUE_FIELDS).iterator(chunk_size=2000):
        out = {key.replace("__", "_"): row[key] for key in fields}
        out.update(start_fy=row["start_fy"], end_fy=row["end_fy"], status=Period.from_row(row).status(today).value)
        yield out


CLUSTER_FUNDING_COLUMNS = [
    Column("cluster_slug", "クラスターキー", "Cluster key"),
    Column("cluster", "クラスター", "Cluster"),
    Column("region_slug", "地域キー", "Region key"),
    Column("fiscal_year", "年度", "Fiscal year", "int"),
    Column("kind", "計画／実績", "Plan or actual", description_ja="plan（計画）／actual（実績）", description_en="plan / actual"),
    Column("national", "国費", "National subsidy", "money"),
    Column("national_yen", "国費（円）", "National subsidy (yen)", "yen", "円単位の国費", "National subsidy in whole yen"),
    Column("local", "地域負担", "Local contribution", "money"),
    Column("local_yen", "地域負担（円）", "Local contribution (yen)", "yen", "円単位の地域負担", "Local contribution in whole yen"),
    SOURCE_KEY, SOURCE_TITLE, SOURCE_KIND,
]  # fmt: skip

CLUSTER_OUTCOME_COLUMNS = [
    Column("cluster_slug", "クラスターキー", "Cluster key"),
    Column("cluster", "クラスター", "Cluster"),
    Column("fiscal_year", "年度", "Fiscal year", "int"),
    Column("indicator_slug", "指標キー", "Indicator key"),
    Column("indicator", "成果指標", "Indicator"),
    Column("value", "値", "Value", "int"),
    SOURCE_KEY, SOURCE_KIND,
]  # fmt: skip

PREFECTURE_COLUMNS = [
    Column("code", "JISコード", "JIS code", "int"),
    Column("name_ja", "都道府県", "Prefecture"),
    Column("name_en", "都道府県（英語）", "Prefecture (English)"),
    Column("block", "地方区分", "Block", description_ja="8地方区分", description_en="one of the 8 regional blocks"),
    Column("lat", "緯度", "Latitude", "decimal"),
    Column("lon", "経度", "Longitude", "decimal"),
]

EVALUATION_COLUMNS = [
    Column("cluster_slug", "クラスターキー", "Cluster key"),
    Column("kind", "種別", "Kind", description_ja="midterm（中間評価）／final（事後評価）", description_en="midterm / final"),
    Column("fiscal_year", "年度", "Fiscal year", "int"),
    Column("grade", "評価結果", "Grade"),
    Column("subsidy_change_pct", "補助金の増減（%）", "Subsidy change (%)", "int"),
    Column("summary_ja", "概要", "Summary (Japanese)"),
    SOURCE_KEY, SOURCE_KIND,
]  # fmt: skip

ANNUAL_REPORT_COLUMNS = [
    Column("cluster_slug", "クラスターキー", "Cluster key"),
    Column("fiscal_year", "年度", "Fiscal year", "int"),
    Column(
        "status",
        "状況",
        "Status",
        description_ja="draft／submitted／accepted／returned",
        description_en="draft / submitted / accepted / returned",
    ),
    Column("submitted_at", "提出日時", "Submitted at"),
    Column("reviewed_at", "審査日時", "Reviewed at"),
    Column("comment", "審査コメント", "Reviewer's comment"),
]


def region_rows(queryset) -> Iterator[dict]:
    for region in queryset:
        yield {
            "slug": region.slug,
            "name_ja": region.name_ja,
            "name_en": region.name_en,
            "prefectures": ";".join(p.name_ja for p in region.prefectures.all()),
            "cluster_count": getattr(region, "cluster_count", None),
            "first_fy": getattr(region, "first_fy", None),
            "last_fy": getattr(region, "last_fy", None),
        }


def funding_rows(queryset) -> Iterator[tuple]:
    """Rows for CLUSTER_FUNDING_COLUMNS (tuples in their order), streamed from the queryset in its order."""
    yield from queryset.values_list(
        "cluster__slug", "cluster__name_ja", "cluster__region__slug", "fiscal_year", "kind", "national_yen",
        F("national_yen"), "local_yen", F("local_yen"), "source__key", "source__title", "source__kind",
    ).iterator(chunk_size=CHUNK_SIZE)  # fmt: skip


def outcome_rows(queryset) -> Iterator[tuple]:
    """Rows for CLUSTER_OUTCOME_COLUMNS (tuples in their order), streamed from the queryset in its order."""
    yield from queryset.values_list(
        "cluster__slug", "cluster__name_ja", "fiscal_year", "indicator__slug", "indicator__name_ja", "value",
        "source__key", "source__kind",
    ).iterator(chunk_size=CHUNK_SIZE)  # fmt: skip
