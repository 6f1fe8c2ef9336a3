"""The checkout's steps in the app (issue 15): Cart → Ship to → Delivery → Pay → Confirm,
with every field's message, a good card to the receipt and a declined one to words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select

from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.checkout.confirm import CheckoutScreen
from buynow_tui.screens.checkout.delivery import DeliveryStep
from buynow_tui.screens.checkout.pay import PayStep
from buynow_tui.screens.checkout.ship_to import AddressForm, ShipToStep
from buynow_tui.screens.order_placed import OrderPlacedScreen
from buynow_tui.screens.orders import OrdersScreen
from buynow_tui.store.services import Services
from buynow_tui.widgets.form import Field
from tests.support.app import (
    make_app,
    press_key,
    screen_text,
    settle,
    wait_for,
    wait_for_screen,
    wait_for_text,
)
from tests.support.checkout import DECLINED_CARD, GOOD_CARD, cart_lines, gateway_of
from tests.support.shop import log_in
from tests.support.store import product_named


async def type_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    pilot.app.screen.query_one(selector, Input).focus()
    if text:
        await pilot.press(*text)


def problem(app: Any, name: str) -> str | None:
    found: str | None = app.screen.query_one(f"#field-{name}", Field).problem
    return found


async def to_ship_to(pilot: Pilot[Any]) -> ShipToStep:
    await press_key(pilot, "2")
    cart = await wait_for_screen(pilot, CartScreen)
    await wait_for(pilot, lambda: cart.cart is not None)
    await pilot.press("b")
    step: ShipToStep = await wait_for_screen(pilot, ShipToStep)
    await wait_for(pilot, lambda: step.addresses is not None)
    return step


async def fill_address(pilot: Pilot[Any]) -> None:
    for selector, text in (
        ("#address-name", "Ann Lee"),
        ("#address-line1", "12 Harbour Road"),
        ("#address-city", "Port Town"),
        ("#address-postal_code", "4021"),
        ("#address-phone", "+61 2 5550 1234"),
    ):
        await type_into(pilot, selector, text)
    select: Select[str] = pilot.app.screen.query_one("#address-country", Select)
    select.value = "AU"
    await settle(pilot)


async def fill_card(pilot: Pilot[Any], number: str) -> None:
    await type_into(pilot, "#card-number", number)
    await type_into(pilot, "#card-expiry", "12/30")
    await type_into(pilot, "#card-cvc", "739")


async def test_new_shopper_address_express_good_card_receipt_then_orders(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.cart.add(user.id, product_named(services, "Smart Watch").id, 2)
        app.refresh_badge()
        step = await to_ship_to(pilot)
        assert "[Ship to]" in screen_text(app) and "Cart ✓" in screen_text(app)
        assert step.addresses == []
        await pilot.press("enter")  # "+ Add a new address"
        await wait_for_screen(pilot, AddressForm)

        # Saving an empty form puts a message on every required field.
        await pilot.press("ctrl+s")
        await settle(pilot)
        for name in ("name", "line1", "city", "postal_code", "country", "phone"):
            assert problem(app, name), name
        assert problem(app, "line2") is None and problem(app, "region") is None
        await fill_address(pilot)
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, ShipToStep)
        await wait_for_text(pilot, "Ann Lee, 12 Harbour Road, Port Town (default)")
        await pilot.press("enter")

        delivery = await wait_for_screen(pilot, DeliveryStep)
        await wait_for(pilot, lambda: delivery.quotes is not None)
        await wait_for_text(pilot, "Standard, 3-5 working days: $30.00", "Express")
        await pilot.press("down", "enter")  # express

        pay = await wait_for_screen(pilot, PayStep)
        await settle(pilot)
        await pilot.press("enter")  # nothing typed: each card field says what is missing
        await settle(pilot)
        assert problem(app, "card_number") == "Enter the card number."
        assert problem(app, "expiry") == "Enter the expiry as MM/YY, like 04/29."
        assert problem(app, "cvc") == "The CVC is the 3 or 4 digits on the card."
        await fill_card(pilot, GOOD_CARD)
        await pilot.press("enter")

        confirm = await wait_for_screen(pilot, CheckoutScreen)
        text = screen_text(app)
        assert "Delivery: Express" in text and "Card ending 4242" in text
        assert "$345.00" in text  # 2 x 150 + 45 express
        assert app.screen is confirm and pay.is_attached  # Pay waits under Confirm
        await pilot.press("y")
        placed = await wait_for_screen(pilot, OrderPlacedScreen)
        order_id, number = placed.order.order_id, placed.order.number
        await wait_for_text(pilot, f"Order #{number} placed and paid", "Paid with Visa ending 4242")
        text = screen_text(app)
        assert "Delivery (Express)" in text and "12 Harbour Road" in text
        assert services.cart.get(user.id).is_empty
        assert services.checkout.receipt(order_id, user.id).status == "paid"

        await pilot.press("space")  # the receipt read: on to Orders, where it shows paid
        orders = await wait_for_screen(pilot, OrdersScreen)
        await wait_for(pilot, lambda: orders.orders is not None)
        await wait_for_text(pilot, "Paid", "$345.00")
        assert orders.orders is not None and orders.orders[0].status == "paid"


async def test_a_declined_card_is_said_in_words_and_the_cart_is_unchanged(
    services: Services, home: Path
) -> None:
    from tests.support.checkout import HOME_ADDRESS

    app = make_app(services, home)
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.addresses.add(user.id, HOME_ADDRESS)
        services.cart.add(user.id, product_named(services, "Smart Watch").id, 2)
        stock = product_named(services, "Smart Watch").stock
        await to_ship_to(pilot)
        await pilot.press("enter")  # the default address
        await wait_for_screen(pilot, DeliveryStep)
        await settle(pilot)
        await pilot.press("enter")  # standard
        await wait_for_screen(pilot, PayStep)
        await settle(pilot)
        await fill_card(pilot, DECLINED_CARD)
        await pilot.press("enter")
        confirm = await wait_for_screen(pilot, CheckoutScreen)
        await pilot.press("y")
        await wait_for_text(pilot, "Your card was declined. Nothing was charged.")
        assert isinstance(app.screen, CheckoutScreen) and not confirm.placing
        assert cart_lines(services, user) == {"Smart Watch": 2}
        assert product_named(services, "Smart Watch").stock == stock
        assert gateway_of(services).approved == []
        # escape goes back a step, to Pay, to use another card
        await pilot.press("escape")
        await wait_for_screen(pilot, PayStep)
        await pilot.press("escape")
        await wait_for_screen(pilot, DeliveryStep)
