"""What the checkout's steps have chosen so far, shared by them (memory only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

from buynow_tui.store.card_rules import CardEntry
from buynow_tui.store.checkout_views import AddressView, CardView, DeliveryQuote
from buynow_tui.store.views import CartView, UserView


@dataclass
class CheckoutState:
    cart: CartView
    shopper: UserView
    address: AddressView | None = None
    ship_to: str = ""  # the address as the order will keep it
    delivery: DeliveryQuote | None = None
    #: A card typed at the Pay step: memory only, gone with the checkout.
    card: CardEntry | None = field(default=None, repr=False)
    saved_card: CardView | None = None
    save_card: bool = False
    #: One per confirmation: a repeated confirm returns the order it made.
    checkout_key: str = field(default_factory=lambda: uuid4().hex)

    @property
    def delivery_cents(self) -> int:
        return self.delivery.price_cents if self.delivery else self.cart.shipping_cents

    @property
    def total_cents(self) -> int:
        return self.cart.subtotal_cents + self.delivery_cents

    @property
    def card_label(self) -> str:
        if self.saved_card is not None:
            return self.saved_card.label
        if self.card is not None:
            digits = "".join(ch for ch in self.card.number if ch.isdigit())
            return f"Card ending {digits[-4:]}"
        return ""
