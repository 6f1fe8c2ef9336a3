"""The checkout's Confirm step orders what it showed: a change meanwhile is named, the
step shows the new figures, and only a second "y" orders them (walked to Confirm
through the checkout's steps, issue 15)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.checkout import CheckoutScreen
from buynow_tui.screens.order_placed import OrderPlacedScreen
from buynow_tui.store.services import Services
from tests.support.app import make_app, notices, settle, wait_for, wait_for_screen, wait_for_text
from tests.support.shop import BOOK_ADDRESS, checkout_through, fill_cart, shopper
from tests.support.store import product_named


async def test_a_price_changed_before_y_is_named_and_the_new_total_shown(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 2))
        modal = await checkout_through(pilot)
        await wait_for_text(pilot, "$330.00")
        first_key = modal.checkout_key
        services.catalog.update(product_named(services, "Smart Watch").sku, price="120")

        await pilot.press("y")
        await wait_for_text(pilot, "The price of Smart Watch changed from $150.00 to $120.00.")
        await wait_for(pilot, lambda: not modal.placing)
        assert app.screen is modal
        totals = str(modal.query_one("#totals").render())
        assert totals.splitlines()[-1].split() == ["Total", "$270.00"]
        assert "$330.00" not in totals
        message = str(modal.query_one("#message").render())
        assert "The total changed from $330.00 to $270.00." in message
        assert "Nothing was ordered" in message
        assert services.orders.history(user.id) == []
        assert modal.checkout_key != first_key  # new figures, a new confirmation

        await pilot.press("y")
        await wait_for_screen(pilot, OrderPlacedScreen)
        orders = services.orders.history(user.id)
        assert [order.total_cents for order in orders] == [27000]


async def test_an_address_changed_elsewhere_is_shown_before_ordering_to_it(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 1))
        modal = await checkout_through(pilot)
        await wait_for_text(pilot, "12 Harbour Road")
        [address] = services.addresses.list(user.id)
        moved = replace(BOOK_ADDRESS, line1="7 New Street", city="Far Town")
        services.addresses.update(user.id, address.id, moved)  # in another session

        await pilot.press("y")
        await wait_for_text(pilot, "The ship-to address changed to Ann Lee, 7 New Street,")
        await wait_for(pilot, lambda: not modal.placing)
        shown = str(modal.query_one("#address-shown").render())
        assert "7 New Street" in shown and "12 Harbour Road" not in shown
        assert services.orders.history(user.id) == []

        await pilot.press("y")
        await wait_for_screen(pilot, OrderPlacedScreen)
        order = services.orders.history(user.id)[0]
        kept = services.orders.detail(user.id, order.id).ship_address
        assert kept.splitlines()[:3] == ["Ann Lee", "7 New Street", "Far Town 4021"]


async def test_the_only_product_removed_closes_the_dialog_and_says_so(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = shopper(app, services)
        fill_cart(services, user, ("Smart Watch", 1))
        await checkout_through(pilot)
        services.catalog.remove(product_named(services, "Smart Watch").sku)

        await pilot.press("y")
        await wait_for_screen(pilot, CartScreen)
        await wait_for(
            pilot, lambda: any("Smart Watch was removed from the shop." in n for n in notices(app))
        )
        await wait_for_text(pilot, "Your cart is empty.")
        assert not isinstance(app.screen, CheckoutScreen)
        assert services.orders.history(user.id) == []
