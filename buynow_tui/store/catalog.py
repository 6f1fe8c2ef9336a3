"""The catalog: keyset-paged browsing, search, and the admin's product changes.

Paging never uses OFFSET: a page starts after (or before) a `Cursor` of the sort value
and id, so page 2,000 of 100,000 products costs what page 1 does. Search matches name
words by prefix (FTS5 on SQLite through `web_query` on quoted words; an escaped LIKE
on other databases) and any 3+ letter piece of a word ("phone" finds "Headphone"), and prices ("150" finds $150.00). Any text is safe to search.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

from peewee import Case, IntegrityError, Tuple, fn
from playhouse.sqlite_ext import FTS5Model, SearchField

from buynow_tui import clock
from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.db import is_sqlite, session, write
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.models import Product, database
from buynow_tui.store.views import Category, Cursor, ProductPage, ProductView

log = get_logger("catalog")

SORTS = ("name", "price", "price_desc")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: A search that is one word this short lists the names starting with it first.
STARTS_FIRST_UP_TO = 2
_PRICE = re.compile(r"^\$?\s*(\d{1,9}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?$")


class ProductIndex(FTS5Model):
    """The word FTS5 table the migration creates (SQLite only); queried, never created."""

    name = SearchField()

    class Meta:
        database = database
        table_name = "product_fts"


class ProductTrigrams(FTS5Model):
    """The trigram FTS5 table: any 3+ letter piece of a name (SQLite only)."""

    name = SearchField()

    class Meta:
        database = database
        table_name = "product_tri"


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


def _summary_fields() -> list:
    return [Product.id, Product.sku, Product.name, Product.category, Product.price_cents, Product.stock]


def _summary(p: Product) -> ProductView:
    return ProductView(p.id, p.sku, p.name, p.category, p.price_cents, p.stock)


def price_in(text: str) -> int | None:
    """Cents if the whole query reads as a price ("150", "$150.00", "1,299")."""
    match = _PRICE.match(text.strip())
    if not match:
        return None
    whole = int(match.group(1).replace(",", ""))
    frac = (match.group(2) or "0").ljust(2, "0")
    return whole * 100 + int(frac)


@dataclass(frozen=True)
class ProductInput:
    sku: str
    name: str
    category: str
    price_cents: int
    stock: int
    description: str = ""
    specs: tuple[tuple[str, str], ...] = ()

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
        specs: dict | None = None,
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

    def row(self) -> dict:
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
    # -- browsing --------------------------------------------------------------
    def page(
        self,
        *,
        category: str | None = None,
        sort: str = "name",
        after: Cursor | None = None,
        before: Cursor | None = None,
        limit: int = 50,
    ) -> ProductPage:
        if sort not in SORTS:
            raise ValidationError(f"Unknown sort {sort!r}; use one of {', '.join(SORTS)}.")
        limit = max(1, min(limit, 500))
        key = Product.name if sort == "name" else Product.price_cents
        descending = sort == "price_desc"
        backwards = before is not None and after is None
        cursor = before if backwards else after
        with session():
            query = Product.select(*_summary_fields())
            if category:
                query = query.where(Product.category == category)
            if cursor is not None:
                pos = Tuple(key, Product.id)
                mark = Tuple(cursor.value, cursor.id)
                forward = not descending
                query = query.where(pos > mark if forward != backwards else pos < mark)
            ascending = descending == backwards
            order = [key.asc(), Product.id.asc()] if ascending else [key.desc(), Product.id.desc()]
            rows = [_summary(p) for p in query.order_by(*order).limit(limit + 1)]
            total = self.count(category)
        more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()

        def cursor_of(p: ProductView) -> Cursor:
            return Cursor(p.name if sort == "name" else p.price_cents, p.id)

        has_next = more if not backwards else True
        has_prev = (cursor is not None) if not backwards else more
        return ProductPage(
            items=tuple(rows),
            total=total,
            next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
            prev_cursor=cursor_of(rows[0]) if rows and has_prev else None,
        )

    def count(self, category: str | None = None) -> int:
        with session():
            query = Product.select(fn.COUNT(Product.id))
            if category:
                query = query.where(Product.category == category)
            return query.scalar() or 0

    def categories(self) -> list[Category]:
        with session():
            rows = (
                Product.select(Product.category, fn.COUNT(Product.id).alias("n"))
                .group_by(Product.category)
                .order_by(Product.category)
                .tuples()
            )
            return [Category(name, n) for name, n in rows]

    def get(self, product_id: int) -> ProductView:
        with session():
            product = Product.get_or_none(Product.id == product_id)
        if product is None:
            log.warning("product %s not found", product_id)
            raise NotFound(f"There is no product {product_id}.")
        return product_view(product)

    def get_by_sku(self, sku: str) -> ProductView:
        with session():
            product = Product.get_or_none(Product.sku == sku)
        if product is None:
            raise NotFound(f"Unknown SKU {sku!r}.")
        return product_view(product)

    # -- search ----------------------------------------------------------------
    def search(self, text: str, *, limit: int = 100, category: str | None = None) -> list[ProductView]:
        """Products whose name words start with every word typed, or whose price is it."""
        text = v.clean_text(text)[:200]
        words = _WORD.findall(text.lower())[:8]
        cents = price_in(text)
        if not words and cents is None:
            return []
        limit = max(1, min(limit, 500))
        with session():
            starting: list[ProductView] = []
            if cents is None and len(words) == 1 and len(words[0]) <= STARTS_FIRST_UP_TO:
                starting = self._names_starting(words[0], limit, category)
                if len(starting) >= limit:
                    return starting
            query = Product.select(*_summary_fields())
            if starting:
                query = query.where(Product.id.not_in([p.id for p in starting]))
            if cents is None and is_sqlite():
                # The first FTS index joined rather than `id IN (…)`: SQLite then reads each
                # match once instead of first collecting every id (dense words match
                # thousands). A second index stays an id set: joined, it would be probed
                # once per row of the first.
                (index, phrase), *others = self._fts_phrases(words)
                query = query.join(index, on=(index.rowid == Product.id)).where(
                    index.match(index.web_query(phrase))
                )
                for other, words_of_other in others:
                    match = other.match(other.web_query(words_of_other))
                    query = query.where(Product.id.in_(other.select(other.rowid).where(match)))
            else:
                conditions = []
                if words:
                    conditions.append(self._name_match(words))
                if cents is not None:
                    conditions.append(Product.price_cents == cents)
                where = conditions[0] if len(conditions) == 1 else (conditions[0] | conditions[1])
                query = query.where(where)
            if category:
                query = query.where(Product.category == category)
            if cents is not None:
                first = Case(None, [(Product.price_cents == cents, 0)], 1)
                query = query.order_by(first, Product.name, Product.id)
            else:
                query = query.order_by(Product.name, Product.id)
            rest = [ProductView(*row) for row in query.limit(limit - len(starting)).tuples()]
            return starting + rest

    @staticmethod
    def _names_starting(word: str, limit: int, category: str | None) -> list[ProductView]:
        """Products whose name starts with `word` (any case), by name: what one or two
        letters typed most likely mean, so they come first.

        Also what keeps such searches fast: "s" is a word prefix in a third of a big
        catalog, and ordering all of those by name was the slowest search there was;
        names starting with it are a range of the name index. On SQLite one range per
        case spelling ("s", "S"), merged; PostgreSQL's ILIKE uses its trigram index.
        """
        fields = _summary_fields()
        if not is_sqlite():
            query = Product.select(*fields).where(Product.name.startswith(word))
            if category:
                query = query.where(Product.category == category)
            rows = query.order_by(Product.name, Product.id).limit(limit).tuples()
            return [ProductView(*row) for row in rows]
        found: list[tuple] = []
        spellings = {"".join(cs) for cs in product(*({c.lower(), c.upper()} for c in word))}
        for prefix in spellings:
            after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            query = Product.select(*fields).where((Product.name >= prefix) & (Product.name < after))
            if category:
                query = query.where(Product.category == category)
            found.extend(query.order_by(Product.name, Product.id).limit(limit).tuples())
        found.sort(key=lambda row: (row[2], row[0]))  # name, id: SQLite's binary order
        return [ProductView(*row) for row in found[:limit]]

    @staticmethod
    def _fts_phrases(words: list[str]) -> list[tuple[type[FTS5Model], str]]:
        """SQLite: 3+ letter words as pieces (trigrams), 1-2 letter words as word prefixes."""
        long_words = [w for w in words if len(w) >= 3]
        short_words = [w for w in words if len(w) < 3]
        return [
            (index, " ".join('"{}"{}'.format(w.replace('"', '""'), star) for w in chosen))
            for index, chosen, star in (
                (ProductTrigrams, long_words, ""),
                (ProductIndex, short_words, "*"),
            )
            if chosen
        ]

    @classmethod
    def _name_match(cls, words: list[str]):  # type: ignore[no-untyped-def]
        condition = None
        if is_sqlite():
            for index, phrase in cls._fts_phrases(words):
                ids = index.select(index.rowid).where(index.match(index.web_query(phrase)))
                this = Product.id.in_(ids)
                condition = this if condition is None else (condition & this)
            return condition
        for word in words:
            this = Product.name.contains(word) if len(word) >= 3 else (
                Product.name.startswith(word) | Product.name.contains(" " + word)
            )
            condition = this if condition is None else (condition & this)
        return condition

    # -- admin changes -----------------------------------------------------------
    def add(self, item: ProductInput) -> ProductView:
        try:
            with write():
                product = Product.create(**item.row(), created_at=clock.now())
        except IntegrityError:
            raise ValidationError(f"SKU {item.sku!r} already exists.", field="sku") from None
        log.info("product %s added", item.sku)
        return product_view(product)

    def update(self, sku: str, **changes: object) -> ProductView:
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
        if not row:
            raise ValidationError("Nothing to change: give at least one new value.")
        with write():
            if Product.update(**row).where(Product.sku == sku).execute() != 1:
                raise NotFound(f"Unknown SKU {sku!r}.")
        log.info("product %s updated: %s", sku, ", ".join(sorted(row)))
        return self.get_by_sku(sku)

    def set_stock(self, sku: str, stock: int | str) -> ProductView:
        return self.update(sku, stock=stock)

    def remove(self, sku: str) -> None:
        with write():
            if Product.delete().where(Product.sku == sku).execute() != 1:
                raise NotFound(f"Unknown SKU {sku!r}.")
        log.info("product %s removed", sku)

    def upsert_many(self, items: Iterable[ProductInput], *, batch: int = 2000) -> tuple[int, int]:
        """Insert or update by SKU in one transaction; returns (added, updated)."""
        items = list(items)
        added = updated = 0
        now = clock.now()
        with write():
            for start in range(0, len(items), batch):
                chunk = items[start : start + batch]
                existing = {
                    sku
                    for (sku,) in Product.select(Product.sku)
                    .where(Product.sku.in_([i.sku for i in chunk]))
                    .tuples()
                }
                new_rows = [dict(i.row(), created_at=now) for i in chunk if i.sku not in existing]
                if new_rows:
                    Product.insert_many(new_rows).execute()
                    added += len(new_rows)
                for item in chunk:
                    if item.sku in existing:
                        Product.update(**item.row()).where(Product.sku == item.sku).execute()
                        updated += 1
        log.info("catalog seeded: %d added, %d updated", added, updated)
        return added, updated

    def insert_generated(self, rows: list[dict]) -> int:
        """Bulk insert of new synthetic rows (SKUs already known to be new)."""
        now = clock.now()
        with write():
            Product.insert_many([dict(r, created_at=now) for r in rows]).execute()
        return len(rows)

    def existing_skus(self, prefix: str) -> set[str]:
        with session():
            return {
                sku
                for (sku,) in Product.select(Product.sku)
                .where(Product.sku.startswith(prefix))
                .tuples()
            }
