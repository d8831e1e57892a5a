"""A streaming XLSX writer: the few parts of SpreadsheetML our exports use, written row by row.

Why not openpyxl or XlsxWriter: both build a Python object and run a generic serializer per
cell; at 50,000 rows × 14 columns that is 14 s (openpyxl, write-only) or 6 s (XlsxWriter,
constant_memory) of CPU, against 1 s here (bench/exports.py). This module writes each row as
one XML string straight into the ZIP entry, so memory stays flat at any size: only the
compressed workbook grows. openpyxl still reads workbooks (imports) and checks these in tests.

What a workbook holds: sheets of rows (inline strings; numbers with a per-column number
format), column widths, a frozen header row, a bold style — and nothing else. Cells are typed
as openpyxl typed them (``t="n"`` with ``%.16g`` digits, ``t="inlineStr"``), so a workbook
written here reads back cell for cell, type and number format as before.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: number formats Excel knows by id (ECMA-376 §18.8.30); any other gets an id from 164 up
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
#: what XML 1.0, so a cell, cannot hold: replaced by U+FFFD rather than written as a broken file
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: what xml_text has to change in a text: markup characters and those XML forbids
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: beyond ±2**53 an integer is not exact in a double: written as openpyxl did, with 16 digits
_EXACT = 2**53
_T_PRESERVE = '<t xml:space="preserve">'
_XML_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xml_text(text: str) -> str:
    """``text`` escaped for an XML element, characters XML forbids replaced by U+FFFD."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return XML_ILLEGAL.sub("\ufffd", text)


def number_text(value) -> str | None:
    """The digits of a numeric cell, as openpyxl wrote them (``%.16g``); None when not finite."""
    if type(value) is int and -_EXACT < value < _EXACT:
        return str(value)
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return None
    return format(float(value), ".16g")


class Sheet:
    """One worksheet being written: rows are appended in order, turned into XML at once and
    handed to the ZIP entry a few hundred at a time; nothing is kept."""

    FLUSH_ROWS = 500

    def __init__(self, handle, *, number_styles: list[int]):
        self._handle = handle
        self._row = 0
        self._pending: list[str] = []
        self._letters: list[str] = []
        self._styles = [f' s="{s}"' if s else "" for s in number_styles]

    def _columns(self, count: int):
        while len(self._letters) < count:
            self._letters.append(column_letter(len(self._letters) + 1))
            if len(self._styles) < len(self._letters):
                self._styles.append("")
        return zip(self._letters, self._styles, strict=False)

    def append(self, values, *, style: int = 0) -> None:
        """One row. None leaves the cell out; "" is an empty text cell; other str is text; int,
        float and Decimal are numbers in the column's number style; bool is a boolean. ``style``
        (the header's bold) applies to every cell of the row instead."""
        n = self._row = self._row + 1
        row_style = f' s="{style}"' if style else ""
        parts = self._pending
        parts.append(f'<row r="{n}">')
        for (letter, number_style), value in zip(self._columns(len(values)), values, strict=False):
            if value is None:
                continue
            kind = value.__class__
            if kind is str:
                if not value:  # as openpyxl wrote an empty string: a text cell without text
                    parts.append(f'<c r="{letter}{n}"{row_style} t="inlineStr"/>')
                    continue
                if _NEEDS_ESCAPE.search(value):
                    value = xml_text(value)
                # leading or trailing blanks survive only with xml:space (where openpyxl set it)
                t = _T_PRESERVE if (value[0].isspace() or value[-1].isspace()) and not value.isspace() else "<t>"
                parts.append(f'<c r="{letter}{n}"{row_style} t="inlineStr"><is>{t}{value}</t></is></c>')
            elif kind is int and -_EXACT < value < _EXACT:
                parts.append(f'<c r="{letter}{n}"{row_style or number_style} t="n"><v>{value}</v></c>')
            elif kind is int or kind is float or kind is Decimal:
                digits = number_text(value)
                if digits is not None:
                    parts.append(f'<c r="{letter}{n}"{row_style or number_style} t="n"><v>{digits}</v></c>')
            elif kind is bool:
                parts.append(f'<c r="{letter}{n}"{row_style} t="b"><v>{int(value)}</v></c>')
            else:
                raise TypeError(f"An XLSX cell cannot hold {kind.__name__}: {value!r}")
        parts.append("</row>")
        if n % self.FLUSH_ROWS == 0:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._handle.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()


class Workbook:
    """An XLSX file written into ``file`` (a binary file object). Use as a context manager;
    sheets are written one after the other, each inside ``with workbook.sheet(...) as sheet``."""

    def __init__(self, file):
        self._zip = zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED)
        self._titles: list[str] = []
        self._formats: dict[str, int] = {}
        self._xfs: list[tuple[int, int]] = [(0, 0)]  # (number format id, font id); 0 = default

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        else:
            self._zip.close()

    def style(self, *, number_format: str = "General", bold: bool = False) -> int:
        """The id of a cell style with this number format and weight (one per combination)."""
        if number_format in BUILTIN_FORMATS:
            format_id = BUILTIN_FORMATS[number_format]
        else:
            format_id = self._formats.setdefault(number_format, 164 + len(self._formats))
        xf = (format_id, 1 if bold else 0)
        if xf not in self._xfs:
            self._xfs.append(xf)
        return self._xfs.index(xf)

    def sheet(self, title: str, *, widths: list[float] = (), number_styles: list[int] = (), freeze_header=False):
        """A context manager giving a :class:`Sheet`; ``title`` must already be a valid sheet name."""
        return _SheetContext(self, title, list(widths), list(number_styles), freeze_header)

    def close(self) -> None:
        count = len(self._titles)
        sheets = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{i}" r:id="rId{i}"/>'
            for i, title in enumerate(self._titles, start=1)
        )
        self._write(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView activeTab="0"/></bookViews>'
            f'<sheets>{sheets}</sheets><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>',
        )
        relations = [(f"{RELS}/worksheet", f"worksheets/sheet{i}.xml") for i in range(1, count + 1)]
        relations.append((f"{RELS}/styles", "styles.xml"))
        self._write("xl/_rels/workbook.xml.rels", _relationships(relations))
        self._write("xl/styles.xml", self._styles_xml())
        self._write(
            "_rels/.rels",
            _relationships(
                [
                    (f"{RELS}/officeDocument", "xl/workbook.xml"),
                    (f"{PACKAGE_RELS}/metadata/core-properties", "docProps/core.xml"),
                    (f"{RELS}/extended-properties", "docProps/app.xml"),
                ]
            ),
        )
        created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._write(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Kakehashi</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified></cp:coreProperties>',
        )
        self._write(
            "docProps/app.xml",
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>Kakehashi</Application></Properties>",
        )
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        self._write(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{sheet_types}"
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
        )
        self._zip.close()

    def _write(self, name: str, xml: str) -> None:
        self._zip.writestr(name, _XML_HEADER + xml)

    def _styles_xml(self) -> str:
        formats = "".join(f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>' for code, i in self._formats.items())
        xfs = "".join(
            f'<xf numFmtId="{number}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            + (' applyNumberFormat="1"' if number else "")
            + (' applyFont="1"' if font else "")
            + "/>"
            for number, font in self._xfs
        )
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
        return (
            f'<styleSheet xmlns="{MAIN}">'
            + (f'<numFmts count="{len(self._formats)}">{formats}</numFmts>' if self._formats else "")
            + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self._xfs)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


class _SheetContext:
    def __init__(self, workbook: Workbook, title: str, widths, number_styles, freeze_header):
        self.workbook, self.title, self.widths = workbook, title, widths
        self.number_styles, self.freeze_header = number_styles, freeze_header

    def __enter__(self) -> Sheet:
        workbook = self.workbook
        workbook._titles.append(self.title)
        name = f"xl/worksheets/sheet{len(workbook._titles)}.xml"
        self.handle = workbook._zip.open(name, "w")
        if self.freeze_header:
            view = (
                '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
            )
        else:
            view = '<sheetView workbookViewId="0"/>'
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'
            for i, width in enumerate(self.widths, start=1)
        )
        self.handle.write(
            (
                f'{_XML_HEADER}<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews>{view}</sheetViews>'
                '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "")
                + "<sheetData>"
            ).encode("utf-8")
        )
        self.sheet = Sheet(self.handle, number_styles=self.number_styles)
        return self.sheet

    def __exit__(self, *exc):
        if exc[0] is None:
            self.sheet.flush()
            self.handle.write(
                b'</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
                b'footer="0.5"/></worksheet>'
            )
        self.handle.close()


def _relationships(relations: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(relations, start=1)
    )
    return f'<Relationships xmlns="{PACKAGE_RELS}">{items}</Relationships>'
