"""A row-cursor table for the shop's lists: zebra stripes, `j`/`k` as well as arrows.

Cells that hold user or catalog text must be `Text`: a plain `str` cell is read as
markup by `DataTable`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist


class ListTable(DataTable[Any]):
    """A `DataTable` that moves by row, with the house's list keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="list-open"),
        Binding("j", "cursor_down", "Down", show=False, id="list-down"),
        Binding("k", "cursor_up", "Up", show=False, id="list-up"),
    ]

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        *,
        widths: Mapping[str, int] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`widths` fixes the cells of the text of those columns (by key); the others fit
        their content."""
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self._column_specs = tuple(columns)
        # Columns from the start: rows may arrive (from a worker) before this table mounts,
        # and rows added before their columns never widen them.
        self._add_columns(widths or {})

    def _add_columns(self, widths: Mapping[str, int]) -> None:
        for label, key in self._column_specs:
            self.add_column(label, key=key, width=widths.get(key))

    @property
    def column_widths(self) -> dict[str, int]:
        """Cells of text each column is drawn with now (a blank either side not counted)."""
        return {
            str(key.value): column.get_render_width(self) - 2 * self.cell_padding
            for key, column in self.columns.items()
        }

    def set_column_widths(self, widths: Mapping[str, int]) -> bool:
        """Draw the columns with these fixed widths (by key), keeping the rows and the
        cursor; False (and nothing redrawn) when they already are."""
        if all(
            not column.auto_width and column.width == widths[str(column.key.value)]
            for column in self.columns.values()
            if str(column.key.value) in widths
        ):
            return False
        rows = [(row.key.value, self.get_row(row.key)) for row in self.ordered_rows]
        cursor = self.cursor_row
        # DataTable has no way to change a column's width in place: every cached line
        # would keep the old one. New columns, and the same rows again.
        self.clear(columns=True)
        self._add_columns(widths)
        for key, cells in rows:
            self.add_row(*cells, key=key)
        if rows:
            self.move_cursor(row=min(max(cursor, 0), len(rows) - 1))
        return True

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None for an empty table."""
        if self.row_count == 0:
            return None
        row = min(max(self.cursor_row, 0), self.row_count - 1)
        return self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value

    def select_key(self, key: str | None, fallback_row: int = 0) -> None:
        """Put the cursor on the row with `key`, or near `fallback_row` if it is gone."""
        if self.row_count == 0:
            return
        if key is not None:
            try:
                self.move_cursor(row=self.get_row_index(key))
                return
            except RowDoesNotExist:
                pass
        self.move_cursor(row=min(max(fallback_row, 0), self.row_count - 1))


def text(value: str) -> Text:
    """A table cell for user or catalog text: never markup, never wrapped."""
    return Text(value, no_wrap=True, overflow="ellipsis")


def right(value: str) -> Text:
    """A right-aligned cell for money and counts; cut with "…", never silently by a digit."""
    return Text(value, justify="right", no_wrap=True, overflow="ellipsis")
