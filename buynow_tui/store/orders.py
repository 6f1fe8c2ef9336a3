"""Orders: checkout in one transaction, history newest first, detail with ownership.

Checkout draws stock down with a conditional UPDATE (`stock >= qty`) in product-id
order and checks each row count, so concurrent buyers can never oversell; the schema's
CHECK (stock >= 0) backs it up. Names and prices are copied onto the order lines, so a
later price change leaves old orders alone. A `checkout_key` (one per confirmation)
makes a repeated confirm return the order it already made.

Writers to SQLite take turns for one lock, so the transaction holds only what must be
in it: the user is read before it, the order is logged after it, and the order
returned is built from what was written rather than read back. Its statements are
peewee queries made SQL once (`Compiled`): building them anew each time cost more
CPU than running them, and that CPU was spent holding the lock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from peewee import JOIN, IntegrityError, fn

from buynow_tui import clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.db import Compiled, Param, session, write
from buynow_tui.store.errors import EmptyCart, NotFound, OutOfStock, ValidationError
from buynow_tui.store.models import Cart, CartLine, Order, OrderLine, Product, User
from buynow_tui.store.views import AdminOrder, OrderDetail, OrderLineView, OrderSummary

log = get_logger("orders")

# The checkout's statements, made SQL once per database (see `Compiled`).
_USER = Compiled(
    lambda: User.select(User.username, User.ship_address).where(User.id == Param("user")).limit(1)
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
            CartLine.cart,
            Product.id,
            Product.sku,
            Product.name,
            CartLine.quantity,
            Product.price_cents,
        )
        .join(Product)
        .switch(CartLine)
        .join(Cart)
        .where(Cart.user == Param("user"))
        .order_by(Product.id)
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
)
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


class OrderService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def checkout(
        self, user_id: int, *, ship_address: str | None = None, checkout_key: str | None = None
    ) -> OrderDetail:
        if checkout_key is not None and not (1 <= len(checkout_key) <= 64):
            raise ValidationError("A checkout key is 1 to 64 characters.")
        try:
            with session():
                # Read before taking the write lock: writers queue for it, so what runs
                # inside the transaction decides how many checkouts a second the shop takes.
                user = _USER.first({"user": user_id})
                with write():
                    placed = self._place(user_id, user, ship_address, checkout_key)
        except IntegrityError:
            # A concurrent confirm with the same key won the race: return its order.
            existing = self._by_key(user_id, checkout_key)
            if existing is None:
                raise ValidationError(
                    "That checkout was already used; please confirm again."
                ) from None
            return self.detail(user_id, existing)
        if isinstance(placed, int):
            return self.detail(user_id, placed)  # a repeated confirm: the order it made before
        # Logged once committed; the order returned is what was just written (no re-read).
        log.info(
            "order %d placed: %d lines, total %d cents",
            placed.id,
            len(placed.lines),
            placed.total_cents,
            extra={"user": user[0] if user else "someone"},
        )
        return placed

    def _by_key(self, user_id: int, checkout_key: str | None) -> int | None:
        if checkout_key is None:
            return None
        with session():
            row = _BY_KEY.first({"key": checkout_key, "user": user_id})
            return row[0] if row else None

    def _place(
        self,
        user_id: int,
        user: tuple[str, str | None] | None,
        ship_address: str | None,
        checkout_key: str | None,
    ) -> OrderDetail | int:
        """Inside the write transaction: the new order, or the id of this key's earlier one."""
        if checkout_key is not None:
            prior = _BY_KEY.first({"key": checkout_key, "user": user_id})
            if prior is not None:
                log.info("repeated checkout returned order %d", prior[0])
                return prior[0]
        if user is None:
            raise NotFound("No such user.")
        rows = _CART_LINES.rows({"user": user_id})
        if not rows:
            raise EmptyCart()
        address = v.check_address(ship_address if ship_address is not None else user[1] or "")
        lines = tuple(OrderLineView(*row[1:]) for row in rows)
        short: list[str] = []
        for line in lines:
            drawn = _DRAW_STOCK.rowcount({"quantity": line.quantity, "product": line.product_id})
            if drawn != 1:
                short.append(line.name)
        if short:
            log.warning("checkout refused, out of stock: %s", ", ".join(short))
            raise OutOfStock(short)
        subtotal = sum(line.line_total_cents for line in lines)
        shipping = self.settings.shipping_cents
        created_at = _as_stored(clock.now())
        order_id = _INSERT_ORDER.insert_id(
            {
                "user": user_id,
                "created_at": created_at,
                "subtotal_cents": subtotal,
                "shipping_cents": shipping,
                "total_cents": subtotal + shipping,
                "ship_address": address,
                "checkout_key": checkout_key,
            }
        )
        values: dict[str, object] = {"order": order_id}
        for n, line in enumerate(lines):
            for _, attr in _LINE_COLUMNS:
                values[f"{attr}{n}"] = getattr(line, attr)
        _insert_lines(len(lines)).execute(values)
        _CLEAR_CART.execute({"cart": rows[0][0]})  # the user's one cart
        return OrderDetail(
            id=order_id,
            user_id=user_id,
            created_at=created_at,
            lines=lines,
            subtotal_cents=subtotal,
            shipping_cents=shipping,
            total_cents=subtotal + shipping,
            ship_address=address,
        )

    def list(self, user_id: int) -> list[OrderSummary]:
        with session():
            units = fn.COALESCE(fn.SUM(OrderLine.quantity), 0)
            rows = (
                Order.select(Order.id, Order.created_at, Order.total_cents, units.alias("units"))
                .join(OrderLine, JOIN.LEFT_OUTER)
                .where(Order.user == user_id)
                .group_by(Order.id, Order.created_at, Order.total_cents)
                .order_by(Order.created_at.desc(), Order.id.desc())
            )
            return [OrderSummary(o.id, o.created_at, int(o.units), o.total_cents) for o in rows]

    def detail(self, user_id: int, order_id: int) -> OrderDetail:
        """One order of this user's; anyone else's order is simply not found."""
        with session():
            order = Order.get_or_none((Order.id == order_id) & (Order.user == user_id))
            if order is None:
                log.warning("order %s not found for user %d", order_id, user_id)
                raise NotFound(f"There is no order #{order_id}.")
            lines = tuple(
                OrderLineView(
                    product_id=line.product_id,
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price_cents=line.unit_price_cents,
                )
                for line in OrderLine.select().where(OrderLine.order == order.id).order_by(OrderLine.id)
            )
            return OrderDetail(
                id=order.id,
                user_id=user_id,
                created_at=order.created_at,
                lines=lines,
                subtotal_cents=order.subtotal_cents,
                shipping_cents=order.shipping_cents,
                total_cents=order.total_cents,
                ship_address=order.ship_address,
            )

    def list_all(self, email: str | None = None, limit: int = 1000) -> list[AdminOrder]:
        with session():
            units = fn.COALESCE(fn.SUM(OrderLine.quantity), 0)
            query = (
                Order.select(Order.id, Order.created_at, Order.total_cents, User.email, units.alias("units"))
                .join(User)
                .switch(Order)
                .join(OrderLine, JOIN.LEFT_OUTER)
                .group_by(Order.id, Order.created_at, Order.total_cents, User.email)
                .order_by(Order.created_at.desc(), Order.id.desc())
                .limit(limit)
            )
            if email:
                query = query.where(fn.lower(User.email) == v.email_key(email))
            return [
                AdminOrder(o.id, o.user.email, o.created_at, int(o.units), o.total_cents) for o in query
            ]
