from .formatting import Unit, unit_label


def kakehashi(request):
    """The display unit chosen with ?unit= (百万円 by default), for every template."""
    unit = Unit.parse(request.GET.get("unit"))
    return {
        "unit": unit.value,
        "unit_label": unit_label(unit),
        "unit_choices": [(u.value, unit_label(u)) for u in (Unit.MILLION, Unit.HUNDRED_MILLION, Unit.THOUSAND)],
    }
