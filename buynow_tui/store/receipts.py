"""Receipts: what an order cost and how it was paid, as plain text.

One text for every place a receipt shows: the Order placed screen, `buynow orders
receipt N` and the email. At most 60 columns wide (an 80-column terminal shows it
with its frame); a long product name wraps onto the next line rather than being cut.
Times are UTC in the text (a mail may be read anywhere); the screen says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from buynow_tui.store.checkout_views import Receipt
from buynow_tui.store.db import connection
from buynow_tui.store.errors import NotFound
from buynow_tui.store.models import Order, OrderEvent, OrderLine, User
from buynow_tui.store.receipt_text import (  # re-exported: the rules live there
    WIDTH as WIDTH,
)
from buynow_tui.store.receipt_text import (
    receipt_lines as receipt_lines,
)
from buynow_tui.store.receipt_text import (
    receipt_text as receipt_text,
)
from buynow_tui.store.receipt_text import (
    state_words as state_words,
)
from buynow_tui.store.states import Status
from buynow_tui.store.views import OrderLineView


def load_receipt(order_id: int, user_id: int | None = None) -> Receipt:
    """The receipt of an order (of `user_id`'s only, when given: anyone else's is not found)."""
    with connection():
        query = Order.select(Order, User.email).join(User).where(Order.id == order_id)
        if user_id is not None:
            query = query.where(Order.user == user_id)
        order = query.first()
        if order is None:
            # The admin names orders by the shop's id; a shopper never learns of others'.
            raise NotFound(
                f"There is no order {order_id}." if user_id is None else "There is no such order."
            )
        rows = cast(
            "Iterable[dict[str, Any]]",
            OrderLine.select(
                OrderLine.product.alias("product_id"),
                OrderLine.sku,
                OrderLine.name,
                OrderLine.quantity,
                OrderLine.unit_price_cents,
            )
            .where(OrderLine.order == order.id)
            .order_by(OrderLine.id)
            .dicts(),
        )
        lines = tuple(OrderLineView(**row) for row in rows)
        notes: tuple[str, ...] = ()
        if order.status in (Status.CANCELLED, Status.REFUNDED):
            why = (
                OrderEvent.select(OrderEvent.note)
                .where((OrderEvent.order == order.id) & (OrderEvent.to_status == order.status))
                .order_by(OrderEvent.id.desc())
                .scalar()
            )
            notes = (f"This order was {state_words(str(order.status), why or '')}.",)
        return Receipt(
            order_id=order.id,
            number=order.number,
            created_at=order.created_at,
            email=order.user.email,
            lines=lines,
            subtotal_cents=order.subtotal_cents,
            delivery_option=order.delivery_option,
            delivery_cents=order.shipping_cents,
            total_cents=order.total_cents,
            ship_address=order.ship_address,
            status=order.status,
            card_brand=order.card_brand,
            card_last4=order.card_last4,
            notes=notes,
        )
