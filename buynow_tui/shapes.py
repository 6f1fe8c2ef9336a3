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
    f.time("placed_at", "PLACED"),
    f.number("units"),
    f.money("total"),
)


def admin_orders(items: Iterable[AdminOrder], *, note: str | None = None) -> f.Listing:
    rows = [
        {
            "order": o.id,
            "email": o.email,
            "placed_at": o.created_at,
            "units": o.units,
            "total": o.total_cents,
        }
        for o in items
    ]
    return f.Listing(ADMIN_ORDER_COLUMNS, rows, note)


ORDER_COLUMNS = (
    f.number("order"),
    f.time("placed_at", "PLACED"),
    f.number("units"),
    f.money("total"),
)


def orders(items: Iterable[OrderSummary]) -> f.Listing:
    rows = [
        {"order": o.id, "placed_at": o.created_at, "units": o.units, "total": o.total_cents}
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
    f.number("units"),
    f.money("subtotal"),
    f.money("shipping"),
    f.money("total"),
    f.text("ship_address", "ship to"),
)


def order(o: OrderDetail) -> f.Record:
    values = {
        "order": o.id,
        "placed_at": o.created_at,
        "units": o.units,
        "subtotal": o.subtotal_cents,
        "shipping": o.shipping_cents,
        "total": o.total_cents,
        "ship_address": o.ship_address,
    }
    return f.Record(ORDER_FIELDS, values, parts=[("lines", line_listing(o.lines))])


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
