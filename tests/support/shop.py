"""Shopping steps for pilot tests: a logged-in shopper, a search, a filled cart, checkout.

The checkout (issue 15) is steps: Cart → Ship to → Delivery → Pay → Confirm.
`to_checkout` opens the first, `checkout_through` walks to Confirm (not confirmed).
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from buynow_tui.app import BuyNowApp
from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.checkout import CheckoutScreen
from buynow_tui.screens.checkout.delivery import DeliveryStep
from buynow_tui.screens.checkout.pay import PayStep
from buynow_tui.screens.checkout.ship_to import ShipToStep
from buynow_tui.store.checkout_views import AddressFields
from buynow_tui.store.services import Services
from buynow_tui.store.views import UserView
from tests.support.app import press_key, settle, wait_for, wait_for_screen
from tests.support.store import product_named, register

ADDRESS = "12 Harbour Road\nPort Town 4021"
#: The same address in the shopper's address book (what the checkout ships to).
BOOK_ADDRESS = AddressFields(
    name="Ann Lee",
    line1="12 Harbour Road",
    line2="",
    city="Port Town",
    region="",
    postal_code="4021",
    country="AU",
    phone="+61 2 5550 1234",
)
GOOD_CARD = "4242 4242 4242 4242"


def log_in(app: BuyNowApp, services: Services, **fields: Any) -> UserView:
    """Register a shopper and log them straight in (no Log in screen needed)."""
    user = register(services, **fields)
    app.logged_in(user)
    return user


def shopper(
    app: BuyNowApp, services: Services, *, address: str | None = ADDRESS, **fields: Any
) -> UserView:
    """A logged-in shopper with a delivery address, also in their address book as the
    default (none with `address=None`)."""
    user = log_in(app, services, **fields)
    if address:
        user = services.accounts.set_address(user.id, address)
        services.addresses.add(user.id, BOOK_ADDRESS)
        app.user = user
    return user


def fill_cart(services: Services, user: UserView, *items: tuple[str, int]) -> None:
    """Put (product name, quantity) items in the shopper's cart through the store."""
    for name, quantity in items:
        services.cart.add(user.id, product_named(services, name).id, quantity)


def cart_quantities(services: Services, user: UserView) -> dict[str, int]:
    return {line.name: line.quantity for line in services.cart.get(user.id).lines}


async def shop_ready(pilot: Pilot[Any]) -> None:
    """Wait for the Shop's first page."""
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "page", None) is not None)


async def search(pilot: Pilot[Any], text: str) -> None:
    """Type a search on the Shop and wait until its results (or "no match") are shown:
    the Shop sets `query_text` when it shows them, after the typing debounce."""
    await pilot.press("slash")
    await pilot.press(*text)
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "query_text", None) == text.strip())


async def to_checkout(pilot: Pilot[Any]) -> ShipToStep:
    """From anywhere: open the Cart (2), wait for its lines, press Buy (b): the first
    step, Ship to, with the shopper's addresses listed."""
    await press_key(pilot, "2")
    cart = await wait_for_screen(pilot, CartScreen)
    await wait_for(pilot, lambda: cart.cart is not None)
    await pilot.press("b")
    step = await wait_for_screen(pilot, ShipToStep)
    await wait_for(pilot, lambda: step.addresses is not None)
    await settle(pilot)
    return step


async def checkout_through(
    pilot: Pilot[Any],
    *,
    express: bool = False,
    card: str = GOOD_CARD,
    expiry: str = "12/30",
    cvc: str = "739",
) -> CheckoutScreen:
    """From anywhere: Cart → Ship to (the default address) → Delivery (standard, or
    express) → Pay (this card typed in) → Confirm, which is returned unconfirmed."""
    await to_checkout(pilot)
    return await through_steps(pilot, express=express, card=card, expiry=expiry, cvc=cvc)


async def through_steps(
    pilot: Pilot[Any],
    *,
    express: bool = False,
    card: str = GOOD_CARD,
    expiry: str = "12/30",
    cvc: str = "739",
) -> CheckoutScreen:
    """From the Ship to step (its addresses listed) on to Confirm, as `checkout_through`."""
    step = await wait_for_screen(pilot, ShipToStep)
    await wait_for(pilot, lambda: step.addresses is not None)
    await settle(pilot)
    await pilot.press("enter")  # ship to the highlighted address: the default
    delivery = await wait_for_screen(pilot, DeliveryStep)
    await wait_for(pilot, lambda: delivery.quotes is not None)
    await settle(pilot)
    if express:
        await pilot.press("down")
    await pilot.press("enter")
    pay = await wait_for_screen(pilot, PayStep)
    await wait_for(pilot, lambda: pay.saved is not None)
    await settle(pilot)
    for selector, text in (("#card-number", card), ("#card-expiry", expiry), ("#card-cvc", cvc)):
        pay.query_one(selector).focus()
        await pilot.press(*text.replace(" ", ""))
    await pilot.press("enter")  # the CVC submitted: on to Confirm
    confirm = await wait_for_screen(pilot, CheckoutScreen)
    await settle(pilot)
    return confirm
