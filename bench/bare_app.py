"""The startup baseline: a bare Textual app (Header, DataTable, Footer), no store.

It draws the same markers the shop's first full frame has ("BuyNow" in the header,
"Cart (" beside it, and "Page 1 of" under its filled table), so `bench/startup.py`
times both the same way in a real PTY.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static


class BareApp(App[None]):
    TITLE = "BuyNow"
    CSS = "DataTable { height: 1fr; }"  # the status line stays on screen under it
    SUB_TITLE = "Cart (0)"

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Static("Page 1 of 1 · 50 products")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Category", "Price", "Stock")
        table.add_rows((f"Product {n}", "Audio", f"${n}.00", "In stock") for n in range(50))


if __name__ == "__main__":
    BareApp().run()
