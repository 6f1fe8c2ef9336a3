"""0011: search indexes that answer a typed word without merging (issue 18).

- SQLite: `product_search` is rebuilt with prefix indexes for 1-10 characters (m0005
  had 1-4). FTS5 answers a prefix longer than its longest prefix index by merging the
  doclists of every term that starts with it, again in every tier and in the count:
  "bluetooth headphone" merged the 12,500 products of "headphone"* five times (~1 ms
  each, 100,000 products) to find three. With the index for its length a prefix is one
  doclist that AND can skip through (0.04 ms for that count). Ten covers a body word's
  "_" and nine letters typed; a longer prefix has few terms. The index grows ~16%
  (61 -> 71 MB with 100,000 products).
- PostgreSQL: `search_title`, an unweighted `tsvector` of the name alone with its GIN
  index, for the tier "names that hold every word". Matching weight A of
  `search_vector` instead rechecks every candidate row on the heap (a GIN index keeps
  no weights): ~16 ms for "phone" over 100,000 products.

Down puts m0005's FTS table back and drops the column; both hold only copies of the
products' search documents (`DERIVED`).
"""

from __future__ import annotations

from buynow_tui.store.migrations.m0005_search import _COLS, _indexed

#: What this migration's down drops holds only data derived from the products.
DERIVED = frozenset({"product_search", "product.search_title"})


def _sqlite_fts(prefix: str) -> list[str]:
    """`product_search` made afresh with these prefix indexes, filled from the products
    (m0005's triggers write to it by name, so they stay as they are)."""
    return [
        'DROP TABLE IF EXISTS "product_search"',
        'CREATE VIRTUAL TABLE "product_search" USING fts5('
        f"{_COLS}, content='', "
        f"tokenize='unicode61 remove_diacritics 2 tokenchars _', prefix='{prefix}')",
        f'INSERT INTO product_search(rowid, {_COLS}) SELECT id, {_indexed("")} FROM "product"',
    ]


PREFIXES = " ".join(str(n) for n in range(1, 11))
_M0005_PREFIXES = "1 2 3 4"

_POSTGRES_UP = [
    'ALTER TABLE "product" ADD COLUMN "search_title" tsvector GENERATED ALWAYS AS ('
    "to_tsvector('simple', \"search_name\")) STORED",
    'CREATE INDEX "product_search_title" ON "product" USING gin ("search_title")',
]
_POSTGRES_DOWN = [
    'DROP INDEX IF EXISTS "product_search_title"',
    'ALTER TABLE "product" DROP COLUMN "search_title"',
]


def up(dialect: str) -> list[str]:
    return _sqlite_fts(PREFIXES) if dialect == "sqlite" else _POSTGRES_UP


def down(dialect: str) -> list[str]:
    return _sqlite_fts(_M0005_PREFIXES) if dialect == "sqlite" else _POSTGRES_DOWN
