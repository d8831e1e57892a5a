"""Spreadsheet imports, the generic half (DESIGN §5 "Imports"): read a CSV or XLSX file, map its
headers to export column keys, parse cells, and run the preview → apply flow every importer shares.

Nothing here knows a domain model: ``programs.imports`` and ``clusters.imports`` subclass
:class:`Importer` with their columns, natural keys and scope. Every write goes through
``core.services.save_tracked_many`` inside one transaction, so an import validates, checks versions,
records the uploader in history and re-checks scope exactly like a form does — with the writes
batched (bulk inserts and updates with their history records), so 50,000 rows confirm in seconds.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import json
import re
import unicodedata
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .exports import Column, lang, looks_like_formula
from .formatting import UNIT_DIVISOR, Unit, format_number
from .forms import MAX_YEN, control_characters_message, normalise_number
from .import_guard import LimitExceeded, check_csv_record, check_workbook, rows_message
from .models import FY_MAX, FY_MIN
from .services import StaleVersion, TrackedWrite, WritesRefused, save_tracked_many

#: the largest file accepted (10 MB; settings.IMPORT_MAX_BYTES)
MAX_BYTES = settings.IMPORT_MAX_BYTES
#: the most data rows accepted, empty rows included (the header row not counted; settings.IMPORT_MAX_ROWS)
MAX_ROWS = settings.IMPORT_MAX_ROWS
EXTENSIONS = (".csv", ".xlsx")

ENCODING_LABELS = {
    "utf-8-sig": gettext_lazy("UTF-8 (with BOM)"),
    "utf-8": gettext_lazy("UTF-8 (without BOM)"),
    "cp932": gettext_lazy("Shift_JIS (cp932)"),
    "xlsx": gettext_lazy("Excel workbook (XLSX)"),
}

CREATE, CHANGE, UNCHANGED, ERROR = "create", "change", "unchanged", "error"
WRITES = (CREATE, CHANGE)
NEGATIVE_MARKS = ("-", "−", "▲", "△")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (type, size, encoding, headers). Nothing is stored."""

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(str(m) for m in self.messages))


class ImportRefused(Exception):
    """At least one row has an error: nothing was written. ``rows`` carry the messages."""

    def __init__(self, rows: list[PreviewRow]):
        super().__init__("import refused")
        self.rows = rows


class CellError(ValueError):
    """One cell cannot be read; the message is shown next to the row."""


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One data row: its row number in the spreadsheet (the header is row 1) and its cells."""

    line: int
    cells: tuple


@dataclass
class Table:
    """What :func:`read_table` found. Unpacks as ``headers, rows``; ``encoding`` is a key of
    ENCODING_LABELS."""

    headers: list[str]
    rows: list[Row]
    encoding: str

    def __iter__(self):
        return iter((self.headers, self.rows))

    @property
    def encoding_label(self) -> str:
        return str(ENCODING_LABELS.get(self.encoding, self.encoding))


def extension(filename: str) -> str:
    name = (filename or "").lower().strip()
    return next((ext for ext in EXTENSIONS if name.endswith(ext)), "")


def too_big_message() -> str:
    return _("The file is larger than %(limit)s MB. Split it into smaller files.") % {
        "limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)
    }


def read_table(filename: str, content: bytes) -> Table:
    """The header row and the non-empty data rows of a .csv or .xlsx file (first sheet).

    CSV text may be UTF-8 with or without BOM, or cp932 (Shift_JIS); anything else is refused.
    Raises ImportFileError for a wrong file type, a file over the import limits (bytes; rows,
    columns and cells with empty ones counted; for .xlsx also its unpacked size, compression
    ratio and shared strings, checked before parsing: core.import_guard), an undecodable or
    unreadable file, or a file without a header row.
    """
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(too_big_message())
    ext = extension(filename)
    if not ext:
        raise ImportFileError(
            _("Upload a CSV (.csv) or Excel (.xlsx) file; “%(name)s” is neither.") % {"name": filename}
        )
    if not content:
        raise ImportFileError(_("The file is empty."))
    if ext == ".csv":
        text, encoding = decode_csv(content)
        return _collect(_csv_records(text), encoding)
    return _read_xlsx(content)


def decode_csv(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with BOM, UTF-8 without BOM, else cp932; else ImportFileError."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise ImportFileError(_("The file starts like UTF-8 but is not valid UTF-8 text.")) from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in content:
        raise ImportFileError(
            _(
                "This is not a CSV text file (it looks like UTF-16 text or a binary file). "
                "Save it as “CSV UTF-8” or as CSV (Shift_JIS) and upload it again."
            )
        )
    for encoding in ("utf-8", "cp932"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _(
            "The text encoding of this file could not be recognised: it is neither UTF-8 nor Shift_JIS "
            "(cp932). Save it as “CSV UTF-8” and upload it again."
        )
    )


def _csv_records(text: str) -> Iterable[tuple]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            yield tuple(record)
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file is malformed near line %(line)s (%(problem)s).")
            % {"line": reader.line_num, "problem": error}
        ) from None


def _unreadable_workbook() -> ImportFileError:
    return ImportFileError(
        _("This file could not be read as an Excel workbook (.xlsx). Save it again as .xlsx or as CSV.")
    )


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        check_workbook(content)  # before openpyxl parses anything
    except LimitExceeded as error:
        raise ImportFileError(str(error)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError):
        raise _unreadable_workbook() from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a damaged or foreign file raises many kinds of errors
        raise _unreadable_workbook() from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        try:
            return _collect(
                (tuple(_xlsx_value(v) for v in values) for values in sheet.iter_rows(values_only=True)), "xlsx"
            )
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(_("The first sheet of this workbook could not be read.")) from None
    finally:
        workbook.close()


def _xlsx_value(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _trim(cells: tuple) -> tuple:
    end = len(cells)
    while end and is_blank(cells[end - 1]):
        end -= 1
    return cells[:end]


def _collect(records: Iterable[tuple], encoding: str) -> Table:
    headers = None
    rows: list[Row] = []
    counted: dict = {}
    for number, cells in enumerate(records, start=1):
        try:
            check_csv_record(number, cells, counted)  # every record counts, empty ones too
        except LimitExceeded as error:
            raise ImportFileError(str(error)) from None
        cells = _trim(cells)
        if headers is None:
            if not cells:
                raise ImportFileError(_("The first row must hold the column headers, but it is empty."))
            headers = ["" if c is None else str(c).strip() for c in cells]
            continue
        if not cells:
            continue
        if len(rows) >= settings.IMPORT_MAX_ROWS:
            raise ImportFileError(rows_message(settings.IMPORT_MAX_ROWS))
        rows.append(Row(number, cells))
    if headers is None:
        raise ImportFileError(_("The file is empty."))
    return Table(headers, rows, encoding)


# --- staging: the parsed rows kept between upload, preview and confirmation ---------------------------

#: staged tables start with this, so they are never mistaken for an uploaded file
STAGED = b"kakehashi-staged-table:1\n"


def _plain_cell(value):
    """A cell as JSON keeps it: str, int, float and None stay; anything else becomes text."""
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def stage_table(table: Table) -> bytes:
    """The parsed table as stored in ImportBatch.content (compressed JSON): the file is parsed
    once, at upload; the preview and the confirmation read these rows back with staged_table."""
    data = {
        "encoding": table.encoding,
        "headers": table.headers,
        "rows": [[row.line, [_plain_cell(c) for c in row.cells]] for row in table.rows],
    }
    return STAGED + zlib.compress(json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8"))


def staged_table(filename: str, content: bytes) -> Table:
    """The Table staged by stage_table; an upload stored raw (before staging existed) is read as
    a file."""
    if not content.startswith(STAGED):
        return read_table(filename, content)
    data = json.loads(zlib.decompress(content[len(STAGED) :]))
    return Table(data["headers"], [Row(line, tuple(cells)) for line, cells in data["rows"]], data["encoding"])


class BoundedMemoryUploadHandler(FileUploadHandler):
    """Keeps an upload in memory (never on local disk: the app is stateless) and stops storing it
    past ``limit`` bytes. The size reported is the real size, so the view can say "too big"."""

    def __init__(self, request=None, limit: int = MAX_BYTES):
        super().__init__(request)
        self.limit = limit

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = io.BytesIO()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        room = self.limit + 1 - self.file.tell()
        if room > 0:
            self.file.write(raw_data[:room])
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


# --- headers ---------------------------------------------------------------------------------------


def normalise_header(text) -> str:
    """Headers compare after NFKC (full-width brackets), whitespace folding and case folding."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text))).strip().casefold()


def header_lookup(columns: list[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for label in column.labels():
            key = lookup.setdefault(normalise_header(label), column.key)
            if key != column.key:
                raise ValueError(f"columns {key} and {column.key} share the header {label!r}")
    return lookup


def column_label(column: Column) -> str:
    return column.label(lang(), Unit.MILLION)


def map_headers(headers: list[str], columns: list[Column], required: set[str] | frozenset[str]) -> dict[str, int]:
    """{column key: index in the row} for the file's headers.

    A header may be any label of a column (Japanese or English, any money unit) or its key. Raises
    ImportFileError listing every missing required column, unknown header, repeated column and
    blank header. Known export columns the importer ignores (names, 百万円 amounts) are accepted.
    """
    lookup = header_lookup(columns)
    found: dict[str, int] = {}
    unknown, repeated, blank = [], [], []
    for index, header in enumerate(headers):
        text = "" if header is None else str(header).strip()
        if not text:
            blank.append(str(index + 1))
            continue
        key = lookup.get(normalise_header(text))
        if key is None:
            unknown.append(f"“{text}”")
        elif key in found:
            repeated.append(f"“{text}”")
        else:
            found[key] = index
    errors = []
    missing = [c for c in columns if c.key in required and c.key not in found]
    if missing:
        errors.append(
            _("Missing columns: %(columns)s.")
            % {"columns": ", ".join(f"“{column_label(c)}” ({c.key})" for c in missing)}
        )
    if unknown:
        errors.append(
            _(
                "Unknown columns: %(columns)s. "
                "Use the column headers of the export (Japanese or English) or the column keys."
            )
            % {"columns": ", ".join(unknown)}
        )
    if repeated:
        errors.append(_("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(repeated)})
    if blank:
        errors.append(_("Column %(numbers)s has no header.") % {"numbers": ", ".join(blank)})
    if errors:
        raise ImportFileError(errors)
    return found


def money_units(headers: list[str], columns: list[Column]) -> dict[str, Unit]:
    """For each money column present, the unit its header names (金額（百万円） → million)."""
    result = {}
    wanted = {normalise_header(h): h for h in headers if h}
    for column in columns:
        if column.kind != "money":
            continue
        for unit in Unit:
            for language in ("ja", "en"):
                if normalise_header(column.label(language, unit)) in wanted:
                    result[column.key] = unit
    return result


# --- cells -----------------------------------------------------------------------------------------


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text_cell(value) -> str:
    """A text cell as stored: numbers without a spurious .0, and the export's formula escape (a
    leading ' before text that looks like a formula) removed so an exported file imports back unchanged."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text


def _shown(value) -> str:
    return text_cell(value).strip()


def parse_whole_number(value, maximum: int = MAX_YEN) -> int:
    """A whole number ≥ 0: 1566000000, "1,566,000,000", "１５６６", 1566.0. Refuses negatives
    (-1, ▲1), fractions, text and numbers above ``maximum`` with CellError."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, int):
        number = value
    elif isinstance(value, (float, Decimal)):
        if value != value or value in (float("inf"), float("-inf")) or value != int(value):
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": _shown(value)})
        number = int(value)
    else:
        text = normalise_number(value)
        digits = text.lstrip("".join(NEGATIVE_MARKS))
        if text != digits and re.fullmatch(r"\d+(\.\d*)?", digits):
            raise CellError(_("“%(value)s” is negative; values cannot be negative.") % {"value": _shown(value)})
        if not re.fullmatch(r"\d+(\.0*)?", text):
            raise CellError(_("“%(value)s” is not a whole number.") % {"value": _shown(value)})
        number = int(text.split(".")[0])
    if number < 0:
        raise CellError(_("“%(value)s” is negative; values cannot be negative.") % {"value": _shown(value)})
    if number > maximum:
        raise CellError(_("“%(value)s” is too large.") % {"value": _shown(value)})
    return number


def parse_decimal(value) -> Decimal:
    """A plain number (may have decimals), e.g. an amount in 百万円."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    try:
        return Decimal(normalise_number(value))
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": _shown(value)}) from None


def parse_fiscal_year(value) -> int:
    """A fiscal year as its Western starting year: 2008, "2008", "FY2008", "2008年度"; 1950–2100."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        year = parse_whole_number(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = re.fullmatch(r"(?i:fy)?\s*(\d{4})(?:\s*年度.*)?", text)
        if not match:
            raise CellError(
                _("“%(value)s” is not a fiscal year; write the Western year it starts in, e.g. 2008.") % {"value": text}
            )
        year = int(match.group(1))
    if not FY_MIN <= year <= FY_MAX:
        raise CellError(
            _("Fiscal year %(fy)s lies outside %(min)s–%(max)s.") % {"fy": year, "min": FY_MIN, "max": FY_MAX}
        )
    return year


def parse_flag(value) -> bool:
    """1/0, true/false, yes/no, はい/いいえ."""
    text = normalise_header(text_cell(value))
    if text in {"1", "true", "yes", "y", "はい", "○"}:
        return True
    if text in {"0", "false", "no", "n", "いいえ", "×"}:
        return False
    raise CellError(_("“%(value)s” is not 1 or 0.") % {"value": _shown(value)})


class ChoiceParser:
    """Reads a choice given as its key or as its label in Japanese or English (予算案, Government
    draft, draft). ``extra`` adds more spellings per key."""

    def __init__(self, choices: type[models.TextChoices], extra: dict[str, Iterable[str]] | None = None):
        self.choices = choices
        self.lookup: dict[str, str] = {}
        for value, label in choices.choices:
            self.lookup[normalise_header(value)] = value
            for language in ("en", "ja"):
                with translation.override(language):
                    self.lookup[normalise_header(str(label))] = value
        for value, spellings in (extra or {}).items():
            for spelling in spellings:
                self.lookup[normalise_header(spelling)] = value

    def __call__(self, value) -> str:
        key = self.lookup.get(normalise_header(text_cell(value)))
        if key is None:
            allowed = ", ".join(f"{label} ({value})" for value, label in self.choices.choices)
            raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": _shown(value), "allowed": allowed})
        return key


def validation_messages(error: ValidationError, model: type[models.Model] | None = None) -> list[str]:
    """A model ValidationError as sentences, each prefixed with the field's name."""
    if not hasattr(error, "error_dict"):
        return [str(m) for m in error.messages]
    result = []
    for name, errors in error.message_dict.items():
        label = ""
        if model is not None and name != "__all__":
            try:
                label = str(model._meta.get_field(name).verbose_name)
            except Exception:
                label = name
        for message in errors:
            result.append(f"{label}: {message}" if label else str(message))
    return result


# --- preview and apply -----------------------------------------------------------------------------


@dataclass
class PreviewRow:
    """One data row of an import as the preview shows it.

    ``action`` is create / change / unchanged / error; ``differences`` lists (field, old, new) as
    display text; ``errors`` block the whole import; ``warnings`` do not.
    """

    line: int
    key: str = ""
    action: str = ERROR
    differences: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    natural_key: tuple | None = field(default=None, repr=False, compare=False)
    instance: models.Model | None = field(default=None, repr=False, compare=False)
    version: int | None = field(default=None, repr=False, compare=False)
    before_save: Callable | None = field(default=None, repr=False, compare=False)


@dataclass
class Deferred:
    """A value that can only be made when the import is applied (e.g. a source row to create):
    ``shown`` is what the preview says, ``resolve(instance)`` sets it inside the transaction."""

    shown: str
    resolve: Callable[[models.Model], None]


NOTHING = object()  # the column is absent or the cell is blank: keep the current value


class ExistingRows:
    """The rows an import may change, by natural key (``key`` names model fields), read as
    tuples: a row becomes a model instance only when the file names it (``get``), so a file of a
    few rows does not pay for the tens of thousands a national table holds. The instance comes
    without its related rows; the importer attaches those it has loaded already."""

    def __init__(self, queryset: models.QuerySet, key: tuple[str, ...]):
        self.model, self.db = queryset.model, queryset.db
        self.attnames = [f.attname for f in self.model._meta.concrete_fields]
        positions = [self.attnames.index(self.model._meta.get_field(name).attname) for name in key]
        self.rows = {
            tuple(values[i] for i in positions): values for values in queryset.order_by().values_list(*self.attnames)
        }

    def get(self, key: tuple):
        values = self.rows.get(key)
        return None if values is None else self.model.from_db(self.db, self.attnames, values)


class Importer:
    """One kind of import. Subclasses declare ``kind`` (URL slug), ``title``, ``model``, ``columns``,
    ``required`` and ``ignored`` (column keys), ``attr_columns`` (model field → column key where they differ) and
    implement ``allowed(user)``, ``load(user)`` (bulk lookups, so the preview costs a few queries
    at any size) and ``build(record, row)``.
    """

    kind = ""
    title = ""
    description = ""
    #: rules worth knowing before uploading, shown on the upload page
    notes: tuple = ()
    model: type[models.Model] = None
    columns: list[Column] = []
    required: frozenset[str] = frozenset()
    #: export columns read only for reference (names, amounts in a display unit)
    ignored: frozenset[str] = frozenset()
    attr_columns: dict[str, str] = {}
    list_url_name = ""

    @classmethod
    def allowed(cls, user) -> bool:
        raise NotImplementedError

    def load(self, user) -> None:
        raise NotImplementedError

    def build(self, record: dict, row: PreviewRow) -> None:
        raise NotImplementedError

    def check_write(self, row: PreviewRow, instance) -> None:
        """Hook: refuse a create or change the user may not make (add to ``row.errors``)."""

    # --- columns ---------------------------------------------------------------------------------
    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def check_headers(self, headers: list[str]) -> dict[str, int]:
        return map_headers(headers, self.columns, self.required)

    def header(self, key: str) -> str:
        """The column as the file names it (else its label in the current language)."""
        return self.file_headers.get(key) or column_label(self.column(key))

    # --- flow ------------------------------------------------------------------------------------
    def preview(self, user, headers: list[str], rows: list[Row]) -> list[PreviewRow]:
        """Every row with its action, differences and errors. Writes nothing. Raises
        ImportFileError when the headers are wrong."""
        index = self.check_headers(headers)
        self.user = user
        self.file_headers = {key: str(headers[i]).strip() for key, i in index.items()}
        self.units = money_units(headers, self.columns)
        self.labels: dict = {}  # field and choice labels in this request's language, made once
        self.load(user)
        width = len(headers)
        result = []
        for source_row in rows:
            cells = source_row.cells
            record = {key: (cells[i] if i < len(cells) else None) for key, i in index.items()}
            row = PreviewRow(line=source_row.line)
            if any(not is_blank(c) for c in cells[width:]):
                row.errors.append(_("This row has more cells than there are column headers."))
            self.build(record, row)
            if row.instance is None and not row.errors:
                row.errors.append(_("This row could not be read."))
            result.append(row)
        self._mark_duplicates(result)
        for row in result:
            if row.errors:
                row.action = ERROR
        return result

    def apply(self, user, rows: list[PreviewRow]) -> dict[str, int]:
        """Write the previewed rows as ``user``.

        Guarantees: one transaction; the created and changed rows go through save_tracked_many
        (save_tracked's validation, version check, history with the user and scope re-check, the
        writes batched); unchanged rows are not saved (no history row, no version bump). If any
        row has an error, or any write is refused, nothing is written and ImportRefused is raised
        with the messages on the rows. Returns {"create": n, "change": n, "unchanged": n}.
        """
        if any(row.errors for row in rows):
            raise ImportRefused(rows)
        counts = {CREATE: 0, CHANGE: 0, UNCHANGED: 0}
        for row in rows:
            counts[row.action] += 1
        writes = [row for row in rows if row.action in WRITES]
        try:
            save_tracked_many(
                user=user, rows=[TrackedWrite(row.instance, row.version, row.before_save) for row in writes]
            )
        except WritesRefused as refused:
            for index, error in refused.errors.items():
                row = writes[index]
                row.errors.extend(self.refusal_messages(error))
                row.action = ERROR
            raise ImportRefused(rows) from None
        return counts

    def refusal_messages(self, error: Exception) -> list[str]:
        """Why save_tracked_many refused a row, as the preview shows it."""
        if isinstance(error, StaleVersion):
            return [_("Someone changed this row after the preview. Upload the file again.")]
        if isinstance(error, ValidationError):
            return validation_messages(error, self.model)
        if isinstance(error, PermissionDenied):
            return [_("This row is outside the figures you may change.")]
        # a row with the same key was saved by someone else after the preview
        return [_("Someone saved this row after the preview. Upload the file again.")]

    # --- helpers for build() ---------------------------------------------------------------------
    def set_key(self, row: PreviewRow, natural_key: tuple, shown: tuple | None = None, *, complete: bool | None = None):
        """``row.key``: the readable parts that could be read (``shown``, default the key itself);
        ``row.natural_key`` when ``complete`` (default: every part of the key was read)."""
        missing = (NOTHING, None, "")
        shown = natural_key if shown is None else shown
        row.key = " · ".join(str(part) for part in shown if part not in missing)
        if complete is None:
            complete = all(part not in missing for part in natural_key)
        if complete:
            row.natural_key = natural_key

    def value(self, row: PreviewRow, record: dict, key: str, parse: Callable, *, required: bool = False):
        """The parsed cell, or NOTHING when the column is absent or the cell blank (an error when
        ``required``). A cell that cannot be read becomes a row error naming the column."""
        if key not in record:
            return NOTHING
        raw = record[key]
        if is_blank(raw):
            if required:
                row.errors.append(_("%(column)s: a value is required.") % {"column": self.header(key)})
            return NOTHING
        try:
            return parse(raw)
        except CellError as error:
            row.errors.append(_("%(column)s: %(problem)s") % {"column": self.header(key), "problem": error})
            return NOTHING

    def text(self, record: dict, key: str):
        """A text cell (blank → ""), or NOTHING when the column is absent."""
        if key not in record:
            return NOTHING
        return text_cell(record[key])

    def slug(self, row: PreviewRow, record: dict, key: str, *, required: bool = True) -> str:
        value = self.value(row, record, key, _shown, required=required)
        return "" if value is NOTHING else value

    def check_money(self, row: PreviewRow, record: dict, money_key: str, yen_key: str, yen, current) -> None:
        """The export carries an amount twice: exact yen (imported) and in a display unit
        (ignored). If they disagree the user probably edited the display column: an error when the
        yen figure is unchanged (the edit would be lost), else a warning that yen wins."""
        if yen is NOTHING or money_key not in record or is_blank(record[money_key]) or money_key not in self.units:
            return
        try:
            shown = parse_decimal(record[money_key])
        except CellError:
            shown = None
        if shown is not None and abs(shown * UNIT_DIVISOR[self.units[money_key]] - yen) < 1:
            return
        names = {"money": self.header(money_key), "yen": self.header(yen_key)}
        if current is not None and current == yen:
            row.errors.append(
                _(
                    "%(money)s does not match %(yen)s. Only %(yen)s (the exact figure) is imported: change it, "
                    "or delete the %(money)s column."
                )
                % names
            )
        else:
            row.warnings.append(_("%(money)s does not match %(yen)s; %(yen)s is imported.") % names)

    def field_label(self, attr: str) -> str:
        label = self.labels.get(attr)
        if label is None:
            key = self.attr_columns.get(attr, attr)
            if any(c.key == key for c in self.columns):
                label = self.header(key)
            else:
                label = str(self.model._meta.get_field(attr).verbose_name)
            self.labels[attr] = label
        return label

    def show(self, instance, attr: str, value) -> str:
        """A value as the preview shows it."""
        if isinstance(value, Deferred):
            return value.shown
        if value is None or value == "":
            return "—"
        if isinstance(value, models.Model):
            return str(getattr(value, "key", None) or getattr(value, "slug", None) or value)
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, int):
            return format_number(value)
        model_field = instance._meta.get_field(attr)
        if model_field.choices:
            choices = self.labels.get((model_field, "choices"))
            if choices is None:
                choices = self.labels[(model_field, "choices")] = {k: str(v) for k, v in model_field.flatchoices}
            return choices.get(value, str(value))
        return str(value)

    def current(self, instance, attr: str):
        model_field = instance._meta.get_field(attr)
        if model_field.is_relation:
            return getattr(instance, attr) if getattr(instance, model_field.attname) is not None else None
        return getattr(instance, attr)

    def finish(self, row: PreviewRow, instance: models.Model, changes: dict) -> None:
        """Apply ``changes`` (model field → new value; NOTHING entries are skipped) to
        ``instance``, record the differences and decide the row's action."""
        is_new = instance.pk is None
        deferred = []
        for attr, new in changes.items():
            if new is NOTHING:
                continue
            if isinstance(new, str) and (problem := control_characters_message(new)):
                row.errors.append(_("%(column)s: %(problem)s") % {"column": self.field_label(attr), "problem": problem})
                continue
            old = None if is_new else self.current(instance, attr)
            if isinstance(new, Deferred):
                same = False
            elif isinstance(new, models.Model) or isinstance(old, models.Model):
                same = getattr(old, "pk", None) == getattr(new, "pk", None)
            else:
                same = old == new
            if is_new or not same:
                shown_old = "" if is_new else self.show(instance, attr, old)
                row.differences.append((self.field_label(attr), shown_old, self.show(instance, attr, new)))
            if isinstance(new, Deferred):
                deferred.append(new.resolve)
            elif not same:
                setattr(instance, attr, new)
        if row.errors:
            return
        row.action = CREATE if is_new else CHANGE if row.differences else UNCHANGED
        row.instance = instance
        row.version = None if is_new else instance.version
        if deferred:

            def before_save(obj, steps=tuple(deferred)):
                for step in steps:
                    step(obj)

            row.before_save = before_save
        if row.action == UNCHANGED:
            return
        self.check_write(row, instance)
        # field checks and clean() here; uniqueness comes from the file's keys and the loaded rows,
        # and save_tracked_many runs the full validation again when the import is applied
        try:
            instance.full_clean(exclude=_relations(type(instance)), validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            row.errors.extend(validation_messages(error, type(instance)))

    def _mark_duplicates(self, rows: list[PreviewRow]) -> None:
        groups: dict[tuple, list[PreviewRow]] = defaultdict(list)
        for row in rows:
            if row.natural_key is not None:
                groups[row.natural_key].append(row)
        for group in groups.values():
            if len(group) < 2:
                continue
            lines = ", ".join(str(r.line) for r in group)
            for row in group:
                row.errors.append(
                    _("%(key)s appears more than once in the file (rows %(lines)s); keep one row for it.")
                    % {"key": row.key, "lines": lines}
                )


@functools.cache
def _relations(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.fields if f.is_relation]


def summarise(rows: list[PreviewRow]) -> dict[str, int]:
    counts = {CREATE: 0, CHANGE: 0, UNCHANGED: 0, ERROR: 0}
    for row in rows:
        counts[row.action] += 1
    counts["total"] = len(rows)
    return counts
