"""Frozen dataclasses the services return, and the one place money and times are formatted.

Plain Python: no peewee, no Textual. Nothing here runs a query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, overload

#: At most this many of one item in a cart (and so in one order).
MAX_PER_ITEM = 99


class _HasStock(Protocol):
    @property
    def stock(self) -> int: ...


LOW_STOCK = 5


def format_money(cents: int) -> str:
    """12345 -> '123.45' (the currency sign is added by whoever shows it)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


def dollars(cents: int) -> str:
    """12345 -> '$123.45'."""
    return "$" + format_money(cents)


def local_time(when: datetime) -> str:
    """A stored (UTC) time as the shopper's local time: '2025-03-01 14:05'."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def stock_words(stock: int) -> str:
    if stock <= 0:
        return "Out of stock"
    if stock <= LOW_STOCK:
        return f"Only {stock} left"
    return "In stock"


@dataclass(frozen=True)
class UserView:
    id: int
    email: str
    username: str
    question: str
    question_text: str
    created_at: datetime
    consent_at: datetime | None
    ship_address: str | None
    is_admin: bool = False
    #: The credentials this view was read under (see `store/logins.py`).
    credentials_version: int = 0


@dataclass(frozen=True)
class ProductView:
    id: int
    sku: str
    name: str
    category: str
    price_cents: int
    stock: int
    description: str = ""
    specs: tuple[tuple[str, str], ...] = ()

    @property
    def price(self) -> str:
        return format_money(self.price_cents)

    @property
    def stock_words(self) -> str:
        return stock_words(self.stock)

    @property
    def max_quantity(self) -> int:
        return max(0, min(self.stock, MAX_PER_ITEM))


@dataclass(frozen=True)
class Picture:
    """A product's picture as the store keeps it (`store.pictures`): PNG bytes and
    their size in pixels."""

    data: bytes
    width: int
    height: int
    mime: str = "image/png"


@dataclass(frozen=True)
class Cursor:
    """A keyset position: the sort value and id of a row."""

    value: str | int
    id: int


@dataclass(frozen=True)
class ProductPage:
    items: tuple[ProductView, ...]
    total: int
    next_cursor: Cursor | None
    prev_cursor: Cursor | None


@dataclass(frozen=True)
class SearchResults:
    """A page of search results, best first: `items` from `offset` of `total` matches.

    `category` is a category the text names ("cameras" names Cameras), for the shopper
    to filter by; `whole` says the text is just that name. It iterates and indexes as
    its items do.
    """

    items: tuple[ProductView, ...]
    total: int
    offset: int = 0
    category: str | None = None
    whole: bool = False

    def __iter__(self) -> Iterator[ProductView]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> ProductView: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[ProductView, ...]: ...

    def __getitem__(self, index: int | slice) -> ProductView | tuple[ProductView, ...]:
        return self.items[index]


@dataclass(frozen=True)
class Category:
    name: str
    count: int


@dataclass(frozen=True)
class CartLineView:
    product_id: int
    sku: str
    name: str
    unit_price_cents: int
    quantity: int
    stock: int
    #: When it went into the cart (the cart's order; an undone removal keeps it).
    added_at: datetime | None = None

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass(frozen=True)
class CartView:
    lines: tuple[CartLineView, ...]
    subtotal_cents: int
    shipping_cents: int
    total_cents: int

    @property
    def count(self) -> int:
        """Distinct items: the cart badge."""
        return len(self.lines)

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True)
class ConfirmedLine:
    product_id: int
    name: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class Confirmation:
    """What the checkout dialog showed the shopper when they pressed "y".

    Checkout orders exactly this or nothing: the lines (each product's quantity and
    unit price, as shown), the total and the ship-to address.
    """

    lines: tuple[ConfirmedLine, ...]
    total_cents: int
    ship_address: str

    @classmethod
    def of(cls, cart: CartView, ship_address: str) -> Confirmation:
        return cls(
            tuple(
                ConfirmedLine(line.product_id, line.name, line.quantity, line.unit_price_cents)
                for line in cart.lines
            ),
            cart.total_cents,
            ship_address,
        )


@dataclass(frozen=True)
class WishlistItem:
    product: ProductView
    added_at: datetime


@dataclass(frozen=True)
class OrderSummary:
    id: int
    created_at: datetime
    units: int
    total_cents: int
    #: The shopper's own number for it ("#1" is their first); `id` is the shop's.
    number: int = 0
    status: str = "paid"


@dataclass(frozen=True)
class OrderEventView:
    """One change of an order's state (`store.lifecycle`)."""

    id: int
    order_id: int
    number: int
    from_status: str | None
    to_status: str
    at: datetime
    actor_kind: str
    actor: str = ""
    note: str = ""


@dataclass(frozen=True)
class OrderLineView:
    product_id: int | None
    sku: str
    name: str
    quantity: int
    unit_price_cents: int

    @property
    def line_total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


@dataclass(frozen=True)
class OrderDetail:
    id: int
    user_id: int
    created_at: datetime
    lines: tuple[OrderLineView, ...]
    subtotal_cents: int
    shipping_cents: int
    total_cents: int
    ship_address: str
    number: int = 0
    status: str = "paid"
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    #: Its history, oldest first.
    events: tuple[OrderEventView, ...] = ()

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class AdminOrder:
    id: int
    email: str
    created_at: datetime
    units: int
    total_cents: int
    number: int = 0
    status: str = "paid"
    carrier: str | None = None
    tracking_number: str | None = None


@dataclass(frozen=True)
class AdminUser:
    id: int
    email: str
    username: str
    created_at: datetime
    orders: int


def room_for(product: _HasStock, held: int) -> int:
    """How many more of `product` a cart that holds `held` of it may take: the stock
    and the 99 per order both count what is in the cart (the store's rule, which the
    Product screen's "1 to N" shows)."""
    return max(0, min(MAX_PER_ITEM, product.stock) - held)


def more_words(room: int, held: int) -> str:
    """ "You can add up to 32 more; 3 are in your cart.": the real limit, in words."""
    are = "is" if held == 1 else "are"
    if room <= 0:
        return f"You cannot add more: {held} {are} in your cart."
    return f"You can add up to {room} more; {held} {are} in your cart."
