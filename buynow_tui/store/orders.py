"""Orders: checkout in one transaction, history newest first, detail with ownership.

Checkout draws stock down with a conditional UPDATE (`stock >= qty`) in product-id
order and checks each row count, so concurrent buyers can never oversell; the schema's
CHECK (stock >= 0) backs it up. Names and prices are copied onto the order lines, so a
later price change leaves old orders alone. A `checkout_key` (one per confirmation)
makes a repeated confirm return the order it already made.

One cart makes one order. The transaction first locks the user's row (FOR SHARE: the
session's login is checked against it, see `logins`) and then their cart row (FOR
UPDATE), so two checkouts of one cart (two SSH sessions, two front ends, each with its
own key) run one after the other on PostgreSQL as SQLite's `BEGIN IMMEDIATE` makes them
run there: the second finds the cart empty and places nothing. Emptying the cart must
delete exactly the lines that were read, or the order is rolled back.

What is ordered is what the shopper confirmed: the checkout dialog passes a
`Confirmation` (each line's quantity and unit price, the total, the ship-to address it
showed), and anything that differs now is refused with `CartChanged`, naming each
change, before any stock is drawn.

Writers to SQLite take turns for one lock, so the transaction holds only what must be
in it: the order is logged after it, and the order returned is built from what was
written rather than read back. Its statements are peewee queries made SQL once
(`store.compiled`): building them anew each time cost more CPU than running them, and
that CPU was spent holding the lock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from peewee import IntegrityError, fn

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import order_reads
from buynow_tui.store import validation as v
from buynow_tui.store.compiled import Compiled, Param
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import (
    CartChanged,
    EmptyCart,
    NotFound,
    OutOfStock,
    ValidationError,
)
from buynow_tui.store.logins import Logins, row_lock
from buynow_tui.store.models import Cart, CartLine, Order, OrderEvent, OrderLine, Product, User
from buynow_tui.store.states import Actor, Status
from buynow_tui.store.views import (
    AdminOrder,
    Confirmation,
    OrderDetail,
    OrderEventView,
    OrderLineView,
    OrderSummary,
    dollars,
)

if TYPE_CHECKING:
    from buynow_tui.store.payments.settle import PaymentPlan

log = get_logger("orders")

#: The most one order may total: $100,000,000.00. Far above any real basket, far below
#: what a 64-bit column holds; a larger cart is refused at checkout with these figures.
MAX_ORDER_TOTAL_CENTS = 10_000_000_000

# The checkout's statements, made SQL once per database (see `Compiled`).
_USER = Compiled(
    lambda: row_lock(
        User.select(User.username, User.ship_address, User.credentials_version)
        .where(User.id == Param("user"))
        .limit(1),
        "FOR SHARE",
    )
)
_CART = Compiled(
    lambda: row_lock(Cart.select(Cart.id).where(Cart.user == Param("user")).limit(1), "FOR UPDATE")
)
_BY_KEY = Compiled(
    lambda: (
        Order.select(Order.id)
        .where((Order.checkout_key == Param("key")) & (Order.user == Param("user")))
        .limit(1)
    )
)
_CART_LINES = Compiled(
    lambda: (
        CartLine.select(
            Product.id.alias("product_id"),
            Product.sku,
            Product.name,
            CartLine.quantity,
            Product.price_cents.alias("unit_price_cents"),
        )
        .join(Product)
        .where(CartLine.cart == Param("cart"))
        .order_by(CartLine.added_at, CartLine.id)  # the cart's order: the order's lines keep it
    )
)
_DRAW_STOCK = Compiled(
    lambda: Product.update(stock=Product.stock - Param("quantity")).where(
        (Product.id == Param("product")) & (Product.stock >= Param("quantity"))
    )
)
_ORDER_FIELDS = (
    Order.user,
    Order.created_at,
    Order.subtotal_cents,
    Order.shipping_cents,
    Order.total_cents,
    Order.ship_address,
    Order.checkout_key,
    Order.number,
    Order.status,
)
#: The shopper's next order number (their cart row is locked: one checkout at a time).
_NEXT_NUMBER = Compiled(
    lambda: Order.select(fn.COALESCE(fn.MAX(Order.number), 0).alias("last")).where(
        Order.user == Param("user")
    )
)
_EVENT_FIELDS = (
    OrderEvent.order,
    OrderEvent.user,
    OrderEvent.from_status,
    OrderEvent.to_status,
    OrderEvent.at,
    OrderEvent.actor_kind,
    OrderEvent.actor,
    OrderEvent.note,
)
_INSERT_EVENT = Compiled(lambda: OrderEvent.insert({f: Param(f.name, f) for f in _EVENT_FIELDS}))
#: An order placed without a payment plan (the admin CLI, scripts) is paid at once: two
#: events. With one (issue 15's checkout) it is paid when the gateway approves.
PAID_ON_PLACING = "paid on placing (before payments)"
_INSERT_ORDER = Compiled(lambda: Order.insert({f: Param(f.name, f) for f in _ORDER_FIELDS}))
#: An order line's columns and the `OrderLineView` attribute each is written from.
_LINE_COLUMNS = (
    (OrderLine.product, "product_id"),
    (OrderLine.sku, "sku"),
    (OrderLine.name, "name"),
    (OrderLine.unit_price_cents, "unit_price_cents"),
    (OrderLine.quantity, "quantity"),
)
_CLEAR_CART = Compiled(lambda: CartLine.delete().where(CartLine.cart == Param("cart")))
_INSERT_LINES: dict[int, Compiled] = {}


def _insert_lines(count: int) -> Compiled:
    """One INSERT of `count` order lines (made once for each count)."""
    insert = _INSERT_LINES.get(count)
    if insert is None:
        insert = _INSERT_LINES.setdefault(
            count,
            Compiled(
                lambda: OrderLine.insert_many(
                    [
                        {
                            OrderLine.order: Param("order", OrderLine.order),
                            **{f: Param(f"{attr}{n}", f) for f, attr in _LINE_COLUMNS},
                        }
                        for n in range(count)
                    ]
                )
            ),
        )
    return insert


def _as_stored(when: datetime) -> datetime:
    """`when` as the database hands it back: aware UTC (naive values are taken as UTC)."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _one_line(address: str) -> str:
    return ", ".join(address.splitlines())


def _removed(expected: Confirmation, lines: tuple[OrderLineView, ...]) -> set[int]:
    """The confirmed products missing from the cart that are gone from the shop too."""
    now = {line.product_id for line in lines}
    missing = [shown.product_id for shown in expected.lines if shown.product_id not in now]
    if not missing:
        return set()
    still = {row.id for row in Product.select(Product.id).where(Product.id.in_(missing))}
    return set(missing) - still


def _changes(
    expected: Confirmation,
    lines: tuple[OrderLineView, ...],
    total_cents: int,
    address: str,
) -> list[str]:
    """Each way the cart and address differ from what the shopper confirmed, in words."""
    now = {line.product_id: line for line in lines}
    removed = _removed(expected, lines)
    changes: list[str] = []
    for shown in expected.lines:
        line = now.get(shown.product_id)
        if line is None:
            changes.append(
                f"{shown.name} was removed from the shop."
                if shown.product_id in removed
                else f"{shown.name} is no longer in your cart."
            )
            continue
        if line.name != shown.name:
            changes.append(f"{shown.name} is now called {line.name}.")
        if line.unit_price_cents != shown.unit_price_cents:
            changes.append(
                f"The price of {line.name} changed from {dollars(shown.unit_price_cents)} "
                f"to {dollars(line.unit_price_cents)}."
            )
        if line.quantity != shown.quantity:
            changes.append(
                f"The quantity of {line.name} changed from {shown.quantity} to {line.quantity}."
            )
    confirmed = {shown.product_id for shown in expected.lines}
    changes += [
        f"{line.name} was added to your cart." for line in lines if line.product_id not in confirmed
    ]
    if address != _normalized(expected.ship_address):
        changes.append(f"The ship-to address changed to {_one_line(address)}.")
    if total_cents != expected.total_cents:
        changes.append(
            f"The total changed from {dollars(expected.total_cents)} to {dollars(total_cents)}."
        )
    return changes


def _normalized(address: str) -> str:
    try:
        return v.check_address(address)
    except ValidationError:
        return ""


class OrderService:
    def __init__(
        self, settings: Settings, logins: Logins | None = None, *, clock: Clock = system_clock
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.logins = logins if logins is not None else Logins()

    def checkout(
        self,
        user_id: int,
        *,
        ship_address: str | None = None,
        checkout_key: str | None = None,
        expected: Confirmation | None = None,
        payment: PaymentPlan | None = None,
    ) -> OrderDetail:
        """Place the user's cart as one order.

        With a `payment` plan (issue 15's checkout), the delivery option prices the
        shipping, the order is written `placed` (one event) and then charged
        (`settle_payment`): approved, it is moved to `paid`; declined, it is cancelled
        through the lifecycle (stock and cart lines back) and `PaymentDeclined` raised.
        Without one it is placed and paid at once.

        `expected` is what the shopper was shown and confirmed; with it, any change
        since (a price, a line, a quantity, the total, the address) is refused with
        `CartChanged` and nothing happens. Without it (the admin CLI, scripts) the cart
        is ordered as it is.
        """
        if checkout_key is not None and not (1 <= len(checkout_key) <= 64):
            raise ValidationError("A checkout key is 1 to 64 characters.")
        try:
            with write():
                placed = self._place(user_id, ship_address, checkout_key, expected, payment)
        except IntegrityError:
            # A concurrent confirm with the same key won the race: return its order.
            existing = self._by_key(user_id, checkout_key)
            if existing is None:
                raise ValidationError(
                    "That checkout was already used; please confirm again."
                ) from None
            return self._settle(self.detail(user_id, existing), payment)
        except OutOfStock as error:
            log.warning("checkout refused, out of stock: %s", ", ".join(error.names))
            raise
        except CartChanged as error:
            log.warning("checkout refused: %d changes since it was confirmed", len(error.changes))
            raise
        if isinstance(placed, int):
            order = self.detail(user_id, placed)  # a repeated confirm: the order it made before
            return self._settle(order, payment)
        order, username = placed
        # Logged once committed; the order returned is what was just written (no re-read).
        log.info(
            "order %d placed: %d lines, total %d cents",
            order.id,
            len(order.lines),
            order.total_cents,
            extra={"user": username},
        )
        return self._settle(order, payment)

    # -- issue 15 seam: payment after the reserve ------------------------------------------
    def _settle(self, order: OrderDetail, payment: PaymentPlan | None) -> OrderDetail:
        """Charge the order just reserved (nothing to do without a payment plan)."""
        if payment is None:
            return order
        from buynow_tui.store.cards import SavedCards
        from buynow_tui.store.payments.settle import settle_payment

        return settle_payment(
            order, payment, cards=SavedCards(self.logins), logins=self.logins, clock=self.clock
        )

    def _by_key(self, user_id: int, checkout_key: str | None) -> int | None:
        if checkout_key is None:
            return None
        with connection():
            row = _BY_KEY.first({"key": checkout_key, "user": user_id})
            return row["id"] if row else None

    def _place(
        self,
        user_id: int,
        ship_address: str | None,
        checkout_key: str | None,
        expected: Confirmation | None,
        payment: PaymentPlan | None = None,
    ) -> tuple[OrderDetail, str] | int:
        """Inside the write transaction: the new order (and who placed it), or the id of
        this key's earlier one."""
        if checkout_key is not None:
            prior = _BY_KEY.first({"key": checkout_key, "user": user_id})
            if prior is not None:
                log.info("repeated checkout returned order %d", prior["id"])
                return int(prior["id"])
        user = _USER.first({"user": user_id})  # locked FOR SHARE: a reset waits, or is seen
        if user is None:
            raise NotFound("No such user.")
        self.logins.compare(user_id, user["credentials_version"])
        cart = _CART.first({"user": user_id})  # locked FOR UPDATE: one checkout of it at a time
        rows = _CART_LINES.rows({"cart": cart["id"]}) if cart else []
        lines = tuple(OrderLineView(**row) for row in rows)
        if not lines:
            # Emptied since it was confirmed: by an order from another session (the cart
            # is just empty), or because what was in it left the shop (say so).
            if expected is not None and (removed := _removed(expected, lines)):
                raise CartChanged(
                    [
                        f"{shown.name} was removed from the shop."
                        for shown in expected.lines
                        if shown.product_id in removed
                    ]
                )
            raise EmptyCart()
        address = v.check_address(
            ship_address if ship_address is not None else user["ship_address"] or ""
        )
        subtotal = sum(line.line_total_cents for line in lines)
        shipping = (
            payment.delivery_cents(self.settings, subtotal)
            if payment is not None  # issue 15: the chosen delivery option's price
            else self.settings.shipping_cents
        )
        if expected is not None:
            changes = _changes(expected, lines, subtotal + shipping, address)
            if changes:
                raise CartChanged(changes)
        if subtotal + shipping > MAX_ORDER_TOTAL_CENTS:
            raise ValidationError(
                f"An order can total at most {dollars(MAX_ORDER_TOTAL_CENTS)}; this one "
                f"comes to {dollars(subtotal + shipping)}. Remove something and try again."
            )
        short: list[str] = []
        # Stock is drawn in product order, so that checkouts of carts sharing products
        # lock their rows in one order (never waiting on each other in a circle).
        for line in sorted(lines, key=lambda line: line.product_id or 0):
            drawn = _DRAW_STOCK.rowcount({"quantity": line.quantity, "product": line.product_id})
            if drawn != 1:
                short.append(line.name)
        if short:
            raise OutOfStock(short)
        created_at = _as_stored(self.clock())
        last = _NEXT_NUMBER.first({"user": user_id})
        number = int(last["last"] if last else 0) + 1
        # Paid by card (issue 15): placed now, paid once the gateway approves. Without a
        # payment plan (the admin CLI, scripts): placed and paid at once.
        status = Status.PLACED if payment is not None else Status.PAID
        moves: tuple[tuple[Status | None, Status, str], ...] = (
            ((None, Status.PLACED, ""),)
            if payment is not None
            else ((None, Status.PLACED, ""), (Status.PLACED, Status.PAID, PAID_ON_PLACING))
        )
        order_id = _INSERT_ORDER.insert_id(
            {
                "user": user_id,
                "created_at": created_at,
                "subtotal_cents": subtotal,
                "shipping_cents": shipping,
                "total_cents": subtotal + shipping,
                "ship_address": address,
                "checkout_key": checkout_key,
                "number": number,
                "status": str(status),
            }
        )
        values: dict[str, object] = {"order": order_id}
        for n, line in enumerate(lines):
            for _, attr in _LINE_COLUMNS:
                values[f"{attr}{n}"] = getattr(line, attr)
        _insert_lines(len(lines)).execute(values)
        if payment is not None:  # issue 15: the order's copy of its delivery and card
            from buynow_tui.store.payments.settle import record_plan

            record_plan(order_id, payment)
        assert cart is not None  # there are lines
        if _CLEAR_CART.rowcount({"cart": cart["id"]}) != len(lines):
            # Never with the cart row locked; if it happens, the order must not stand.
            raise CartChanged(["Your cart changed while the order was being placed."])
        events = tuple(
            self._event(order_id, user_id, number, before, after, note, created_at)
            for before, after, note in moves
        )
        order = OrderDetail(
            id=order_id,
            user_id=user_id,
            created_at=created_at,
            lines=lines,
            subtotal_cents=subtotal,
            shipping_cents=shipping,
            total_cents=subtotal + shipping,
            ship_address=address,
            number=number,
            status=str(status),
            events=events,
        )
        return order, user["username"]

    @staticmethod
    def _event(
        order_id: int,
        user_id: int,
        number: int,
        before: Status | None,
        after: Status,
        note: str,
        at: datetime,
    ) -> OrderEventView:
        origin = None if before is None else str(before)
        event_id = _INSERT_EVENT.insert_id(
            {
                "order": order_id,
                "user": user_id,
                "from_status": origin,
                "to_status": str(after),
                "at": at,
                "actor_kind": str(Actor.SYSTEM),
                "actor": "",
                "note": note,
            }
        )
        return OrderEventView(
            event_id, order_id, number, origin, str(after), at, str(Actor.SYSTEM), "", note
        )

    def history(self, user_id: int) -> list[OrderSummary]:
        """The user's orders, newest first."""
        return order_reads.history(user_id)

    def detail(self, user_id: int, order_id: int) -> OrderDetail:
        """One order of this user's by its global id; anyone else's is not found."""
        return order_reads.detail(user_id, order_id)

    def by_number(self, user_id: int, number: int) -> OrderDetail:
        """The shopper's own order #`number`."""
        return order_reads.by_number(user_id, number)

    def admin_detail(self, order_id: int) -> tuple[OrderDetail, str]:
        """Any order by its global id, with its shopper's email (the admin CLI)."""
        return order_reads.admin_detail(order_id)

    def list_all(
        self, email: str | None = None, limit: int = 1000, status: str | None = None
    ) -> list[AdminOrder]:
        return order_reads.list_all(email, limit, status)
