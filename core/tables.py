"""Shared django-tables2 columns: money in the chosen unit, fiscal-year labels, badges."""

import django_tables2 as tables
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .formatting import fiscal_year_label, format_money, unit_label
from .querysets import total_order

NUMERIC_ATTRS = {"th": {"class": "num", "scope": "col"}, "td": {"class": "num"}, "tf": {"class": "num"}}


class KakehashiTable(tables.Table):
    """Base table: knows the display unit and gives every header scope="col". Its rows always end
    their order with the primary key (``total_order``), whatever column the user sorts by, so
    pages and exports list tied rows in the same order every time."""

    def __init__(self, *args, unit="million", **kwargs):
        self.unit = unit
        super().__init__(*args, **kwargs)
        self._total_order()

    @property
    def order_by(self):
        return tables.Table.order_by.fget(self)

    @order_by.setter
    def order_by(self, value):
        tables.Table.order_by.fset(self, value)
        self._total_order()

    def _total_order(self):
        data = getattr(getattr(self, "data", None), "data", None)
        if isinstance(data, QuerySet):
            self.data.data = total_order(data)

    class Meta:
        attrs = {"class": "data", "th": {"scope": "col"}}
        template_name = "includes/table.html"


class FiscalYearColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"scope": "col"}, "td": {"class": "nowrap"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return fiscal_year_label(int(value), "short")


class MoneyColumn(tables.Column):
    """Whole yen shown in the table's unit, 約 for rounded figures (``rounded_accessor``), with the
    exact yen in data-value for client-side sorting; the header repeats the unit."""

    def __init__(self, *args, rounded_accessor=None, **kwargs):
        self.rounded_accessor = rounded_accessor
        kwargs.setdefault("attrs", NUMERIC_ATTRS)
        super().__init__(*args, **kwargs)

    def header_with_unit(self, table):
        return f"{self.verbose_name}（{unit_label(table.unit)}）"

    def render(self, value, record, table):
        rounded = bool(tables.A(self.rounded_accessor).resolve(record)) if self.rounded_accessor else False
        return format_html('<span data-value="{}">{}</span>', value, format_money(value, table.unit, rounded=rounded))

    def value(self, value, record, table):
        return value


def badge(css: str, text) -> str:
    return format_html('<span class="badge badge--{}">{}</span>', css, text)


def source_cell(source):
    if source is None:
        return "—"
    kind = badge(source.kind, source.get_kind_display())
    if source.url:
        return format_html('{} <a href="{}" rel="noopener noreferrer">{}</a>', kind, source.url, source.title)
    return format_html("{} {}", kind, source.title)


SOURCE_HEADER = _("Source")


def localized_name(obj):
    """The name in the active language, marked when English falls back to Japanese."""
    from .templatetags.kakehashi import localized_name as name_filter

    return name_filter(obj)


def other_name(obj):
    """The name in the other language, small, for a second line in a table cell."""
    from .i18n import is_english

    if is_english():
        return format_html('<br><small lang="ja">{}</small>', obj.name_ja) if obj.name_en else ""
    return format_html('<br><small lang="en">{}</small>', obj.name_en) if obj.name_en else ""
