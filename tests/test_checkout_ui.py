"""Check out: confirm, one order however often it is confirmed, stock that ran out, address.

Through the checkout's steps (issue 15): `checkout_through` walks Cart → Ship to →
Delivery → Pay (the 4242 test card) → Confirm.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Select

from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.checkout.ship_to import AddressForm, ShipToStep
from buynow_tui.screens.order_detail import OrderDetailScreen
from buynow_tui.screens.order_placed import OrderPlacedScreen
from buynow_tui.screens.orders import OrdersScreen
from buynow_tui.store.payments.testgateway import TestGateway
from buynow_tui.store.services import Services
from buynow_tui.widgets.list_table import ListTable
from tests.support.app import (
    make_app,
    screen_text,
    settle,
    wait_for,
    wait_for_screen,
    wait_for_text,
)
from tests.support.shop import (
    cart_quantities,
    checkout_through,
    fill_cart,
    shopper,
    through_steps,
    to_checkout,
)
from tests.support.store import FIXED_NOW, product_named


async def test_checkout_to_order_placed_to_orders_to_detail(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Digital Camera", 1))
        services.orders.checkout(user.id)  # an older order
        fill_cart(services, user, ("Smart Watch", 3), ("Portable Speakers", 1))
        app.refresh_badge()

        await checkout_through(pilot)
        await wait_for_text(pilot, "12 Harbour Road", "$680.00")
        text = screen_text(app)
        assert "12 Harbour Road" in text and "Port Town 4021" in text
        assert "$680.00" in text  # 3 x 150 + 200 + 30
        await pilot.press("y")
        await wait_for_screen(pilot, OrderPlacedScreen)
        await wait_for(pilot, lambda: app.cart_count == 0)
        newest = services.orders.history(user.id)[0]
        assert newest.status == "paid"
        await wait_for_text(pilot, f"Order #{newest.number} placed")
        text = screen_text(app)
        assert f"Order #{newest.number} placed" in text
        assert "$680.00" in text and "Visa ending 4242" in text  # the receipt
        assert "5 seconds" in text
        assert services.cart.get(user.id).is_empty

        await pilot.press("space")  # any key goes now
        orders = await wait_for_screen(pilot, OrdersScreen)
        await wait_for(pilot, lambda: orders.orders is not None)
        assert orders.orders is not None
        assert [o.id for o in orders.orders] == [o.id for o in services.orders.history(user.id)]
        assert orders.orders[0].id == newest.id
        assert orders.orders[0].id > orders.orders[1].id
        table = orders.query_one("#orders", ListTable)
        assert table.cursor_row == 0

        await pilot.press("enter")
        detail = await wait_for_screen(pilot, OrderDetailScreen)
        await wait_for(pilot, lambda: detail.order is not None)
        await wait_for_text(pilot, f"Order #{newest.number}", "$680.00")
        text = screen_text(app)
        assert f"Order #{newest.number}" in text
        for expected in (
            "Smart Watch",
            "Portable Speakers",
            "$450.00",
            "$650.00",
            "$30.00",
            "$680.00",
        ):
            assert expected in text
        assert "12 Harbour Road" in text


async def test_confirm_pressed_twice_makes_one_order(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 1))
        await checkout_through(pilot)
        await pilot.press("y", "enter", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, (OrderPlacedScreen, OrdersScreen)))
        await settle(pilot)
        assert len(services.orders.history(user.id)) == 1
        assert services.cart.get(user.id).is_empty
        assert isinstance(app.screen, (OrderPlacedScreen, OrdersScreen))


async def test_confirm_is_disabled_while_the_order_is_placed(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 1))
        modal = await checkout_through(pilot)
        key = modal.checkout_key
        modal.action_confirm()
        assert modal.placing
        assert modal.query_one("#confirm").disabled
        modal.action_confirm()  # a second confirm while the first runs does nothing
        await wait_for_screen(pilot, OrderPlacedScreen)
        orders = services.orders.history(user.id)
        assert len(orders) == 1
        # the same key again (a retry) returns that order rather than a new one
        again = services.orders.checkout(user.id, checkout_key=key)
        assert again.id == orders[0].id
        gateway = services.checkout.gateway
        assert isinstance(gateway, TestGateway)
        assert len(gateway.approved) == 1  # charged once


async def test_stock_that_ran_out_is_named_and_nothing_changes(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 2), ("Digital Camera", 1))
        before = cart_quantities(services, user)
        camera_stock = product_named(services, "Digital Camera").stock

        modal = await checkout_through(pilot)
        services.catalog.set_stock(product_named(services, "Smart Watch").sku, 0)
        await pilot.press("y")
        await wait_for_text(pilot, "Nothing was ordered")
        await wait_for(pilot, lambda: not modal.placing)

        assert app.screen is modal
        await wait_for_text(pilot, "Smart Watch")
        await wait_for_text(pilot, "Nothing was ordered")
        assert not modal.placing
        assert services.orders.history(user.id) == []
        assert cart_quantities(services, user) == before
        assert product_named(services, "Digital Camera").stock == camera_stock

        await pilot.press("n")  # back a step, and back again, to the Cart
        await pilot.press("escape", "escape", "escape")
        await wait_for_screen(pilot, CartScreen)
        await wait_for_text(pilot, "Out of stock")  # the cart shows which line ran out
        assert cart_quantities(services, user) == before


async def test_missing_address_is_asked_for_and_saved(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services, address=None)
        fill_cart(services, user, ("New Smart Phone", 1))
        step = await to_checkout(pilot)
        await wait_for_text(pilot, "+ Add a new address")
        assert step.addresses == []
        await pilot.press("enter")  # the only choice: a new address
        form = await wait_for_screen(pilot, AddressForm)
        await pilot.press("ctrl+s")  # nothing typed yet
        await wait_for_text(pilot, "Enter the name of who receives it.")  # on its field
        assert app.screen is form
        assert services.addresses.list(user.id) == []
        for selector, text in (
            ("#address-name", "Yan Ny"),  # "y" and "n" type, they do not confirm
            ("#address-line1", "9 Elm Street"),
            ("#address-city", "Oak City"),
            ("#address-postal_code", "90210"),
            ("#address-phone", "555 0199"),
        ):
            form.query_one(selector).focus()
            await pilot.press(*text)
        assert app.screen is form
        form.query_one("#address-country", Select).value = "US"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ShipToStep)
        await wait_for(pilot, lambda: bool(step.addresses))
        [saved] = services.addresses.list(user.id)
        assert (saved.line1, saved.is_default) == ("9 Elm Street", True)
        await through_steps(pilot)
        await pilot.press("y")
        await wait_for_screen(pilot, OrderPlacedScreen)
        order = services.orders.history(user.id)[0]
        kept = services.orders.detail(user.id, order.id).ship_address
        assert "9 Elm Street" in kept and "Oak City 90210" in kept  # the order's own copy


async def test_cancel_leaves_the_cart_alone(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 1))
        await to_checkout(pilot)
        await pilot.press("escape")
        await wait_for_screen(pilot, CartScreen)
        assert services.orders.history(user.id) == []
        assert len(services.cart.get(user.id).lines) == 1


async def test_order_placed_counts_down_on_the_app_clock_then_opens_orders(
    services: Services, home: Path
) -> None:
    now = [FIXED_NOW]
    app = make_app(services, home, clock=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 1))
        await checkout_through(pilot)
        await pilot.press("y")
        await wait_for_screen(pilot, OrderPlacedScreen)
        await pilot.pause(0.5)  # the clock stands still: so does the countdown
        await wait_for_text(pilot, "5 seconds")
        now[0] += timedelta(seconds=3.2)
        await wait_for_text(pilot, "2 seconds")
        assert isinstance(app.screen, OrderPlacedScreen)
        now[0] += timedelta(seconds=2)
        await wait_for_screen(pilot, OrdersScreen)
