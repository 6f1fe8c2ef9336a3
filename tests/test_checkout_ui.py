"""Check out: confirm, one order however often it is confirmed, stock that ran out, address."""

from __future__ import annotations

from typing import Any

from buynow_tui.screens import order_placed
from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.checkout import CheckoutScreen
from buynow_tui.screens.order_detail import OrderDetailScreen
from buynow_tui.screens.order_placed import OrderPlacedScreen
from buynow_tui.screens.orders import OrdersScreen
from conftest import product_named
from shop_support import log_in, make_app, screen_text, settle

ADDRESS = "12 Harbour Road\nPort Town 4021"


def shopper(app: Any, services: Any, *, address: str | None = ADDRESS, **fields: Any) -> Any:
    user = log_in(app, services, **fields)
    if address:
        user = services.accounts.set_address(user.id, address)
        app.user = user
    return user


def fill(services: Any, user: Any, *items: tuple[str, int]) -> None:
    for name, quantity in items:
        services.cart.add(user.id, product_named(services, name).id, quantity)


def quantities(services: Any, user: Any) -> dict[str, int]:
    return {line.name: line.quantity for line in services.cart.get(user.id).lines}


async def to_checkout(pilot: Any) -> CheckoutScreen:
    await pilot.press("2")
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, CheckoutScreen)
    return modal


async def test_checkout_to_order_placed_to_orders_to_detail(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill(services, user, ("Digital Camera", 1))
        services.orders.checkout(user.id)  # an older order
        fill(services, user, ("Smart Watch", 3), ("Portable Speakers", 1))
        app.refresh_badge()

        await to_checkout(pilot)
        text = screen_text(app)
        assert "12 Harbour Road" in text and "Port Town 4021" in text
        assert "$680.00" in text  # 3 x 150 + 200 + 30
        await pilot.press("y")
        await settle(pilot)

        placed = app.screen
        assert isinstance(placed, OrderPlacedScreen)
        newest = services.orders.list(user.id)[0]
        text = screen_text(app)
        assert f"Order #{newest.id} placed" in text
        assert "$680.00" in text
        assert "5 seconds" in text
        assert services.cart.get(user.id).is_empty
        assert app.cart_count == 0

        await pilot.press("space")  # any key goes now
        await settle(pilot)
        orders = app.screen
        assert isinstance(orders, OrdersScreen)
        assert [o.id for o in orders.orders] == [o.id for o in services.orders.list(user.id)]
        assert orders.orders[0].id == newest.id
        assert orders.orders[0].id > orders.orders[1].id
        table = orders.query_one("#orders")
        assert table.cursor_row == 0

        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, OrderDetailScreen)
        text = screen_text(app)
        assert f"Order #{newest.id}" in text
        for expected in ("Smart Watch", "Portable Speakers", "$450.00", "$650.00", "$30.00", "$680.00"):
            assert expected in text
        assert "12 Harbour Road" in text


async def test_confirm_pressed_twice_makes_one_order(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill(services, user, ("Smart Watch", 1))
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("b", "b")
        await pilot.press("y", "enter", "y")
        await settle(pilot)
        assert len(services.orders.list(user.id)) == 1
        assert services.cart.get(user.id).is_empty
        assert isinstance(app.screen, (OrderPlacedScreen, OrdersScreen))


async def test_confirm_is_disabled_while_the_order_is_placed(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill(services, user, ("Smart Watch", 1))
        modal = await to_checkout(pilot)
        key = modal.checkout_key
        modal.action_confirm()
        assert modal.placing
        assert modal.query_one("#confirm").disabled
        modal.action_confirm()  # a second confirm while the first runs does nothing
        await settle(pilot)
        orders = services.orders.list(user.id)
        assert len(orders) == 1
        # the same key again (a retry) returns that order rather than a new one
        again = services.orders.checkout(user.id, checkout_key=key)
        assert again.id == orders[0].id


async def test_stock_that_ran_out_is_named_and_nothing_changes(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill(services, user, ("Smart Watch", 2), ("Digital Camera", 1))
        before = quantities(services, user)
        camera_stock = product_named(services, "Digital Camera").stock

        modal = await to_checkout(pilot)
        services.catalog.set_stock(product_named(services, "Smart Watch").sku, 0)
        await pilot.press("y")
        await settle(pilot)

        assert app.screen is modal
        assert "Smart Watch" in screen_text(app)
        assert "Nothing was ordered" in screen_text(app)
        assert not modal.placing
        assert services.orders.list(user.id) == []
        assert quantities(services, user) == before
        assert product_named(services, "Digital Camera").stock == camera_stock

        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert "Out of stock" in screen_text(app)  # the cart shows which line ran out
        assert quantities(services, user) == before


async def test_missing_address_is_asked_for_and_saved(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services, address=None)
        fill(services, user, ("New Smart Phone", 1))
        modal = await to_checkout(pilot)
        assert "no shipping address" in screen_text(app)
        await pilot.press("enter")  # nothing typed yet
        await settle(pilot)
        assert "Enter a shipping address." in screen_text(app)
        assert app.screen is modal
        await pilot.press(*"9 Elm Street, Oak City")  # "y" and "n" type, they do not confirm
        assert app.screen is modal
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderPlacedScreen)
        assert services.accounts.get(user.id).ship_address == "9 Elm Street, Oak City"
        assert app.user.ship_address == "9 Elm Street, Oak City"
        order = services.orders.list(user.id)[0]
        assert services.orders.detail(user.id, order.id).ship_address == "9 Elm Street, Oak City"


async def test_cancel_leaves_the_cart_alone(services, home):
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill(services, user, ("Smart Watch", 1))
        await to_checkout(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CartScreen)
        assert services.orders.list(user.id) == []
        assert len(services.cart.get(user.id).lines) == 1


async def test_order_placed_opens_orders_by_itself(services, home, monkeypatch):
    monkeypatch.setattr(order_placed, "COUNTDOWN_SECONDS", 1)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill(services, user, ("Smart Watch", 1))
        await to_checkout(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, OrderPlacedScreen)
        assert "1 second" in screen_text(app)
        await pilot.pause(1.3)
        await settle(pilot)
        assert isinstance(app.screen, OrdersScreen)
