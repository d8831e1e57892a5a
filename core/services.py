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


def _changes_since(current: models.Model, version: int) -> tuple[list[FieldChange], object, object]:
    """What changed between the historical record at ``version`` and now."""
    history = current.history.order_by("-history_date", "-history_id")
    base = history.filter(version=version).first()
    latest = history.first()
    if base is None or latest is None:
        return [], None, None
    delta = latest.diff_against(base)
    changes = []
    for change in delta.changes:
        if change.field == "version":
            continue
        field = current._meta.get_field(change.field)
        changes.append(FieldChange(change.field, str(field.verbose_name), change.new, change.old))
    return changes, latest.history_user, latest.history_date


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

    Guarantees: runs in one transaction; refuses a stale ``version`` with StaleVersion and
    writes nothing; validates with full_clean (ValidationError, nothing written); records the
    user in history; re-checks the saved row against ``restrict(user, action)`` and raises
    PermissionDenied (rolled back) if the write moved it out of the user's scope.
    """
    model = type(instance)
    with transaction.atomic():
        if instance.pk is not None and version is not None:
            current = model.objects.select_for_update().get(pk=instance.pk)
            if current.version != version:
                changes, by, at = _changes_since(current, version)
                raise StaleVersion(current, changes, by, at)
            instance.version = current.version + 1
        if before_save:
            before_save(instance)
        instance.full_clean()
        instance._history_user = user
        instance.save()
        check_scope(model, user, instance.pk, action)
    return instance
