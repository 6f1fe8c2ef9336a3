"""Searching the catalog: the same answers on SQLite and PostgreSQL, for any text.

What matches: every word typed (see `store.search_text` for how words are read, and
`store.search_query` for typos and prices) must be found, as a prefix of a word, in
the product's name, category, description or specs. Words of one or two letters match
word prefixes in names and categories and whole words elsewhere.

How results are ranked, best first (each tier in id order, so among 100,000
look-alikes the oldest come first, never an alphabetical run):

0. a product whose price is the price typed ("150" is $150.00);
1. the exact name ("smart watch" is "Smart Watch", "smart watches" too);
2. names that start with the words typed, in order;
3. names that hold every word;
4. every word in the name or the category;
5. every word anywhere (descriptions, specs).

Both backends index the same normalised document, stored per product (`search_name`,
`search_category`, `search_body`, `search_tag`): SQLite in an FTS5 table over those
columns (tiers as column filters, streamed in rowid order, so a page of a tier costs
the page, not the tier), PostgreSQL in a weighted `tsvector` column with a GIN index
(and unweighted ones of the name and category, and of the name, so that no tier asks
GIN for a weight it must recheck on every row), plus a text-pattern index on the name's
key. `total` is the true count of matches.
Any text is safe: it reaches SQL only as parameters or as quoted FTS5 strings of
letters and digits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from buynow_tui.store.db import connection, is_sqlite
from buynow_tui.store.models import Product, database
from buynow_tui.store.search_query import Query, Term, corrected, parse, price_in
from buynow_tui.store.search_text import category_tag
from buynow_tui.store.views import ProductView, SearchResults

__all__ = ["price_in", "search_products", "summary_fields"]

#: The most results one call returns (a page of the CLI's listing, say).
MAX_LIMIT = 500
#: PostgreSQL: a search with more matches than this reads its tiers in id order.
DENSE_FROM = 20_000
#: PostgreSQL: the most products a search with fewer matches reads in id order for a
#: page of a tier, before reading the whole tier from its indexes.
PROBE_ROWS = 8_000


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


class _Tier:
    """One tier of the ranking, its earlier tiers excluded: ids by page, and a count."""

    def __init__(
        self,
        fetch: Callable[[int, int], list[int]],
        count: Callable[[], int],
    ) -> None:
        self.fetch = fetch
        self.count = count


def search_products(
    text: str, *, offset: int = 0, limit: int, category: str | None
) -> SearchResults:
    """The products matching `text` (in `category` if given), best first, `limit` of
    them from `offset`, with the true total and the category the text names."""
    query = parse(text)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    if query.empty:
        return SearchResults((), 0, offset)
    with connection():
        query = corrected(query)
        builder = _SqliteTiers(query, category) if is_sqlite() else _PostgresTiers(query, category)
        total = builder.total()
        # Once every match is in hand, the tiers after it have nothing more to give.
        wanted = min(limit, total - offset)
        ids = _walk(builder.tiers(), offset, wanted) if wanted > 0 else []
        items = _products(ids)
        named, whole = _named_category(query, category)
    return SearchResults(tuple(items), total, offset, named, whole)


def _walk(tiers: Iterable[_Tier], offset: int, limit: int) -> list[int]:
    """`limit` ids from `offset` of the tiers one after the other; a tier before the
    page is only counted, one after it never runs."""
    out: list[int] = []
    skip = offset
    for tier in tiers:
        if skip:
            size = tier.count()
            if skip >= size:
                skip -= size
                continue
        out += tier.fetch(skip, limit - len(out))
        skip = 0
        if len(out) >= limit:
            break
    return out


def _products(ids: Sequence[int]) -> list[ProductView]:
    """The products of `ids`, in that order (plain SQL: this runs on every key typed)."""
    if not ids:
        return []
    listed = ", ".join(str(int(i)) for i in ids)
    rows = database.execute_sql(
        'SELECT "id", "sku", "name", "category", "price_cents", "stock" FROM "product" '
        f'WHERE "id" IN ({listed})'
    ).fetchall()
    by_id = {row[0]: ProductView(*row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _named_category(query: Query, current: str | None) -> tuple[str | None, bool]:
    """The category the text names (its spelling in the shop), and whether the whole
    text is that name; None when none is, or when it is the one searched in already."""
    mark = "?" if is_sqlite() else "%s"
    sql = f'SELECT "category" FROM "product" WHERE "search_category" = {mark} LIMIT 1'
    for key in query.category_keys():
        row = database.execute_sql(sql, [key]).fetchone()
        name = row[0] if row else None
        if name is not None:
            if current is not None and category_tag(name) == category_tag(current):
                return None, False
            return str(name), key == query.key
    return None, False


def _ids(sql: str, params: Sequence[object]) -> list[int]:
    return [int(row[0]) for row in database.execute_sql(sql, list(params)).fetchall()]


def _count(sql: str, params: Sequence[object]) -> int:
    return int(database.execute_sql(sql, list(params)).fetchone()[0])


# -- SQLite: FTS5 column filters --------------------------------------------------------

_NAME, _NAME_CATEGORY = "{search_name}", "{search_name search_category}"
#: Not a column filter: the name or category, or the rest, where words carry a "_".
_ANYWHERE = "anywhere"


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


class _SqliteTiers:
    def __init__(self, query: Query, category: str | None) -> None:
        self.query = query
        self.category = category
        self.price_ids = (
            _ids(*self._price_sql("SELECT id", "ORDER BY id")) if query.cents is not None else []
        )
        self.exact_ids: list[int] = []

    def _price_sql(self, select: str, tail: str) -> tuple[str, list[object]]:
        sql = f'{select} FROM "product" WHERE "price_cents" = ?'
        params: list[object] = [self.query.cents]
        if self.category:
            sql += ' AND "search_tag" = ?'
            params.append(category_tag(self.category))
        return f"{sql} {tail}", params

    def _term(self, term: Term, columns: str) -> str:
        if columns != _ANYWHERE:
            options = [f"{columns}: {_quoted(p)}*" for p in term.prefixes]
        else:
            options = [f"{_NAME_CATEGORY}: {_quoted(p)}*" for p in term.prefixes]
            star = "" if term.short else "*"
            options += [f"{{search_body}}: {_quoted('_' + p)}{star}" for p in term.prefixes]
        return "(" + " OR ".join(options) + ")"

    def _all(self, columns: str) -> str:
        return " AND ".join(self._term(t, columns) for t in self.query.terms)

    def _starts(self) -> str:
        return f"{_NAME}: ^ {_quoted(self.query.key)}*"

    def _match(self, expr: str, but_not: str | None) -> str:
        if but_not:
            expr = f"({expr}) NOT ({but_not})"
        if self.category:
            expr = f"({expr}) AND {{search_tag}}: {_quoted('_' + category_tag(self.category))}"
        return expr

    def _fts(self, select: str, excluded: list[int]) -> str:
        sql = f'{select} FROM "product_search" WHERE "product_search" MATCH ?'
        if excluded:
            sql += f" AND rowid NOT IN ({', '.join(str(int(i)) for i in excluded)})"
        return sql

    def _fts_tier(self, expr: str, but_not: str | None, excluded: list[int]) -> _Tier:
        match = self._match(expr, but_not)

        def fetch(skip: int, n: int) -> list[int]:
            sql = self._fts("SELECT rowid", excluded)
            return _ids(f"{sql} ORDER BY rowid LIMIT ? OFFSET ?", [match, n, skip])

        def count() -> int:
            return _count(self._fts("SELECT count(*)", excluded), [match])

        return _Tier(fetch, count)

    def total(self) -> int:
        if not self.query.terms:
            return len(self.price_ids)
        expr = self._match(self._all(_ANYWHERE), None)
        sql = self._fts("SELECT count(*)", self.price_ids)
        return len(self.price_ids) + _count(sql, [expr])

    def tiers(self) -> Iterable[_Tier]:
        ids = self.price_ids
        yield _Tier(lambda skip, n: ids[skip : skip + n], lambda: len(ids))
        if not self.query.terms:
            return
        exact = 'SELECT id FROM "product" WHERE "search_name" = ?'
        params: list[object] = [self.query.key]
        if self.category:
            exact += ' AND "search_tag" = ?'
            params.append(category_tag(self.category))
        if ids:
            exact += f" AND id NOT IN ({', '.join(str(int(i)) for i in ids)})"
        self.exact_ids = _ids(exact + " ORDER BY id", params)
        found = self.exact_ids
        yield _Tier(lambda skip, n: found[skip : skip + n], lambda: len(found))
        excluded = ids + found
        yield self._fts_tier(self._starts(), None, excluded)
        previous = self._starts()
        for columns in (_NAME, _NAME_CATEGORY, _ANYWHERE):
            this = self._all(columns)
            yield self._fts_tier(this, previous, ids)
            previous = this


# -- PostgreSQL: a weighted tsvector (A name, B category, C the rest), one of the name and
# category alone, and one of the name alone (m0011) -------------------------------------------


def _lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class _PostgresTiers:
    def __init__(self, query: Query, category: str | None) -> None:
        self.query = query
        self.category = category
        self.matches = 0  # set by `total`, before any tier is read
        self.products = 0  # the catalog's size, set by `total` too

    @staticmethod
    def _any(term: Term, mark: str = ":*") -> str:
        return "(" + " | ".join(f"{_lexeme(p)}{mark}" for p in term.prefixes) + ")"

    def _anywhere(self) -> tuple[str, list[object]]:
        """Every word anywhere. Unweighted, so GIN answers without rechecking rows: the
        long words as prefixes of any word, the short ones as prefixes in the name or
        category (`search_head`) or whole words anywhere."""
        terms = self.query.terms
        parts: list[str] = []
        params: list[object] = []
        long_terms = [t for t in terms if not t.short]
        if long_terms:
            parts.append('"search_vector" @@ %s::tsquery')
            params.append(" & ".join(self._any(t) for t in long_terms))
        for term in terms:
            if term.short:
                parts.append('("search_head" @@ %s::tsquery OR "search_vector" @@ %s::tsquery)')
                params += [self._any(term), self._any(term, "")]
        return " AND ".join(parts), params

    def _conditions(self) -> list[tuple[str, list[object]]]:
        """Each tier's condition (inclusive), in rank order, with its parameters."""
        out: list[tuple[str, list[object]]] = []
        if self.query.cents is not None:
            out.append(('"price_cents" = %s', [self.query.cents]))
        if self.query.terms:
            terms = self.query.terms
            out.append(('"search_name" = %s', [self.query.key]))
            out.append(("\"search_name\" LIKE %s ESCAPE '\\'", [_like_prefix(self.query.key)]))
            in_name = " & ".join(self._any(t) for t in terms)
            out.append(('"search_title" @@ %s::tsquery', [in_name]))
            in_head = " & ".join(self._any(t) for t in terms)
            out.append(('"search_head" @@ %s::tsquery', [in_head]))
            out.append(self._anywhere())
        return out

    def _where(self, conditions: list[tuple[str, list[object]]]) -> tuple[str, list[object]]:
        sql = " OR ".join(f"({c})" for c, _ in conditions)
        params = [p for _, ps in conditions for p in ps]
        if self.category:
            sql = f'({sql}) AND "search_tag" = %s'
            params.append(category_tag(self.category))
        return sql, params

    def total(self) -> int:
        conditions = self._conditions()
        # Every tier's condition is within the last text one; the price one is not.
        wanted = [conditions[0], conditions[-1]] if self.query.cents is not None else []
        where, params = self._where(wanted or conditions[-1:])
        # The catalog's size rides along (its per-category counts: a few rows), for
        # `_tier` to judge how far an id-order walk must go to fill a page.
        size = 'SELECT coalesce(sum("products"), 0) FROM "category_count"'
        row = database.execute_sql(
            f'SELECT count(*), ({size}) FROM "product" WHERE {where}', params
        ).fetchone()
        self.matches, self.products = int(row[0]), int(row[1])
        return self.matches

    def tiers(self) -> Iterable[_Tier]:
        conditions = self._conditions()
        price = conditions[:1] if self.query.cents is not None else []
        if price:
            yield self._tier(*price[0], [])
        previous: list[tuple[str, list[object]]] = []
        for this in conditions[len(price) :]:
            yield self._tier(*this, price + previous)
            previous = [this]

    def _tier(
        self, sql: str, params: list[object], excluded: list[tuple[str, list[object]]]
    ) -> _Tier:
        where = f"({sql})"
        all_params = list(params)
        for other, other_params in excluded:
            where += f" AND NOT ({other})"
            all_params += other_params
        if self.category:
            where += ' AND "search_tag" = %s'
            all_params.append(category_tag(self.category))

        # The planner cannot tell how many rows a word prefix matches (a rare one is
        # guessed at 2%), so "ORDER BY id LIMIT n" walks the primary key, testing
        # every row, until it has n: fast when the tier is dense, a scan of the whole
        # catalog when it is empty. When the search has few matches in all, the tier is
        # read whole from its indexes first (OFFSET 0 keeps the LIMIT out), which costs
        # its matches' heap rows: ~10 ms for 8,000 of them. So when the matches are
        # dense enough that the first `PROBE_ROWS` products by id should hold the page
        # three times over, a full-text tier walks those first (a LIMIT inside, so the
        # walk stops there): if the page is among them it is the tier's page, as the
        # walk is in id order; if not, the tier is read whole after all. (The other
        # tiers, a price or the name's key, are B-tree ranges: read whole, they cost
        # their rows.)
        fenced = self.matches <= DENSE_FROM
        density = self.matches / max(self.products, 1) if "@@" in sql else 0

        def fetch(skip: int, n: int) -> list[int]:
            if not fenced:
                return _ids(
                    f'SELECT id FROM "product" WHERE {where} ORDER BY id LIMIT %s OFFSET %s',
                    [*all_params, n, skip],
                )
            window = math.ceil(3 * (skip + n) / density) if density else PROBE_ROWS + 1
            if window <= PROBE_ROWS:
                head = f'(SELECT * FROM "product" ORDER BY id LIMIT {window}) AS head'
                ids = _ids(
                    f"SELECT id FROM {head} WHERE {where} ORDER BY id LIMIT %s OFFSET %s",
                    [*all_params, n, skip],
                )
                if len(ids) == n:
                    return ids
            return _ids(
                f'SELECT id FROM (SELECT id FROM "product" WHERE {where} OFFSET 0) AS tier '
                "ORDER BY id LIMIT %s OFFSET %s",
                [*all_params, n, skip],
            )

        def count() -> int:
            return _count(f'SELECT count(*) FROM "product" WHERE {where}', all_params)

        return _Tier(fetch, count)
