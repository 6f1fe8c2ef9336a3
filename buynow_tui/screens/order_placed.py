"""Order placed: the number and its receipt, then Orders after a 5-second countdown.

The receipt (issue 15) is the store's own text (`store.receipts`): lines, delivery,
total, the card's brand and last four digits, the ship-to address; scrollable when the
window is short.

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
from textual.containers import VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from buynow_tui.messages import Navigate
from buynow_tui.screens.base import BaseScreen
from buynow_tui.store.checkout_views import Receipt
from buynow_tui.store.receipt_text import receipt_lines

COUNTDOWN_SECONDS = 5


class OrderPlacedScreen(BaseScreen):
    SCREEN_TITLE = "Order placed"

    DEFAULT_CSS = """
    OrderPlacedScreen {
        align: center middle;
        #placed {
            width: 66;
            max-width: 100%;
            height: auto;
            max-height: 1fr;
            border: round $success;
            padding: 0 1;
        }
        #headline { text-style: bold; color: $success; }
        #receipt { height: auto; }
        #countdown { color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "to_orders", "Orders now", id="placed-go"),
        Binding("escape", "to_orders", "Orders now", id="placed-escape", show=False),
    ]

    def __init__(self, order: Receipt) -> None:
        super().__init__()
        self.order = order
        self.remaining = COUNTDOWN_SECONDS
        self._started: datetime | None = None
        self._timer: Timer | None = None
        self._gone = False

    def compose_body(self) -> ComposeResult:
        order = self.order
        with VerticalScroll(id="placed"):
            yield Static(Content(f"Order #{order.number} placed and paid"), id="headline")
            yield Static(id="countdown")
            yield Static(Content("\n".join(receipt_lines(order)[2:])), id="receipt")

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
