"""An order's states and the moves between them: the one transition table.

Plain Python (no peewee), so screens may ask what is allowed (`can_move`) and show
states in words (`status_words`) without touching the store.

    placed -> paid -> shipped -> delivered
       |        |        |           |
       +--------+--> cancelled       |
                |        +-----------+--> refunded

An order is cancelled only before it ships (the shopper's own, or any by an admin);
a paid, shipped or delivered order can be refunded, the whole order at once.
`cancelled` and `refunded` are final.

With payment (issue 15's checkout) an order stays `placed` while its card is charged:
the shop moves it to `paid` when the gateway approves, or cancels it (note "card
declined") when it declines, or later (note "not paid") when the process that was
charging it died. Orders placed without a gateway (the admin CLI, scripts) are
`placed` and `paid` at once, two events in one transaction.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PLACED = "placed"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Actor(StrEnum):
    """Who made a change: the order's shopper, an admin, or the shop itself."""

    SHOPPER = "shopper"
    ADMIN = "admin"
    SYSTEM = "system"


#: Every legal move: to -> the states it may come from.
MOVES: dict[Status, frozenset[Status]] = {
    Status.PAID: frozenset({Status.PLACED}),
    Status.SHIPPED: frozenset({Status.PAID}),
    Status.DELIVERED: frozenset({Status.SHIPPED}),
    Status.CANCELLED: frozenset({Status.PLACED, Status.PAID}),
    Status.REFUNDED: frozenset({Status.PAID, Status.SHIPPED, Status.DELIVERED}),
}

#: Moves that return the order's units to stock: the goods never left the shop.
RESTOCKS: frozenset[tuple[Status, Status]] = frozenset(
    {
        (Status.PLACED, Status.CANCELLED),
        (Status.PAID, Status.CANCELLED),
        (Status.PAID, Status.REFUNDED),
    }
)

#: Who may make each move (the system places and pays; shoppers only cancel).
WHO: dict[Status, frozenset[Actor]] = {
    Status.PAID: frozenset({Actor.SYSTEM, Actor.ADMIN}),
    Status.SHIPPED: frozenset({Actor.ADMIN}),
    Status.DELIVERED: frozenset({Actor.ADMIN, Actor.SYSTEM}),
    # The shop cancels what was not paid for: a declined card, a stranded checkout.
    Status.CANCELLED: frozenset({Actor.SHOPPER, Actor.ADMIN, Actor.SYSTEM}),
    Status.REFUNDED: frozenset({Actor.ADMIN}),
}

#: The notes of the shop's own cancels (issue 15): the card was declined at checkout;
#: the checkout stopped between reserving and charging (the stranded-order sweep).
CARD_DECLINED = "card declined"
NOT_PAID = "not paid"

FINAL = frozenset({Status.CANCELLED, Status.REFUNDED})

_WORDS = {
    Status.PLACED: "Placed",
    Status.PAID: "Paid",
    Status.SHIPPED: "Shipped",
    Status.DELIVERED: "Delivered",
    Status.CANCELLED: "Cancelled",
    Status.REFUNDED: "Refunded",
}

#: "Order #3 has shipped": what a shopper is told when their order moves.
_NEWS = {
    Status.PAID: "is paid",
    Status.SHIPPED: "has shipped",
    Status.DELIVERED: "was delivered",
    Status.CANCELLED: "was cancelled",
    Status.REFUNDED: "was refunded",
}

#: The verb of each move, for refusals ("cannot be shipped").
VERBS = {
    Status.PAID: "paid",
    Status.SHIPPED: "shipped",
    Status.DELIVERED: "delivered",
    Status.CANCELLED: "cancelled",
    Status.REFUNDED: "refunded",
}


def can_move(current: str, to: Status) -> bool:
    return current in MOVES.get(to, frozenset())


def status_words(status: str) -> str:
    """'shipped' -> 'Shipped' (an unknown state shows as it is)."""
    try:
        return _WORDS[Status(status)]
    except ValueError:
        return status


def news(number: int, status: str) -> str:
    """'Order #3 has shipped'."""
    try:
        what = _NEWS.get(Status(status), f"is {status}")
    except ValueError:
        what = f"is {status}"
    return f"Order #{number} {what}"


def refusal(label: str, current: str, to: Status) -> str:
    """Why `to` cannot follow `current`, in words: 'Order 5 is cancelled: it cannot be
    shipped.' / 'Order #2 has shipped: it can no longer be cancelled.'"""
    if current == to:
        return f"{label} was already {VERBS[to]}."
    state = current
    if to == Status.CANCELLED and current in (Status.SHIPPED, Status.DELIVERED):
        done = "has shipped" if current == Status.SHIPPED else "was delivered"
        return f"{label} {done}: it can no longer be cancelled."
    if to == Status.REFUNDED and current == Status.CANCELLED:
        return f"{label} is cancelled: there is nothing to refund."
    return f"{label} is {state}: it cannot be {VERBS[to]}."
