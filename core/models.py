"""Abstract bases shared by every app that owns editable rows."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

FY_MIN = 1950
FY_MAX = 2100


def fiscal_year_field(*, null: bool = False, verbose_name=None, **kwargs) -> models.PositiveSmallIntegerField:
    """An integer fiscal year (年度) as the Western year it starts in; range checked in forms too."""
    return models.PositiveSmallIntegerField(
        verbose_name or _("fiscal year"),
        null=null,
        blank=null,
        validators=[MinValueValidator(FY_MIN), MaxValueValidator(FY_MAX)],
        **kwargs,
    )


def fiscal_year_check(field: str, name: str) -> models.CheckConstraint:
    """Database check: FY_MIN ≤ field ≤ FY_MAX (NULL allowed where the field is nullable)."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": FY_MIN, f"{field}__lte": FY_MAX}),
        name=name,
        violation_error_message=_("Fiscal years must lie between 1950 and 2100."),
    )


def period_check(name: str) -> models.CheckConstraint:
    """Database check: end_fy ≥ start_fy when both are known."""
    return models.CheckConstraint(
        condition=Q(start_fy__isnull=True) | Q(end_fy__isnull=True) | Q(end_fy__gte=models.F("start_fy")),
        name=name,
        violation_error_message=_("The last fiscal year cannot come before the first."),
    )


def non_negative_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=_("Amounts cannot be negative."),
    )


class VersionedModel(models.Model):
    """An editable row with an optimistic-locking version, bumped by every service write."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class ImportBatch(models.Model):
    """取込バッチ (import batch): an uploaded spreadsheet kept between its preview and its
    confirmation, in the database rather than on local disk, so any app process can show the
    preview and apply it. ``content`` holds the rows parsed at upload (core.imports.stage_table;
    the file is parsed once) and ``sha256`` their checksum. It belongs to its uploader and is
    applied at most once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        indexes = [models.Index(fields=["user", "created_at"], name="importbatch_user_created")]

    def __str__(self):
        return f"{self.kind}: {self.filename}"
