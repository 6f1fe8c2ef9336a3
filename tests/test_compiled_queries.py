"""The checkout's statements are peewee queries made SQL once (`store.compiled`).

What they send must be exactly what peewee sends for the same query and values, on
either backend, and must follow whichever database `init_db` bound last; the rows they
read are peewee's rows, by column name.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from peewee import fn

from buynow_tui.store import orders
from buynow_tui.store.compiled import Compiled, Param
from buynow_tui.store.db import close_db, init_db
from buynow_tui.store.logins import row_lock
from buynow_tui.store.models import Cart, CartLine, Order, OrderEvent, OrderLine, Product, User
from buynow_tui.store.services import Services
from tests.support.store import PG_URL, product_named, register

pytestmark = pytest.mark.backends

ADDRESS = "1 Main Street\nSpringfield"
#: Not UTC: the stored value must be converted exactly as peewee converts it.
WHEN = datetime(2026, 11, 25, 13, 30, 5, 123456, tzinfo=timezone(timedelta(hours=1)))


def cart_lines(cart: int) -> Any:
    """The checkout's read of a cart, as peewee builds it afresh."""
    return (
        CartLine.select(
            Product.id.alias("product_id"),
            Product.sku,
            Product.name,
            CartLine.quantity,
            Product.price_cents.alias("unit_price_cents"),
        )
        .join(Product)
        .where(CartLine.cart == cart)
        .order_by(CartLine.added_at, CartLine.id)  # the cart's order (issue 13)
    )


def test_checkout_statements_send_what_peewee_sends(services: Services, backend: str) -> None:
    order_values = {
        "user": 7,
        "created_at": WHEN,
        "subtotal_cents": 65000,
        "shipping_cents": 3000,
        "total_cents": 68000,
        "ship_address": ADDRESS,
        "checkout_key": None,
        "number": 3,
        "status": "paid",
    }
    event_values = {
        "order": 41,
        "user": 7,
        "from_status": "placed",
        "to_status": "paid",
        "at": WHEN,
        "actor_kind": "system",
        "actor": "",
        "note": "paid on placing (before payments)",
    }
    line_values: dict[str, Any] = {"order": 41}
    line_rows = []
    for n, (product, sku, name, price, quantity) in enumerate(
        [(3, "A-1", "Alpha", 100, 2), (None, "B-2", "Beta 'quoted'", 250, 1)]
    ):
        line_values.update(
            {
                f"product_id{n}": product,
                f"sku{n}": sku,
                f"name{n}": name,
                f"unit_price_cents{n}": price,
                f"quantity{n}": quantity,
            }
        )
        line_rows.append(
            {
                OrderLine.order: 41,
                OrderLine.product: product,
                OrderLine.sku: sku,
                OrderLine.name: name,
                OrderLine.unit_price_cents: price,
                OrderLine.quantity: quantity,
            }
        )
    cases: list[tuple[Compiled, dict[str, Any], Any]] = [
        (
            orders._USER,
            {"user": 5},
            row_lock(
                User.select(User.username, User.ship_address, User.credentials_version)
                .where(User.id == 5)
                .limit(1),
                "FOR SHARE",
            ),
        ),
        (
            orders._CART,
            {"user": 5},
            row_lock(Cart.select(Cart.id).where(Cart.user == 5).limit(1), "FOR UPDATE"),
        ),
        (
            orders._BY_KEY,
            {"key": "confirm-1", "user": 5},
            Order.select(Order.id)
            .where((Order.checkout_key == "confirm-1") & (Order.user == 5))
            .limit(1),
        ),
        (orders._CART_LINES, {"cart": 9}, cart_lines(9)),
        (
            orders._DRAW_STOCK,
            {"quantity": 3, "product": 12},
            Product.update(stock=Product.stock - 3).where(
                (Product.id == 12) & (Product.stock >= 3)
            ),
        ),
        (
            orders._INSERT_ORDER,
            order_values,
            Order.insert(**order_values),
        ),
        (orders._insert_lines(2), line_values, OrderLine.insert_many(line_rows)),
        (
            orders._NEXT_NUMBER,
            {"user": 7},
            Order.select(fn.COALESCE(fn.MAX(Order.number), 0).alias("last")).where(Order.user == 7),
        ),
        (orders._INSERT_EVENT, event_values, OrderEvent.insert(**event_values)),
        (orders._CLEAR_CART, {"cart": 9}, CartLine.delete().where(CartLine.cart == 9)),
    ]
    for compiled, values, fresh in cases:
        assert compiled.sql(values) == fresh.sql()
    # PostgreSQL locks the user's row, then their cart's: one checkout of a cart at a time.
    locks = [orders._USER.sql({"user": 5})[0], orders._CART.sql({"user": 5})[0]]
    if backend == "postgres":
        assert locks[0].endswith(" FOR SHARE") and locks[1].endswith(" FOR UPDATE")
    else:
        assert not any(" FOR " in sql for sql in locks)


def test_compiled_queries_follow_the_database_bound_last(
    services: Services, backend: str, tmp_path: Path
) -> None:
    """Bound to another database (another dialect too), a compiled query is made again."""
    count_users = Compiled(lambda: User.select(User.id).where(User.email == Param("email")))
    ann = register(services)
    assert count_users.rows({"email": ann.email}) == [{"id": ann.id}]
    first_sql, _ = count_users.sql({"email": ann.email})

    other = "postgresql" if backend == "sqlite" else "sqlite"
    try:
        if other == "sqlite":
            init_db(f"sqlite:///{tmp_path / 'other.db'}")
        else:
            init_db(PG_URL)  # not connected: only the SQL is asked for
        other_sql, params = count_users.sql({"email": ann.email})
        assert other_sql == User.select(User.id).where(User.email == ann.email).sql()[0]
        assert other_sql != first_sql  # "?" against "%s"
        assert params == [ann.email]
    finally:
        close_db()


def test_orders_of_every_size_keep_their_own_lines(services: Services) -> None:
    """One INSERT per line count is kept: carts of 1, 3, then 1 lines again."""
    ann = register(services)
    names = [
        ["Smart Watch"],
        ["Portable Speakers", "Bluetooth Headphone", "Belt-Drive Turntable"],
        ["Bluetooth Headphone"],
    ]
    for n, cart in enumerate(names):
        bought = {name: k + 1 for k, name in enumerate(cart)}
        for name, quantity in bought.items():
            services.cart.add(ann.id, product_named(services, name).id, quantity)
        order = services.orders.checkout(ann.id, ship_address=ADDRESS, checkout_key=f"k{n}")
        stored = services.orders.detail(ann.id, order.id)
        assert stored == order
        assert {line.name: line.quantity for line in stored.lines} == bought
        assert stored.subtotal_cents == sum(
            product_named(services, name).price_cents * q for name, q in bought.items()
        )
        assert services.cart.get(ann.id).is_empty
    assert len(services.orders.history(ann.id)) == 3


def test_compiled_rows_are_peewee_rows_by_column_name(
    services: Services, frozen_clock: list[datetime]
) -> None:
    """Each row is keyed by the field's name or its alias and read as peewee reads it
    (an aware UTC time, a foreign key's id), whatever order the columns come in."""
    ann = register(services)
    for name, quantity in (("Smart Watch", 2), ("Portable Speakers", 1)):
        services.cart.add(ann.id, product_named(services, name).id, quantity)
    cart = orders._CART.first({"user": ann.id})
    assert cart is not None
    lines = orders._CART_LINES.rows({"cart": cart["id"]})
    assert lines == list(cart_lines(cart["id"]).dicts())
    assert {line["name"]: line["quantity"] for line in lines} == {
        "Smart Watch": 2,
        "Portable Speakers": 1,
    }
    placed = services.orders.checkout(ann.id, ship_address=ADDRESS)
    when = Compiled(
        lambda: Order.select(Order.created_at.alias("placed"), Order.user, Order.id).where(
            Order.id == Param("order")
        )
    )
    assert when.first({"order": placed.id}) == {
        "placed": frozen_clock[0],
        "user": ann.id,
        "id": placed.id,
    }
    assert when.first({"order": placed.id + 1}) is None


def test_a_compiled_query_needs_a_name_for_every_column(services: Services) -> None:
    """A column without a name (an unaliased expression) or two of one name cannot be
    read by name: said when the query is first made, not by a wrong row later."""
    from peewee import fn

    unnamed = Compiled(lambda: Product.select(fn.COUNT(Product.id)))
    with pytest.raises(ValueError, match="alias"):
        unnamed.rows({})
    twice = Compiled(lambda: CartLine.select(CartLine.id, Product.id).join(Product))
    with pytest.raises(ValueError, match="share a name"):
        twice.rows({})
