"""When the data last changed, from django-simple-history's records, cached until the next write.

Every history record (i.e. every tracked write) bumps a data version in the cache when its
transaction commits, so cached aggregates keyed by it are never stale, across processes too when
the cache is shared (Redis).
"""

import hashlib
import re
import secrets
from collections import OrderedDict

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

VERSION_KEY = "kakehashi:data-version"
AS_OF_KEY = "kakehashi:data-as-of:{version}"


def tracked_models():
    """Every model that carries a simple-history ``history`` manager."""
    return [m for m in apps.get_models() if getattr(m._meta, "simple_history_manager_attribute", None)]


#: a bump this process could not store (the cache was down): made up for once it answers again,
#: so figures cached by other processes before the write do not outlive the outage
_missed_bump = False


def data_version() -> int:
    if _missed_bump:
        bump_data_version()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_data_version() -> None:
    global _missed_bump
    from .cache import failures

    before = failures()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
    _missed_bump = failures() > before


@receiver(post_create_historical_record)
def _on_write(sender, **kwargs):
    # Only once the rows are visible to other processes: bumped inside the transaction, a reader
    # could cache figures under the new version before the write commits (and keep them after).
    # A rolled-back write drops the callback. Outside a transaction it runs at once.
    transaction.on_commit(bump_data_version)


#: this process's copies of values cached per data version: key → (version, token, value), newest
#: last; only the current version's are kept
_memo: OrderedDict[str, tuple[int, str, object]] = OrderedDict()
MEMO_SIZE = 64
_MISSING = object()
_SAFE_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,150}")


def cached_per_version(name: str, compute, *, timeout: int = 900):
    """``compute()``, cached under the current data version (every committed write bumps it).

    The value lives in the shared cache (Redis: every process sees it) and, to spare unpickling
    large frames on every request, in this process too — but a local copy is used only while the
    shared cache still holds the token stored with it, so a cleared or restarted cache, or a
    version bump by any process, is never answered from a stale local copy. When the cache
    fails (Redis down), the current version is unknowable: the value is computed, never taken
    from a local copy. Callers must treat the value as read-only (it is shared).
    """
    from .cache import failures

    before = failures()
    version = data_version()
    if failures() > before:
        return compute()
    if not _SAFE_KEY.fullmatch(name):  # query strings, Japanese: keys any cache backend accepts
        name = hashlib.sha256(name.encode()).hexdigest()
    key = f"kakehashi:{name}:{version}"
    token = cache.get(f"{key}:token")
    if token is not None and failures() == before:
        local = _memo.get(key)
        if local is not None and local[1] == token:
            _memo.move_to_end(key)
            return local[2]
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            _remember(key, version, token, value)
            return value
    value = compute()
    token = secrets.token_hex(8)
    cache.set_many({key: value, f"{key}:token": token}, timeout=timeout)
    if failures() == before:
        _remember(key, version, token, value)
    return value


def _remember(key: str, version: int, token: str, value) -> None:
    for old in [k for k, (v, _t, _value) in _memo.items() if v != version]:
        del _memo[old]
    _memo[key] = (version, token, value)
    _memo.move_to_end(key)
    while len(_memo) > MEMO_SIZE:
        _memo.popitem(last=False)


def data_as_of():
    """The time of the latest recorded change to any tracked row, or None with no data."""
    key = AS_OF_KEY.format(version=data_version())
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    latest = None
    for model in tracked_models():
        value = model.history.aggregate(latest=Max("history_date"))["latest"]
        if value and (latest is None or value > latest):
            latest = value
    cache.set(key, latest or "", timeout=300)
    return latest


# --- Readable change history -----------------------------------------------------------------

MONEY_FIELDS = {"amount_yen", "national_yen", "local_yen"}
SKIP_FIELDS = {"version", "id"}


def _display(model, field_name: str, value, related_names: dict) -> str:
    from .formatting import format_number

    if value is None or value == "":
        return "—"
    field = model._meta.get_field(field_name)
    if field.is_relation:
        return related_names.get((field.related_model, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field_name in MONEY_FIELDS:
        return f"{format_number(value)}円"
    if isinstance(value, bool):
        from django.utils.translation import gettext as _

        return _("yes") if value else _("no")
    return str(value)


def _label(model, row, related_names: dict) -> str:
    """A row's name without touching related rows: its own name, else its parents' names,
    fiscal year and kind/stage."""
    if getattr(row, "name_ja", ""):
        return row.name_ja
    if getattr(row, "title", ""):
        return row.title
    parts = []
    for name in ("cluster", "program", "indicator"):
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - the model has no such field
            continue
        value = getattr(row, field.attname)
        parts.append(related_names.get((field.related_model, value), "—") if value else "—")
    if getattr(row, "fiscal_year", None):
        parts.append(f"{row.fiscal_year}")
    for name in ("stage", "kind", "status"):
        if hasattr(row, name):
            parts.append(_display(model, name, getattr(row, name), related_names))
            break
    return " ".join(p for p in parts if p)


def history_entries(sources: list[tuple[type, object]], *, limit: int = 500) -> list[dict]:
    """Readable history of several tracked models: ``sources`` are (model, historical queryset)
    pairs. Each entry: when, who, what kind of change, which row, and field-level before/after.
    Newest first. A fixed number of queries per model (records, then related names)."""
    entries = []
    for model, records in sources:
        rows = list(records.select_related("history_user").order_by("id", "history_date", "history_id")[:limit])
        fk_fields = [f for f in model._meta.concrete_fields if f.is_relation]
        wanted: dict[type, set] = {}
        for row in rows:
            for field in fk_fields:
                value = getattr(row, field.attname)
                if value is not None:
                    wanted.setdefault(field.related_model, set()).add(value)
        related_names = {}
        for related_model, ids in wanted.items():
            for obj in related_model._default_manager.filter(pk__in=ids):
                related_names[(related_model, obj.pk)] = str(obj)
        previous = {}
        for row in rows:
            before = previous.get(row.id)
            changes = []
            fields = [f for f in model._meta.concrete_fields if f.name not in SKIP_FIELDS]
            for field in fields:
                new = getattr(row, field.attname)
                old = getattr(before, field.attname) if before is not None else None
                if before is None and row.history_type == "+":
                    if new in (None, ""):
                        continue
                elif new == old:
                    continue
                changes.append(
                    {
                        "field": str(field.verbose_name),
                        "old": _display(model, field.name, old, related_names) if before is not None else "—",
                        "new": _display(model, field.name, new, related_names),
                    }
                )
            previous[row.id] = row
            if row.history_type == "~" and not changes:
                continue
            entries.append(
                {
                    "date": row.history_date,
                    "user": row.history_user.get_username() if row.history_user else None,
                    "type": row.history_type,
                    "model": str(model._meta.verbose_name),
                    "object": _label(model, row, related_names),
                    "changes": changes,
                    "version": getattr(row, "version", None),
                }
            )
    entries.sort(key=lambda e: e["date"], reverse=True)
    return entries
