"""Wishlist: newest first, add to cart, remove, no duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from buynow_tui.screens.product import ProductScreen
from buynow_tui.screens.wishlist import WishlistScreen
from buynow_tui.store.services import Services
from tests.support.app import (
    make_app,
    notices,
    press_key,
    screen_text,
    settle,
    wait_for,
    wait_for_screen,
    wait_for_text,
)
from tests.support.shop import log_in
from tests.support.store import product_named


async def open_wishlist(pilot: Any) -> WishlistScreen:
    await press_key(pilot, "3")
    screen = await wait_for_screen(pilot, WishlistScreen)
    await wait_for(pilot, lambda: screen.items is not None)
    return screen


def names(screen: WishlistScreen) -> list[str]:
    return [item.product.name for item in screen.items or []]


async def test_wishlist_is_newest_first_and_adds_the_selected_item_to_the_cart(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        for name in ("Digital Camera", "Smart Watch", "Portable Speakers"):
            services.wishlist.add(user.id, product_named(services, name).id)
            frozen_clock[0] += timedelta(minutes=1)
        screen = await open_wishlist(pilot)
        assert names(screen) == ["Portable Speakers", "Smart Watch", "Digital Camera"]
        await wait_for_text(pilot, "Portable Speakers", "Digital Camera")
        text = screen_text(app)
        assert text.index("Portable Speakers") < text.index("Digital Camera")

        await pilot.press("j")  # the second row: Smart Watch
        await pilot.press("a")
        await wait_for(pilot, lambda: "Added Smart Watch to your cart." in notices(app))
        await wait_for(pilot, lambda: app.cart_count == 1)
        assert [(line.name, line.quantity) for line in services.cart.get(user.id).lines] == [
            ("Smart Watch", 1)
        ]
        assert "Smart Watch" in names(screen)  # adding to the cart keeps it on the wishlist


async def test_x_removes_from_the_wishlist(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.wishlist.add(user.id, product_named(services, "Smart Watch").id)
        services.wishlist.add(user.id, product_named(services, "Digital Camera").id)
        screen = await open_wishlist(pilot)
        first = names(screen)[0]
        await pilot.press("x")
        await wait_for(pilot, lambda: len(names(screen)) == 1)
        assert first not in [i.product.name for i in services.wishlist.items(user.id)]
        await pilot.press("delete")
        await wait_for(pilot, lambda: names(screen) == [])
        assert services.wishlist.items(user.id) == []
        await wait_for_text(pilot, "Your wishlist is empty.")


async def test_wishlisting_twice_from_a_product_is_refused(services: Services, home: Path) -> None:
    speakers = product_named(services, "Portable Speakers")
    app = make_app(services, home, open_path=f"product/{speakers.id}")
    async with app.run_test(size=(100, 30)) as pilot:
        user = log_in(app, services)
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None)
        await pilot.press("w")
        await wait_for(pilot, lambda: "Saved Portable Speakers to your wishlist." in notices(app))
        await pilot.press("w")
        await wait_for(
            pilot, lambda: "Portable Speakers is already in your wishlist." in notices(app)
        )
        assert len(services.wishlist.items(user.id)) == 1


async def test_enter_opens_the_product(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.wishlist.add(user.id, product_named(services, "Smart Watch").id)
        await open_wishlist(pilot)
        await pilot.press("enter")
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None)
        assert screen.product is not None and screen.product.name == "Smart Watch"
