"""Cart: quantities saved as they change, totals from the store, removing, empty cart."""

from __future__ import annotations

import sqlite3
from typing import Any

from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.shop import ShopScreen
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


def fill(services: Any, user: Any, *items: tuple[str, int]) -> None:
    for name, quantity in items:
        services.cart.add(user.id, product_named(services, name).id, quantity)


def quantities(services: Any, user: Any) -> dict[str, int]:
    return {line.name: line.quantity for line in services.cart.get(user.id).lines}


async def open_cart(pilot: Any) -> CartScreen:
    await press_key(pilot, "2")
    screen = await wait_for_screen(pilot, CartScreen)
    await wait_for(pilot, lambda: screen.cart is not None)
    return screen


async def saved(pilot: Any, screen: CartScreen) -> None:
    """Wait until every change pressed so far has been saved and shown."""
    await wait_for(pilot, lambda: not screen.saving)


def select(screen: CartScreen, name: str) -> None:
    table = screen.query_one("#lines")
    names = [line.name for line in screen.cart.lines]
    table.move_cursor(row=names.index(name))


async def test_cart_shows_lines_and_the_store_totals(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        fill(services, user, ("Smart Watch", 3))
        await open_cart(pilot)
        await wait_for_text(pilot, "Smart Watch", "$480.00")
        text = screen_text(app)
        assert "Smart Watch" in text
        assert "$150.00" in text and "$450.00" in text
        assert "$30.00" in text and "$480.00" in text


async def test_plus_twice_on_one_line_and_minus_once_on_another(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        fill(services, user, ("Bluetooth Headphone", 1), ("Portable Speakers", 2))
        screen = await open_cart(pilot)
        await wait_for_text(pilot, "$680.00")  # 250 + 2 * 200 + 30 shipping

        select(screen, "Bluetooth Headphone")
        await pilot.press("plus", "plus")  # pressed faster than the store answers
        await saved(pilot, screen)
        select(screen, "Portable Speakers")
        await pilot.press("minus")
        await saved(pilot, screen)
        await wait_for(pilot, lambda: app.cart_count == 2)

        assert quantities(services, user) == {"Bluetooth Headphone": 3, "Portable Speakers": 1}
        assert screen.cart.subtotal_cents == 3 * 25000 + 20000
        assert screen.cart.total_cents == 3 * 25000 + 20000 + 3000
        await wait_for_text(pilot, "$980.00")
        text = screen_text(app)
        assert "$750.00" in text  # the headphone line: 3 x $250.00
        assert "$950.00" in text and "$980.00" in text  # subtotal and total
        assert app.cart_count == 2


async def test_x_removes_a_line_and_minus_at_one_removes_it_too(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        fill(services, user, ("Digital Camera", 1), ("Smart Watch", 2), ("New Smart Phone", 1))
        app.refresh_badge()
        screen = await open_cart(pilot)
        await wait_for(pilot, lambda: app.cart_count == 3)

        select(screen, "Smart Watch")
        await pilot.press("x")
        await saved(pilot, screen)
        assert set(quantities(services, user)) == {"Digital Camera", "New Smart Phone"}
        await wait_for(pilot, lambda: "Smart Watch" not in screen_text(app))
        await wait_for(pilot, lambda: app.cart_count == 2)

        select(screen, "Digital Camera")
        await pilot.press("minus")  # quantity 1 -> 0 removes the line
        await saved(pilot, screen)
        assert quantities(services, user) == {"New Smart Phone": 1}
        await wait_for(pilot, lambda: app.cart_count == 1)

        await pilot.press("delete")
        await saved(pilot, screen)
        assert quantities(services, user) == {}
        await wait_for(pilot, lambda: app.cart_count == 0)
        await wait_for_text(pilot, "Your cart is empty.")


async def test_buy_now_sees_every_change_pressed_before_it(services, home):
    """`+`, `-`, `+`, `b` while the database is busy (another writer holds its lock):
    the changes are saved in the order pressed, and the confirmation waits for them."""
    from buynow_tui.screens.checkout.ship_to import ShipToStep
    from tests.support.shop import BOOK_ADDRESS, through_steps

    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.addresses.add(user.id, BOOK_ADDRESS)
        fill(services, user, ("Smart Watch", 1))
        await open_cart(pilot)
        await wait_for_text(pilot, "$180.00")  # 150 + 30 shipping
        other = sqlite3.connect(home / "buynow.db", isolation_level=None, timeout=10)
        try:
            other.execute("BEGIN IMMEDIATE")  # the store's writes wait for it (busy timeout)
            await pilot.press("plus", "minus", "plus", "b")
        finally:
            other.execute("ROLLBACK")
            other.close()
        step = await wait_for_screen(pilot, ShipToStep)
        assert step.state.cart.units == 2  # 1 + 1 - 1 + 1, in that order (- first would remove it)
        modal = await through_steps(pilot)  # on to Confirm
        assert modal.cart.units == 2
        await wait_for_text(pilot, "$330.00")  # 2 x 150 + 30
        assert quantities(services, user) == {"Smart Watch": 2}


async def test_plus_beyond_the_stock_is_refused_with_a_reason(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        watch = product_named(services, "Smart Watch")
        services.catalog.set_stock(watch.sku, 2)
        fill(services, user, ("Smart Watch", 2))
        screen = await open_cart(pilot)
        await pilot.press("plus")
        await wait_for(pilot, lambda: any("Only 2 of Smart Watch left" in n for n in notices(app)))
        await saved(pilot, screen)
        assert quantities(services, user) == {"Smart Watch": 2}


async def test_empty_cart_says_so_and_leads_back_to_the_shop(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        log_in(app, services)
        await open_cart(pilot)
        await wait_for_text(pilot, "Your cart is empty.")
        text = screen_text(app)
        assert "Your cart is empty." in text
        assert "Go to the Shop" in text
        await pilot.press("b")  # nothing to check out
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        await pilot.press("enter")  # the focused "Go to the Shop" button
        await wait_for_screen(pilot, ShopScreen)
        await open_cart(pilot)
        await press_key(pilot, "1")
        await wait_for_screen(pilot, ShopScreen)
