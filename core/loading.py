"""Idempotent loading of the CSV fixtures in ``fixtures/`` (reference and demo data).

Rows are matched on a natural key; a row is written only when something changed, so loading
twice writes nothing the second time (and adds no history rows).

Loaders never revert people (DESIGN §2b): every history record a loader writes carries the
change reason ``loader: <file>``. A row that a person has changed since a loader last wrote it
(a history record with a user, or with a reason that is not a loader's) is left as it is and
reported as skipped; so is a row a person deleted. Every write path people use records its
user: ``core.services.save_tracked`` (forms, imports, annual reports) and the admin (through
``HistoryRequestMiddleware``). A record with neither a user nor a reason comes from code — a
loader run before loaders tagged their records — and does not count as a person's change.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


def read_csv(relative_path: str) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV under ``fixtures/`` as dicts with stripped values."""
    path = FIXTURES_DIR / relative_path
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def int_or_none(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


def flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes"}


def million_yen(value: str) -> int:
    """'26095' (百万円) → 26_095_000_000 yen, exactly."""
    return int(Decimal(value) * 1_000_000)


#: every history record a loader writes has a change reason starting with this
LOADER_REASON = "loader:"


class _Missing:
    """Stands for a fixture row a person deleted (the loader leaves it deleted)."""

    def __bool__(self):
        return False

    def __repr__(self):
        return "MISSING"


#: what ``upsert`` returns for a row a person deleted; rows that refer to it are skipped too
MISSING = _Missing()


def loader_reason(origin: str) -> str:
    """The change reason a loader writes into history, e.g. ``loader: reference/budget_lines.csv``."""
    return f"{LOADER_REASON} {origin}".strip()[:100]


@dataclass
class Skipped:
    """A fixture row the loader left alone because a person changed (or deleted) it."""

    model: str
    key: str
    fields: list[str]
    by: str
    at: object = None

    def line(self) -> str:
        when = f" on {timezone.localtime(self.at):%Y-%m-%d %H:%M}" if self.at else ""
        if self.fields == ["deleted"]:
            what = f"deleted by {self.by}{when}"
        elif not self.by:
            what = ", ".join(self.fields)
        else:
            what = f"differs from the fixture in {', '.join(self.fields)}; changed by {self.by}{when}"
        return f"skipped {self.model} [{self.key}]: {what}"


@dataclass
class LoadReport:
    counts: Counter = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)

    def add(self, model: type[models.Model], outcome: str):
        self.counts[(model._meta.label, outcome)] += 1

    def skip(self, model: type[models.Model], key: str, fields: list[str], record) -> None:
        """Count one skipped row; the same row skipped by two passes is listed once."""
        label = model._meta.label
        for entry in self.skipped:
            if (entry.model, entry.key) == (label, key):
                entry.fields.extend(name for name in fields if name not in entry.fields)
                return
        self.add(model, "skipped")
        self.skipped.append(Skipped(label, key, list(fields), _who(record), getattr(record, "history_date", None)))

    def lines(self) -> list[str]:
        labels = sorted({label for label, _ in self.counts})
        return [
            f"{label}: {self.counts[(label, 'created')]} created, {self.counts[(label, 'updated')]} updated, "
            f"{self.counts[(label, 'unchanged')]} unchanged, "
            f"{self.counts[(label, 'skipped')]} skipped (changed by a person)"
            for label in labels
        ]

    def skipped_lines(self) -> list[str]:
        """One line per skipped row: model, natural key, the fields that differ, who changed it."""
        return [entry.line() for entry in self.skipped]


def upsert(
    model: type[models.Model], lookup: dict, values: dict, report: LoadReport, *, origin: str = ""
) -> models.Model:
    """Create or update one row by natural key, validating it first (full_clean).

    Guarantees: a missing row is created, unless a person deleted it (then skipped and
    ``MISSING`` returned; a row whose lookup or values hold ``MISSING`` is skipped too); an
    unchanged row is not saved; a changed row is updated (version bumped) only when no person
    has changed it since a loader last wrote it, otherwise it is left as it is and reported in
    ``report.skipped``. Every record written carries the change reason ``loader: <origin>``.
    Returns the row as it now is in the database (a skipped row keeps the person's values).
    """
    if any(value is MISSING for value in (*lookup.values(), *values.values())):
        report.skip(model, natural_key(lookup), ["refers to a row a person deleted"], None)
        return MISSING
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        deleted = _deleted_by_person(model, lookup)
        if deleted is not None:
            report.skip(model, natural_key(lookup), ["deleted"], deleted)
            return MISSING
        obj = model(**lookup, **values)
        obj.full_clean()
        obj._change_reason = loader_reason(origin)
        obj.save()
        report.add(model, "created")
        return obj
    changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
    if not changed:
        report.add(model, "unchanged")
        return obj
    person = person_change(obj)
    if person is not None:
        report.skip(model, natural_key(lookup), changed, person)
        return obj
    for name in changed:
        setattr(obj, name, values[name])
    if hasattr(obj, "version"):
        obj.version += 1
    obj.full_clean()
    obj._change_reason = loader_reason(origin)
    obj.save()
    report.add(model, "updated")
    return obj


def _by_person() -> Q:
    """History records written by a person: with a user, or with a reason that is not a loader's."""
    reason = Q(history_change_reason__isnull=False) & ~Q(history_change_reason="")
    return Q(history_user__isnull=False) | (reason & ~Q(history_change_reason__startswith=LOADER_REASON))


def person_change(obj: models.Model):
    """The latest history record of ``obj`` written by a person since a loader last wrote it, or None."""
    if not hasattr(type(obj), "history"):
        return None
    history = obj.history.all()
    last_loader = (
        history.filter(history_user__isnull=True, history_change_reason__startswith=LOADER_REASON)
        .order_by("-history_id")
        .values_list("history_id", flat=True)
        .first()
    )
    people = history.filter(_by_person())
    if last_loader is not None:
        people = people.filter(history_id__gt=last_loader)
    return people.select_related("history_user").order_by("-history_id").first()


def _deleted_by_person(model: type[models.Model], lookup: dict):
    """The record of a person deleting the row with this natural key, if that is its last record."""
    if not hasattr(model, "history"):
        return None
    latest = model.history.filter(**lookup).select_related("history_user").order_by("-history_id").first()
    if latest is None or latest.history_type != "-":
        return None
    return latest if model.history.filter(_by_person(), history_id=latest.history_id).exists() else None


def natural_key(lookup: dict) -> str:
    """``program=city-area fiscal_year=2008 stage=enacted``: the lookup as a person reads it."""
    return " ".join(f"{name}={_key_part(value)}" for name, value in lookup.items())


def _key_part(value) -> str:
    if value is None:
        return "none"
    if value is MISSING:
        return "(deleted)"
    if isinstance(value, models.Model):
        for attr in ("slug", "key", "code"):
            if getattr(value, attr, None) not in (None, ""):
                return str(getattr(value, attr))
        return str(value.pk)
    return str(value)


def _who(record) -> str:
    if record is None:
        return ""
    user = getattr(record, "history_user", None)
    if user is not None:
        return user.get_username()
    reason = getattr(record, "history_change_reason", "") or ""
    return f"someone ({reason})" if reason else "someone (no user recorded)"


def _differs(current, new) -> bool:
    if isinstance(current, models.Model) or isinstance(new, models.Model):
        return getattr(current, "pk", current) != getattr(new, "pk", new)
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        return Decimal(str(current)) != Decimal(str(new)) if current is not None and new is not None else current != new
    return current != new


def set_m2m(obj: models.Model, name: str, targets, report: LoadReport | None = None, key: str = "") -> None:
    """Replace a many-to-many set only when it differs, and never on a row a person has changed."""
    if obj is MISSING:
        return
    targets = [t for t in targets if t is not MISSING]
    manager = getattr(obj, name)
    wanted = {t.pk for t in targets}
    if set(manager.values_list("pk", flat=True)) == wanted:
        return
    person = person_change(obj)
    if person is not None:
        if report is not None:
            report.skip(type(obj), key or str(obj.pk), [name], person)
        return
    manager.set(targets)
