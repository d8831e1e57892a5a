"""CSV and XLSX writers shared by every list, report and chart (DESIGN §5).

CSV: UTF-8 with BOM and CRLF by default (opens correctly in Japanese Excel); ``cp932`` gives
Shift_JIS with unrepresentable characters replaced and counted (X-Replaced-Characters).
Streamed row by row, so memory stays flat at any size. Plain numbers; the unit is in the
header; text that a spreadsheet would run as a formula is prefixed with ' (numbers never are) —
headers, sheet names, file names and the About sheet included (``looks_like_formula``).
XLSX (core/xlsx.py, streamed): typed numeric cells with a number format, a frozen header row,
column widths, and an "About" sheet with the filters, units, data-as-of time and sources.

Rows are tuples in the order of the columns (the list exports: programs/exports.py,
clusters/exports.py) or dicts keyed by column key (small report tables). Each column's
conversion is chosen once per export, not per cell, so a national-size export stays within a
small factor of PostgreSQL's own ``COPY`` (bench/exports.py).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language

from .formatting import UNIT_DIVISOR, Unit, unit_label

#: what a spreadsheet may read as the start of a formula (after tab, CR or LF, or once leading
#: blanks are skipped): = + - @, their full-width and small forms (＝＋－＠, ﹦﹢﹣﹫, by NFKC) and U+2212 −
_FORMULA_CHARS = frozenset("=+-@\u2212")
#: skipped before looking at the first character: any Unicode blank (incl. the full-width space)
#: and the invisible zero-width characters
_LEADING_BLANKS = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]*")
#: every character whose NFKC form is one of _FORMULA_CHARS (tests/reports/test_export_speed_shape.py
#: checks this list against unicodedata over all of Unicode)
_FORMULA_LOOKALIKES = frozenset(
    "=+-@\u2212\u207a\u207b\u207c\u208a\u208b\u208c\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
)
#: what a text must start with for looks_like_formula to be true: tab, CR, LF, a formula
#: character or a blank (all Unicode blanks lie below U+3001). Any other first character settles
#: it, so most cells are decided by one set lookup.
_RISKY_FIRST = (
    _FORMULA_LOOKALIKES
    | frozenset("\t\r\n\ufeff")
    | frozenset(c for c in map(chr, range(0x3001)) if _LEADING_BLANKS.match(c).end())
)
#: never in a sheet name (Excel refuses them); a sheet name may not start or end with '
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
#: never in a file name
_FILENAME_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
ENCODINGS = ("utf-8", "cp932")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One export column: a stable key (used by imports), labels in both languages, a kind.

    kinds: ``text``; ``int``; ``money`` (whole yen shown in the chosen unit); ``yen`` (whole yen);
    ``decimal``; ``date``.
    """

    key: str
    label_ja: str
    label_en: str
    kind: str = "text"
    description_ja: str = ""
    description_en: str = ""

    def label(self, lang: str, unit: Unit) -> str:
        base = self.label_en if lang == "en" else self.label_ja
        if self.kind == "money":
            return f"{base} ({unit_label(unit, 'en')})" if lang == "en" else f"{base}（{unit_label(unit, 'ja')}）"
        return base

    def labels(self) -> set[str]:
        """Every header this column may carry (both languages, every unit) — for imports."""
        return {self.label(lang, unit) for lang in ("ja", "en") for unit in Unit} | {self.key}


def lang() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def looks_like_formula(text: str) -> bool:
    """Whether Excel or LibreOffice could take ``text`` for a formula: it starts with tab, CR or
    LF, or its first character after any blanks is = + - @ in ASCII, full-width or small form, or
    the minus sign U+2212."""
    if not text:
        return False
    if text[0] in "\t\r\n":
        return True
    first = text[_LEADING_BLANKS.match(text).end() :][:1]
    return bool(first) and (first in _FORMULA_CHARS or unicodedata.normalize("NFKC", first) in _FORMULA_CHARS)


def escape_formula(text: str) -> str:
    """Text that begins like a formula gets a leading apostrophe; other text is unchanged."""
    return "'" + text if text[:1] in _RISKY_FIRST and looks_like_formula(text) else text


def _strip_formula_start(text: str) -> str:
    """``text`` without the blanks and formula characters it starts with (for names where a
    leading apostrophe is not allowed or not wanted: sheet and file names)."""
    while text and (looks_like_formula(text) or text[:1].isspace()):
        text = text[_LEADING_BLANKS.match(text).end() :]
        if looks_like_formula(text):
            text = text[1:]
    return text


def sheet_title(title: str, default: str = "Data") -> str:
    """A worksheet name Excel accepts and never reads as a formula: no []:*?/\\, no leading
    formula character or apostrophe, at most 31 characters."""
    text = _strip_formula_start(_SHEET_FORBIDDEN.sub("_", title or "")).strip("'")[:31].strip("'").strip()
    return text or default


def plain(value, column: Column, unit: Unit):
    """The value as written: numbers plain (no separators, never escaped), text escaped."""
    if value is None:
        return ""
    if column.kind == "money":
        amount = Decimal(value) / UNIT_DIVISOR[unit]
        return format(amount.normalize(), "f") if amount else "0"
    if column.kind in ("int", "yen"):
        return str(int(value))
    if column.kind == "decimal":
        return format(Decimal(str(value)).normalize(), "f")
    if column.kind == "number":
        return (
            str(value) if isinstance(value, (int, Decimal, float)) or _is_number(value) else escape_formula(str(value))
        )
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    return escape_formula(str(value))


def _is_number(value) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return str(value).strip() not in ("", "NaN", "nan")


# --- per-column conversions, chosen once per export ------------------------------------------


def _money_text(unit: Unit) -> Callable[[int], str]:
    """``yen -> plain()`` of a money cell for whole yen: the digits Decimal(yen) / divisor,
    normalized, gives — by integer arithmetic, exact at any size."""
    divisor = UNIT_DIVISOR[unit]
    places = len(str(divisor)) - 1

    def money(yen: int) -> str:
        whole, fraction = divmod(-yen if yen < 0 else yen, divisor)
        sign = "-" if yen < 0 else ""
        if fraction:
            return f"{sign}{whole}.{str(fraction).zfill(places).rstrip('0')}"
        return f"{sign}{whole}" if whole else "0"

    return money


def _by_kind(columns: list[Column]) -> tuple[list[int], list[int], list[int], list[tuple[int, Column]]]:
    """Column positions by what a row converter does with them: text (and date), integers, money,
    and the others (converted cell by cell)."""
    texts = [i for i, c in enumerate(columns) if c.kind in ("text", "date")]
    integers = [i for i, c in enumerate(columns) if c.kind in ("int", "yen")]
    money = [i for i, c in enumerate(columns) if c.kind == "money"]
    others = [(i, c) for i, c in enumerate(columns) if c.kind not in ("text", "date", "int", "yen", "money")]
    return texts, integers, money, others


def _csv_row(columns: list[Column], unit: Unit) -> Callable[[Sequence], list]:
    """``row -> the fields csv.writer gets``, equal to ``[plain(v, c, unit) for …]``. The kind of
    each column is looked at once; per cell only the common cases are tested inline: text that
    is a str not starting with a risky character, an int in a numeric column, and None pass as
    they are (csv.writer writes None as an empty field), money in whole yen is divided exactly.
    Anything else goes through plain()."""
    texts, integers, money, others = _by_kind(columns)
    columns = list(columns)
    keys = [c.key for c in columns]
    width = len(keys)
    money_text = _money_text(unit)
    risky = _RISKY_FIRST

    def convert(row: Sequence | dict) -> list:
        row = list(row) if row.__class__ is tuple and len(row) == width else _as_list(row, keys)
        for i in texts:
            value = row[i]
            if value.__class__ is not str or value[:1] in risky:
                row[i] = None if value is None else plain(value, columns[i], unit)
        for i in integers:
            value = row[i]
            if value.__class__ is not int and value is not None:
                row[i] = int(value) if value.__class__ is bool else plain(value, columns[i], unit)
        for i in money:
            value = row[i]
            if value.__class__ is int:
                row[i] = money_text(value)
            elif value is not None:
                row[i] = plain(value, columns[i], unit)
        for i, column in others:
            row[i] = plain(row[i], column, unit)
        return row

    return convert


#: XLSX number format per column kind (money: per unit)
_MONEY_FORMATS = {Unit.THOUSAND: "#,##0", Unit.MILLION: "#,##0.######", Unit.HUNDRED_MILLION: "#,##0.########"}
_NUMBER_FORMATS = {"int": "0", "yen": "#,##0", "decimal": "0.0", "number": "#,##0.########"}
#: below this an integer number of yen divided by a power of ten gives, as a float, exactly the
#: double that Decimal(yen) / divisor converts to (both operands exact, one rounding)
_EXACT = 2**53


def _xlsx_cell(value, column: Column, unit: Unit):
    """The cell value of ``value`` in ``column``: a number for numeric kinds (money in the unit),
    else the text as plain() writes it (formula-escaped); None stays None."""
    if value is None:
        return None
    if column.kind == "money":
        return Decimal(value) / UNIT_DIVISOR[unit]
    if column.kind in ("int", "yen"):
        return int(value)
    if column.kind == "decimal" or (column.kind == "number" and _is_number(value)):
        return Decimal(str(value))
    return plain(value, column, unit)


def _xlsx_row(columns: list[Column], unit: Unit) -> Callable[[Sequence], list]:
    """``row -> cell values``, equal to ``[_xlsx_cell(v, c, unit) for …]`` with the common cases
    inline (as _csv_row): safe text and None pass, ints pass, whole yen becomes a float in the
    unit — the same double as Decimal(yen) / divisor while the yen are exact in a double."""
    texts, integers, money, others = _by_kind(columns)
    columns = list(columns)
    keys = [c.key for c in columns]
    width = len(keys)
    divisor = UNIT_DIVISOR[unit]
    risky = _RISKY_FIRST

    def convert(row: Sequence | dict) -> list:
        row = list(row) if row.__class__ is tuple and len(row) == width else _as_list(row, keys)
        for i in texts:
            value = row[i]
            if value.__class__ is not str or value[:1] in risky:
                row[i] = _xlsx_cell(value, columns[i], unit)
        for i in integers:
            value = row[i]
            if value.__class__ is not int and value is not None:
                row[i] = int(value)
        for i in money:
            value = row[i]
            if value.__class__ is int and -_EXACT < value < _EXACT:
                row[i] = value / divisor
            else:
                row[i] = _xlsx_cell(value, columns[i], unit)
        for i, column in others:
            row[i] = _xlsx_cell(row[i], column, unit)
        return row

    return convert


def _as_list(row: Sequence | dict, keys: list[str]) -> list:
    """A row as a list in column order: a dict is read by column key (missing keys are None), a
    sequence must hold one value per column."""
    if isinstance(row, dict):
        return [row.get(key) for key in keys]
    if len(row) != len(keys):
        raise ValueError(f"A row of {len(row)} values for {len(keys)} columns")
    return list(row)


def export_filename(what: str, fy_from: int | None, fy_to: int | None, ext: str) -> str:
    """``<what>_<fy-range>_<YYYYMMDD>.<ext>``, e.g. budget-lines_2003-2010_20261129.csv."""
    what = _strip_formula_start(_FILENAME_FORBIDDEN.sub("_", what)).strip(". ") or "export"
    span = f"{fy_from or ''}-{fy_to or ''}" if (fy_from or fy_to) else "all"
    if fy_from and fy_from == fy_to:
        span = str(fy_from)
    return f"{what}_{span}_{timezone.localdate():%Y%m%d}.{ext}"


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, error: UnicodeEncodeError):
        self.count += error.end - error.start
        return ("?" * (error.end - error.start), error.end)


CHUNK_ROWS = 1000


def iter_csv_lines(columns: list[Column], rows: Iterable, unit: Unit, language: str | None = None) -> Iterator[str]:
    """The CSV text in chunks of CHUNK_ROWS lines (header first), CRLF line ends. ``rows`` are
    tuples in column order or dicts keyed by column key. ``language`` fixes the header language
    (a streamed body is produced after the request's language is gone)."""
    language = language or lang()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(c.label(language, unit)) for c in columns])
    convert = _csv_row(columns, unit)
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        writer.writerows(map(convert, chunk))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def count_cp932_replacements(columns: list[Column], rows: Iterable[dict], unit: Unit) -> int:
    counter = _Counter()
    name = f"kakehashi-count-{id(counter)}"
    codecs.register_error(name, counter)
    for line in iter_csv_lines(columns, rows, unit):
        line.encode("cp932", errors=name)
    return counter.count


def csv_response(
    *,
    filename: str,
    columns: list[Column],
    rows: Callable[[], Iterable[dict]],
    unit: Unit,
    encoding: str = "utf-8",
) -> StreamingHttpResponse:
    """A streamed CSV. ``rows`` is called once per pass (cp932 needs a counting pass first, so
    that the number of replaced characters can go into the response header)."""
    encoding = encoding if encoding in ENCODINGS else "utf-8"
    language = lang()  # decided now: the body is streamed after the view has returned
    if encoding == "cp932":
        replaced = count_cp932_replacements(columns, rows(), unit)

        def body():
            for line in iter_csv_lines(columns, rows(), unit, language):
                yield line.encode("cp932", errors="replace")

        content_type = "text/csv; charset=Shift_JIS"
    else:
        replaced = 0

        def body():
            yield codecs.BOM_UTF8
            for line in iter_csv_lines(columns, rows(), unit, language):
                yield line.encode("utf-8")

        content_type = "text/csv; charset=utf-8"
    response = StreamingHttpResponse(body(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Replaced-Characters"] = str(replaced)
    return response


def xlsx_text(text: str) -> str:
    """``text`` as an XLSX cell can hold it: characters XML forbids (control characters that
    reached the database before the forms refused them, or by other ways in) become U+FFFD, so
    they show up as � instead of failing the whole export. (core.xlsx applies it to every cell.)"""
    from .xlsx import XML_ILLEGAL

    return XML_ILLEGAL.sub("\ufffd", text)


def xlsx_response(
    *, filename: str, columns: list[Column], rows: Iterable, unit: Unit, about: list[tuple[str, str]], title: str
) -> HttpResponse:
    """An XLSX workbook: the data sheet (typed numbers, frozen bold header, widths) and "About".
    Rows are written as they are read (core/xlsx.py), so memory holds the compressed file, not
    the rows."""
    from .xlsx import Workbook

    language = lang()
    headers = [xlsx_text(escape_formula(c.label(language, unit))) for c in columns]
    buffer = io.BytesIO()
    with Workbook(buffer) as workbook:
        bold = workbook.style(bold=True)
        number_styles = [
            workbook.style(number_format=_MONEY_FORMATS[unit] if c.kind == "money" else _NUMBER_FORMATS[c.kind])
            if c.kind == "money" or c.kind in _NUMBER_FORMATS
            else 0
            for c in columns
        ]
        widths = [min(60, max(10, len(h) * 2 + 2)) for h in headers]
        convert = _xlsx_row(columns, unit)
        title = sheet_title(xlsx_text(title))
        with workbook.sheet(title, widths=widths, number_styles=number_styles, freeze_header=True) as sheet:
            sheet.append(headers, style=bold)
            for row in rows:
                sheet.append(convert(row))
        with workbook.sheet("About", widths=[28, 100]) as sheet:
            for key, value in [*about, ("", ""), *legend()]:
                sheet.append([escape_formula(str(key)), escape_formula(str(value))])
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def legend() -> list[tuple[str, str]]:
    """What every About sheet says about precision and source kinds (DESIGN §2b)."""
    from django.utils.translation import gettext as _

    return [
        (_("Precision"), _(
            "As stated in the source (出典記載の数値): the source's own digits, not a claim that the figure is final. "
            "Rounded (概数（約）): the source gave the figure rounded (約75億円); any sum, change or share using it "
            "is rounded too."
        )),
        (_("Kinds of source"), _(
            "Official: a ministry or agency document. Press: other publications. Reported (地域からの報告): entered "
            "by a region's coordinator, not published by the ministry. Illustrative (例示データ): demo figures "
            "invented to show the pages — not real."
        )),
    ]  # fmt: skip


def export_response(
    request,
    *,
    what: str,
    columns: list[Column],
    rows: Callable[[], Iterable[dict]],
    unit: Unit,
    fy_from: int | None = None,
    fy_to: int | None = None,
    about: list[tuple[str, str]] | None = None,
):
    """The CSV or XLSX download asked for by ``?export=`` (and ``&encoding=cp932``)."""
    kind = request.GET.get("export")
    filename = export_filename(what, fy_from, fy_to, "xlsx" if kind == "xlsx" else "csv")
    if kind == "xlsx":
        return xlsx_response(filename=filename, columns=columns, rows=rows(), unit=unit, about=about or [], title=what)
    return csv_response(
        filename=filename, columns=columns, rows=rows, unit=unit, encoding=request.GET.get("encoding", "utf-8")
    )
