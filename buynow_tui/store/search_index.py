"""Keeping the search document in step with the products (see `store.search_text`).

Every write of a product's name, category, description or specs goes through
`columns` (add, update, seed, generate), and the words it brings join the typo
vocabulary through `remember`. `backfill` (migration m0005) fills the columns of
products written before they existed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from buynow_tui.store.db import is_sqlite
from buynow_tui.store.models import Product, SearchWord, database
from buynow_tui.store.search_text import Document, document

#: Products read and written at a time by `backfill`.
BACKFILL_BATCH = 2000


def specs_pairs(specs: str | dict[str, Any] | None) -> list[tuple[str, str]]:
    """A product's specs (stored JSON or a dict) as (name, value) pairs; [] if unreadable."""
    if isinstance(specs, str):
        try:
            specs = json.loads(specs or "{}")
        except ValueError:
            return []
    if not isinstance(specs, dict):
        return []
    return [(str(k), str(val)) for k, val in specs.items()]


def document_of(row: dict[str, Any]) -> Document:
    return document(
        str(row.get("name") or ""),
        str(row.get("category") or ""),
        str(row.get("description") or ""),
        specs_pairs(row.get("specs")),
    )


def columns(doc: Document) -> dict[str, str]:
    """The product columns that hold `doc`."""
    return {
        "search_name": doc.name,
        "search_category": doc.category,
        "search_body": doc.body,
        "search_tag": doc.tag,
    }


def remember(docs: Iterable[Document]) -> None:
    """Inside the caller's write: add the documents' words to the typo vocabulary."""
    found = sorted({w for doc in docs for w in doc.vocabulary() if len(w) <= 64})
    for start in range(0, len(found), 500):
        rows = [{"word": w} for w in found[start : start + 500]]
        SearchWord.insert_many(rows).on_conflict_ignore().execute()


def reindex(product_id: int) -> None:
    """Inside the caller's write: recompute one product's document from its row."""
    row = cast(
        "dict[str, Any]",
        Product.select(Product.name, Product.category, Product.description, Product.specs)
        .where(Product.id == product_id)
        .dicts()
        .get(),
    )
    doc = document_of(row)
    Product.update(**columns(doc)).where(Product.id == product_id).execute()
    remember([doc])


def backfill() -> int:
    """Inside the caller's write (m0005's, or `Catalog.reindex`): every product's
    document and the vocabulary; how many products."""
    last = done = 0
    while True:
        rows = cast(
            "list[dict[str, Any]]",
            list(
                Product.select(
                    Product.id, Product.name, Product.category, Product.description, Product.specs
                )
                .where(Product.id > last)
                .order_by(Product.id)
                .limit(BACKFILL_BATCH)
                .dicts()
            ),
        )
        if not rows:
            return done
        done += len(rows)
        docs = [document_of(row) for row in rows]
        pairs = zip(rows, docs, strict=True)
        values = [(row["id"], d.name, d.category, d.body, d.tag) for row, d in pairs]
        _update_many(values)
        remember(docs)
        last = rows[-1]["id"]


def _update_many(values: list[tuple[int, str, str, str, str]]) -> None:
    mark = "?" if is_sqlite() else "%s"
    tuples = ", ".join(f"({mark}, {mark}, {mark}, {mark}, {mark})" for _ in values)
    cast = "" if is_sqlite() else "::integer"
    sql = (
        'UPDATE "product" SET "search_name" = v.n, "search_category" = v.c, '
        f'"search_body" = v.b, "search_tag" = v.t FROM (VALUES {tuples}) AS v(id, n, c, b, t) '
        f'WHERE "product"."id" = v.id{cast}'
    )
    if is_sqlite():
        # SQLite names a VALUES list's columns column1..column5.
        sql = (
            'UPDATE "product" SET "search_name" = v.column2, "search_category" = v.column3, '
            f'"search_body" = v.column4, "search_tag" = v.column5 FROM (VALUES {tuples}) AS v '
            'WHERE "product"."id" = v.column1'
        )
    database.execute_sql(sql, [x for row in values for x in row])
