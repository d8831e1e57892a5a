"""What a page needs to show one chart accessibly: title, summary, figure JSON and the same
numbers as a table (UI.md B8). Built by views from analytics frames; no ORM here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str
    numeric: bool = False
    value: object = None  # raw value for sorting / data-value
    header: bool = False
    export: object = None  # the plain value a CSV/XLSX of the chart gets (None: value, else text)
    rounded: bool | None = None  # a figure's precision (None: not a figure); exported beside it
    kind: str | None = None  # the source kind of a figure (official, press, reported, illustrative)

    def plain(self):
        if self.export is not None:
            return self.export
        if self.numeric:  # a number, or an empty cell: never "—" or a sentence in a number column
            return self.value if self.value is not None else ""
        return self.text


@dataclass
class ChartBlock:
    id: str
    title: str
    summary: str
    figure: dict
    columns: list[str] = field(default_factory=list)
    numeric_columns: set[int] = field(default_factory=set)
    rows: list[list[Cell]] = field(default_factory=list)
    footer: list[Cell] = field(default_factory=list)
    unit_caption: str = ""
    illustrative: bool = False
    note: str = ""
    money_columns: set[int] = field(default_factory=set)
    interactive: bool = False  # a map that keyboard users can pan and zoom: labelled, not hidden
    export_columns: list[str] | None = None
    notes: list[str] = field(default_factory=list)  # sentences under the table (e.g. "1 of 2 sub-programs")

    body_html: str = ""  # the table's rows as HTML, built once (``table_body``)

    def table_body(self) -> str:
        """The table alternative's rows as HTML, built here once and kept with the block (a
        cached block keeps it too): thousands of cells are too slow through template tags."""
        from django.utils.safestring import mark_safe

        if not self.body_html:
            badges = kind_badges()
            self.body_html = "\n".join(
                "<tr>" + "".join(cell_html(c, badges) for c in row) + "</tr>" for row in self.rows
            )
        return mark_safe(self.body_html)  # noqa: S308 - every cell built by format_html

    def export_labels(self) -> list[str]:
        """Column headers for downloads: money columns carry the unit (金額（百万円）)."""
        if self.export_columns:
            return self.export_columns
        unit = self.unit_caption.replace("（単位：", "（").replace("(Unit: ", "(")
        return [f"{label}{unit}" if i in self.money_columns else str(label) for i, label in enumerate(self.columns)]


def kind_badges() -> dict[str, str]:
    """The badge a figure of each marked source kind carries in a table cell."""
    from django.utils.html import format_html
    from django.utils.translation import gettext as _

    return {
        "illustrative": format_html(' <span class="badge badge--illustrative">{}</span>', _("illustrative")),
        "reported": format_html(' <span class="badge badge--reported">{}</span>', _("reported by the region")),
    }


def cell_html(cell: Cell, badges: dict[str, str]) -> str:
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    if cell.header:
        return format_html('<th scope="row">{}</th>', cell.text)
    attrs = mark_safe("")
    if cell.numeric:
        attrs = (
            format_html(' class="num" data-value="{}"', cell.value)
            if cell.value is not None
            else mark_safe(' class="num"')
        )
    return format_html("<td{}>{}{}</td>", attrs, cell.text, badges.get(cell.kind, ""))
