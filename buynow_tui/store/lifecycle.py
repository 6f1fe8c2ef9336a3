"""Moving an order through its states (`store.states`): ship, deliver, cancel, refund.

Every move is one write transaction that

1. reads the order's state, locking its row on PostgreSQL (`FOR UPDATE`; SQLite's
   `BEGIN IMMEDIATE` already runs one writer at a time);
2. refuses a move the transition table does not allow, or one this actor may not
   make, with `IllegalMove` in words;
3. changes the state with a conditional `UPDATE ... WHERE id = ? AND status = ?` and
   checks that it changed exactly one row, so of two racing moves (a shopper cancelling
   while an admin ships) exactly one wins on either backend, and the other is refused;
4. returns the units of every line to stock when the goods never left (cancelling, or
   refunding an order not yet shipped; `states.RESTOCKS`), in product-id order like
   checkout, so two transactions never wait on each other's products;
5. writes the event row (from, to, when in UTC, who, a note);
6. on PostgreSQL, `pg_notify`s the shopper's id on `FEED_CHANNEL`, which is delivered
   only if the transaction commits (`store.feed` listens).

A refund of an order that has shipped does not restock: the goods are with the
shopper (taking returns back into stock is an admin's `buynow stock set`). So the
ledger reads: stock + units on orders that still hold stock (all but the cancelled
and those refunded before shipping) = initial stock + the stock admins set.

Money follows the state (issue 15): cancelling or refunding an order that was charged
claims its refund in the ledger in the same transaction (`payments.ledger.claim_refund`,
one per order, the whole charge) and notes it on the event ("refund of $40.00 to Visa
•••• 4242"); once committed the refund is sent through the gateway, and one the
gateway did not answer is sent again by `buynow serve`'s housekeeping.

Transitions are logged (info) once committed; refused moves as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any, cast

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store.db import connection, is_postgres, write
from buynow_tui.store.errors import IllegalMove, NotFound, ValidationError
from buynow_tui.store.logins import Logins, row_lock
from buynow_tui.store.models import Order, OrderEvent, OrderLine, Product, database
from buynow_tui.store.payments import ledger
from buynow_tui.store.payments.gateway import PaymentGateway
from buynow_tui.store.states import MOVES, RESTOCKS, VERBS, WHO, Actor, Status, refusal
from buynow_tui.store.tracking import Tracking, tracking
from buynow_tui.store.views import OrderEventView, dollars

log = get_logger("orders")

#: The PostgreSQL channel every order event is announced on (the payload: the user id).
FEED_CHANNEL = "buynow_order_events"
_WHO_WORDS = {Actor.SHOPPER: "a shopper", Actor.ADMIN: "an admin", Actor.SYSTEM: "the shop"}
#: The longest reason kept with a cancel or a refund.
MAX_REASON = 200


@dataclass(frozen=True)
class By:
    """Who asks for a move: a shopper (`user_id`, only their own orders), an admin
    (named by their login on the machine), or the shop itself."""

    kind: Actor
    name: str = ""
    user_id: int | None = None

    @classmethod
    def shopper(cls, user_id: int, username: str = "") -> By:
        return cls(Actor.SHOPPER, username, user_id)

    @classmethod
    def admin(cls, name: str = "") -> By:
        return cls(Actor.ADMIN, name[:64])

    @classmethod
    def system(cls) -> By:
        return cls(Actor.SYSTEM)


@dataclass(frozen=True)
class Moved:
    """A move that was made: the order (its id and the shopper's number), its owner,
    and the event written."""

    order_id: int
    user_id: int
    number: int
    event: OrderEventView
    #: The cents this move gives back through the gateway (0: nothing was charged).
    refund_cents: int = 0


def _clean_reason(reason: str | None) -> str:
    if reason is None:
        return ""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in reason).split())
    if len(text) > MAX_REASON:
        raise ValidationError(f"A reason is at most {MAX_REASON} characters.", field="reason")
    return text


def _as_dict(row: object) -> dict[str, Any] | None:
    return cast("dict[str, Any] | None", row)


def notify(user_id: int) -> None:
    """Inside a write transaction on PostgreSQL: tell listeners `user_id`'s orders moved
    (delivered when the transaction commits, dropped if it rolls back)."""
    if is_postgres():
        database.execute_sql("SELECT pg_notify(%s, %s)", (FEED_CHANNEL, str(user_id)))


def write_event(
    order_id: int,
    user_id: int,
    number: int,
    from_status: str | None,
    to_status: str,
    by: By,
    note: str,
    at: Any,
) -> OrderEventView:
    """Inside a write transaction: the event row of one move, as it was written."""
    event_id = OrderEvent.insert(
        order=order_id,
        user=user_id,
        from_status=from_status,
        to_status=to_status,
        at=at,
        actor_kind=str(by.kind),
        actor=by.name,
        note=note,
    ).execute()
    return OrderEventView(
        event_id, order_id, number, from_status, to_status, at, str(by.kind), by.name, note
    )


class Lifecycle:
    def __init__(
        self,
        logins: Logins | None = None,
        *,
        clock: Clock = system_clock,
        gateway: PaymentGateway | None = None,
    ) -> None:
        self.logins = logins if logins is not None else Logins()
        self.clock = clock
        #: Where refunds go (None: they are claimed in the ledger and sent later).
        self.gateway = gateway

    # -- the moves -----------------------------------------------------------------------
    def ship(
        self,
        order_id: int,
        carrier: str,
        tracking_number: str,
        url: str | None = None,
        *,
        by: By | None = None,
    ) -> Moved:
        """Ship a paid order (an admin): records the carrier, number and URL."""
        shipment = tracking(carrier, tracking_number, url)
        return self._move(order_id, Status.SHIPPED, by or By.admin(), shipment.note, shipment)

    def pay(self, order_id: int, note: str = "", *, by: By | None = None) -> Moved:
        """A placed order is paid (the shop, once the gateway approved its charge)."""
        return self._move(order_id, Status.PAID, by or By.system(), note)

    def deliver(self, order_id: int, *, by: By | None = None) -> Moved:
        return self._move(order_id, Status.DELIVERED, by or By.admin(), "")

    def cancel(self, order_id: int, reason: str | None = None, *, by: By | None = None) -> Moved:
        """Cancel an order not yet shipped; its units go back to stock."""
        return self._move(order_id, Status.CANCELLED, by or By.admin(), _clean_reason(reason))

    def refund(self, order_id: int, reason: str | None = None, *, by: By | None = None) -> Moved:
        """Refund a paid, shipped or delivered order, whole (restocked if not shipped)."""
        return self._move(order_id, Status.REFUNDED, by or By.admin(), _clean_reason(reason))

    def cancel_mine(
        self, user_id: int, number: int, reason: str | None = None, *, username: str = ""
    ) -> Moved:
        """The shopper cancels their own order #`number` (anyone else's is not found)."""
        with connection():
            row = (
                Order.select(Order.id)
                .where((Order.user == user_id) & (Order.number == number))
                .first()
            )
        if row is None:
            log.warning("cancel refused: no order #%s for user %d", number, user_id)
            raise NotFound(f"There is no order #{number}.")
        return self.cancel(row.id, reason, by=By.shopper(user_id, username))

    # -- the one way a state changes --------------------------------------------------------
    def _move(
        self, order_id: int, to: Status, by: By, note: str, shipment: Tracking | None = None
    ) -> Moved:
        try:
            with write():
                moved = self.move_in_transaction(order_id, to, by, note, shipment)
        except (IllegalMove, NotFound) as error:
            log.warning("order %s: %s refused (%s): %s", order_id, to, by.kind, error)
            raise
        self.logged(moved, by, note)
        return moved

    def send_refund(self, moved: Moved) -> None:
        """After the commit of a move that claimed a refund: send it (a gateway that
        does not answer leaves it claimed, sent again by the housekeeping)."""
        if moved.refund_cents and self.gateway is not None:
            ledger.send_refunds(self.gateway, moved.order_id)

    def logged(self, moved: Moved, by: By, note: str) -> None:
        """Log a committed move (and send the refund it claimed)."""
        self.send_refund(moved)
        log.info(
            "order %d: %s -> %s by %s%s%s",
            moved.order_id,
            moved.event.from_status,
            moved.event.to_status,
            by.kind,
            f" {by.name}" if by.name else "",
            f" ({moved.event.note})" if moved.event.note else "",
        )

    def move_in_transaction(
        self, order_id: int, to: Status, by: By, note: str, shipment: Tracking | None = None
    ) -> Moved:
        """Inside a write transaction: make the move (see the module's steps); raises
        `IllegalMove` or `NotFound`, for the caller to roll back. The caller logs it with
        `logged` once committed."""
        query = Order.select(Order.id, Order.user, Order.number, Order.status).where(
            Order.id == order_id
        )
        if by.kind == Actor.SHOPPER:
            assert by.user_id is not None
            self.logins.check(by.user_id)  # a session outlived by a password change stops
            query = query.where(Order.user == by.user_id)
        row = _as_dict(row_lock(query, "FOR UPDATE").dicts().first())
        if row is None:
            raise NotFound(
                "There is no such order."
                if by.kind == Actor.SHOPPER
                else f"There is no order {order_id}."
            )
        user_id, number, current = int(row["user"]), int(row["number"]), str(row["status"])
        # Shoppers know their orders by their own number; admins by the shop's id.
        label = f"Order #{number}" if by.kind == Actor.SHOPPER else f"Order {order_id}"
        if current not in MOVES[to]:
            raise IllegalMove(refusal(label, current, to), current=current, wanted=str(to))
        if by.kind not in WHO[to]:
            raise IllegalMove(
                f"{label} cannot be {VERBS[to]} by {_WHO_WORDS[by.kind]}.",
                current=current,
                wanted=str(to),
            )
        changes: dict[Any, Any] = {Order.status: str(to)}
        if shipment is not None:
            changes.update(
                {
                    Order.carrier: shipment.carrier,
                    Order.tracking_number: shipment.number,
                    Order.tracking_url: shipment.url,
                }
            )
        changed = (
            Order.update(changes)
            .where((Order.id == order_id) & (Order.status == current))
            .execute()
        )
        if changed != 1:  # never with the row locked; if it happens, nothing stands
            raise IllegalMove(
                f"{label} changed while this was being done; nothing was changed.",
                current=current,
                wanted=str(to),
            )
        if (Status(current), to) in RESTOCKS:
            lines = cast(
                "list[tuple[int, int]]",
                list(
                    OrderLine.select(OrderLine.product, OrderLine.quantity)
                    .where((OrderLine.order == order_id) & OrderLine.product.is_null(False))
                    .order_by(OrderLine.product)
                    .tuples()
                ),
            )
            for product_id, quantity in lines:
                Product.update(stock=Product.stock + quantity).where(
                    Product.id == product_id
                ).execute()
        refund_cents = 0
        if to in (Status.CANCELLED, Status.REFUNDED):
            charge = ledger.claim_refund(order_id, self.clock)
            if charge is not None:
                refund_cents = int(charge.amount_cents)
                back = f"refund of {dollars(refund_cents)} to {charge.brand} •••• {charge.last4}"
                note = f"{note}; {back}" if note else back
        at = self.clock().astimezone(UTC)
        event = write_event(order_id, user_id, number, current, str(to), by, note, at)
        notify(user_id)
        return Moved(order_id, user_id, number, event, refund_cents)

    # -- reading ------------------------------------------------------------------------
    def events(self, order_id: int) -> list[OrderEventView]:
        """An order's history, oldest first."""
        with connection():
            return events_of(order_id)


def events_of(order_id: int) -> list[OrderEventView]:
    """Inside a connection: the events of one order, oldest first."""
    rows = (
        OrderEvent.select(
            OrderEvent.id,
            OrderEvent.order,
            Order.number,
            OrderEvent.from_status,
            OrderEvent.to_status,
            OrderEvent.at,
            OrderEvent.actor_kind,
            OrderEvent.actor,
            OrderEvent.note,
        )
        .join(Order)
        .where(OrderEvent.order == order_id)
        .order_by(OrderEvent.id)
        .tuples()
    )
    return [OrderEventView(*cast("tuple[Any, ...]", row)) for row in rows]
