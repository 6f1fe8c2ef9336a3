"""Checkout and order history on a real temp-file SQLite."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from buynow_tui.store.errors import EmptyCart, NotFound, OutOfStock, ValidationError
from buynow_tui.store.services import Services
from buynow_tui.store.views import UserView
from tests.support.store import product_named, register

pytestmark = pytest.mark.backends

ADDRESS = "1 Main Street\nSpringfield"


@pytest.fixture
def ann(services: Services) -> UserView:
    return register(services)


def stock_of(services: Services, name: str) -> int:
    return product_named(services, name).stock


def order_rows() -> tuple[int, int]:
    """How many orders and order lines the database holds (either backend)."""
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import Order, OrderLine

    with connection():
        return Order.select().count(), OrderLine.select().count()


def test_checkout_places_the_order_draws_stock_and_empties_the_cart(
    services: Services, ann: UserView, frozen_clock: list[datetime]
) -> None:
    headphone = product_named(services, "Bluetooth Headphone")
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, headphone.id, 2)
    services.cart.add(ann.id, watch.id, 1)

    order = services.orders.checkout(ann.id, ship_address=ADDRESS)

    assert [
        (line.name, line.quantity, line.unit_price_cents)
        for line in sorted(order.lines, key=lambda x: x.name)
    ] == [
        ("Bluetooth Headphone", 2, 25000),
        ("Smart Watch", 1, 15000),
    ]
    assert (order.subtotal_cents, order.shipping_cents, order.total_cents) == (65000, 3000, 68000)
    assert order.units == 3
    assert order.ship_address == ADDRESS
    assert order.created_at == frozen_clock[0]
    assert stock_of(services, "Bluetooth Headphone") == headphone.stock - 2
    assert stock_of(services, "Smart Watch") == watch.stock - 1
    assert services.cart.get(ann.id).is_empty
    assert services.cart.count(ann.id) == 0
    assert services.orders.detail(ann.id, order.id) == order


def test_checkout_uses_the_saved_address_when_none_is_given(
    services: Services, ann: UserView
) -> None:
    services.accounts.set_address(ann.id, ADDRESS)
    services.cart.add(ann.id, product_named(services, "Smart Watch").id, 1)
    assert services.orders.checkout(ann.id).ship_address == ADDRESS


def test_checkout_without_any_address_is_refused_and_changes_nothing(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 1)
    with pytest.raises(ValidationError, match="address"):
        services.orders.checkout(ann.id)
    assert services.cart.count(ann.id) == 1
    assert stock_of(services, "Smart Watch") == watch.stock
    assert services.orders.history(ann.id) == []


def test_changing_a_price_after_ordering_leaves_the_order_alone(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 2)
    order = services.orders.checkout(ann.id, ship_address=ADDRESS)

    services.catalog.update(watch.sku, price="999.00", name="Smart Watch II")

    again = services.orders.detail(ann.id, order.id)
    assert again.lines[0].name == "Smart Watch"
    assert again.lines[0].unit_price_cents == 15000
    assert again.total_cents == 2 * 15000 + 3000
    assert services.orders.history(ann.id)[0].total_cents == 33000


def test_removing_a_product_keeps_past_orders_readable(services: Services, ann: UserView) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 1)
    order = services.orders.checkout(ann.id, ship_address=ADDRESS)
    services.catalog.remove(watch.sku)
    line = services.orders.detail(ann.id, order.id).lines[0]
    assert (line.name, line.sku, line.unit_price_cents, line.product_id) == (
        "Smart Watch",
        watch.sku,
        15000,
        None,
    )


def test_an_empty_cart_cannot_be_checked_out(services: Services, ann: UserView, home: Path) -> None:
    with pytest.raises(EmptyCart, match="empty"):
        services.orders.checkout(ann.id, ship_address=ADDRESS)
    assert order_rows() == (0, 0)


def test_the_same_checkout_key_twice_makes_one_order(
    services: Services, ann: UserView, home: Path
) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 1)
    first = services.orders.checkout(ann.id, ship_address=ADDRESS, checkout_key="confirm-1")
    second = services.orders.checkout(ann.id, ship_address=ADDRESS, checkout_key="confirm-1")
    assert second == first
    assert len(services.orders.history(ann.id)) == 1
    assert order_rows() == (1, 1)
    assert stock_of(services, "Smart Watch") == watch.stock - 1


def test_a_second_confirm_without_a_key_finds_the_cart_empty(
    services: Services, ann: UserView
) -> None:
    services.cart.add(ann.id, product_named(services, "Smart Watch").id, 1)
    services.orders.checkout(ann.id, ship_address=ADDRESS)
    with pytest.raises(EmptyCart):
        services.orders.checkout(ann.id, ship_address=ADDRESS)
    assert len(services.orders.history(ann.id)) == 1


def test_a_checkout_key_never_hands_over_another_users_order(
    services: Services, ann: UserView
) -> None:
    bob = register(services, email="bob@example.com", username="bob")
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 1)
    services.cart.add(bob.id, watch.id, 1)
    ann_order = services.orders.checkout(ann.id, ship_address=ADDRESS, checkout_key="same-key")
    try:
        bob_order = services.orders.checkout(bob.id, ship_address=ADDRESS, checkout_key="same-key")
    except Exception:
        bob_order = None
    if bob_order is not None:
        assert bob_order.user_id == bob.id and bob_order.id != ann_order.id
    with pytest.raises(NotFound):
        services.orders.detail(bob.id, ann_order.id)
    assert services.orders.detail(ann.id, ann_order.id) == ann_order


def test_out_of_stock_at_checkout_names_the_product_and_changes_nothing(
    services: Services, ann: UserView, home: Path
) -> None:
    plenty = product_named(services, "Portable Speakers")  # lower id: drawn first, then rolled back
    scarce = product_named(services, "Digital Camera")
    assert plenty.id < scarce.id
    services.cart.add(ann.id, plenty.id, 3)
    services.cart.add(ann.id, scarce.id, 2)
    services.catalog.set_stock(scarce.sku, 1)  # someone else bought it meanwhile

    with pytest.raises(OutOfStock) as caught:
        services.orders.checkout(ann.id, ship_address=ADDRESS)
    assert "Digital Camera" in str(caught.value)
    assert "Portable Speakers" not in str(caught.value)
    assert caught.value.names == ["Digital Camera"]

    assert stock_of(services, "Portable Speakers") == plenty.stock
    assert stock_of(services, "Digital Camera") == 1
    cart = services.cart.get(ann.id)
    assert {line.name: line.quantity for line in cart.lines} == {
        "Portable Speakers": 3,
        "Digital Camera": 2,
    }
    assert services.orders.history(ann.id) == []
    assert order_rows() == (0, 0)


def test_orders_list_newest_first_with_units_and_totals(
    services: Services, ann: UserView, frozen_clock: list[datetime]
) -> None:
    watch = product_named(services, "Smart Watch")
    phone = product_named(services, "New Smart Phone")
    services.cart.add(ann.id, watch.id, 1)
    first = services.orders.checkout(ann.id, ship_address=ADDRESS)
    frozen_clock[0] += timedelta(hours=1)
    services.cart.add(ann.id, phone.id, 3)
    second = services.orders.checkout(ann.id, ship_address=ADDRESS)

    listed = services.orders.history(ann.id)
    assert [o.id for o in listed] == [second.id, first.id]
    assert [(o.units, o.total_cents) for o in listed] == [(3, 3 * 17500 + 3000), (1, 15000 + 3000)]
    assert listed[0].created_at == frozen_clock[0]


def test_orders_in_the_same_instant_still_list_newest_first(
    services: Services, ann: UserView, frozen_clock: list[datetime]
) -> None:
    watch = product_named(services, "Smart Watch")
    ids = []
    for _ in range(3):
        services.cart.add(ann.id, watch.id, 1)
        ids.append(services.orders.checkout(ann.id, ship_address=ADDRESS).id)
    assert [o.id for o in services.orders.history(ann.id)] == ids[::-1]


def test_another_users_order_is_not_found(services: Services, ann: UserView) -> None:
    bob = register(services, email="bob@example.com", username="bob")
    services.cart.add(ann.id, product_named(services, "Smart Watch").id, 1)
    order = services.orders.checkout(ann.id, ship_address=ADDRESS)

    with pytest.raises(NotFound) as caught:
        services.orders.detail(bob.id, order.id)
    with pytest.raises(NotFound) as missing:
        services.orders.detail(bob.id, 999_999)
    # The same kind of message either way: Bob learns nothing about Ann's order.
    assert str(caught.value) == f"There is no order #{order.id}."
    assert str(missing.value) == "There is no order #999999."
    assert services.orders.history(bob.id) == []


def test_admin_order_list_filters_by_email_in_any_case(services: Services, ann: UserView) -> None:
    bob = register(services, email="bob@example.com", username="bob")
    watch = product_named(services, "Smart Watch")
    for user in (ann, bob):
        services.cart.add(user.id, watch.id, 2)
        services.orders.checkout(user.id, ship_address=ADDRESS)
    everyone = services.orders.list_all()
    assert {o.email for o in everyone} == {"ann@example.com", "bob@example.com"}
    only_bob = services.orders.list_all("BOB@example.com")
    assert [(o.email, o.units) for o in only_bob] == [("bob@example.com", 2)]
    assert {u.email: u.orders for u in services.accounts.list_users()} == {
        "ann@example.com": 1,
        "bob@example.com": 1,
    }
