"""A receipt as plain text (issue 15): lines, delivery, total, card, ship-to.

One text for every place a receipt shows: the Order placed screen, `buynow orders
receipt N` and the email. At most 60 columns wide (an 80-column terminal shows it
with its frame); a long product name wraps onto the next line rather than being cut.
Times are UTC in the text (a mail may be read anywhere); the screen says so. Plain
Python (no database), so a screen may lay a receipt out.
"""

from __future__ import annotations

import textwrap

from buynow_tui.store.checkout_views import Receipt
from buynow_tui.store.delivery import OPTIONS
from buynow_tui.store.states import CARD_DECLINED, NOT_PAID, Status
from buynow_tui.store.views import dollars

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
