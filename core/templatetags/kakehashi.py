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
