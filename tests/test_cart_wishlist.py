"""Cart and wishlist: stock limits, totals from current prices, the badge, newest first."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from buynow_tui.store.errors import AlreadyInWishlist, NotFound, OutOfStock, ValidationError
from buynow_tui.store.services import Services
from buynow_tui.store.views import UserView, dollars
from tests.support.store import product_named, register

pytestmark = pytest.mark.backends


@pytest.fixture
def ann(services: Services) -> UserView:
    return register(services)


# -- cart ---------------------------------------------------------------------------------


def test_empty_cart_has_no_lines_and_no_shipping(services: Services, ann: UserView) -> None:
    cart = services.cart.get(ann.id)
    assert cart.is_empty
    assert (cart.subtotal_cents, cart.shipping_cents, cart.total_cents) == (0, 0, 0)
    assert services.cart.count(ann.id) == 0


def test_totals_are_subtotal_plus_flat_thirty_dollars_shipping(
    services: Services, ann: UserView
) -> None:
    headphone = product_named(services, "Bluetooth Headphone")
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, headphone.id, 2)
    cart = services.cart.add(ann.id, watch.id, 1)
    assert [(line.name, line.quantity, line.line_total_cents) for line in cart.lines] == [
        ("Bluetooth Headphone", 2, 50000),
        ("Smart Watch", 1, 15000),
    ]
    assert dollars(cart.subtotal_cents) == "$650.00"
    assert dollars(cart.shipping_cents) == "$30.00"
    assert dollars(cart.total_cents) == "$680.00"


def test_badge_counts_distinct_items_not_units(services: Services, ann: UserView) -> None:
    headphone = product_named(services, "Bluetooth Headphone")
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, headphone.id, 3)
    services.cart.add(ann.id, headphone.id, 1)
    services.cart.add(ann.id, watch.id, 2)
    assert services.cart.count(ann.id) == 2
    cart = services.cart.get(ann.id)
    assert cart.count == 2 and cart.units == 6


def test_adding_more_than_the_stock_is_refused_with_a_message(
    services: Services, ann: UserView
) -> None:
    product = services.catalog.get_by_sku("BN-CAM-003")  # Full-Frame Mirrorless Body, 2 left
    with pytest.raises(OutOfStock, match="Only 2 of Full-Frame Mirrorless Body left"):
        services.cart.add(ann.id, product.id, 3)
    assert services.cart.get(ann.id).is_empty

    services.cart.add(ann.id, product.id, 2)
    with pytest.raises(OutOfStock, match="Only 2"):
        services.cart.add(ann.id, product.id, 1)  # 2 already in the cart
    assert services.cart.get(ann.id).lines[0].quantity == 2


def test_an_out_of_stock_product_cannot_be_added(services: Services, ann: UserView) -> None:
    product = services.catalog.get_by_sku("BN-MOB-003")
    with pytest.raises(OutOfStock, match="Foldable Flagship Handset is out of stock"):
        services.cart.add(ann.id, product.id, 1)
    assert services.cart.count(ann.id) == 0


@pytest.mark.parametrize("quantity", [0, -1, 100])
def test_add_refuses_quantities_outside_1_to_99(
    services: Services, ann: UserView, quantity: int
) -> None:
    watch = product_named(services, "Smart Watch")
    with pytest.raises(ValidationError, match="between 1 and 99"):
        services.cart.add(ann.id, watch.id, quantity)
    assert services.cart.get(ann.id).is_empty


def test_at_most_99_of_one_item_even_with_plenty_of_stock(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 500)
    services.cart.add(ann.id, watch.id, 99)
    with pytest.raises(ValidationError, match="99"):
        services.cart.add(ann.id, watch.id, 1)
    assert services.cart.get(ann.id).lines[0].quantity == 99


def test_adding_an_unknown_product_is_not_found(services: Services, ann: UserView) -> None:
    with pytest.raises(NotFound):
        services.cart.add(ann.id, 999_999, 1)


def test_set_quantity_changes_within_stock_and_zero_removes(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    headphone = product_named(services, "Bluetooth Headphone")
    services.cart.add(ann.id, watch.id, 1)
    services.cart.add(ann.id, headphone.id, 1)

    cart = services.cart.set_quantity(ann.id, watch.id, 4)
    assert {line.name: line.quantity for line in cart.lines}["Smart Watch"] == 4
    with pytest.raises(OutOfStock):
        services.cart.set_quantity(ann.id, watch.id, watch.stock + 1)

    cart = services.cart.set_quantity(ann.id, watch.id, 0)
    assert [line.name for line in cart.lines] == ["Bluetooth Headphone"]
    assert services.cart.count(ann.id) == 1


def test_set_quantity_of_a_product_not_in_the_cart_is_not_found(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    with pytest.raises(NotFound, match="not in your cart"):
        services.cart.set_quantity(ann.id, watch.id, 2)


def test_change_quantity_steps_from_the_line_as_it_is_now(
    services: Services, ann: UserView
) -> None:
    """The Cart's + and -: a step from the quantity the store holds, not from a copy."""
    watch = product_named(services, "Smart Watch")
    headphone = product_named(services, "Bluetooth Headphone")
    services.cart.add(ann.id, watch.id, 1)
    services.cart.add(ann.id, headphone.id, 1)
    services.cart.add(ann.id, watch.id, 2)  # another session added two meanwhile

    cart = services.cart.change_quantity(ann.id, watch.id, 1)
    assert {line.name: line.quantity for line in cart.lines} == {
        "Smart Watch": 4,
        "Bluetooth Headphone": 1,
    }
    cart = services.cart.change_quantity(ann.id, headphone.id, -1)  # to 0: the line goes
    assert [line.name for line in cart.lines] == ["Smart Watch"]
    cart = services.cart.change_quantity(ann.id, headphone.id, 1)  # gone: it stays out
    assert [line.name for line in cart.lines] == ["Smart Watch"]


def test_change_quantity_past_the_stock_or_99_is_refused_and_changes_nothing(
    services: Services, ann: UserView
) -> None:
    gone_soon = services.catalog.get_by_sku("BN-CAM-003")  # Full-Frame Mirrorless Body, 2 left
    services.cart.add(ann.id, gone_soon.id, 2)
    with pytest.raises(OutOfStock, match="Only 2 of Full-Frame Mirrorless Body left"):
        services.cart.change_quantity(ann.id, gone_soon.id, 1)
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 500)
    services.cart.add(ann.id, watch.id, 99)
    with pytest.raises(ValidationError, match="between 1 and 99"):
        services.cart.change_quantity(ann.id, watch.id, 1)
    assert {line.name: line.quantity for line in services.cart.get(ann.id).lines} == {
        "Full-Frame Mirrorless Body": 2,
        "Smart Watch": 99,
    }


def test_remove_and_clear(services: Services, ann: UserView) -> None:
    watch = product_named(services, "Smart Watch")
    headphone = product_named(services, "Bluetooth Headphone")
    services.cart.add(ann.id, watch.id, 1)
    services.cart.add(ann.id, headphone.id, 1)
    assert [line.name for line in services.cart.remove(ann.id, watch.id).lines] == [
        "Bluetooth Headphone"
    ]
    services.cart.remove(ann.id, watch.id)  # removing twice is harmless
    services.cart.clear(ann.id)
    assert services.cart.get(ann.id).is_empty


def test_cart_totals_follow_current_prices(services: Services, ann: UserView) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 2)
    services.catalog.update(watch.sku, price="120.00")
    cart = services.cart.get(ann.id)
    assert cart.lines[0].unit_price_cents == 12000
    assert cart.total_cents == 2 * 12000 + 3000


def test_carts_are_per_user(services: Services, ann: UserView) -> None:
    bob = register(services, email="bob@example.com", username="bob")
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 1)
    assert services.cart.get(bob.id).is_empty
    assert services.cart.count(bob.id) == 0


def test_shipping_fee_comes_from_settings(home: Path) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.config import Settings
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db
    from buynow_tui.store.services import Services

    open_store(Paths(home))
    try:
        services = Services(Settings(bcrypt_rounds=4, shipping_cents=500))
        user = register(services)
        services.cart.add(user.id, product_named(services, "Smart Watch").id, 1)
        assert services.cart.get(user.id).shipping_cents == 500
    finally:
        close_db()


# -- wishlist -----------------------------------------------------------------------------


def test_wishlist_add_once_newest_first_and_remove(
    services: Services, ann: UserView, frozen_clock: list[datetime]
) -> None:
    watch = product_named(services, "Smart Watch")
    phone = product_named(services, "New Smart Phone")
    camera = product_named(services, "Digital Camera")
    for product in (watch, phone, camera):
        services.wishlist.add(ann.id, product.id)
        frozen_clock[0] += timedelta(minutes=1)
    assert [item.product.name for item in services.wishlist.items(ann.id)] == [
        "Digital Camera",
        "New Smart Phone",
        "Smart Watch",
    ]

    with pytest.raises(AlreadyInWishlist, match="Smart Watch is already in your wishlist"):
        services.wishlist.add(ann.id, watch.id)
    assert len(services.wishlist.items(ann.id)) == 3

    services.wishlist.remove(ann.id, phone.id)
    assert [item.product.name for item in services.wishlist.items(ann.id)] == [
        "Digital Camera",
        "Smart Watch",
    ]
    assert not services.wishlist.contains(ann.id, phone.id)
    assert services.wishlist.contains(ann.id, watch.id)


def test_wishlist_items_added_in_the_same_instant_still_list_newest_first(
    services: Services, ann: UserView, frozen_clock: list[datetime]
) -> None:
    first, second = (
        product_named(services, "Smart Watch"),
        product_named(services, "Digital Camera"),
    )
    services.wishlist.add(ann.id, first.id)
    services.wishlist.add(ann.id, second.id)
    assert [item.product.name for item in services.wishlist.items(ann.id)] == [
        "Digital Camera",
        "Smart Watch",
    ]


def test_wishlist_add_to_cart_keeps_it_on_the_wishlist(services: Services, ann: UserView) -> None:
    watch = product_named(services, "Smart Watch")
    services.wishlist.add(ann.id, watch.id)
    services.wishlist.add_to_cart(ann.id, watch.id)
    assert [line.name for line in services.cart.get(ann.id).lines] == ["Smart Watch"]
    assert services.wishlist.contains(ann.id, watch.id)
    assert services.cart.count(ann.id) == 1


def test_an_out_of_stock_product_can_be_wished_for_but_not_carted(
    services: Services, ann: UserView
) -> None:
    sold_out = services.catalog.get_by_sku("BN-WAT-006")
    services.wishlist.add(ann.id, sold_out.id)
    assert services.wishlist.items(ann.id)[0].product.stock_words == "Out of stock"
    with pytest.raises(OutOfStock, match="out of stock"):
        services.wishlist.add_to_cart(ann.id, sold_out.id)
    assert services.cart.get(ann.id).is_empty


def test_wishlist_of_unknown_product_is_not_found(services: Services, ann: UserView) -> None:
    with pytest.raises(NotFound):
        services.wishlist.add(ann.id, 999_999)


def test_wishlists_are_per_user(services: Services, ann: UserView) -> None:
    bob = register(services, email="bob@example.com", username="bob")
    watch = product_named(services, "Smart Watch")
    services.wishlist.add(ann.id, watch.id)
    services.wishlist.add(bob.id, watch.id)  # not "already there": that was Ann's
    services.wishlist.remove(bob.id, watch.id)
    assert services.wishlist.contains(ann.id, watch.id)
    assert services.wishlist.items(bob.id) == []
