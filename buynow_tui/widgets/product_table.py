"""The Shop's product table: one page of the catalog at a time, asking for more at the edges.

The table never holds the whole catalog. Moving down past its last row (or PageDown
there) posts `PageRequested(+1)`; moving up past the first row (or PageUp there)
posts `PageRequested(-1)`. The screen loads that page with a keyset query and
calls `show_page`.

Its column widths depend on the terminal's width alone (`column_widths`), never on
the rows. DataTable's own fitted columns grow to the widest row measured so far, on
the table's next idle, and its cached lines keep the width they were drawn with: the
same 120 columns showed "Tempered Glass Screen Prot…" or the whole name depending on
which page came first and whether a frame was drawn before that idle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from buynow_tui.store.views import ProductView, dollars
from buynow_tui.widgets.list_table import ListTable, right, text

#: Cells of text per column (DataTable adds a blank either side of each). Category,
#: price and stock are as wide as the longest shipped category ("Accessories"), a
#: price up to $9,999.99 and the longest stock words ("Out of stock"); longer ones are
#: cut with "…" (the Product screen shows them whole).
CATEGORY_CELLS = 11
PRICE_CELLS = 9
STOCK_CELLS = 12
#: The name gets the rest, up to the longest shipped name ("Tempered Glass Screen
#: Protector", 31) and at least NAME_MIN_CELLS; a longer name is cut with "…".
NAME_CELLS = 31
NAME_MIN_CELLS = 12
#: Beside the columns: a blank either side of each of the four, and the vertical
#: scrollbar (counted whether it shows or not: it comes and goes with the rows).
CHROME_CELLS = 2 * 4 + 2


def column_widths(terminal_width: int) -> dict[str, int]:
    """The Shop's columns for a terminal `terminal_width` cells wide.

    The narrow layout (below 100 columns) and the wide one draw the same widths as
    long as they fit (from 73 columns: everything shipped, whole, at 80x24); below
    that the name gives way, down to NAME_MIN_CELLS.
    """
    rest = terminal_width - CHROME_CELLS - CATEGORY_CELLS - PRICE_CELLS - STOCK_CELLS
    return {
        "name": min(NAME_CELLS, max(NAME_MIN_CELLS, rest)),
        "category": CATEGORY_CELLS,
        "price": PRICE_CELLS,
        "stock": STOCK_CELLS,
    }


class ProductTable(ListTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "edge(False)", "First page", id="products-first", show=False),
        Binding("end", "edge(True)", "Last page", id="products-last", show=False),
    ]

    class PageRequested(Message):
        """The cursor tried to leave the page: +1 for the next page, -1 for the previous."""

        def __init__(self, direction: int) -> None:
            super().__init__()
            self.direction = direction

    class EdgeRequested(Message):
        """Home (`last` False) or End (`last` True): the first or the last page."""

        def __init__(self, last: bool) -> None:
            super().__init__()
            self.last = last

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            [("Name", "name"), ("Category", "category"), ("Price", "price"), ("Stock", "stock")],
            widths=column_widths(self.app.size.width),
            id=id,
        )
        self.has_next = False
        self.has_prev = False
        self.products: tuple[ProductView, ...] = ()

    def _fit_columns(self) -> None:
        self.set_column_widths(column_widths(self.app.size.width))

    def on_resize(self, event: events.Resize) -> None:
        """A new terminal width (the first layout is one): the widths for it."""
        self._fit_columns()

    def show_page(
        self,
        products: Sequence[ProductView],
        *,
        cursor_at_end: bool = False,
        row: int | None = None,
    ) -> None:
        """Replace the rows with one page; the cursor goes to `row`, or its first (or last) row."""
        self.products = tuple(products)
        self._fit_columns()  # the terminal may have changed while the table was hidden
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
    def action_edge(self, last: bool) -> None:
        self.post_message(self.EdgeRequested(last))

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
