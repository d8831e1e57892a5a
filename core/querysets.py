"""The scope choke point shared by every app: ``restrict(user, action)`` (DESIGN §6)."""

from django.db import models

from .roles import Role, has_role

VIEW = "view"
CHANGE = "change"


class NationalQuerySet(models.QuerySet):
    """Rows that belong to no region (programs, budgets, indicators): every signed-in user reads
    them; only program managers (and superusers) change them."""

    def restrict(self, user, action: str = VIEW):
        if not user.is_authenticated:
            return self.none()
        if action == VIEW:
            return self
        if action == CHANGE and has_role(user, Role.PROGRAM_MANAGER):
            return self
        return self.none()


def total_order(queryset: models.QuerySet) -> models.QuerySet:
    """``queryset`` in its current order (or the model's default ordering), then by primary key:
    ties never come back in a different order, so a page or an export of the same rows is the
    same, byte for byte, on every run and after a dump and restore. Grouped ``values()``
    aggregates and combined queries are returned unchanged (a key would split their groups)."""
    query = queryset.query
    if query.combinator or isinstance(query.group_by, tuple):
        return queryset
    if query.order_by:
        ordering = list(query.order_by)
    else:
        ordering = list(queryset.model._meta.ordering) if query.default_ordering else []
    pk_names = {"pk", queryset.model._meta.pk.attname, queryset.model._meta.pk.name}
    if ordering and isinstance(ordering[-1], str) and ordering[-1].lstrip("-") in pk_names:
        return queryset
    return queryset.order_by(*ordering, "pk")
