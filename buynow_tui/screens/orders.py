"""Orders: the shopper's orders, newest first, each with its state in words; `enter`
opens one. Orders are numbered per shopper ("#1" is their first). When one moves
elsewhere (an admin ships it) the App tells this screen and it reads them again."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from buynow_tui.messages import Navigate, OrdersMoved
from buynow_tui.screens.actions import open_search
from buynow_tui.screens.base import ReloadingScreen, off_the_footer
from buynow_tui.store.states import status_words
from buynow_tui.store.views import OrderSummary, dollars, local_time
from buynow_tui.widgets.list_table import ListTable, right, text


class OrdersScreen(ReloadingScreen):
    SCREEN_TITLE = "Orders"
    AUTO_FOCUS = "#orders"

    DEFAULT_CSS = """
    OrdersScreen {
        #heading { padding: 0 1; text-style: bold; }
        #orders { height: 1fr; }
        #empty { padding: 1 2; display: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="orders-search", key_display="/", show=False),
        *off_the_footer("back"),  # the footer fits 80 columns
    ]

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[OrderSummary] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Loading your orders…", id="heading")
        yield ListTable(
            [
                ("Order", "order"),
                ("Placed", "placed"),
                ("Status", "status"),
                ("Units", "units"),
                ("Total", "total"),
            ],
            id="orders",
        )
        yield Static("You have not ordered anything yet. Press 1 to go to the Shop.", id="empty")

    def reload(self) -> None:
        user = self.user
        if user is not None:
            self._read(user.id)

    @work(thread=True, group="orders", exclusive=True, exit_on_error=False)
    def _read(self, user_id: int) -> None:
        self.reply(self._show, self.services.orders.history(user_id))

    def _show(self, orders: list[OrderSummary]) -> None:
        self.orders = orders
        table = self.query_one("#orders", ListTable)
        key, row = table.selected_key, table.cursor_row
        table.clear()
        for order in orders:
            table.add_row(
                text(f"#{order.number}"),
                text(local_time(order.created_at)),
                text(status_words(order.status)),
                right(str(order.units)),
                right(dollars(order.total_cents)),
                key=str(order.number),
            )
        table.select_key(key, row)
        self.query_one("#heading", Static).update(Content(orders_heading(len(orders))))
        table.display = bool(orders)
        self.query_one("#empty").display = not orders

    @on(DataTable.RowSelected, "#orders")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(Navigate(f"order/{event.row_key.value}"))

    @on(OrdersMoved)
    def _moved(self) -> None:
        self.reload()

    def action_search(self) -> None:
        open_search(self)


def orders_heading(count: int) -> str:
    """ "Your orders · none yet", "Your orders · 1 order", "Your orders · 3, newest first"."""
    if count == 0:
        return "Your orders · none yet"
    if count == 1:
        return "Your orders · 1 order"
    return f"Your orders · {count:,}, newest first"
