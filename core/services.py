"""The one write path for tracked rows (DESIGN §6 "Writes").

Every write validates (full_clean), checks the optimistic-locking version, saves inside a
transaction with the acting user recorded in history, and re-checks the saved row against the
user's scope before committing — so a forged foreign key cannot move a row out of scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models, transaction


@dataclass
class FieldChange:
    field: str
    label: str
    theirs: object
    yours: object


class StaleVersion(Exception):
    """The row changed since the form was opened: nothing was written.

    ``changes`` lists what the other write changed (field, their value, the value this form
    was based on), ``current`` is the row as it is now.
    """

    def __init__(self, current: models.Model, changes: list[FieldChange], by=None, at=None):
        super().__init__("stale version")
        self.current = current
        self.changes = changes
        self.by = by
        self.at = at


def _last_change(current: models.Model) -> tuple[object, object]:
    latest = current.history.order_by("-history_date", "-history_id").first()
    return (latest.history_user, latest.history_date) if latest is not None else (None, None)


def _changes_since(current: models.Model, version: int) -> tuple[list[FieldChange], object, object]:
    """What changed between the historical record at ``version`` and now (``version`` 0: since
    before the row existed, so every field that has a value)."""
    history = current.history.order_by("-history_date", "-history_id")
    base = history.filter(version=version).first()
    latest = history.first()
    if latest is None:
        return [], None, None
    if base is None:
        if version:
            return [], latest.history_user, latest.history_date
        return new_row_changes(current), latest.history_user, latest.history_date
    delta = latest.diff_against(base)
    changes = []
    for change in delta.changes:
        if change.field == "version":
            continue
        field = current._meta.get_field(change.field)
        changes.append(FieldChange(change.field, str(field.verbose_name), change.new, change.old))
    return changes, latest.history_user, latest.history_date


def new_row_changes(current: models.Model) -> list[FieldChange]:
    """Every filled field of a row someone else created while this form was open."""
    changes = []
    for field in current._meta.concrete_fields:
        if field.primary_key or field.name == "version":
            continue
        value = getattr(current, field.name, None)
        if value in (None, ""):
            continue
        changes.append(FieldChange(field.name, str(field.verbose_name), value, None))
    return changes


def check_scope(model: type[models.Model], user, pk, action: str) -> None:
    if not model.objects.restrict(user, action).filter(pk=pk).exists():
        raise PermissionDenied("This row is outside your scope.")


def save_tracked(
    *,
    user,
    instance: models.Model,
    version: int | None,
    action: str = "change",
    before_save: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Create (``version`` None) or update ``instance`` as ``user``.

    Guarantees: runs in one transaction; refuses a stale ``version`` — or none at all for a row
    that exists — with StaleVersion and writes nothing; validates with full_clean
    (ValidationError, nothing written); records the user in history; re-checks the saved row
    against ``restrict(user, action)`` and raises PermissionDenied (rolled back) if the write
    moved it out of the user's scope.
    """
    model = type(instance)
    with transaction.atomic():
        if instance.pk is not None:
            current = model.objects.select_for_update().filter(pk=instance.pk).order_by("pk").first()
            if current is not None and version is None:
                # a form that carries no version cannot prove it saw the row as it is now
                raise StaleVersion(current, _changes_since(current, 0)[0], *_last_change(current))
            if current is not None and current.version != version:
                changes, by, at = _changes_since(current, version)
                raise StaleVersion(current, changes, by, at)
            instance.version = (current.version if current is not None else 0) + 1
        if before_save:
            before_save(instance)
        instance.full_clean()
        instance._history_user = user
        instance.save()
        check_scope(model, user, instance.pk, action)
    return instance


def delete_tracked(*, user, instance: models.Model, action: str = "change") -> None:
    """Delete ``instance`` as ``user``: inside the user's scope, with the user in history."""
    with transaction.atomic():
        check_scope(type(instance), user, instance.pk, action)
        instance._history_user = user
        instance.delete()
