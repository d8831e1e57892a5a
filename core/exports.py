"""CSV and XLSX writers shared by every list, report and chart (DESIGN §5).

CSV: UTF-8 with BOM and CRLF by default (opens correctly in Japanese Excel); ``cp932`` gives
Shift_JIS with unrepresentable characters replaced and counted (X-Replaced-Characters).
Streamed row by row, so memory stays flat at any size. Plain numbers; the unit is in the
header; text that a spreadsheet would run as a formula is prefixed with ' (numbers never are) —
headers, sheet names, file names and the About sheet included (``looks_like_formula``).
XLSX (openpyxl, write-only): typed numeric cells with a number format, a frozen header row,
column widths, and an "About" sheet with the filters, units, data-as-of time and sources.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
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
    return "'" + text if looks_like_formula(text) else text


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


def iter_csv_lines(
    columns: list[Column], rows: Iterable[dict], unit: Unit, language: str | None = None
) -> Iterator[str]:
    """The CSV text in chunks of CHUNK_ROWS lines (header first), CRLF line ends. ``language``
    fixes the header language (a streamed body is produced after the request's language is gone)."""
    language = language or lang()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(c.label(language, unit)) for c in columns])
    pending = 1
    for row in rows:
        writer.writerow([plain(row.get(c.key), c, unit) for c in columns])
        pending += 1
        if pending >= CHUNK_ROWS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
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


#: what XML 1.0, so an XLSX cell, cannot hold (openpyxl refuses it rather than write a broken file)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xlsx_text(text: str) -> str:
    """``text`` as an XLSX cell can hold it: characters XML forbids (control characters that
    reached the database before the forms refused them, or by other ways in) become U+FFFD, so
    they show up as � instead of failing the whole export."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def xlsx_response(
    *, filename: str, columns: list[Column], rows: Iterable[dict], unit: Unit, about: list[tuple[str, str]], title: str
) -> HttpResponse:
    """An XLSX workbook: the data sheet (typed numbers, frozen header, widths) and "About"."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    language = lang()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(xlsx_text(title)))
    sheet.freeze_panes = "A2"
    headers = [xlsx_text(escape_formula(c.label(language, unit))) for c in columns]
    widths = [min(60, max(10, len(h) * 2 + 2)) for h in headers]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    decimals = {Unit.THOUSAND: "#,##0", Unit.MILLION: "#,##0.######", Unit.HUNDRED_MILLION: "#,##0.########"}
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column.key)
            if value is None:
                cells.append(None)
                continue
            if column.kind == "money":
                cell = WriteOnlyCell(sheet, value=Decimal(value) / UNIT_DIVISOR[unit])
                cell.number_format = decimals[unit]
            elif column.kind in ("int", "yen"):
                cell = WriteOnlyCell(sheet, value=int(value))
                cell.number_format = "#,##0" if column.kind == "yen" else "0"
            elif column.kind == "decimal":
                cell = WriteOnlyCell(sheet, value=Decimal(str(value)))
                cell.number_format = "0.0"
            elif column.kind == "number" and _is_number(value):
                cell = WriteOnlyCell(sheet, value=Decimal(str(value)))
                cell.number_format = "#,##0.########"
            else:
                cell = WriteOnlyCell(sheet, value=xlsx_text(plain(value, column, unit)))
            cells.append(cell)
        sheet.append(cells)
    about_sheet = workbook.create_sheet(title="About")
    about_sheet.column_dimensions["A"].width = 28
    about_sheet.column_dimensions["B"].width = 100
    for key, value in [*about, ("", ""), *legend()]:
        about_sheet.append([xlsx_text(escape_formula(str(key))), xlsx_text(escape_formula(str(value)))])
    buffer = io.BytesIO()
    workbook.save(buffer)
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
