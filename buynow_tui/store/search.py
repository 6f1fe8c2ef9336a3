"""Searching the catalog: the same answers on SQLite and PostgreSQL, for any text.

Search matches name words by prefix (FTS5 on SQLite through `web_query` on quoted
words; an escaped LIKE on other databases), any 3+ letter piece of a word ("phone"
finds "Headphone"), and prices ("150" finds $150.00). A search of one or two letters
lists the names that start with them first. Any text is safe to search: it is cleaned,
cut to 200 characters and 8 words, and only ever reaches SQL as parameters or quoted
FTS phrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import product
from typing import Any, cast

from peewee import Case, Expression
from playhouse.sqlite_ext import FTS5Model, SearchField

from buynow_tui.store import validation as v
from buynow_tui.store.db import connection, is_sqlite
from buynow_tui.store.models import Product, database
from buynow_tui.store.views import ProductView

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
#: A search that is one word this short lists the names starting with it first.
STARTS_FIRST_UP_TO = 2
_PRICE = re.compile(r"^\$?\s*([0-9]{1,9}(?:,[0-9]{3})*|[0-9]+)(?:[.,]([0-9]{1,2}))?$")


class ProductIndex(FTS5Model):  # type: ignore[misc]  # playhouse.sqlite_ext has no types
    """The word FTS5 table the migration creates (SQLite only); queried, never created."""

    name = SearchField()

    class Meta:
        database = database
        table_name = "product_fts"


class ProductTrigrams(FTS5Model):  # type: ignore[misc]
    """The trigram FTS5 table: any 3+ letter piece of a name (SQLite only)."""

    name = SearchField()

    class Meta:
        database = database
        table_name = "product_tri"


def summary_fields() -> list[Any]:
    """The columns of a product in a list, in `ProductView`'s order."""
    return [
        Product.id,
        Product.sku,
        Product.name,
        Product.category,
        Product.price_cents,
        Product.stock,
    ]


def price_in(text: str) -> int | None:
    """Cents if the whole query reads as a price ("150", "$150.00", "1,299", "12,50").

    A search only finds, so "1,299" is read the way this shop shows prices (thousands);
    a price beyond any product's (`PRICE_MAX_CENTS`) is no price, so twenty digits are
    searched as a word instead of overflowing the database's integers.
    """
    match = _PRICE.match(text.strip())
    if not match:
        return None
    whole = int(match.group(1).replace(",", ""))
    frac = (match.group(2) or "0").ljust(2, "0")
    cents = whole * 100 + int(frac)
    return cents if cents <= v.PRICE_MAX_CENTS else None


def search_products(text: str, *, limit: int, category: str | None) -> list[ProductView]:
    """Products whose name words start with every word typed, or whose price is it."""
    text = v.clean_text(text)[:200]
    words = _WORD.findall(text.lower())[:8]
    cents = price_in(text)
    if not words and cents is None:
        return []
    limit = max(1, min(limit, 500))
    with connection():
        starting: list[ProductView] = []
        if cents is None and len(words) == 1 and len(words[0]) <= STARTS_FIRST_UP_TO:
            starting = _names_starting(words[0], limit, category)
            if len(starting) >= limit:
                return starting
        query = Product.select(*summary_fields())
        if starting:
            query = query.where(Product.id.not_in([p.id for p in starting]))
        if cents is None and is_sqlite():
            # The first FTS index joined rather than `id IN (…)`: SQLite then reads each
            # match once instead of first collecting every id (dense words match
            # thousands). A second index stays an id set: joined, it would be probed
            # once per row of the first.
            (index, phrase), *others = _fts_phrases(words)
            query = query.join(index, on=(index.rowid == Product.id)).where(
                index.match(index.web_query(phrase))
            )
            for other, words_of_other in others:
                match = other.match(other.web_query(words_of_other))
                query = query.where(Product.id.in_(other.select(other.rowid).where(match)))
        else:
            conditions = []
            if words:
                conditions.append(_name_match(words))
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
        rows = query.limit(limit - len(starting)).tuples()
        rest = [ProductView(*row) for row in cast("Iterable[tuple[Any, ...]]", rows)]
        return starting + rest


def _names_starting(word: str, limit: int, category: str | None) -> list[ProductView]:
    """Products whose name starts with `word` (any case), by name: what one or two
    letters typed most likely mean, so they come first.

    Also what keeps such searches fast: "s" is a word prefix in a third of a big
    catalog, and ordering all of those by name was the slowest search there was;
    names starting with it are a range of the name index. On SQLite one range per
    case spelling ("s", "S"), merged; PostgreSQL's ILIKE uses its trigram index.
    """
    fields = summary_fields()
    if not is_sqlite():
        query = Product.select(*fields).where(Product.name.startswith(word))
        if category:
            query = query.where(Product.category == category)
        rows = query.order_by(Product.name, Product.id).limit(limit).tuples()
        return [ProductView(*row) for row in cast("Iterable[tuple[Any, ...]]", rows)]
    found: list[tuple[Any, ...]] = []
    spellings = {"".join(cs) for cs in product(*({c.lower(), c.upper()} for c in word))}
    for prefix in spellings:
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        query = Product.select(*fields).where((Product.name >= prefix) & (Product.name < after))
        if category:
            query = query.where(Product.category == category)
        rows = query.order_by(Product.name, Product.id).limit(limit).tuples()
        found.extend(cast("Iterable[tuple[Any, ...]]", rows))
    found.sort(key=lambda row: (row[2], row[0]))  # name, id: SQLite's binary order
    return [ProductView(*row) for row in found[:limit]]


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


def _name_match(words: list[str]) -> Expression:
    """The condition "the name matches every word" (see the module's docstring)."""
    condition: Expression | None = None
    if is_sqlite():
        for index, phrase in _fts_phrases(words):
            ids = index.select(index.rowid).where(index.match(index.web_query(phrase)))
            this = Product.id.in_(ids)
            condition = this if condition is None else (condition & this)
        assert condition is not None  # there are words
        return condition
    for word in words:
        this = (
            Product.name.contains(word)
            if len(word) >= 3
            else (Product.name.startswith(word) | Product.name.contains(" " + word))
        )
        condition = this if condition is None else (condition & this)
    assert condition is not None  # there are words
    return condition
