"""Rendering chart pages, with ``?export=csv|xlsx&chart=<id>`` giving a chart's own data."""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.exports import Column, export_response
from core.params import page_params

from ..blocks import ChartBlock


def iter_blocks(context):
    """Every ChartBlock anywhere in the context (values, lists, dicts)."""
    stack = list(context.values())
    while stack:
        item = stack.pop()
        if isinstance(item, ChartBlock):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)


def find_block(context, block_id: str) -> ChartBlock | None:
    return next((block for block in iter_blocks(context) if block.id == block_id), None)


def chart_export(request, block: ChartBlock):
    """The chart's table alternative as CSV/XLSX: the same numbers, plain, units in the headers,
    a precision column beside every figure column and the source kind of every row (DESIGN §2b)."""
    from programs.choices import Precision, SourceKind

    from .. import analytics

    labels = block.export_labels()
    with_precision = {i for i in block.numeric_columns if any(_cell(row, i).rounded is not None for row in block.rows)}
    with_kind = any(cell.kind for row in block.rows for cell in row) or block.illustrative
    precision_labels = dict(Precision.choices)
    kind_labels = dict(SourceKind.choices)
    columns = []
    for i, label in enumerate(labels):
        columns.append(Column(f"c{i}", label, label, "text" if i not in block.numeric_columns else "number"))
        if i in with_precision:
            heading = _("%(column)s: precision") % {"column": block.columns[i]}
            columns.append(Column(f"p{i}", heading, heading))
    if with_kind:
        columns.append(Column("kind", _("Source kind"), _("Source kind")))

    def rows():
        for row in block.rows:
            item = {}
            for i, cell in enumerate(row):
                item[f"c{i}"] = cell.plain()
                if i in with_precision:
                    item[f"p{i}"] = (
                        str(precision_labels[Precision.ROUNDED if cell.rounded else Precision.EXACT])
                        if cell.rounded is not None
                        else ""
                    )
            if with_kind:
                kinds = {cell.kind for cell in row if cell.kind}
                if not kinds and block.illustrative:
                    kinds = {"illustrative"}
                ordered = [k for k in analytics.KIND_CAUTION if k in kinds]
                item["kind"] = "; ".join(str(kind_labels.get(k, k)) for k in ordered)
            yield item

    about = [
        (_("Chart"), block.title),
        (_("Summary"), block.summary),
        (_("Unit"), block.unit_caption),
        (_("Exported from"), request.build_absolute_uri()),
        (_("Includes illustrative data"), _("yes") if block.illustrative else _("no")),
        *[(_("Note"), note) for note in block.notes],
    ]
    return export_response(
        request, what=block.id, columns=columns, rows=rows, unit=page_params(request).unit, about=about
    )


def render_page(request, template: str, context: dict, status: int = 200):
    if request.GET.get("export") and request.GET.get("chart"):
        block = find_block(context, request.GET["chart"])
        if block is None:
            raise Http404(_("No such chart on this page."))
        if request.GET["export"] not in ("csv", "xlsx"):
            raise Http404(_("Unknown export format."))
        return chart_export(request, block)
    context.setdefault("has_illustrative", any_illustrative(context))
    return render(request, template, context, status=status)


#: a pivot shows at most this many fiscal years at once unless a range is asked for, and this
#: many rows per page (downloads hold every row of the years shown)
WINDOW_YEARS = 10
PAGE_ROWS = 50


@dataclass
class YearWindow:
    years: list[int]  # the fiscal years shown
    fy_from: int | None
    fy_to: int | None
    total: int  # fiscal years with figures in all
    limited: bool  # no range was asked for and only the latest WINDOW_YEARS are shown

    @property
    def first(self):
        return self.years[0] if self.years else None

    @property
    def last(self):
        return self.years[-1] if self.years else None

    @property
    def shown(self) -> int:
        return len(self.years)


def year_window(years, fy_from: int | None, fy_to: int | None, *, size: int = WINDOW_YEARS) -> YearWindow:
    """The fiscal years a pivot shows (cost follows what is shown): the asked range, else the
    latest ``size`` years that have figures. The page says so, and its download (the same query
    string) holds the same years."""
    years = sorted(set(years))
    if fy_from is None and fy_to is None and len(years) > size:
        shown = years[-size:]
        return YearWindow(shown, shown[0], shown[-1], len(years), True)
    shown = [y for y in years if (fy_from is None or y >= fy_from) and (fy_to is None or y <= fy_to)]
    return YearWindow(shown, fy_from, fy_to, len(years), False)


def page_of(request, items, per_page: int = PAGE_ROWS):
    """(page, page range for the navigation) of ``items``: ``?page=`` (bad values give the first
    or last page, never an error)."""
    from django.core.paginator import Paginator

    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def any_illustrative(context) -> bool:
    """Whether any chart on the page includes illustrative figures (for the print footer)."""
    return any(block.illustrative for block in iter_blocks(context))


def _cell(row, index):
    from ..blocks import Cell

    return row[index] if index < len(row) else Cell("")
