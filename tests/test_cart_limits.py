"""The cart's limits count what is in it, say the real limit, and a removal can be undone.

On both backends: the store is where the rule lives (the Product screen only offers
what the store would take).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from buynow_tui.store.errors import OutOfStock, ValidationError
from buynow_tui.store.views import more_words, room_for
from tests.support.store import product_named, register

pytestmark = pytest.mark.backends


@pytest.fixture
def ann(services: Any) -> Any:
    return register(services)


def test_adding_past_the_stock_counts_the_cart_and_says_how_many_more(
    services: Any, ann: Any
) -> None:
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 35)
    services.cart.add(ann.id, watch.id, 3)
    assert services.cart.held(ann.id, watch.id) == 3
    with pytest.raises(OutOfStock) as refused:
        services.cart.add(ann.id, watch.id, 35)
    assert str(refused.value) == (
        "Only 35 of Smart Watch left in stock. You can add up to 32 more; 3 are in your cart."
    )
    with pytest.raises(OutOfStock, match="up to 32 more"):
        services.cart.add(ann.id, watch.id, 33)
    assert services.cart.held(ann.id, watch.id) == 3  # nothing half-added
    services.cart.add(ann.id, watch.id, 32)
    assert services.cart.held(ann.id, watch.id) == 35
    with pytest.raises(OutOfStock, match=re.escape("You cannot add more: 35 are in your cart.")):
        services.cart.add(ann.id, watch.id, 1)


def test_the_99_per_order_counts_the_cart_too(services: Any, ann: Any) -> None:
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 500)
    services.cart.add(ann.id, watch.id, 1)
    with pytest.raises(ValidationError) as refused:
        services.cart.add(ann.id, watch.id, 99)
    assert str(refused.value) == (
        "At most 99 of one item per order. You can add up to 98 more; 1 is in your cart."
    )
    assert services.cart.held(ann.id, watch.id) == 1


def test_an_empty_line_is_refused_as_before_without_cart_words(services: Any, ann: Any) -> None:
    product = services.catalog.get_by_sku("BN-CAM-003")  # 2 left
    with pytest.raises(OutOfStock) as refused:
        services.cart.add(ann.id, product.id, 3)
    assert str(refused.value) == "Only 2 of Full-Frame Mirrorless Body left in stock."
    assert services.cart.held(ann.id, product.id) == 0


def test_room_for_is_what_the_store_takes(services: Any, ann: Any) -> None:
    """The Product screen's "1 to N" is `room_for`: N is accepted, N + 1 refused."""
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 20)
    services.cart.add(ann.id, watch.id, 7)
    room = room_for(services.catalog.get(watch.id), services.cart.held(ann.id, watch.id))
    assert room == 13
    with pytest.raises(OutOfStock, match=re.escape(more_words(13, 7))):
        services.cart.add(ann.id, watch.id, room + 1)
    services.cart.add(ann.id, watch.id, room)
    assert services.cart.held(ann.id, watch.id) == 20


def test_put_back_restores_the_removed_line_with_its_quantity_and_place(
    services: Any, ann: Any
) -> None:
    watch = product_named(services, "Smart Watch")
    headphone = product_named(services, "Bluetooth Headphone")
    speakers = product_named(services, "Portable Speakers")
    services.cart.add(ann.id, watch.id, 3)
    services.cart.add(ann.id, headphone.id, 1)
    cart = services.cart.add(ann.id, speakers.id, 2)
    removed = cart.lines[0]
    assert removed.name == "Smart Watch"
    assert [line.name for line in services.cart.remove(ann.id, watch.id).lines] == [
        "Bluetooth Headphone",
        "Portable Speakers",
    ]
    back = services.cart.put_back(ann.id, removed)
    assert [(line.name, line.quantity) for line in back.lines] == [
        ("Smart Watch", 3),
        ("Bluetooth Headphone", 1),
        ("Portable Speakers", 2),
    ]
    assert back.total_cents == cart.total_cents


def test_put_back_is_checked_like_an_add(services: Any, ann: Any) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 5)
    removed = services.cart.get(ann.id).lines[0]
    services.cart.remove(ann.id, watch.id)
    services.catalog.set_stock(watch.sku, 4)  # sold meanwhile
    with pytest.raises(OutOfStock, match=re.escape("Only 4 of Smart Watch left in stock.")):
        services.cart.put_back(ann.id, removed)
    assert services.cart.get(ann.id).is_empty
    services.catalog.set_stock(watch.sku, 50)
    services.cart.add(ann.id, watch.id, 2)  # added again before the undo
    assert services.cart.put_back(ann.id, removed).lines[0].quantity == 7
