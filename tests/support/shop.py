"""Shopping steps for pilot tests: a logged-in shopper, a search, a filled cart, checkout."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from buynow_tui.app import BuyNowApp
from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.checkout import CheckoutScreen
from buynow_tui.store.services import Services
from buynow_tui.store.views import UserView
from tests.support.app import press_key, settle, wait_for, wait_for_screen
from tests.support.store import product_named, register

ADDRESS = "12 Harbour Road\nPort Town 4021"


def log_in(app: BuyNowApp, services: Services, **fields: Any) -> UserView:
    """Register a shopper and log them straight in (no Log in screen needed)."""
    user = register(services, **fields)
    app.logged_in(user)
    return user


def shopper(
    app: BuyNowApp, services: Services, *, address: str | None = ADDRESS, **fields: Any
) -> UserView:
    """A logged-in shopper with a delivery address (none with `address=None`)."""
    user = log_in(app, services, **fields)
    if address:
        user = services.accounts.set_address(user.id, address)
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


async def to_checkout(pilot: Pilot[Any]) -> CheckoutScreen:
    """From anywhere: open the Cart (2), wait for its lines, press Buy (b)."""
    await press_key(pilot, "2")
    cart = await wait_for_screen(pilot, CartScreen)
    await wait_for(pilot, lambda: cart.cart is not None)
    await pilot.press("b")
    modal = await wait_for_screen(pilot, CheckoutScreen)
    await settle(pilot)
    return modal
