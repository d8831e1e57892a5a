"""The four roles of DESIGN §1. They are Django groups, created by a data migration."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Role(TextChoices):
    VIEWER = "viewer", _("Ministry staff (viewer)")
    COORDINATOR = "coordinator", _("Regional coordinator")
    ANALYST = "analyst", _("Analyst")
    PROGRAM_MANAGER = "program_manager", _("Program manager")


def has_role(user, role: Role) -> bool:
    """True when the user holds the role (superusers hold every role)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_kakehashi_roles", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._kakehashi_roles = names
    return str(role) in names
