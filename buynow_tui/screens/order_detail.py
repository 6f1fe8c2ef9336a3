"""Order detail: one of the shopper's orders. Anyone else's order is Not found."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.worker import Worker

from buynow_tui.messages import Navigate
from buynow_tui.screens.actions import open_search
from buynow_tui.screens.base import BaseScreen
from buynow_tui.store.errors import NotFound, StoreError
from buynow_tui.store.views import OrderDetail, dollars, local_time
from buynow_tui.widgets.list_table import ListTable, right, text
from buynow_tui.widgets.totals import Totals


class OrderDetailScreen(BaseScreen):
    SCREEN_TITLE = "Order"
    AUTO_FOCUS = "#lines"

    DEFAULT_CSS = """
    OrderDetailScreen {
        #heading { padding: 0 1; text-style: bold; }
        #lines { height: auto; max-height: 1fr; }
        #summary { height: auto; margin-top: 1; display: none; }
        #ship-to { width: 1fr; padding: 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="order-search", key_display="/", show=False),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.order: OrderDetail | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Loading the order…", id="heading")
        yield ListTable(
            [
                ("Product", "product"),
                ("Qty", "qty"),
                ("Unit price", "unit"),
                ("Line total", "total"),
            ],
            id="lines",
        )
        with Horizontal(id="summary"):
            yield Static(id="ship-to")
            yield Totals(id="totals")

    def on_mount(self) -> None:
        user = self.user
        if user is None:
            self._missing(NotFound("Log in to see your orders."))
            return
        self._read(user.id, self.order_id)

    @work(thread=True, group="order", exclusive=True, exit_on_error=False)
    def _read(self, user_id: int, order_id: int) -> None:
        self.reply(self._show, self.services.orders.detail(user_id, order_id))

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        self._missing(problem)

    def _missing(self, error: StoreError) -> None:
        if isinstance(error, NotFound):
            from buynow_tui.screens.not_found import NotFoundScreen

            self.app.switch_screen(NotFoundScreen(f"order/{self.order_id}"))
        else:
            self.query_one("#heading", Static).update(Content(str(error)))

    def _show(self, order: OrderDetail) -> None:
        self.order = order
        self.query_one("#heading", Static).update(
            Content(f"Order #{order.id} · placed {local_time(order.created_at)}")
        )
        table = self.query_one("#lines", ListTable)
        table.clear()
        for index, line in enumerate(order.lines):
            table.add_row(
                text(line.name),
                right(str(line.quantity)),
                right(dollars(line.unit_price_cents)),
                right(dollars(line.line_total_cents)),
                key=str(index),
            )
        self.query_one("#ship-to", Static).update(
            Content("Ship to:\n") + Content(order.ship_address)
        )
        self.query_one("#totals", Totals).show(
            order.subtotal_cents, order.shipping_cents, order.total_cents
        )
        self.query_one("#summary").display = True

    @on(DataTable.RowSelected, "#lines")
    def _open(self, event: DataTable.RowSelected) -> None:
        """The product of a line, if it is still in the catalog."""
        event.stop()
        order = self.order
        if order is None or event.row_key.value is None:
            return
        line = order.lines[int(event.row_key.value)]
        if line.product_id is not None:
            self.post_message(Navigate(f"product/{line.product_id}"))
        else:  # removed from the shop since: the order keeps its copy of the line
            self.notify(
                f"This product is no longer sold: {line.name} was removed from the shop.",
                markup=False,
            )

    def action_search(self) -> None:
        open_search(self)
