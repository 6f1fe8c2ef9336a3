"""Helpers for the checkout tests (issue 15): a shopper with an address and a cart."""

from __future__ import annotations

from typing import Any

from buynow_tui.store.cards import CardEntry
from buynow_tui.store.checkout_views import AddressFields
from buynow_tui.store.payments.testgateway import TestGateway
from buynow_tui.store.services import Services
from tests.support.store import product_named, register

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
NO_FUNDS_CARD = "4000 0000 0000 9995"
EXPIRY = "12/30"
CVC = "739"

HOME_ADDRESS = AddressFields(
    name="Ann Lee",
    line1="12 Harbour Road",
    line2="Flat 3",
    city="Port Town",
    region="Harbourshire",
    postal_code="pt4 021",
    country="GB",
    phone="+44 20 7946 0958",
)


def gateway_of(services: Services) -> TestGateway:
    """The services' built-in test gateway (what the tests count charges on)."""
    gateway = services.gateway
    assert isinstance(gateway, TestGateway)
    return gateway


def card(number: str = GOOD_CARD, expiry: str = EXPIRY, cvc: str = CVC) -> CardEntry:
    return CardEntry(number=number, expiry=expiry, cvc=cvc)


def shopper_with_cart(
    services: Any, *items: tuple[str, int], email: str = "ann@example.com"
) -> tuple[Any, Any]:
    """A registered shopper with the home address (their default) and these items."""
    user = register(services, email=email, username=email.split("@")[0])
    address = services.addresses.add(user.id, HOME_ADDRESS)
    for name, quantity in items or (("Smart Watch", 2),):
        services.cart.add(user.id, product_named(services, name).id, quantity)
    return user, address


def stock(services: Any, name: str) -> int:
    return int(product_named(services, name).stock)


def cart_lines(services: Any, user: Any) -> dict[str, int]:
    return {line.name: line.quantity for line in services.cart.get(user.id).lines}
