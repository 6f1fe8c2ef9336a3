"""Frozen dataclasses of the checkout (issue 15): addresses, cards, delivery, receipts.

Plain Python, like `views.py`: no peewee, no Textual, nothing that runs a query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from buynow_tui.store.views import OrderLineView

#: The countries an address may be in: ISO 3166 code -> name (every name fits the
#: order's copy of the address; see `addresses.format_address`).
COUNTRIES: dict[str, str] = {
    "AU": "Australia",
    "AT": "Austria",
    "BE": "Belgium",
    "BR": "Brazil",
    "CA": "Canada",
    "CZ": "Czechia",
    "DK": "Denmark",
    "FI": "Finland",
    "FR": "France",
    "DE": "Germany",
    "GR": "Greece",
    "IN": "India",
    "IE": "Ireland",
    "IT": "Italy",
    "JP": "Japan",
    "MX": "Mexico",
    "NL": "Netherlands",
    "NZ": "New Zealand",
    "NO": "Norway",
    "PL": "Poland",
    "PT": "Portugal",
    "SG": "Singapore",
    "ZA": "South Africa",
    "ES": "Spain",
    "SE": "Sweden",
    "CH": "Switzerland",
    "GB": "United Kingdom",
    "US": "United States",
}


@dataclass(frozen=True)
class AddressFields:
    """An address as typed (before the store's rules); what a form hands the store."""

    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""


@dataclass(frozen=True)
class AddressView:
    id: int
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    is_default: bool

    @property
    def fields(self) -> AddressFields:
        return AddressFields(
            self.name,
            self.line1,
            self.line2,
            self.city,
            self.region,
            self.postal_code,
            self.country,
            self.phone,
        )

    @property
    def one_line(self) -> str:
        """For a list: "Ann Lee, 12 Harbour Road, Port Town" ."""
        return ", ".join(p for p in (self.name, self.line1, self.city) if p)


@dataclass(frozen=True)
class CardView:
    """A saved card as the shopper sees it."""

    id: int
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    @property
    def label(self) -> str:
        expires = f"{self.exp_month:02d}/{self.exp_year % 100:02d}"
        return f"{self.brand} ending {self.last4}, expires {expires}"


@dataclass(frozen=True)
class DeliveryQuote:
    """One way an order can travel, priced for a subtotal."""

    option: str  # "standard" or "express"
    label: str
    days: str
    price_cents: int
    #: Standard is free from this subtotal on (None: no threshold).
    free_from_cents: int | None = None


@dataclass(frozen=True)
class Receipt:
    """What an order cost and how it was paid, for the screen, the CLI and the mail."""

    order_id: int
    #: The shopper's own number for it ("#3"), what the receipt names it by.
    number: int
    created_at: datetime
    email: str
    lines: tuple[OrderLineView, ...]
    subtotal_cents: int
    delivery_option: str
    delivery_cents: int
    total_cents: int
    ship_address: str
    #: The order's state (`store.states.Status`).
    status: str
    card_brand: str = ""
    card_last4: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)
