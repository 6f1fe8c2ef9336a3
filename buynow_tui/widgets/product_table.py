"""The Shop's product table: one page of the catalog at a time, asking for more at the edges.

The table never holds the whole catalog. Moving down past its last row (or PageDown
there) posts `PageRequested(+1)`; moving up past the first row (or PageUp there)
posts `PageRequested(-1)`. The screen loads that page with a keyset query and
calls `show_page`.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.message import Message

from buynow_tui.store.views import ProductView, dollars
from buynow_tui.widgets.list_table import ListTable, right, text


class ProductTable(ListTable):
    class PageRequested(Message):
        """The cursor tried to leave the page: +1 for the next page, -1 for the previous."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            [("Name", "name"), ("Category", "category"), ("Price", "price"), ("Stock", "stock")],
            id=id,
        )
        self.has_next = False
        self.has_prev = False
        self.products: tuple[ProductView, ...] = ()

    def show_page(
        self,
        products: Sequence[ProductView],
        *,
        cursor_at_end: bool = False,
        row: int | None = None,
    ) -> None:
        """Replace the rows with one page; the cursor goes to `row`, or its first (or last) row."""
        self.products = tuple(products)
        self.clear()
        for product in self.products:
            self.add_row(
                text(product.name),
                text(product.category),
                right(dollars(product.price_cents)),
                text(product.stock_words),
                key=str(product.id),
            )
        if self.products:
            last = len(self.products) - 1
            self.move_cursor(
                row=min(row, last) if row is not None else (last if cursor_at_end else 0)
            )

    @property
    def selected(self) -> ProductView | None:
        if not self.products:
            return None
        return self.products[min(max(self.cursor_row, 0), len(self.products) - 1)]

    # -- moving past the edges asks for the next or previous page -------------------
    def _at_last_row(self) -> bool:
        return self.row_count == 0 or self.cursor_row >= self.row_count - 1

    def action_cursor_down(self) -> None:
        if self._at_last_row() and self.has_next:
            self.post_message(self.PageRequested(+1))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.has_prev:
            self.post_message(self.PageRequested(-1))
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if self._at_last_row() and self.has_next:
            self.post_message(self.PageRequested(+1))
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0 and self.has_prev:
            self.post_message(self.PageRequested(-1))
        else:
            super().action_page_up()
