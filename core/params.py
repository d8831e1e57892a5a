"""Safe parsing of the query-string parameters every page shares (unit, fiscal years).

Bad values never raise: they are ignored and reported back so the page can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .formatting import Unit
from .models import FY_MAX, FY_MIN


@dataclass
class PageParams:
    unit: Unit = Unit.MILLION
    warnings: list[str] = field(default_factory=list)


def parse_fiscal_year(value: str | None, warnings: list[str] | None = None) -> int | None:
    """An integer fiscal year within 1950–2100, or None (with a warning) for anything else."""
    if value in (None, ""):
        return None
    try:
        fy = int(str(value).strip())
    except ValueError:
        fy = None
    if fy is None or not FY_MIN <= fy <= FY_MAX:
        if warnings is not None:
            warnings.append(
                _("“%(value)s” is not a fiscal year between 1950 and 2100; it was ignored.") % {"value": value}
            )
        return None
    return fy


def page_params(request) -> PageParams:
    raw = request.GET.get("unit")
    params = PageParams(unit=Unit.parse(raw))
    if raw and raw != params.unit.value:
        params.warnings.append(_("Unknown unit “%(value)s”; showing million yen.") % {"value": raw})
    return params
