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
