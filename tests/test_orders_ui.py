"""Orders and order detail: newest first, local times, only one's own orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from buynow_tui.screens.not_found import NotFoundScreen
from buynow_tui.screens.order_detail import OrderDetailScreen
from buynow_tui.screens.orders import OrdersScreen
from buynow_tui.store.services import Services
from buynow_tui.store.views import OrderDetail, UserView
from tests.support.app import (
    make_app,
    press_key,
    screen_text,
    settle,
    wait_for,
    wait_for_screen,
    wait_for_text,
)
from tests.support.shop import log_in
from tests.support.store import product_named, register


def order(services: Services, user: UserView, *items: tuple[str, int]) -> OrderDetail:
    for name, quantity in items:
        services.cart.add(user.id, product_named(services, name).id, quantity)
    return services.orders.checkout(user.id, ship_address="1 Main St")


async def test_orders_newest_first_with_units_and_totals(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        older = order(services, user, ("Smart Watch", 2))
        frozen_clock[0] += timedelta(days=1)
        newer = order(services, user, ("Digital Camera", 1), ("Portable Speakers", 3))
        await press_key(pilot, "4")
        screen = await wait_for_screen(pilot, OrdersScreen)
        await wait_for(pilot, lambda: screen.orders is not None)
        assert screen.orders is not None
        assert [o.id for o in screen.orders] == [newer.id, older.id]
        await wait_for_text(pilot, "$830.00", "$330.00")
        text = screen_text(app)
        assert text.index(f"#{newer.id}") < text.index(f"#{older.id}")
        assert "$830.00" in text and "$330.00" in text  # 200 + 600 + 30; 300 + 30
        newer_row = next(line for line in text.splitlines() if f"#{newer.id} " in line)
        assert " 4 " in newer_row  # units


async def test_order_detail_shows_lines_totals_and_address(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        placed = order(services, user, ("Smart Watch", 2), ("New Smart Phone", 1))
        app.navigate(f"order/{placed.id}")
        screen = await wait_for_screen(pilot, OrderDetailScreen)
        await wait_for(pilot, lambda: screen.order is not None)
        await wait_for_text(pilot, "$505.00")
        text = screen_text(app)
        for expected in (
            "Smart Watch",
            "New Smart Phone",
            "$300.00",
            "$175.00",
            "$475.00",
            "$505.00",
            "1 Main St",
        ):
            assert expected in text


async def test_another_users_order_is_not_found(services: Services, home: Path) -> None:
    other = register(services, email="bob@example.com", username="bob")
    theirs = order(services, other, ("Smart Watch", 1))
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        log_in(app, services)
        app.navigate(f"order/{theirs.id}")
        await wait_for_screen(pilot, NotFoundScreen)
        await wait_for_text(pilot, f"order/{theirs.id}")
        assert "Smart Watch" not in screen_text(app)


async def test_no_orders_yet_says_so(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        log_in(app, services)
        await press_key(pilot, "4")
        screen = await wait_for_screen(pilot, OrdersScreen)
        await wait_for(pilot, lambda: screen.orders is not None)
        await wait_for_text(pilot, "You have not ordered anything yet.")
