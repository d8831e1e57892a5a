"""The one write path for tracked rows (DESIGN §6 "Writes").

Every write validates (full_clean), checks the optimistic-locking version, saves inside a
transaction with the acting user recorded in history, and re-checks the saved row against the
user's scope before committing — so a forged foreign key cannot move a row out of scope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from .history import bump_data_version


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


# --- many rows at once (imports) -------------------------------------------------------------------

#: rows per locking query, validation query, bulk write and scope query
CHUNK = 1000


@dataclass
class TrackedWrite:
    """One row for save_tracked_many: ``instance`` and ``version`` as for save_tracked (None for a
    new row); ``before_save(instance)`` runs after the version check, before validation (e.g. it
    creates the Source the row will cite)."""

    instance: models.Model
    version: int | None = None
    before_save: Callable[[models.Model], None] | None = None


class WritesRefused(Exception):
    """save_tracked_many wrote nothing. ``errors`` maps the index of each refused row to why:
    StaleVersion (``current`` None when the row is gone; no field differences), ValidationError,
    PermissionDenied or IntegrityError (a constraint the row-by-row validation did not pin on a row)."""

    def __init__(self, errors: dict[int, Exception]):
        super().__init__(f"{len(errors)} rows refused")
        self.errors = errors


def save_tracked_many(*, user, rows: Sequence[TrackedWrite], action: str = "change", chunk_size: int = CHUNK) -> None:
    """Create or update many rows of one model as ``user``, with save_tracked's guarantees, in bulk.

    Guarantees: one transaction — every row is written or none is (WritesRefused names each row
    refused and why); rows that exist are locked (select_for_update ordered by pk, one query per
    chunk) and one whose version differs from ``version`` — or that is gone, or comes without a
    version — is refused (StaleVersion); each row is validated as full_clean does: fields and
    clean() in memory, foreign keys set-wise (one query per key and chunk), unique and check
    constraints by the database (a chunk that violates one is validated again row by row for the
    messages); a changed row's version goes up by exactly one; one history record per row with
    ``user`` (simple-history's bulk helpers, one history date for the whole call); every written
    row is re-checked against ``restrict(user, action)`` (one query per chunk; PermissionDenied);
    the data version is bumped when the transaction commits (bulk writes send no signals).

    Queries: a handful per chunk whatever the number of rows, plus what ``before_save`` steps do.
    Models that override save() are refused (TypeError): bulk writes would skip it.
    """
    if not rows:
        return
    model = type(rows[0].instance)
    if any(type(row.instance) is not model for row in rows):
        raise TypeError("save_tracked_many writes rows of one model")
    if model.save is not models.Model.save:
        raise TypeError(f"{model.__name__} overrides save(); bulk writes would skip it")
    chunks = [range(start, min(start + chunk_size, len(rows))) for start in range(0, len(rows), chunk_size)]
    with transaction.atomic():
        current = _lock_and_check_versions(model, rows, chunk_size)
        for row in rows:
            if row.before_save:
                row.before_save(row.instance)
        errors = {}
        for chunk in chunks:
            errors.update(_validate(model, rows, chunk))
        if errors:
            raise WritesRefused(errors)
        when = timezone.now()
        for chunk in chunks:
            errors.update(_write(model, user, rows, chunk, current, when))
            if errors:
                raise WritesRefused(errors)
        for chunk in chunks:
            errors.update(_check_scope_many(model, user, rows, chunk, action))
        if errors:
            raise WritesRefused(errors)
        transaction.on_commit(bump_data_version)


def _lock_and_check_versions(model, rows: Sequence[TrackedWrite], chunk_size: int) -> dict:
    """{pk: the row's current values (concrete fields, in order)} of the rows that exist, locked in
    pk order; each row's version set to the current one + 1. WritesRefused (StaleVersion) when any
    is stale."""
    existing = sorted((row.instance.pk, index) for index, row in enumerate(rows) if row.instance.pk is not None)
    attnames = [f.attname for f in model._meta.concrete_fields]
    pk, version = attnames.index(model._meta.pk.attname), attnames.index("version")
    current = {}
    for start in range(0, len(existing), chunk_size):
        pks = [key for key, _index in existing[start : start + chunk_size]]
        locked = model._base_manager.select_for_update().filter(pk__in=pks).order_by("pk").values_list(*attnames)
        current.update((values[pk], values) for values in locked)
    errors = {}
    for key, index in existing:
        row, found = rows[index], current.get(key)
        if found is None or row.version is None or found[version] != row.version:
            shown = None if found is None else model.from_db(None, attnames, found)
            errors[index] = StaleVersion(shown, [])
        else:
            row.instance.version = found[version] + 1
    if errors:
        raise WritesRefused(errors)
    return current


def _foreign_keys(model) -> list:
    return [f for f in model._meta.concrete_fields if f.is_relation]


def _validate(model, rows: Sequence[TrackedWrite], chunk: range) -> dict[int, ValidationError]:
    """full_clean for each row of ``chunk`` without a query per row: fields (foreign keys apart)
    and clean() in memory; foreign keys checked against one query per key (as ForeignKey.validate
    does, limit_choices_to included). Unique and check constraints are left to the database."""
    keys = _foreign_keys(model)
    found = {}
    for field in keys:
        values = {getattr(rows[i].instance, field.attname) for i in chunk} - {None}
        target = field.remote_field.field_name
        related = field.remote_field.model._base_manager.filter(**{f"{target}__in": values}).order_by()
        related = related.complex_filter(field.get_limit_choices_to())
        found[field.name] = set(related.values_list(target, flat=True)) if values else set()
    errors = {}
    for index in chunk:
        instance = rows[index].instance
        problems: dict = {}
        try:
            instance.full_clean(exclude=[f.name for f in keys], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems = error.update_error_dict(problems)
        for field in keys:
            if (problem := _foreign_key_error(field, instance, found[field.name])) is not None:
                problems.setdefault(field.name, []).append(problem)
        if problems:
            errors[index] = ValidationError(problems)
    return errors


def _foreign_key_error(field, instance, existing: set) -> ValidationError | None:
    """What Model.clean_fields and ForeignKey.validate say about ``field``, the target's
    existence looked up in ``existing`` instead of a query."""
    raw = getattr(instance, field.attname)
    if field.blank and raw in field.empty_values:
        return None
    try:
        value = field.to_python(raw)
        models.Field.validate(field, value, instance)  # null, blank, choices: ForeignKey.validate minus its query
        field.run_validators(value)
    except ValidationError as error:
        return error
    if value is not None and value not in existing:
        return ValidationError(
            field.error_messages["invalid"],
            code="invalid",
            params={
                "model": field.remote_field.model._meta.verbose_name,
                "pk": value,
                "field": field.remote_field.field_name,
                "value": value,
            },
        )
    return None


def _changed_fields(rows: Sequence[TrackedWrite], indexes: list[int], current: dict) -> list[str]:
    """The fields any of these updated rows changes (the version always)."""
    fields = list(enumerate(type(rows[indexes[0]].instance)._meta.concrete_fields))
    changed = {"version"}
    for index in indexes:
        instance = rows[index].instance
        before = current[instance.pk]
        changed.update(f.name for i, f in fields if not f.primary_key and getattr(instance, f.attname) != before[i])
    return sorted(changed)


class ValueByPk(models.Expression):
    """``CASE pk WHEN %s THEN %s … ELSE column END``: each row's own new value of one field, so
    one UPDATE writes a chunk of rows (SQLite and PostgreSQL alike). Django's bulk_update
    builds and resolves a When(pk=…) per row and field instead, which at tens of thousands of rows
    costs several times the write itself."""

    def __init__(self, field: models.Field, values: dict):
        super().__init__(output_field=field)
        self.target = field
        self.values = values  # pk → value as the database takes it
        self.pk = self.column = None

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.pk = models.F("pk").resolve_expression(query, allow_joins, reuse, summarize)
        clone.column = models.F(self.target.name).resolve_expression(query, allow_joins, reuse, summarize)
        return clone

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        column_sql, column_params = compiler.compile(self.column)
        params = list(pk_params)
        for pk, value in self.values.items():
            params += [pk, value]
        whens = " ".join(["WHEN %s THEN %s"] * len(self.values))
        return f"CASE {pk_sql} {whens} ELSE {column_sql} END", [*params, *column_params]


def _bulk_update(model, objs: list, fields: list[str]) -> None:
    """Write ``fields`` of ``objs`` (rows that exist): one UPDATE per batch, a ValueByPk per field."""
    fields = [model._meta.get_field(name) for name in fields]
    limit = connection.features.max_query_params  # SQLite: 999; PostgreSQL: none
    size = max(1, (limit - 1) // (2 * len(fields) + 1)) if limit else len(objs)
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        changes = {}
        for field in fields:
            values = {obj.pk: field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in batch}
            expression = ValueByPk(field, values)
            if connection.features.requires_casted_case_in_updates:
                expression = Cast(expression, output_field=field)
            changes[field.attname] = expression
        model._base_manager.filter(pk__in=[obj.pk for obj in batch]).update(**changes)


def _write(model, user, rows: Sequence[TrackedWrite], chunk: range, current: dict, when) -> dict:
    """Insert and update the rows of ``chunk`` with their history records, in a savepoint. A
    database constraint refusing them: the chunk is rolled back and validated row by row."""
    creates = [i for i in chunk if rows[i].instance.pk is None]
    updates = [i for i in chunk if rows[i].instance.pk is not None]
    # as save_tracked records them: the user, no change reason (loaders write theirs)
    history = {"default_user": user, "default_date": when, "default_change_reason": None}
    try:
        with transaction.atomic():
            if creates:
                bulk_create_with_history([rows[i].instance for i in creates], model, **history)
            if updates:
                objs = [rows[i].instance for i in updates]
                _bulk_update(model, objs, _changed_fields(rows, updates, current))
                get_history_manager_for_model(model).bulk_history_create(objs, update=True, **history)
    except IntegrityError as error:
        for index in creates:  # the failed insert may have numbered some of them
            rows[index].instance.pk = None
            rows[index].instance._state.adding = True
        errors = {}
        for index in chunk:
            try:
                rows[index].instance.full_clean()
            except ValidationError as problem:
                errors[index] = problem
        return errors or dict.fromkeys(chunk, error)
    return {}


def _check_scope_many(model, user, rows: Sequence[TrackedWrite], chunk: range, action: str) -> dict:
    pks = [rows[i].instance.pk for i in chunk]
    allowed = set(model.objects.restrict(user, action).filter(pk__in=pks).order_by().values_list("pk", flat=True))
    denied = PermissionDenied("This row is outside your scope.")
    return {i: denied for i in chunk if rows[i].instance.pk not in allowed}
