"""Delivery options and their prices, from configuration.

Standard costs `BUYNOW_SHIPPING_CENTS` (the flat $30.00 of old by default) and is free
from `BUYNOW_FREE_DELIVERY_FROM_CENTS` of subtotal on, when that is set; express costs
`BUYNOW_EXPRESS_CENTS` ($45.00 by default) and is never free (a shopper who wants it
faster pays for it). (An empty cart has nothing to deliver: the Cart shows
$0.00 for it.) The Cart shows standard's
price; the chosen option and its price are copied onto the order.
"""

from __future__ import annotations

from buynow_tui.config import Settings
from buynow_tui.store.checkout_views import DeliveryQuote
from buynow_tui.store.errors import ValidationError

STANDARD, EXPRESS = "standard", "express"
#: The options, their names and how long they take, in the order they are offered.
OPTIONS: dict[str, tuple[str, str]] = {
    STANDARD: ("Standard", "3-5 working days"),
    EXPRESS: ("Express", "next working day"),
}


def check_option(option: str) -> str:
    if option not in OPTIONS:
        raise ValidationError("Choose standard or express delivery.", field="delivery")
    return option


def price_cents(settings: Settings, option: str, subtotal_cents: int) -> int:
    """What `option` costs for an order of `subtotal_cents`."""
    check_option(option)
    if option == EXPRESS:
        return settings.express_cents
    free_from = settings.free_delivery_from_cents
    if free_from is not None and subtotal_cents >= free_from:
        return 0
    return settings.shipping_cents


def quotes(settings: Settings, subtotal_cents: int) -> list[DeliveryQuote]:
    """Every option, priced for this subtotal."""
    return [
        DeliveryQuote(
            option,
            label,
            days,
            price_cents(settings, option, subtotal_cents),
            settings.free_delivery_from_cents if option == STANDARD else None,
        )
        for option, (label, days) in OPTIONS.items()
    ]
