"""Cheap look-ups for shell completion: SKUs, categories and order numbers that start
with what was typed. Each is one indexed query of at most `LIMIT` rows, read-only;
nothing here migrates, seeds or writes (a shell calls these on every Tab).
"""

from __future__ import annotations

from typing import cast

from peewee import fn

from buynow_tui.store.db import connection
from buynow_tui.store.models import Order, Product

LIMIT = 50


def skus_starting(text: str, limit: int = LIMIT) -> list[str]:
    """SKUs starting with `text`, in any case (as every command finds them)."""
    with connection():
        query = (
            Product.select(Product.sku)
            .where(fn.LOWER(Product.sku).startswith(text.lower()))
            .order_by(Product.sku)
            .limit(limit)
            .tuples()
        )
        return [sku for (sku,) in cast("list[tuple[str]]", list(query))]


def categories_starting(text: str, limit: int = LIMIT) -> list[str]:
    with connection():
        query = (
            Product.select(Product.category)
            .where(fn.LOWER(Product.category).startswith(text.lower()))
            .group_by(Product.category)
            .order_by(Product.category)
            .limit(limit)
            .tuples()
        )
        return [name for (name,) in cast("list[tuple[str]]", list(query))]


def order_numbers_starting(text: str, limit: int = LIMIT) -> list[str]:
    """Order numbers (newest first) whose digits start with `text`."""
    if text and not text.isdigit():
        return []
    with connection():
        query = Order.select(Order.id).order_by(Order.id.desc())
        if text:
            query = query.where(Order.id.cast("TEXT").startswith(text))
        return [str(n) for (n,) in cast("list[tuple[int]]", list(query.limit(limit).tuples()))]
