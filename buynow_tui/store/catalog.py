"""The catalog: keyset-paged browsing, and the admin's product changes.

Paging never uses OFFSET: a page starts after (or before) a `Cursor` of the sort value
and id, so page 2,000 of 100,000 products costs what page 1 does. Searching is
`store.search`; `Catalog.search` is its door.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from peewee import Expression, IntegrityError, Tuple, fn

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store import search_index
from buynow_tui.store import validation as v
from buynow_tui.store.db import connection, is_sqlite, write
from buynow_tui.store.errors import NotFound, UnknownCategory, ValidationError
from buynow_tui.store.models import CategoryCount, Product, database
from buynow_tui.store.pictures import store_picture
from buynow_tui.store.search import search_products, summary_fields
from buynow_tui.store.views import (
    Category,
    Cursor,
    Picture,
    ProductPage,
    ProductView,
    SearchResults,
)

log = get_logger("catalog")

SORTS = ("name", "price", "price_desc")


def product_view(p: Product) -> ProductView:
    try:
        specs = json.loads(p.specs or "{}")
    except ValueError:
        specs = {}
    pairs = tuple((str(k), str(val)) for k, val in specs.items()) if isinstance(specs, dict) else ()
    return ProductView(
        id=p.id,
        sku=p.sku,
        name=p.name,
        category=p.category,
        price_cents=p.price_cents,
        stock=p.stock,
        description=p.description or "",
        specs=pairs,
    )


def _summary(p: Product) -> ProductView:
    return ProductView(p.id, p.sku, p.name, p.category, p.price_cents, p.stock)


@dataclass(frozen=True)
class ProductInput:
    sku: str
    name: str
    category: str
    price_cents: int
    stock: int
    description: str = ""
    specs: tuple[tuple[str, str], ...] = ()
    #: A catalog file's picture for it (`image`), checked and made small.
    picture: Picture | None = None

    @classmethod
    def build(
        cls,
        *,
        sku: str,
        name: str,
        category: str,
        price: str | float,
        stock: int | str,
        description: str = "",
        specs: dict[str, Any] | None = None,
    ) -> ProductInput:
        cleaned_specs = tuple(
            (v.clean_text(str(k)).strip()[:60], v.clean_text(str(val)).strip()[:200])
            for k, val in (specs or {}).items()
        )
        return cls(
            sku=v.check_sku(sku),
            name=v.check_product_name(name),
            category=v.check_category(category),
            price_cents=v.parse_price(price),
            stock=v.check_stock(stock),
            description=v.clean_description(description),
            specs=cleaned_specs,
        )

    def row(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "category": self.category,
            "price_cents": self.price_cents,
            "stock": self.stock,
            "description": self.description,
            "specs": json.dumps(dict(self.specs), ensure_ascii=False),
        }


class Catalog:
    def __init__(self, *, clock: Clock = system_clock) -> None:
        self.clock = clock

    # -- browsing --------------------------------------------------------------
    def page(
        self,
        *,
        category: str | None = None,
        sort: str = "name",
        after: Cursor | None = None,
        before: Cursor | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> ProductPage:
        """One page of the catalog: after or before a keyset cursor (next / previous),
        or `offset` rows from the start (a page jump: Home, End, `g`)."""
        if sort not in SORTS:
            raise ValidationError(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
        limit = max(1, min(limit, 500))
        key = Product.name if sort == "name" else Product.price_cents
        descending = sort == "price_desc"
        backwards = before is not None and after is None
        cursor = before if backwards else after
        with connection():
            query = Product.select(*summary_fields())
            if category:
                query = query.where(Product.category == category)
            if cursor is not None:
                pos = Tuple(key, Product.id)
                mark = Tuple(cursor.value, cursor.id)
                forward = not descending
                query = query.where(pos > mark if forward != backwards else pos < mark)
            ascending = descending == backwards
            order = [key.asc(), Product.id.asc()] if ascending else [key.desc(), Product.id.desc()]
            query = query.order_by(*order).limit(limit + 1)
            offset = max(0, offset) if cursor is None else 0
            if offset:
                query = query.offset(offset)
            rows = [_summary(p) for p in query]
            total = self.count(category)
        more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()

        def cursor_of(p: ProductView) -> Cursor:
            return Cursor(p.name if sort == "name" else p.price_cents, p.id)

        has_next = more if not backwards else True
        has_prev = (cursor is not None or offset > 0) if not backwards else more
        return ProductPage(
            items=tuple(rows),
            total=total,
            next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
            prev_cursor=cursor_of(rows[0]) if rows and has_prev else None,
        )

    def count(self, category: str | None = None) -> int:
        """Products in the shop (or one category), from the counts the database keeps
        (`category_count`, migration 0010): no scan of the product table."""
        with connection():
            if category:
                query = CategoryCount.select(CategoryCount.products).where(
                    CategoryCount.category == category
                )
            else:
                query = CategoryCount.select(fn.SUM(CategoryCount.products))
            return int(query.scalar() or 0)

    def categories(self) -> list[Category]:
        with connection():
            rows = (
                CategoryCount.select(CategoryCount.category, CategoryCount.products)
                .where(CategoryCount.products > 0)
                .order_by(CategoryCount.category)
                .tuples()
            )
            return [Category(name, n) for name, n in cast("Iterable[tuple[str, int]]", rows)]

    def get(self, product_id: int) -> ProductView:
        with connection():
            product = Product.get_or_none(Product.id == product_id)
        if product is None:
            log.warning("product %s not found", product_id)
            raise NotFound(f"There is no product {product_id}.")
        return product_view(product)

    def get_by_sku(self, sku: str) -> ProductView:
        """The product whose SKU is `sku` in any case."""
        with connection():
            product = Product.get_or_none(_sku_is(sku))
        if product is None:
            raise NotFound(f"Unknown SKU {sku!r}.")
        return product_view(product)

    # -- search ----------------------------------------------------------------
    def search(
        self, text: str, *, offset: int = 0, limit: int = 100, category: str | None = None
    ) -> SearchResults:
        """The products matching every word typed (in the name, category, description or
        specs; plurals, prefixes and one typo allowed) or whose price it is, best first:
        `limit` (at most 500) from `offset`, with the true total and the category the
        text names (see `store.search`)."""
        return search_products(text, offset=offset, limit=limit, category=category)

    def reindex(self) -> int:
        """Rebuild every product's search document from its row, in one transaction:
        what a database edited by hand (or a changed normaliser) needs; how many."""
        with write():
            count = search_index.backfill()
        log.info("search documents rebuilt for %d products", count)
        return count

    # -- admin changes -----------------------------------------------------------
    def add(self, item: ProductInput, *, new_category: bool = False) -> ProductView:
        """Add a product. Its SKU must be new regardless of case; its category is folded
        onto an existing one that differs only in case, and a category no product has
        yet is made only with `new_category` (else `UnknownCategory`)."""
        try:
            with write():
                _lock_categories()
                taken = _stored_sku(item.sku)
                if taken is not None:
                    raise _sku_taken(item.sku, taken)
                category = _category_for(item.category, new_category=new_category)
                row = dict(item.row(), category=category)
                doc = search_index.document_of(row)
                product = Product.create(
                    **row, **search_index.columns(doc), created_at=self.clock()
                )
                search_index.remember([doc])
        except IntegrityError:  # another process added it meanwhile
            raise ValidationError(f"SKU {item.sku!r} already exists.", field="sku") from None
        log.info("product %s added", item.sku)
        return product_view(product)

    def update(
        self,
        sku: str,
        *,
        new_category: bool = False,
        picture: Picture | None = None,
        **changes: object,
    ) -> ProductView:
        """Change a product found by its SKU (any case); see `add` for categories. A
        `picture` (see `store.pictures`) replaces its picture in the same transaction."""
        allowed = {"name", "category", "price", "stock", "description"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValidationError(f"Cannot change {', '.join(sorted(unknown))}.")
        row: dict[str, object] = {}
        if changes.get("name") is not None:
            row["name"] = v.check_product_name(str(changes["name"]))
        if changes.get("category") is not None:
            row["category"] = v.check_category(str(changes["category"]))
        if changes.get("price") is not None:
            row["price_cents"] = v.parse_price(changes["price"])  # type: ignore[arg-type]
        if changes.get("stock") is not None:
            row["stock"] = v.check_stock(changes["stock"])  # type: ignore[arg-type]
        if changes.get("description") is not None:
            row["description"] = v.clean_description(str(changes["description"]))
        if not row and picture is None:
            raise ValidationError("Nothing to change: give at least one new value.")
        with write():
            stored = _stored_sku(sku)
            if stored is None:
                raise NotFound(f"Unknown SKU {sku!r}.")
            if "category" in row:
                _lock_categories()
                row["category"] = _category_for(str(row["category"]), new_category=new_category)
            if row:
                Product.update(**row).where(Product.sku == stored).execute()
                if row.keys() & {"name", "category", "description"}:
                    search_index.reindex(_id_of(stored))
            if picture is not None:
                store_picture(_id_of(stored), picture, self.clock())
        changed = sorted(row) + (["picture"] if picture is not None else [])
        log.info("product %s updated: %s", stored, ", ".join(changed))
        return self.get_by_sku(stored)

    def set_stock(self, sku: str, stock: int | str) -> ProductView:
        return self.update(sku, stock=stock)

    def remove(self, sku: str) -> None:
        with write():
            if Product.delete().where(_sku_is(sku)).execute() != 1:
                raise NotFound(f"Unknown SKU {sku!r}.")
        log.info("product %s removed", sku)

    def seed_items(
        self,
        items: Iterable[ProductInput],
        *,
        update: bool = False,
        reset_stock: bool = False,
        batch: int = 2000,
    ) -> SeedReport:
        """Add the products whose SKU (any case) is new, in one transaction.

        Existing products are left as the admin made them unless asked: `update`
        changes their name, category, price, description and specs but never their
        stock (what `stock set` and sales made it); `reset_stock` sets their stock to
        the catalog's figure. New categories are made, folded onto an existing
        spelling that differs only in case (the first spelling wins, in the file too).
        """
        items = list(items)
        added = updated = skipped = stock_reset = pictured = 0
        now = self.clock()
        pictures: dict[str, Picture] = {}  # of new products, by SKU key
        with write():
            _lock_categories()
            spellings = category_spellings()
            for start in range(0, len(items), batch):
                chunk = items[start : start + batch]
                existing = {
                    v.sku_key(p.sku): p
                    for p in Product.select().where(
                        fn.lower(Product.sku).in_([v.sku_key(i.sku) for i in chunk])
                    )
                }
                new_rows = []
                docs = []
                for item in chunk:
                    category = spellings.setdefault(v.category_key(item.category), item.category)
                    row = dict(item.row(), category=category)
                    current = existing.get(v.sku_key(item.sku))
                    if current is None:
                        doc = search_index.document_of(row)
                        docs.append(doc)
                        new_rows.append(dict(row, **search_index.columns(doc), created_at=now))
                        if item.picture is not None:
                            pictures[v.sku_key(item.sku)] = item.picture
                        continue
                    if update and item.picture is not None:
                        store_picture(current.id, item.picture, now)
                        pictured += 1
                    wanted = {k: val for k, val in row.items() if k not in ("sku", "stock")}
                    changes = {
                        k: val for k, val in wanted.items() if update and getattr(current, k) != val
                    }
                    if reset_stock and current.stock != item.stock:
                        changes["stock"] = item.stock
                    if not changes:
                        skipped += 1
                        continue
                    if changes.keys() & {"name", "category", "description", "specs"}:
                        doc = search_index.document_of(dict(row))
                        docs.append(doc)
                        changes.update(search_index.columns(doc))
                    Product.update(**changes).where(Product.id == current.id).execute()
                    updated += 1
                    stock_reset += "stock" in changes
                if new_rows:
                    Product.insert_many(new_rows).execute()
                    added += len(new_rows)
                if pictures:
                    made = Product.select(Product.id, Product.sku).where(
                        fn.lower(Product.sku).in_(list(pictures))
                    )
                    for product in made:
                        store_picture(product.id, pictures[v.sku_key(product.sku)], now)
                        pictured += 1
                    pictures.clear()
                search_index.remember(docs)
        report = SeedReport(added, updated, skipped, stock_reset, pictured)
        log.info(
            "catalog seeded: %d added, %d updated (%d stock reset), %d left as they were, "
            "%d pictures",
            added,
            updated,
            stock_reset,
            skipped,
            pictured,
        )
        return report


@dataclass(frozen=True)
class SeedReport:
    """What a seed did: products added, existing ones changed (`stock_reset` of them had
    their stock set) and existing ones left as they were."""

    added: int
    updated: int
    skipped: int
    stock_reset: int = 0
    pictures: int = 0  # pictures stored (new products', and replaced ones with `update`)


def _sku_is(sku: str) -> Expression:
    """The condition "this product's SKU is `sku`, in any case" (the lower(sku) index)."""
    return fn.lower(Product.sku) == fn.lower(sku.strip())


sku_is = _sku_is


def _id_of(stored_sku: str) -> int:
    found: int = Product.select(Product.id).where(Product.sku == stored_sku).scalar()
    return found


def _stored_sku(sku: str) -> str | None:
    """The SKU as stored of the product whose SKU is `sku` in any case, or None."""
    stored: str | None = Product.select(Product.sku).where(_sku_is(sku)).scalar()
    return stored


def _sku_taken(sku: str, taken: str) -> ValidationError:
    also = "" if taken == sku else f" (as {taken!r})"
    return ValidationError(f"SKU {sku!r} already exists{also}.", field="sku")


def _lock_categories() -> None:
    """Inside a write transaction: one writer of new categories at a time.

    SQLite's `BEGIN IMMEDIATE` already is that; on PostgreSQL (READ COMMITTED) two
    admins adding "Gadgets" and "gadgets" at once would each see no such category and
    make two, so they queue on an advisory lock for this schema.
    """
    if not is_sqlite():
        database.execute_sql(
            "SELECT pg_advisory_xact_lock(hashtext('buynow-categories:' || current_schema()))"
        )


def category_spellings() -> dict[str, str]:
    """Each category's comparison key -> its spelling; if old data holds two spellings
    of one name, the one of the oldest product wins."""
    rows = (
        Product.select(Product.category, fn.MIN(Product.id).alias("first"))
        .group_by(Product.category)
        .order_by(fn.MIN(Product.id))
        .tuples()
    )
    spellings: dict[str, str] = {}
    for name, _ in cast("Iterable[tuple[str, int]]", rows):
        spellings.setdefault(v.category_key(name), name)
    return spellings


def _category_for(category: str, *, new_category: bool) -> str:
    """The spelling to store for `category`: an existing category that differs only in
    case, else `category` itself when a new one is wanted, else `UnknownCategory`."""
    spellings = category_spellings()
    found = spellings.get(v.category_key(category))
    if found is not None:
        return found
    if not new_category:
        raise UnknownCategory(category, sorted(set(spellings.values()), key=str.casefold))
    return category
