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
