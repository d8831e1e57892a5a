"""Spreadsheet imports (DESIGN §5 "Imports"): upload → preview → confirm.

Access: budget lines and outcome values for program managers; cluster funding and outcomes for
coordinators (their own regions) and program managers; anyone else 403; anonymous users were sent
to log in by the middleware. The uploaded file is kept in the database (ImportBatch), never on
local disk, so the preview and the confirmation may be served by different processes. A batch
belongs to its uploader (anyone else gets 404) and is applied at most once. The file is parsed
once, at upload (after the import limits are checked, core.import_guard); the batch stores the
parsed rows, and the preview and the confirmation re-validate those rows against the current data,
which may have changed since the preview.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from clusters.imports import ClusterFundingImporter, ClusterOutcomeImporter
from core.exports import lang
from core.imports import (
    CHANGE,
    CREATE,
    ERROR,
    MAX_BYTES,
    MAX_ROWS,
    BoundedMemoryUploadHandler,
    ImportFileError,
    ImportRefused,
    column_label,
    extension,
    read_table,
    stage_table,
    staged_table,
    summarise,
    too_big_message,
)
from core.models import ImportBatch
from programs.imports import BudgetLineImporter, OutcomeValueImporter

IMPORTERS = {
    cls.kind: cls for cls in (BudgetLineImporter, OutcomeValueImporter, ClusterFundingImporter, ClusterOutcomeImporter)
}
#: rows listed per section of the preview (the counts always cover the whole file)
PREVIEW_LIMIT = 500
#: unapplied uploads older than this are discarded when the same user uploads again
STALE_AFTER = dt.timedelta(days=1)
#: rows a confirm gets through per second — re-checking the whole file, then writing — taken low so
#: the estimate errs long: bench/imports.py measured 50,000 budget lines on PostgreSQL at 3,200–4,500
#: rows per CPU second (app and database), and 1,470–4,300 rows/s of wall time on a shared 2-CPU machine
CONFIRM_ROWS_PER_SECOND = 1_500


def estimated_confirm_seconds(rows: int) -> int:
    """How long confirming a file of ``rows`` rows takes, rounded up to whole seconds (≥ 1).
    gunicorn.conf.py's worker timeout is at least twice this for the largest file allowed."""
    return max(1, math.ceil(rows / CONFIRM_ROWS_PER_SECOND))


def importer_for(request, kind: str):
    """The importer of ``kind`` (404 when there is none) if the user may use it (else 403)."""
    importer_class = IMPORTERS.get(kind)
    if importer_class is None:
        raise Http404
    if not importer_class.allowed(request.user):
        raise PermissionDenied
    return importer_class()


def crumbs(*items):
    return [dict(zip(("label", "url"), item, strict=False)) for item in items]


class ImportUploadForm(forms.Form):
    """One labelled file field; the file is checked (type, size, encoding, headers) when cleaned."""

    file = forms.FileField(
        label=gettext_lazy("Spreadsheet file (CSV or XLSX)"),
        help_text=gettext_lazy(
            "CSV in UTF-8 (with or without BOM) or Shift_JIS, or an Excel workbook (first sheet); "
            "at most 10 MB and 50,000 rows. The first row holds the column headers."
        ),
        error_messages={
            "required": gettext_lazy("Choose a CSV or XLSX file to upload."),
            "empty": gettext_lazy("The file is empty."),
        },
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, importer, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        self.content = b""
        self.table = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not extension(upload.name):
            raise ValidationError(
                _("Upload a CSV (.csv) or Excel (.xlsx) file; “%(name)s” is neither.") % {"name": upload.name}
            )
        if upload.size > MAX_BYTES:
            raise ValidationError(too_big_message())
        content = upload.read()
        try:
            table = read_table(upload.name, content)
            self.importer.check_headers(table.headers)
        except ImportFileError as error:
            # one message, so the field has one error element (they share an id in form_field.html)
            raise ValidationError(" ".join(str(m) for m in error.messages)) from None
        self.content, self.table = stage_table(table), table
        return upload


def import_list(request):
    """The kinds of import this user may run, and their recent uploads."""
    importers = [cls() for cls in IMPORTERS.values() if cls.allowed(request.user)]
    if not importers:
        raise PermissionDenied
    batches = ImportBatch.objects.filter(user=request.user).defer("content")[:20]
    titles = {cls.kind: cls.title for cls in IMPORTERS.values()}
    context = {
        "importers": importers,
        "batches": [(batch, titles.get(batch.kind, batch.kind)) for batch in batches],
        "crumbs": crumbs((_("Imports"),)),
    }
    return render(request, "reports/import_list.html", context)


@csrf_exempt
def import_upload(request, kind):
    """GET the upload form; POST a file → stored as an ImportBatch → redirect to its preview.

    The CSRF check runs in ``_upload`` (after the upload handlers are set), so the file is read
    into memory, capped just past MAX_BYTES, and never written to a temporary file.
    """
    importer = importer_for(request, kind)
    if request.method == "POST":
        request.upload_handlers = [BoundedMemoryUploadHandler(request, limit=MAX_BYTES)]
    return _upload(request, importer)


@csrf_protect
def _upload(request, importer):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, importer=importer)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            with transaction.atomic():
                ImportBatch.objects.filter(
                    user=request.user, applied_at__isnull=True, created_at__lt=timezone.now() - STALE_AFTER
                ).delete()
                batch = ImportBatch.objects.create(
                    user=request.user,
                    kind=importer.kind,
                    filename=upload.name[-255:],
                    content=form.content,
                    sha256=hashlib.sha256(form.content).hexdigest(),
                )
            return redirect("imports:import_preview", kind=importer.kind, batch_id=batch.pk)
        status = 400
    else:
        form = ImportUploadForm(importer=importer)
        status = 200
    columns = [
        {
            "label": column_label(c),
            "key": c.key,
            "required": c.key in importer.required,
            "ignored": c.key in importer.ignored,
            "description": c.description_en if lang() == "en" else c.description_ja,
        }
        for c in importer.columns
    ]
    context = {
        "importer": importer,
        "form": form,
        "columns": columns,
        "max_rows": MAX_ROWS,
        "export_url": reverse(importer.list_url_name) if importer.list_url_name else "",
        "crumbs": crumbs((_("Imports"), reverse("imports:import_list")), (importer.title,)),
    }
    return render(request, "reports/import_upload.html", context, status=status)


def import_preview(request, kind, batch_id):
    """GET: the stored file checked against the current figures. POST: confirm and apply it."""
    importer = importer_for(request, kind)
    batch = get_object_or_404(ImportBatch.objects.filter(user=request.user, kind=kind), pk=batch_id)
    if request.method == "POST":
        return _confirm(request, importer, batch)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return _render_preview(request, importer, batch, *_check(request, importer, batch))


def _check(request, importer, batch):
    """(table, rows, file errors) for the rows staged at upload, validated against the current data."""
    content = bytes(batch.content)
    if hashlib.sha256(content).hexdigest() != batch.sha256:
        return None, [], [_("The stored file is damaged. Upload it again.")]
    try:
        table = staged_table(batch.filename, content)
        rows = importer.preview(request.user, table.headers, table.rows)
    except ImportFileError as error:
        return None, [], [str(m) for m in error.messages]
    return table, rows, []


def _confirm(request, importer, batch):
    with transaction.atomic():
        # the row lock makes a double submit wait, then see applied_at and refuse
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.applied_at is not None:
            messages.error(request, _("This file has already been imported; nothing was written again."))
            return _render_preview(request, importer, batch, None, [], [], status=409)
        table, rows, file_errors = _check(request, importer, batch)
        if file_errors or any(row.errors for row in rows):
            messages.error(request, _("Nothing was imported: fix the errors below and upload the file again."))
            return _render_preview(request, importer, batch, table, rows, file_errors, status=400)
        try:
            counts = importer.apply(request.user, rows)
        except ImportRefused as refused:
            messages.error(request, _("Nothing was imported: fix the errors below and upload the file again."))
            return _render_preview(request, importer, batch, table, refused.rows, [], status=409)
        batch.applied_at = timezone.now()
        batch.save(update_fields=["applied_at"])
    messages.success(
        request,
        _("Imported %(file)s: %(create)s created, %(change)s changed, %(unchanged)s unchanged.")
        % {"file": batch.filename, **counts},
    )
    return redirect("imports:import_preview", kind=importer.kind, batch_id=batch.pk)


def _render_preview(request, importer, batch, table, rows, file_errors, status=200):
    counts = summarise(rows)
    sections = {
        action: [row for row in rows if row.action == action][:PREVIEW_LIMIT] for action in (ERROR, CREATE, CHANGE)
    }
    context = {
        "importer": importer,
        "batch": batch,
        "table": table,
        "encoding": table.encoding_label if table else "",
        "file_errors": file_errors,
        "counts": counts,
        "errors": sections[ERROR],
        "creates": sections[CREATE],
        "changes": sections[CHANGE],
        "warnings": sum(1 for row in rows if row.warnings),
        "limit": PREVIEW_LIMIT,
        "estimate_seconds": estimated_confirm_seconds(counts["total"]),
        "can_confirm": batch.applied_at is None and table is not None and not file_errors and not counts[ERROR],
        "list_url": reverse(importer.list_url_name) if importer.list_url_name else "",
        "crumbs": crumbs(
            (_("Imports"), reverse("imports:import_list")),
            (importer.title, reverse("imports:import_upload", args=[importer.kind])),
            (batch.filename,),
        ),
    }
    return render(request, "reports/import_preview.html", context, status=status)
