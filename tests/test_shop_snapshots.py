"""Snapshots of every shopping screen at 80x24 and 120x40.

Fixed clock (store and app), UTC as the local zone, theme pinned, text cursors not
blinking. Regenerate with `--snapshot-update` only after looking at the difference.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.services import Services
from tests.support.app import SnapCompare, make_app, no_blink, settle, wait_for_text
from tests.support.shop import checkout_through, search, shopper
from tests.support.store import product_named

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def fill(services: Any, user: Any) -> None:
    services.cart.add(user.id, product_named(services, "Smart Watch").id, 3)
    services.cart.add(user.id, product_named(services, "Bluetooth Headphone").id, 1)


async def ready(pilot: Any, *texts: str) -> None:
    """Wait until the screen shows `texts` (its data has arrived), then still the cursors."""
    await wait_for_text(pilot, *texts)
    await settle(pilot)
    no_blink(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_shop(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Any) -> None:
        await ready(pilot, "Page 1 of 1")

    assert snap_compare(make_app(services, home), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_shop_search_without_results(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await search(pilot, "zeppelin")
        await ready(pilot, "No products match")

    assert snap_compare(make_app(services, home), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_product_out_of_stock(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    gone = next(p for p in services.catalog.page(limit=100).items if p.stock == 0)
    app = make_app(services, home, open_path=f"product/{gone.id}")

    async def run_before(pilot: Any) -> None:
        await ready(pilot, "cannot be added to the cart")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_cart_empty(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        shopper(app, services)
        app.navigate("cart")
        await ready(pilot, "Your cart is empty.", "Cart (0)")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_cart_filled(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        fill(services, shopper(app, services))
        app.navigate("cart")
        await ready(pilot, "$730.00", "Cart (2)")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_checkout_confirmation(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        fill(services, shopper(app, services))
        await checkout_through(pilot)  # the last of the checkout's steps (issue 15)
        await ready(pilot, "Pay $730.00 (y)")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_order_placed(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        fill(services, shopper(app, services))
        await checkout_through(pilot)
        await wait_for_text(pilot, "Pay $730.00 (y)")
        await pilot.press("y")
        await ready(pilot, "Order #1 placed", "Cart (0)", "Visa ending 4242")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def _two_orders(services: Any, user: Any, frozen_clock: list[Any]) -> None:
    fill(services, user)
    services.orders.checkout(user.id)
    frozen_clock[0] += timedelta(hours=2, minutes=15)
    services.cart.add(user.id, product_named(services, "Digital Camera").id, 1)
    services.orders.checkout(user.id)


@pytest.mark.parametrize("size", SIZES)
def test_orders(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        _two_orders(services, shopper(app, services), frozen_clock)
        app.navigate("orders")
        await ready(pilot, "#2", "$230.00")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_order_detail(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        _two_orders(services, shopper(app, services), frozen_clock)
        app.navigate("order/1")
        await ready(pilot, "Order #1", "Port Town 4021")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_wishlist(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        user = shopper(app, services)
        for name in ("Digital Camera", "Smart Watch", "Portable Speakers"):
            services.wishlist.add(user.id, product_named(services, name).id)
            frozen_clock[0] += timedelta(minutes=5)
        app.navigate("wishlist")
        await ready(pilot, "Portable Speakers", "3 items")

    assert snap_compare(app, terminal_size=size, run_before=run_before)
