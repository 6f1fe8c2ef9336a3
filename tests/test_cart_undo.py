"""Removing a cart line says so and can be undone with `u` (issue 13)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from buynow_tui.screens.cart import CartScreen
from tests.support.app import make_app, notices, press_key, wait_for, wait_for_screen
from tests.support.shop import log_in
from tests.support.store import product_named


async def open_filled_cart(pilot: Any, services: Any, user: Any) -> CartScreen:
    for name, quantity in (("Smart Watch", 3), ("Bluetooth Headphone", 1), ("Digital Camera", 2)):
        services.cart.add(user.id, product_named(services, name).id, quantity)
    await press_key(pilot, "2")
    screen: CartScreen = await wait_for_screen(pilot, CartScreen)
    await wait_for(pilot, lambda: screen.cart is not None and not screen.cart.is_empty)
    return screen


def lines(services: Any, user: Any) -> list[tuple[str, int]]:
    return [(line.name, line.quantity) for line in services.cart.get(user.id).lines]


async def test_u_brings_back_a_removed_line_with_its_quantity_and_place(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        user = log_in(app, services)
        screen = await open_filled_cart(pilot, services, user)
        before = lines(services, user)
        await wait_for(pilot, lambda: app.cart_count == 3)
        assert screen.check_action("undo", ()) is False  # nothing to undo yet
        await pilot.press("x")  # the first line: 3 Smart Watches
        await wait_for(pilot, lambda: not screen.saving and screen.undoable is not None)
        assert lines(services, user) == before[1:]
        assert "Removed Smart Watch — u to undo" in notices(app)
        await wait_for(pilot, lambda: app.cart_count == 2)  # the badge follows
        await pilot.press("u")
        await wait_for(pilot, lambda: not screen.saving)
        assert lines(services, user) == before
        assert screen.cart is not None
        assert [(line.name, line.quantity) for line in screen.cart.lines] == before
        assert screen.undoable is None  # once
        await wait_for(pilot, lambda: app.cart_count == 3)
        await pilot.press("u")  # a second u puts nothing back twice
        await wait_for(pilot, lambda: not screen.saving)
        assert lines(services, user) == before


async def test_minus_at_one_removes_the_line_and_can_be_undone_too(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        user = log_in(app, services)
        screen = await open_filled_cart(pilot, services, user)
        screen.query_one("#lines", DataTable).move_cursor(row=1)  # Bluetooth Headphone, 1
        await pilot.pause()
        await pilot.press("minus")
        await wait_for(pilot, lambda: not screen.saving and screen.undoable is not None)
        assert ("Bluetooth Headphone", 1) not in lines(services, user)
        await pilot.press("u")
        await wait_for(pilot, lambda: not screen.saving)
        assert lines(services, user)[1] == ("Bluetooth Headphone", 1)


async def test_the_undo_window_ends(services: Any, home: Any) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        user = log_in(app, services)
        screen = await open_filled_cart(pilot, services, user)
        await pilot.press("x")
        await wait_for(pilot, lambda: screen.undoable is not None)
        screen._undo_over()  # what the timer does when UNDO_SECONDS are up
        await pilot.press("u")
        await wait_for(pilot, lambda: not screen.saving)
        assert len(lines(services, user)) == 2


# -- the Product page's quantity counts the cart ---------------------------------------


async def test_the_product_page_offers_what_is_left_after_the_cart(
    services: Any, home: Any
) -> None:
    from buynow_tui.screens.product import ProductScreen
    from tests.support.app import screen_text, wait_for_text

    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 35)
    app = make_app(services, home, open_path=f"product/{watch.id}")
    async with app.run_test(size=(100, 30)) as pilot:
        user = log_in(app, services)
        services.cart.add(user.id, watch.id, 3)
        app.navigate(f"product/{watch.id}")
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None and screen.held == 3)
        await wait_for_text(pilot, "(1 to 32; 3 in your cart)")
        screen.quantity = 32
        await pilot.press("plus")  # one past the real limit
        assert screen.quantity == 32
        assert "You can add up to 32 more; 3 are in your cart." in notices(app)
        # Another session adds 2 meanwhile: the store refuses 32, saying the real limit,
        # and the page follows.
        services.cart.add(user.id, watch.id, 2)
        await pilot.press("a")
        refusal = (
            "Only 35 of Smart Watch left in stock. You can add up to 30 more; 5 are in your cart."
        )
        await wait_for(pilot, lambda: refusal in notices(app))
        await wait_for(pilot, lambda: screen.held == 5 and screen.quantity == 30)
        await wait_for_text(pilot, "(1 to 30; 5 in your cart)")
        await pilot.press("a")
        await wait_for(pilot, lambda: services.cart.held(user.id, watch.id) == 35)
        await wait_for(pilot, lambda: screen.held == 35)
        await wait_for_text(pilot, "(all you can add: 35 in your cart)")
        assert screen.check_action("add_to_cart", ()) is None  # nothing more to add
        assert "Added 30 × Smart Watch to your cart." in notices(app)
        assert "1 to 35" not in screen_text(app)


# -- orders: the cart's order, and a line whose product left the shop -----------------


async def test_an_order_keeps_the_carts_order_and_a_removed_product_says_so(
    services: Any, home: Any
) -> None:
    from buynow_tui.screens.order_detail import OrderDetailScreen
    from buynow_tui.screens.orders import orders_heading

    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        user = log_in(app, services)
        services.accounts.set_address(user.id, "1 Harbour Road")
        names = ["Smart Watch", "Bluetooth Headphone", "Digital Camera"]  # not by id
        for name in names:
            services.cart.add(user.id, product_named(services, name).id, 1)
        order = services.orders.checkout(user.id)
        assert [line.name for line in order.lines] == names
        camera = product_named(services, "Digital Camera")
        services.catalog.remove(camera.sku)
        assert [line.name for line in services.orders.detail(user.id, order.id).lines] == names
        app.navigate(f"order/{order.number}")  # the shopper's own number
        screen = await wait_for_screen(pilot, OrderDetailScreen)
        await wait_for(pilot, lambda: screen.order is not None)
        screen.query_one("#lines", DataTable).move_cursor(row=2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("no longer sold" in n for n in notices(app)))
        assert isinstance(app.screen, OrderDetailScreen)  # nothing opened
    assert orders_heading(0) == "Your orders · none yet"
    assert orders_heading(1) == "Your orders · 1 order"
    assert orders_heading(12) == "Your orders · 12, newest first"
