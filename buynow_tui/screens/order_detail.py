"""Order detail: one of the shopper's orders, by their own number ("#3", `order/3`).

Shows the lines and totals, the state in words, the timeline of its events in local
time, and once shipped the carrier, the tracking number and the tracking URL, as text
and as a QR code a phone can scan. `c` cancels it (after a y/n) while it has not
shipped; `t` shows the QR code full size. Both keys show only when they would do
something. Anyone else's order is Not found. When the order moves elsewhere (an admin
ships it), the App tells this screen (`OrdersMoved`) and it reads the order again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.worker import Worker

from buynow_tui.messages import Navigate, OrdersMoved
from buynow_tui.screens.actions import open_search
from buynow_tui.screens.base import BaseScreen
from buynow_tui.screens.order_dialogs import ConfirmCancel, TrackingCode
from buynow_tui.store.errors import NotFound, StoreError
from buynow_tui.store.states import Status, can_move, status_words
from buynow_tui.store.views import OrderDetail, OrderEventView, dollars, local_time
from buynow_tui.widgets.list_table import ListTable, right, text
from buynow_tui.widgets.qr import QrCode
from buynow_tui.widgets.totals import Totals

_BY = {"shopper": "by you", "admin": "by the shop", "system": ""}


def timeline(events: tuple[OrderEventView, ...]) -> Content:
    """One line per event, oldest first: local time, the state, who, the note."""
    lines = []
    for event in events:
        who = _BY.get(event.actor_kind, "")
        note = f" · {event.note}" if event.note and event.to_status != "paid" else ""
        words = status_words(event.to_status)
        lines.append(f"{local_time(event.at)}  {words}{' ' + who if who else ''}{note}")
    return Content("\n".join(lines))


class OrderDetailScreen(BaseScreen):
    SCREEN_TITLE = "Order"
    AUTO_FOCUS = "#lines"

    DEFAULT_CSS = """
    OrderDetailScreen {
        #heading { padding: 0 1; text-style: bold; }
        #body { height: 1fr; }
        #lines { height: auto; }
        #summary { height: auto; margin-top: 1; display: none; }
        #ship-to { width: 1fr; padding: 0 1; }
        #life { height: auto; margin-top: 1; display: none; }
        #words { width: 1fr; height: auto; padding: 0 1; }
        .label { text-style: bold; }
        #tracking { margin-bottom: 1; }
        #qr-box { width: auto; height: auto; padding: 0 2; background: #ffffff; display: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "cancel_order", "Cancel order", id="order-cancel"),
        Binding("t", "tracking_code", "QR code", id="order-qr"),
        Binding("slash", "search", "Search", id="order-search", key_display="/", show=False),
    ]

    def __init__(self, number: int) -> None:
        super().__init__()
        #: The shopper's own number for the order (the `order/<n>` link).
        self.number = number
        self.order: OrderDetail | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Loading the order…", id="heading")
        with VerticalScroll(id="body"):
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
            with Horizontal(id="life"):
                with Vertical(id="words"):
                    yield Static("Tracking", classes="label", id="tracking-label")
                    yield Static(id="tracking")
                    yield Static("History", classes="label")
                    yield Static(id="timeline")
                with Vertical(id="qr-box"):
                    pass

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        user = self.user
        if user is None:
            self._missing(NotFound("Log in to see your orders."))
            return
        self._read(user.id, self.number)

    @work(thread=True, group="order", exclusive=True, exit_on_error=False)
    def _read(self, user_id: int, number: int) -> None:
        self.reply(self._show, self.services.orders.by_number(user_id, number))

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        if worker.group == "order-cancel":
            self.app.notify(str(problem), severity="warning", markup=False)
            self.reload()
            return
        self._missing(problem)

    def _missing(self, error: StoreError) -> None:
        if isinstance(error, NotFound):
            from buynow_tui.screens.not_found import NotFoundScreen

            self.app.switch_screen(NotFoundScreen(f"order/{self.number}"))
        else:
            self.query_one("#heading", Static).update(Content(str(error)))

    def _show(self, order: OrderDetail) -> None:
        self.order = order
        self.query_one("#heading", Static).update(
            Content(
                f"Order #{order.number} · {status_words(order.status)} · "
                f"placed {local_time(order.created_at)}"
            )
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
        self._show_life(order)
        self.refresh_bindings()

    def _show_life(self, order: OrderDetail) -> None:
        shipped = order.tracking_number is not None
        self.query_one("#tracking-label").display = shipped
        tracking = self.query_one("#tracking", Static)
        tracking.display = shipped
        if shipped:
            parts = [f"{order.carrier} {order.tracking_number}"]
            if order.tracking_url:
                parts.append(order.tracking_url)
                parts.append("t shows the QR code full size")
            tracking.update(Content("\n".join(parts)))
        self.query_one("#timeline", Static).update(timeline(order.events))
        box = self.query_one("#qr-box", Vertical)
        box.remove_children()
        if order.tracking_url:
            box.mount(QrCode(order.tracking_url, id="qr"))
        box.display = bool(order.tracking_url)
        self.query_one("#life").display = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        order = self.order
        if action == "cancel_order":
            return order is not None and can_move(order.status, Status.CANCELLED)
        if action == "tracking_code":
            return order is not None and order.tracking_url is not None
        return True

    # -- c: cancel ---------------------------------------------------------------------
    def action_cancel_order(self) -> None:
        order = self.order
        if order is None or not can_move(order.status, Status.CANCELLED):
            return
        detail = (
            f"{order.units} item{'s' if order.units != 1 else ''}, "
            f"{dollars(order.total_cents)}. The money is returned and the items go back "
            "to the shop."
        )

        def answered(yes: bool | None) -> None:
            user = self.user
            if yes and user is not None:
                self._cancel(user.id, user.username, order.number)

        self.app.push_screen(ConfirmCancel(order.number, detail), answered)

    @work(thread=True, group="order-cancel", exit_on_error=False)
    def _cancel(self, user_id: int, username: str, number: int) -> None:
        self.services.lifecycle.cancel_mine(user_id, number, username=username)
        self.reply(self._cancelled, number)

    def _cancelled(self, number: int) -> None:
        self.app.notify(f"Order #{number} is cancelled.", markup=False)
        self.reload()

    # -- t: the QR code ----------------------------------------------------------------
    def action_tracking_code(self) -> None:
        order = self.order
        if order is not None and order.tracking_url:
            self.app.push_screen(TrackingCode(order.tracking_url))

    @on(OrdersMoved)
    def _moved(self, message: OrdersMoved) -> None:
        if self.order is not None and any(e.order_id == self.order.id for e in message.events):
            self.reload()

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
