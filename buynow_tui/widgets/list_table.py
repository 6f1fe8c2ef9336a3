"""A row-cursor table for the shop's lists: zebra stripes, `j`/`k` as well as arrows.

Cells that hold user or catalog text must be `Text`: a plain `str` cell is read as
markup by `DataTable`.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        # Columns from the start: rows may arrive (from a worker) before this table mounts,
        # and rows added before their columns never widen them.
        for label, key in columns:
            self.add_column(label, key=key)

    @property
    def selected_key(self) -> str | None:
        """The key of the row under the cursor, or None for an empty table."""
        if self.row_count == 0:
            return None
        row = min(max(self.cursor_row, 0), self.row_count - 1)
        return self.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value  # type: ignore[arg-type]

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
    """A right-aligned cell for money and counts."""
    return Text(value, justify="right", no_wrap=True)
