"""Snapshots at 80x24 of what issue 13 adds to the Shop's keys: the list with its keys
in the footer, the category picker, the page jump, the undo toast in the Cart, and a
Product page that counts the cart. Fixed clock, pinned theme, cursors still."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from buynow_tui.screens.shop_dialogs import CategoryPicker, PageJump
from buynow_tui.store.services import Services
from tests.support.app import SnapCompare, make_app, settle, wait_for_screen
from tests.support.shop import shopper
from tests.support.store import product_named
from tests.test_shop_snapshots import ready

SIZE = (80, 24)


def test_shop_list_keys(
    snap_compare: SnapCompare, services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await ready(pilot, "Page 1 of 1")
        await pilot.press("down")
        await ready(pilot, "a Add")

    assert snap_compare(make_app(services, home), terminal_size=SIZE, run_before=run_before)


def test_category_picker(
    snap_compare: SnapCompare, services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await ready(pilot, "Page 1 of 1")
        await pilot.press("down", "c")
        await wait_for_screen(pilot, CategoryPicker)
        await pilot.press(*"ph")
        await ready(pilot, "Headphones")

    assert snap_compare(make_app(services, home), terminal_size=SIZE, run_before=run_before)


def test_page_jump(
    snap_compare: SnapCompare, services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await ready(pilot, "Page 1 of 1")
        await pilot.press("down", "g")
        await wait_for_screen(pilot, PageJump)
        await ready(pilot, "Now on page 1 of 1.")

    assert snap_compare(make_app(services, home), terminal_size=SIZE, run_before=run_before)


def test_cart_undo_toast(
    snap_compare: SnapCompare, services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        user = shopper(app, services)
        services.cart.add(user.id, product_named(services, "Smart Watch").id, 3)
        services.cart.add(user.id, product_named(services, "Bluetooth Headphone").id, 1)
        app.navigate("cart")
        await ready(pilot, "$730.00", "Cart (2)")
        await pilot.press("x")
        await ready(pilot, "u to undo", "Cart (1)")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_product_counts_the_cart(
    snap_compare: SnapCompare, services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    watch = product_named(services, "Smart Watch")
    app = make_app(services, home)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        user = shopper(app, services)
        services.cart.add(user.id, watch.id, 3)
        app.navigate(f"product/{watch.id}")
        await ready(pilot, "in your cart)")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
