"""The shapes the admin CLI and the shoppers' SSH commands print: the store's views as
`formats` documents, defined once so `buynow products list --json` and `ssh host search
watch --json` give a product the same keys (the README's Scripting section lists them).

Plain functions of the store's frozen views; no queries, no Textual, no Typer.
"""

from __future__ import annotations

from collections.abc import Iterable

from buynow_tui import formats as f
from buynow_tui.store.views import (
    AdminOrder,
    CartLineView,
    CartView,
    OrderDetail,
    OrderLineView,
    OrderSummary,
    ProductView,
    UserView,
    WishlistItem,
)

PRODUCT_COLUMNS = (
    f.number("id", in_table=False),
    f.text("sku"),
    f.text("name"),
    f.text("category"),
    f.money("price"),
    f.number("stock"),
)
#: The same product, for shoppers: the id shown (`ssh host product ID` takes it).
SHOPPER_PRODUCT_COLUMNS = (
    f.number("id"),
    *PRODUCT_COLUMNS[1:],
)


def product_row(p: ProductView) -> dict[str, object]:
    return {
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "category": p.category,
        "price": p.price_cents,
        "stock": p.stock,
    }


def products(
    items: Iterable[ProductView], *, note: str | None = None, shopper: bool = False
) -> f.Listing:
    columns = SHOPPER_PRODUCT_COLUMNS if shopper else PRODUCT_COLUMNS
    return f.Listing(columns, [product_row(p) for p in items], note)


PRODUCT_FIELDS = (
    *SHOPPER_PRODUCT_COLUMNS,
    f.text("availability"),
    f.text("description"),
)
SPEC_COLUMNS = (f.text("name"), f.text("value"))


def product(p: ProductView) -> f.Record:
    values = product_row(p) | {"availability": p.stock_words, "description": p.description}
    specs = f.Listing(SPEC_COLUMNS, [{"name": k, "value": v} for k, v in p.specs])
    return f.Record(PRODUCT_FIELDS, values, parts=[("specs", specs)])


ADMIN_ORDER_COLUMNS = (
    f.number("order"),
    f.text("email"),
    f.number("number", "#"),
    f.time("placed_at", "PLACED"),
    f.text("status"),
    f.number("units"),
    f.money("total"),
    f.text("carrier"),
    f.text("tracking_number", "TRACKING"),
)


def admin_orders(items: Iterable[AdminOrder], *, note: str | None = None) -> f.Listing:
    rows = [
        {
            "order": o.id,
            "email": o.email,
            "number": o.number,
            "placed_at": o.created_at,
            "status": o.status,
            "units": o.units,
            "total": o.total_cents,
            "carrier": o.carrier,
            "tracking_number": o.tracking_number,
        }
        for o in items
    ]
    return f.Listing(ADMIN_ORDER_COLUMNS, rows, note)


ORDER_COLUMNS = (
    f.number("order"),
    f.time("placed_at", "PLACED"),
    f.text("status"),
    f.number("units"),
    f.money("total"),
)


def orders(items: Iterable[OrderSummary]) -> f.Listing:
    """A shopper's orders: "order" is their own number (`ssh host order N` takes it)."""
    rows = [
        {
            "order": o.number,
            "placed_at": o.created_at,
            "status": o.status,
            "units": o.units,
            "total": o.total_cents,
        }
        for o in items
    ]
    return f.Listing(ORDER_COLUMNS, rows)


LINE_COLUMNS = (
    f.number("product_id", in_table=False),
    f.text("sku"),
    f.text("name"),
    f.number("quantity", "QTY"),
    f.money("unit_price", "PRICE"),
    f.money("line_total", "TOTAL"),
)


def line_listing(lines: Iterable[OrderLineView | CartLineView]) -> f.Listing:
    """An order's or a cart's lines: the same keys for both."""
    rows = [
        {
            "product_id": line.product_id,
            "sku": line.sku,
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": line.unit_price_cents,
            "line_total": line.line_total_cents,
        }
        for line in lines
    ]
    return f.Listing(LINE_COLUMNS, rows)


ORDER_FIELDS = (
    f.number("order"),
    f.time("placed_at", "placed"),
    f.text("status"),
    f.number("units"),
    f.money("subtotal"),
    f.money("shipping"),
    f.money("total"),
    f.text("ship_address", "ship to"),
    f.text("carrier"),
    f.text("tracking_number", "tracking"),
    f.text("tracking_url", "tracking url"),
)
EVENT_COLUMNS = (
    f.time("at", "WHEN"),
    f.text("from_status", "FROM"),
    f.text("to_status", "TO"),
    f.text("by"),
    f.text("note"),
)
#: The admin's view of one order (`buynow orders show N`): the shop's number, whose
#: order it is and their own number for it, then what a shopper sees.
ADMIN_ORDER_FIELDS = (
    f.number("order"),
    f.text("email", "shopper"),
    f.number("number", "their #"),
    *ORDER_FIELDS[1:],
)


def events(o: OrderDetail) -> f.Listing:
    rows = [
        {
            "at": e.at,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "by": e.actor_kind + (f" {e.actor}" if e.actor else ""),
            "note": e.note or None,
        }
        for e in o.events
    ]
    return f.Listing(EVENT_COLUMNS, rows)


def _order_values(o: OrderDetail) -> dict[str, object]:
    return {
        "placed_at": o.created_at,
        "status": o.status,
        "units": o.units,
        "subtotal": o.subtotal_cents,
        "shipping": o.shipping_cents,
        "total": o.total_cents,
        "ship_address": o.ship_address,
        "carrier": o.carrier,
        "tracking_number": o.tracking_number,
        "tracking_url": o.tracking_url,
    }


def admin_order(o: OrderDetail, email: str) -> f.Record:
    values = {"order": o.id, "email": email, "number": o.number, **_order_values(o)}
    return f.Record(
        ADMIN_ORDER_FIELDS,
        values,
        parts=[("lines", line_listing(o.lines)), ("events", events(o))],
    )


def order(o: OrderDetail) -> f.Record:
    """A shopper's order: "order" is their own number for it."""
    values = {"order": o.number, **_order_values(o)}
    return f.Record(
        ORDER_FIELDS, values, parts=[("lines", line_listing(o.lines)), ("events", events(o))]
    )


CART_FIELDS = (
    f.number("items"),
    f.number("units"),
    f.money("subtotal"),
    f.money("shipping"),
    f.money("total"),
)


def cart(c: CartView) -> f.Record:
    values = {
        "items": c.count,
        "units": c.units,
        "subtotal": c.subtotal_cents,
        "shipping": c.shipping_cents,
        "total": c.total_cents,
    }
    return f.Record(CART_FIELDS, values, parts=[("lines", line_listing(c.lines))])


WISHLIST_COLUMNS = (
    f.number("product_id", "ID"),
    f.text("sku", in_table=False),
    f.text("name"),
    f.money("price"),
    f.number("stock", in_table=False),
    f.text("availability"),
    f.time("added_at", "ADDED"),
)


def wishlist(items: Iterable[WishlistItem]) -> f.Listing:
    rows = [
        {
            "product_id": item.product.id,
            "sku": item.product.sku,
            "name": item.product.name,
            "price": item.product.price_cents,
            "stock": item.product.stock,
            "availability": item.product.stock_words,
            "added_at": item.added_at,
        }
        for item in items
    ]
    return f.Listing(WISHLIST_COLUMNS, rows)


WHOAMI_FIELDS = (
    f.number("id"),
    f.text("email"),
    f.text("username"),
    f.time("member_since", "member since"),
)


def whoami(user: UserView) -> f.Record:
    values = {
        "id": user.id,
        "email": user.email,
        "username": user.username,
        "member_since": user.created_at,
    }
    return f.Record(WHOAMI_FIELDS, values)
