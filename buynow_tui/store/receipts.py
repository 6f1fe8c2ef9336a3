"""Receipts: what an order cost and how it was paid, as plain text.

One text for every place a receipt shows: the Order placed screen, `buynow orders
receipt N` and the email. At most 60 columns wide (an 80-column terminal shows it
with its frame); a long product name wraps onto the next line rather than being cut.
Times are UTC in the text (a mail may be read anywhere); the screen says so.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any, cast

from buynow_tui.store.checkout_views import Receipt
from buynow_tui.store.db import connection
from buynow_tui.store.delivery import OPTIONS
from buynow_tui.store.errors import NotFound
from buynow_tui.store.models import Order, OrderEvent, OrderLine, User
from buynow_tui.store.states import CARD_DECLINED, NOT_PAID, Status
from buynow_tui.store.views import OrderLineView, dollars

WIDTH = 60
_NAME = 34
#: The states in which the card on the order was charged.
_PAID = frozenset({Status.PAID, Status.SHIPPED, Status.DELIVERED, Status.REFUNDED})


def state_words(status: str, note: str = "") -> str:
    """An order's state as a shopper reads it: "cancelled (card declined)" and
    "cancelled (not paid)" for the shop's own cancels, else the state itself."""
    reason = note.split(";", 1)[0].strip()
    if status == Status.CANCELLED and reason in (CARD_DECLINED, NOT_PAID):
        return f"cancelled ({reason})"
    return status


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


def _row(left: str, right: str) -> str:
    return f"{left:<{WIDTH - len(right) - 1}} {right}"


def receipt_lines(receipt: Receipt) -> list[str]:
    out = [
        f"BuyNow receipt: order #{receipt.number}",
        f"Placed {receipt.created_at.strftime('%Y-%m-%d %H:%M')} UTC",
        "",
    ]
    for line in receipt.lines:
        name = textwrap.wrap(f"{line.quantity} × {line.name}", _NAME) or [""]
        money = f"{dollars(line.unit_price_cents):>11} {dollars(line.line_total_cents):>12}"
        out.append(_row(name[0], money))
        out += [f"    {more}" for more in name[1:]]
    label = OPTIONS.get(receipt.delivery_option, (receipt.delivery_option.title(), ""))[0]
    out += [
        "",
        _row("Subtotal", dollars(receipt.subtotal_cents)),
        _row(f"Delivery ({label})", dollars(receipt.delivery_cents)),
        _row("Total", dollars(receipt.total_cents)),
        "",
    ]
    if receipt.card_last4:
        verb = "Paid with" if receipt.status in _PAID else "Card"
        out.append(f"{verb} {receipt.card_brand} ending {receipt.card_last4}")
    else:
        out.append("Placed without online payment")
    out += list(receipt.notes)
    out += ["", "Ship to:"] + [f"  {line}" for line in receipt.ship_address.splitlines()]
    return out


def receipt_text(receipt: Receipt) -> str:
    return "\n".join(receipt_lines(receipt)) + "\n"
