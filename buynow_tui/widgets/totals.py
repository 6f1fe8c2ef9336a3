"""Subtotal, shipping and total, as the store computed them, right-aligned."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from buynow_tui.store.views import dollars


class Totals(Static):
    DEFAULT_CSS = """
    Totals {
        width: auto;
        height: auto;
        padding: 0 1;
    }
    """

    def show(self, subtotal_cents: int, shipping_cents: int, total_cents: int) -> None:
        rows = [("Subtotal", subtotal_cents), ("Shipping", shipping_cents), ("Total", total_cents)]
        width = max(len(dollars(cents)) for _, cents in rows)
        lines = [f"{label:<10}{dollars(cents):>{width}}" for label, cents in rows]
        self.update(Content("\n".join(lines)))
