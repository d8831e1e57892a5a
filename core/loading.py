"""Idempotent loading of the CSV fixtures in ``fixtures/`` (reference and demo data).

Rows are matched on a natural key; a row is written only when something changed, so loading
twice writes nothing the second time (and adds no history rows).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import models

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


@dataclass
class LoadReport:
    counts: Counter = field(default_factory=Counter)

    def add(self, model: type[models.Model], outcome: str):
        self.counts[(model._meta.label, outcome)] += 1

    def lines(self) -> list[str]:
        labels = sorted({label for label, _ in self.counts})
        return [
            f"{label}: {self.counts[(label, 'created')]} created, {self.counts[(label, 'updated')]} updated, "
            f"{self.counts[(label, 'unchanged')]} unchanged"
            for label in labels
        ]


def upsert(model: type[models.Model], lookup: dict, values: dict, report: LoadReport) -> models.Model:
    """Create or update one row by natural key, validating it first (full_clean).

    Unchanged rows are not saved. A changed versioned row gets its version bumped.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.add(model, "created")
        return obj
    changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
    if not changed:
        report.add(model, "unchanged")
        return obj
    for name in changed:
        setattr(obj, name, values[name])
    if hasattr(obj, "version"):
        obj.version += 1
    obj.full_clean()
    obj.save()
    report.add(model, "updated")
    return obj


def _differs(current, new) -> bool:
    if isinstance(current, models.Model) or isinstance(new, models.Model):
        return getattr(current, "pk", current) != getattr(new, "pk", new)
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        return Decimal(str(current)) != Decimal(str(new)) if current is not None and new is not None else current != new
    return current != new


def set_m2m(obj: models.Model, name: str, targets) -> None:
    """Replace a many-to-many set only when it differs."""
    manager = getattr(obj, name)
    wanted = {t.pk for t in targets}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(targets)
