"""The one place that turns fiscal years and yen into text (DESIGN §2, UI.md B6/B10).

Fiscal years are integers (the Western year the April–March year starts in). Money is whole
yen. Everything a page, chart or export shows goes through these functions.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import get_language


class Unit(StrEnum):
    """Display units, named as in the ``unit=`` query parameter."""

    THOUSAND = "thousand"
    MILLION = "million"
    HUNDRED_MILLION = "hundred-million"

    @classmethod
    def parse(cls, value: str | None) -> Unit:
        """The unit named by a query-string value; anything unknown gives the default (百万円)."""
        try:
            return cls(value)
        except ValueError:
            return cls.MILLION


UNIT_DIVISOR = {Unit.THOUSAND: 1_000, Unit.MILLION: 1_000_000, Unit.HUNDRED_MILLION: 100_000_000}
UNIT_DECIMALS = {Unit.THOUSAND: 0, Unit.MILLION: 0, Unit.HUNDRED_MILLION: 2}
UNIT_LABEL = {
    "ja": {Unit.THOUSAND: "千円", Unit.MILLION: "百万円", Unit.HUNDRED_MILLION: "億円"},
    "en": {
        Unit.THOUSAND: "thousand yen",
        Unit.MILLION: "million yen",
        Unit.HUNDRED_MILLION: "100 million yen",
    },
}

ERAS = (  # (first fiscal year, name): the era in force on 1 April of the fiscal year
    (2019, "令和"),
    (1989, "平成"),
    (1926, "昭和"),
)


def _lang(lang: str | None) -> str:
    lang = lang or get_language() or "ja"
    return "en" if lang.startswith("en") else "ja"


def era_year(fy: int) -> tuple[str, int]:
    """The Japanese era and era year for a fiscal year: 2008 → ("平成", 20), 2019 → ("令和", 1).

    The era rule of DESIGN §2: FY ≤ 1988 → 昭和 (FY−1925); FY 1989–2018 → 平成 (FY−1988);
    FY ≥ 2019 → 令和 (FY−2018). Raises ValueError before 昭和 (FY < 1926).
    """
    for first, name in ERAS:
        if fy >= first:
            return name, fy - first + 1
    raise ValueError(f"No era rule for fiscal year {fy}")


def era_label(fy: int) -> str:
    """平成20年度 / 令和元年度 (year 1 is written 元)."""
    name, year = era_year(fy)
    return f"{name}{'元' if year == 1 else year}年度"


def fiscal_year_label(fy: int, style: str = "full", lang: str | None = None) -> str:
    """A fiscal-year label; never stored.

    styles: ``short`` (axes, table headers) 2008年度 / FY2008; ``full`` 2008年度（平成20年度）/ FY2008;
    ``prose`` 平成20（2008）年度 / FY2008.
    """
    if _lang(lang) == "en":
        return f"FY{fy}"
    if style == "short":
        return f"{fy}年度"
    name, year = era_year(fy)
    era_number = "元" if year == 1 else str(year)
    if style == "prose":
        return f"{name}{era_number}（{fy}）年度"
    return f"{fy}年度（{name}{era_number}年度）"


def fiscal_year_range_label(fy_from: int | None, fy_to: int | None, lang: str | None = None) -> str:
    """2003–2008年度 / FY2003–FY2008; an open end is shown as such."""
    lang = _lang(lang)
    if fy_from is None and fy_to is None:
        return ""
    if lang == "en":
        left = f"FY{fy_from}" if fy_from else ""
        right = f"FY{fy_to}" if fy_to else ""
        return left if fy_from == fy_to else f"{left}–{right}"
    if fy_from == fy_to:
        return f"{fy_from}年度"
    return f"{fy_from or ''}–{fy_to or ''}年度"


def unit_label(unit: Unit | str = Unit.MILLION, lang: str | None = None) -> str:
    """百万円 / million yen."""
    return UNIT_LABEL[_lang(lang)][Unit.parse(str(unit))]


def yen_in_unit(yen: int | Decimal | None, unit: Unit | str = Unit.MILLION) -> Decimal | None:
    """Exact Decimal value of ``yen`` in ``unit`` (no rounding): 26_095_000_000 yen → 26095."""
    if yen is None:
        return None
    return Decimal(yen) / UNIT_DIVISOR[Unit.parse(str(unit))]


def round_for_unit(value: Decimal, unit: Unit | str, *, rounded: bool = False) -> Decimal:
    """Round half up (四捨五入) to the unit's display decimals.

    A rounded source figure keeps no false digits: 約75億円 in 億円 is 75, not 75.00.
    """
    decimals = UNIT_DECIMALS[Unit.parse(str(unit))]
    quantum = Decimal(1).scaleb(-decimals)
    result = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded and decimals:
        result = result.normalize()
        if result == result.to_integral_value():
            result = result.quantize(Decimal(1))
    return result


def format_number(value: Decimal | int | None, decimals: int | None = None, lang: str | None = None) -> str:
    """Half-width digits with commas; negatives with ▲ in Japanese (UI.md B6), a minus sign in
    English; None → "—"."""
    if value is None:
        return "—"
    value = Decimal(value)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = ("▲" if _lang(lang) == "ja" else "−") if value < 0 else ""
    text = f"{abs(value):,f}" if decimals is None else f"{abs(value):,.{decimals}f}"
    return sign + text


def format_money(
    yen: int | Decimal | None,
    unit: Unit | str = Unit.MILLION,
    *,
    rounded: bool = False,
    with_unit: bool = False,
    lang: str | None = None,
    signed: bool = False,
) -> str:
    """Whole yen shown in 千円/百万円/億円.

    ``rounded`` marks a figure the source gave rounded: 約 in Japanese, ≈ in English, and no
    false decimals. Negative amounts show ▲; ``signed`` puts + before a positive change
    (after 約: 約+100). None shows "—".
    """
    if yen is None:
        return "—"
    unit = Unit.parse(str(unit))
    lang = _lang(lang)
    value = round_for_unit(yen_in_unit(yen, unit), unit, rounded=rounded)
    decimals = None if rounded else UNIT_DECIMALS[unit]
    text = format_number(value, decimals, lang)
    if signed and value > 0:
        text = "+" + text
    if rounded:
        text = ("約" if lang == "ja" else "≈") + text
    if with_unit:
        text = f"{text}{unit_label(unit, lang)}" if lang == "ja" else f"{text} {unit_label(unit, lang)}"
    return text


def format_percent(
    value: Decimal | float | None, decimals: int = 1, *, signed: bool = False, rounded: bool = False
) -> str:
    """12.3% / ▲3.4% / +3.3% (signed); 約+3.3% / ≈+3.3% when computed from a rounded figure;
    None → "—"."""
    if value is None or value != value:  # None or NaN
        return "—"
    value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format_number(value, decimals)
    if signed and value > 0:
        text = "+" + text
    if rounded:
        text = ("約" if _lang(None) == "ja" else "≈") + text
    return f"{text}%"


def fiscal_year_of(day) -> int:
    """The fiscal year (April–March) a date falls in: 2009-03-31 → 2008, 2009-04-01 → 2009."""
    return day.year if day.month >= 4 else day.year - 1


def current_fiscal_year() -> int:
    """Today's fiscal year in Asia/Tokyo (the project's TIME_ZONE)."""
    from django.utils import timezone

    return fiscal_year_of(timezone.localdate())
