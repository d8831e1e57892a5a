from decimal import Decimal

import pytest
from django.utils import translation

from core.formatting import (
    Unit,
    era_label,
    fiscal_year_label,
    format_money,
    format_percent,
    yen_in_unit,
)


@pytest.mark.parametrize(
    ("fy", "expected"),
    [
        (1926, "昭和元年度"),
        (1950, "昭和25年度"),
        (1988, "昭和63年度"),
        (1989, "平成元年度"),
        (1990, "平成2年度"),
        (2008, "平成20年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),
        (2020, "令和2年度"),
        (2100, "令和82年度"),
    ],
)
def test_era_label_at_every_boundary(fy, expected):
    assert era_label(fy) == expected


def test_no_era_before_showa():
    with pytest.raises(ValueError):
        era_label(1925)


@pytest.mark.parametrize(
    ("fy", "style", "expected"),
    [
        (2008, "full", "2008年度（平成20年度）"),
        (2008, "short", "2008年度"),
        (2008, "prose", "平成20（2008）年度"),
        (1989, "full", "1989年度（平成元年度）"),
        (1988, "prose", "昭和63（1988）年度"),
        (2019, "prose", "令和元（2019）年度"),
        (2019, "full", "2019年度（令和元年度）"),
        (2020, "full", "2020年度（令和2年度）"),
    ],
)
def test_japanese_fiscal_year_labels(fy, style, expected):
    assert fiscal_year_label(fy, style, lang="ja") == expected


@pytest.mark.parametrize("style", ["full", "short", "prose"])
def test_english_fiscal_year_label(style):
    assert fiscal_year_label(2008, style, lang="en") == "FY2008"


def test_label_follows_active_language():
    with translation.override("en"):
        assert fiscal_year_label(2019) == "FY2019"
    with translation.override("ja"):
        assert fiscal_year_label(2019) == "2019年度（令和元年度）"


@pytest.mark.parametrize(
    ("yen", "unit", "rounded", "expected"),
    [
        (26_095_000_000, "million", False, "26,095"),
        (26_095_000_000, "thousand", False, "26,095,000"),
        (26_095_000_000, "hundred-million", False, "260.95"),
        (1_566_000_000, "hundred-million", False, "15.66"),
        (7_500_000_000, "million", True, "約7,500"),
        (7_500_000_000, "hundred-million", True, "約75"),
        (7_740_000_000, "hundred-million", True, "約77.4"),
        (0, "million", False, "0"),
        (-824_000_000, "million", False, "▲824"),
        (1_500_000, "million", False, "2"),  # display rounding is half up (四捨五入)
        (2_500_000, "million", False, "3"),
        (None, "million", False, "—"),
    ],
)
def test_format_money(yen, unit, rounded, expected):
    assert format_money(yen, unit, rounded=rounded, lang="ja") == expected


def test_format_money_english_marks_rounded_with_approx_sign():
    assert format_money(7_500_000_000, Unit.MILLION, rounded=True, lang="en") == "≈7,500"
    assert format_money(26_095_000_000, with_unit=True, lang="en") == "26,095 million yen"
    assert format_money(26_095_000_000, with_unit=True, lang="ja") == "26,095百万円"
    assert format_money(7_500_000_000, "hundred-million", rounded=True, with_unit=True, lang="ja") == "約75億円"


def test_unknown_unit_falls_back_to_million():
    assert Unit.parse("bogus") is Unit.MILLION
    assert Unit.parse(None) is Unit.MILLION
    assert format_money(26_095_000_000, "bogus", lang="ja") == "26,095"


def test_yen_in_unit_is_exact():
    assert yen_in_unit(1, "million") == Decimal("0.000001")
    assert yen_in_unit(26_095_000_000, "hundred-million") == Decimal("260.95")


def test_format_percent():
    assert format_percent(Decimal("3.2606"), signed=True) == "+3.3%"
    assert format_percent(Decimal("-8.25")) == "▲8.3%"
    assert format_percent(None) == "—"


def test_negative_numbers_follow_the_language():
    assert format_money(-824_000_000, lang="ja") == "▲824"
    assert format_money(-824_000_000, lang="en") == "−824"
