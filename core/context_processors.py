from .formatting import Unit, unit_label


def kakehashi(request):
    """The display unit chosen with ?unit= (百万円 by default), for every template."""
    from .roles import Role, has_role

    unit = Unit.parse(request.GET.get("unit"))
    user = request.user
    return {
        "perms_board": any(has_role(user, r) for r in (Role.VIEWER, Role.ANALYST, Role.PROGRAM_MANAGER)),
        "perms_import": any(has_role(user, r) for r in (Role.COORDINATOR, Role.PROGRAM_MANAGER)),
        "unit": unit.value,
        "unit_label": unit_label(unit),
        "unit_choices": [(u.value, unit_label(u)) for u in (Unit.MILLION, Unit.HUNDRED_MILLION, Unit.THOUSAND)],
    }
