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

    def export_labels(self) -> list[str]:
        """Column headers for downloads: money columns carry the unit (金額（百万円）)."""
        if self.export_columns:
            return self.export_columns
        unit = self.unit_caption.replace("（単位：", "（").replace("(Unit: ", "(")
        return [f"{label}{unit}" if i in self.money_columns else str(label) for i, label in enumerate(self.columns)]
