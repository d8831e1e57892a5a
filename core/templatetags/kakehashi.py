"""Template filters that format through core.formatting (the one place for labels and money)."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def fy(value, style="full"):
    """{{ 2008|fy }} → 2008年度（平成20年度） / FY2008; {{ 2008|fy:"short" }} → 2008年度."""
    if value in (None, ""):
        return "—"
    return formatting.fiscal_year_label(int(value), style)


@register.simple_tag
def money(yen, unit="million", rounded=False, with_unit=False):
    """{% money line.amount_yen unit line.is_rounded %} → 約7,500."""
    return formatting.format_money(yen, unit, rounded=bool(rounded), with_unit=bool(with_unit))


@register.simple_tag
def unit_label(unit="million"):
    return formatting.unit_label(unit)


@register.filter
def localized_name(obj):
    """The name in the active language. In English, a row with no English name shows its
    Japanese name marked as such (lang="ja" and a note), never a blank."""
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    from core.i18n import falls_back, localized

    if falls_back(obj):
        return format_html(
            '<span lang="ja">{}</span><span class="fallback-note"> ({})</span>',
            localized(obj),
            _("Japanese name only"),
        )
    return localized(obj)


@register.simple_tag
def outcome(value, unit):
    """An outcome value in its indicator's unit: yen in 億円 (2 dp), counts as integers."""
    if value is None:
        return "—"
    if unit == "yen":
        return formatting.format_money(value, "hundred-million", with_unit=True)
    return formatting.format_number(value)


@register.simple_tag
def percent(value, signed=True):
    return formatting.format_percent(value, 0, signed=bool(signed))


@register.simple_tag
def control(field):
    """A form control tied to its help and error texts (aria-describedby, aria-invalid)."""
    ids = []
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def render_table_cached(context, table):
    """``{% render_table table %}``, cached per data version: a list page's table (50 rows of
    cells through django-tables2) is the same for everyone who asks for the same rows, page, sort,
    unit and language with the same edit rights. The key holds the table's SQL (which carries the
    filters, the ordering and the user's scope), the page and the rendering inputs; any committed
    write bumps the data version. With the cache down, the table is rendered as before."""
    import hashlib

    from django.core.exceptions import EmptyResultSet
    from django.utils.translation import get_language

    from core.history import cached_per_version

    request = context["request"]
    queryset = getattr(table.data, "data", None)
    try:
        query = str(queryset.query) if hasattr(queryset, "query") else None
    except EmptyResultSet:
        query = "empty"
    if query is None:
        return table.as_html(request)
    page = getattr(table, "page", None)
    parts = [
        request.path,
        query,
        str(page.number if page else ""),
        str(getattr(table.paginator, "per_page", "")) if getattr(table, "paginator", None) else "",
        "&".join(f"{k}={v}" for k, v in sorted(request.GET.items())),
        get_language() or "",
        str(getattr(table, "unit", "")),
        str(getattr(table, "can_edit", "")),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return cached_per_version(f"table:{digest}", lambda: table.as_html(request))
