"""Wishlist: newest first, add to cart, remove, no duplicates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from buynow_tui.screens.product import ProductScreen
from buynow_tui.screens.wishlist import WishlistScreen
from conftest import product_named
from shop_support import log_in, make_app, notices, screen_text, settle


async def open_wishlist(pilot: Any) -> WishlistScreen:
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WishlistScreen)
    return screen


def names(screen: WishlistScreen) -> list[str]:
    return [item.product.name for item in screen.items or []]


async def test_wishlist_is_newest_first_and_adds_the_selected_item_to_the_cart(services, home, frozen_clock):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        for name in ("Digital Camera", "Smart Watch", "Portable Speakers"):
            services.wishlist.add(user.id, product_named(services, name).id)
            frozen_clock[0] += timedelta(minutes=1)
        screen = await open_wishlist(pilot)
        assert names(screen) == ["Portable Speakers", "Smart Watch", "Digital Camera"]
        text = screen_text(app)
        assert text.index("Portable Speakers") < text.index("Digital Camera")

        await pilot.press("j")  # the second row: Smart Watch
        await pilot.press("a")
        await settle(pilot)
        assert [(l.name, l.quantity) for l in services.cart.get(user.id).lines] == [("Smart Watch", 1)]
        assert "Added Smart Watch to your cart." in notices(app)
        assert app.cart_count == 1
        assert "Smart Watch" in names(screen)  # adding to the cart keeps it on the wishlist


async def test_x_removes_from_the_wishlist(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.wishlist.add(user.id, product_named(services, "Smart Watch").id)
        services.wishlist.add(user.id, product_named(services, "Digital Camera").id)
        screen = await open_wishlist(pilot)
        first = names(screen)[0]
        await pilot.press("x")
        await settle(pilot)
        assert first not in [i.product.name for i in services.wishlist.list(user.id)]
        assert len(names(screen)) == 1
        await pilot.press("delete")
        await settle(pilot)
        assert services.wishlist.list(user.id) == []
        assert "Your wishlist is empty." in screen_text(app)


async def test_wishlisting_twice_from_a_product_is_refused(services, home):
    speakers = product_named(services, "Portable Speakers")
    app = make_app(services, home, open_path=f"product/{speakers.id}")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        assert isinstance(app.screen, ProductScreen)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        assert "Saved Portable Speakers to your wishlist." in notices(app)
        assert "Portable Speakers is already in your wishlist." in notices(app)
        assert len(services.wishlist.list(user.id)) == 1


async def test_enter_opens_the_product(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.wishlist.add(user.id, product_named(services, "Smart Watch").id)
        await open_wishlist(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ProductScreen)
        assert app.screen.product.name == "Smart Watch"
