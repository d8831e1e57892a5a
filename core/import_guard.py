"""What an uploaded spreadsheet may cost, checked before it is parsed (DESIGN §5 "Imports").

An .xlsx file is a ZIP of XML parts, and openpyxl trusts it: a 260 KB file can unpack to 250 MB,
and a sheet that mentions one cell in row 1,048,576 or column XFD makes the reader walk every
empty row and pad every row to the last column. So before openpyxl sees a workbook, the ZIP
directory is checked (total unpacked size, each part's compression ratio, the shared-strings
part), and every worksheet's XML is streamed through expat — constant memory, no tree, stopping
at the first excess — counting rows, columns and cells *including* empty ones, and the declared
dimension. CSV files are bounded by bytes, records (empty ones included), columns and cells.

The limits are settings (``IMPORT_MAX_*``, documented in the README). Every refusal raises
:class:`LimitExceeded` with a message for the uploader, in their language.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
#: the compression-ratio check applies to parts larger than this (small parts may pack tightly)
RATIO_FLOOR = 1 * MB
#: a workbook has a few dozen parts; thousands mean something else
MAX_PARTS = 1000
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
CELL_REF = re.compile(r"([A-Za-z]{1,3})?(\d+)?")
CHUNK = 64 * 1024


class LimitExceeded(Exception):
    """The file is larger or denser than the import limits allow; ``str()`` is the message."""


def limits() -> dict[str, int]:
    return {
        "rows": settings.IMPORT_MAX_ROWS,
        "columns": settings.IMPORT_MAX_COLUMNS,
        "cells": settings.IMPORT_MAX_CELLS,
        "unpacked": settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
        "shared_strings": settings.IMPORT_MAX_SHARED_STRINGS_BYTES,
        "ratio": settings.IMPORT_MAX_COMPRESSION_RATIO,
    }


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f}".removesuffix(".0")


def rows_message(limit: int) -> str:
    return _(
        "The file has more than %(limit)s data rows (empty rows count too). Split it into smaller files, "
        "or delete the empty rows below the data."
    ) % {"limit": f"{limit:,}"}


def columns_message(limit: int) -> str:
    return _(
        "The file has more than %(limit)s columns (empty columns count too). "
        "Keep only the columns of the export and delete the cells to the right of them."
    ) % {"limit": f"{limit:,}"}


def cells_message(limit: int) -> str:
    return _(
        "The sheet spans more than %(limit)s cells (rows × columns, empty cells included). "
        "Delete the empty rows and columns around the data, or split the file."
    ) % {"limit": f"{limit:,}"}


def check_workbook(content: bytes) -> None:
    """Refuse an .xlsx whose parts unpack beyond the limits, before any XML is parsed.

    Raises LimitExceeded; ``zipfile.BadZipFile`` for a file that is not a ZIP at all (the caller
    reports it as unreadable). Python's zipfile never unpacks more than a part's declared size,
    so checking the declared sizes bounds what openpyxl will read.
    """
    limit = limits()
    archive = zipfile.ZipFile(io.BytesIO(content))
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise LimitExceeded(
            _("This workbook has more than %(limit)s parts; it is not a plain spreadsheet.")
            % {"limit": f"{MAX_PARTS:,}"}
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limit["unpacked"]:
        raise LimitExceeded(
            _(
                "This workbook would take %(size)s MB unpacked, more than the %(limit)s MB allowed. "
                "Save only the data as a new workbook, or as CSV."
            )
            % {"size": _megabytes(unpacked), "limit": _megabytes(limit["unpacked"])}
        )
    for part in parts:
        if part.file_size > RATIO_FLOOR and part.file_size > limit["ratio"] * max(part.compress_size, 1):
            raise LimitExceeded(
                _(
                    "This workbook is compressed unusually tightly (a part expands more than %(ratio)s times), "
                    "so it is refused as a possible zip bomb. Save it again from Excel, or as CSV."
                )
                % {"ratio": limit["ratio"]}
            )
        if part.filename == SHARED_STRINGS and part.file_size > limit["shared_strings"]:
            raise LimitExceeded(
                _("The workbook's shared strings take %(size)s MB unpacked, more than the %(limit)s MB allowed.")
                % {"size": _megabytes(part.file_size), "limit": _megabytes(limit["shared_strings"])}
            )
    for part in parts:
        if WORKSHEET.fullmatch(part.filename):
            with archive.open(part) as stream:
                check_sheet_xml(stream, limit)


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


class _SheetCounter:
    """expat handlers counting a worksheet's extent as the XML streams past."""

    def __init__(self, limit: dict[str, int]):
        self.max_rows = limit["rows"] + 1  # the header row
        self.max_columns = limit["columns"]
        self.max_cells = limit["cells"]
        self.row = 0  # the current row's number
        self.column = 0  # the current cell's column number
        self.widest = 0
        self.cells = 0

    def start(self, name: str, attrs: dict) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "c":
            self.cell(attrs.get("r", ""))
        elif tag == "row":
            self.row = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row + 1
            self.column = 0
            if self.row > self.max_rows:
                raise LimitExceeded(rows_message(self.max_rows - 1))
            self.check_area()
        elif tag == "dimension":
            self.dimension(attrs.get("ref", ""))

    def cell(self, ref: str) -> None:
        match = CELL_REF.fullmatch(ref)
        letters = match.group(1) if match else None
        self.column = column_number(letters) if letters else self.column + 1
        self.cells += 1
        if self.column > self.max_columns:
            raise LimitExceeded(columns_message(self.max_columns))
        if self.column > self.widest:
            self.widest = self.column
            self.check_area()
        if self.cells > self.max_cells:
            raise LimitExceeded(cells_message(self.max_cells))

    def check_area(self) -> None:
        # a reader pads every row to the widest column: that is the work the sheet asks for
        if self.row * max(self.widest, 1) > self.max_cells:
            raise LimitExceeded(cells_message(self.max_cells))

    def dimension(self, ref: str) -> None:
        last = ref.rpartition(":")[2]
        match = CELL_REF.fullmatch(last)
        if not match:
            return
        rows = int(match.group(2)) if match.group(2) else 0
        columns = column_number(match.group(1)) if match.group(1) else 0
        if rows > self.max_rows:
            raise LimitExceeded(rows_message(self.max_rows - 1))
        if columns > self.max_columns:
            raise LimitExceeded(columns_message(self.max_columns))
        if rows * max(columns, 1) > self.max_cells:
            raise LimitExceeded(cells_message(self.max_cells))


def _no_doctype(*args) -> None:
    raise LimitExceeded(_("The workbook contains a document type declaration, which spreadsheets never need."))


def check_sheet_xml(stream, limit: dict[str, int] | None = None) -> None:
    """Stream one worksheet's XML and refuse it (LimitExceeded) as soon as its rows, columns or
    cells — empty ones included, and as declared by its dimension — pass the limits. Malformed XML
    is left for openpyxl to report."""
    counter = _SheetCounter(limit or limits())
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = counter.start
    parser.StartDoctypeDeclHandler = _no_doctype
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        return


def check_csv_record(number: int, cells: tuple, state: dict, limit: dict[str, int] | None = None) -> None:
    """Count one CSV record (``number`` from 1, the header first) against the limits; ``state``
    carries the running cell count. Raises LimitExceeded."""
    limit = limit or state.setdefault("limit", limits())
    if number > limit["rows"] + 1:
        raise LimitExceeded(rows_message(limit["rows"]))
    if len(cells) > limit["columns"]:
        raise LimitExceeded(columns_message(limit["columns"]))
    state["cells"] = state.get("cells", 0) + len(cells)
    if state["cells"] > limit["cells"]:
        raise LimitExceeded(cells_message(limit["cells"]))
