"""Order placed: the number and total, then Orders after a 5-second countdown.

The countdown reads the app's clock (`context.now`), so a test's fixed clock holds it
still and a moved clock ends it. Any key that is not one of the app's own keys goes
to Orders at once.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from buynow_tui.messages import Navigate
from buynow_tui.screens.base import BaseScreen
from buynow_tui.store.views import OrderDetail, dollars

COUNTDOWN_SECONDS = 5


class OrderPlacedScreen(BaseScreen):
    SCREEN_TITLE = "Order placed"

    DEFAULT_CSS = """
    OrderPlacedScreen {
        align: center middle;
        #placed {
            width: auto;
            max-width: 100%;
            height: auto;
            border: round $success;
            padding: 1 4;
        }
        #placed Static { width: auto; }
        #headline { text-style: bold; color: $success; }
        #total { margin-top: 1; }
        #countdown { margin-top: 1; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "to_orders", "Orders now", id="placed-go"),
        Binding("escape", "to_orders", "Orders now", id="placed-escape", show=False),
    ]

    def __init__(self, order: OrderDetail) -> None:
        super().__init__()
        self.order = order
        self.remaining = COUNTDOWN_SECONDS
        self._started: datetime | None = None
        self._timer: Timer | None = None
        self._gone = False

    def compose_body(self) -> ComposeResult:
        order = self.order
        units = f"{order.units} unit{'s' if order.units != 1 else ''}"
        with Vertical(id="placed"):
            yield Static(Content(f"Order #{order.number} placed"), id="headline")
            yield Static(Content(f"Total {dollars(order.total_cents)} · {units}"), id="total")
            yield Static(Content("Ship to: ") + Content(order.ship_address), id="ship-to")
            yield Static(id="countdown")

    def on_mount(self) -> None:
        self._started = self.context.now()
        self._show_countdown()
        self._timer = self.set_interval(0.25, self._tick)

    def _tick(self) -> None:
        assert self._started is not None
        elapsed = (self.context.now() - self._started).total_seconds()
        if elapsed >= COUNTDOWN_SECONDS:
            self.action_to_orders()
            return
        remaining = max(1, math.ceil(COUNTDOWN_SECONDS - elapsed))
        if remaining != self.remaining:
            self.remaining = remaining
            self._show_countdown()

    def _show_countdown(self) -> None:
        seconds = f"{self.remaining} second{'s' if self.remaining != 1 else ''}"
        self.query_one("#countdown", Static).update(
            Content(f"Your orders open in {seconds}. Press any key to go now.")
        )

    def on_key(self, event: events.Key) -> None:
        if event.key in self.active_bindings:
            return  # the app's own keys (1-5, ?, q) keep their meaning
        event.stop()
        event.prevent_default()
        self.action_to_orders()

    def action_to_orders(self) -> None:
        if self._gone:
            return
        self._gone = True
        if self._timer is not None:
            self._timer.stop()
        self.post_message(Navigate("orders"))
