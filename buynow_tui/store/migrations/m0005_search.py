"""0005: search over names, categories, descriptions and specs, the same on both backends.

Each product gains its normalised search document (`search_name`, `search_category`,
`search_body`, `search_tag`; see `store.search_text`), filled here for the products
already there (`store.search_index.backfill`, in this migration's transaction) and by
the store on every later write. `search_word` is the vocabulary typos are corrected to.

- SQLite: a contentless FTS5 table `product_search` over the four columns, kept in
  step by triggers (prefix indexes for 1-4 characters; the rest's words marked, see
  `_indexed`), replacing m0001's name-only word and trigram indexes.
- PostgreSQL: a generated, weighted `tsvector` column (A name, B category, C the rest)
  and an unweighted one of the name and category (`search_head`), each with a GIN
  index, and a text-pattern index on `search_name` for "name starts with";
  m0001's trigram index on names goes.

Down puts m0001's indexes back (rebuilt from the names) and drops the rest. The
document and the vocabulary are derived from the products, so dropping them loses
nothing (`DERIVED`): a downgrade of this step alone needs no `--yes`.
"""

from __future__ import annotations

from collections.abc import Callable

from buynow_tui.store.migrations.m0001_initial import _FTS, _POSTGRES_SEARCH, _SQLITE_SEARCH

COLUMNS = ("search_name", "search_category", "search_body", "search_tag")
#: Tables and columns this migration's down drops that hold only derived data.
DERIVED = frozenset({"search_word", "product.search_vector", *(f"product.{c}" for c in COLUMNS)})

_ADD = [f'ALTER TABLE "product" ADD COLUMN "{c}" TEXT NOT NULL DEFAULT \'\'' for c in COLUMNS]
_WORDS = {
    "sqlite": 'CREATE TABLE "search_word" ("word" VARCHAR(64) NOT NULL PRIMARY KEY)',
    "postgres": 'CREATE TABLE "search_word" ("word" VARCHAR(64) COLLATE "C" NOT NULL PRIMARY KEY)',
}
_INDEXES = {
    "sqlite": [
        'CREATE INDEX "product_search_name" ON "product" ("search_name")',
        'CREATE INDEX "product_search_category" ON "product" ("search_category")',
    ],
    "postgres": [
        'CREATE INDEX "product_search_name" ON "product" ("search_name" text_pattern_ops)',
        'CREATE INDEX "product_search_category" ON "product" ("search_category")',
    ],
}

_COLS = ", ".join(COLUMNS)


def _indexed(row: str) -> str:
    """The FTS5 values of a product row (`new`, `old`, or the table itself): the name
    and category as they are, every word of the rest and the tag marked with "_" (a
    token character there, never in a word), so that a short prefix typed for names
    ("g") never reads the postings of every description's words ("generated")."""
    p = f"{row}." if row else ""
    body = (
        f"CASE WHEN {p}search_body = '' THEN '' ELSE '_' || replace({p}search_body, ' ', ' _') END"
    )
    return f"{p}search_name, {p}search_category, {body}, '_' || {p}search_tag"


_SQLITE_FTS = [
    'CREATE VIRTUAL TABLE "product_search" USING fts5('
    f"{_COLS}, content='', "
    "tokenize='unicode61 remove_diacritics 2 tokenchars _', prefix='1 2 3 4')",
    'CREATE TRIGGER "product_search_ai" AFTER INSERT ON "product" BEGIN '
    f"INSERT INTO product_search(rowid, {_COLS}) VALUES (new.id, {_indexed('new')}); END",
    'CREATE TRIGGER "product_search_ad" AFTER DELETE ON "product" BEGIN '
    f"INSERT INTO product_search(product_search, rowid, {_COLS}) "
    f"VALUES ('delete', old.id, {_indexed('old')}); END",
    f'CREATE TRIGGER "product_search_au" AFTER UPDATE OF {_COLS} ON "product" BEGIN '
    f"INSERT INTO product_search(product_search, rowid, {_COLS}) "
    f"VALUES ('delete', old.id, {_indexed('old')}); "
    f"INSERT INTO product_search(rowid, {_COLS}) VALUES (new.id, {_indexed('new')}); END",
    f'INSERT INTO product_search(rowid, {_COLS}) SELECT id, {_indexed("")} FROM "product"',
]
_POSTGRES_VECTOR = [
    'ALTER TABLE "product" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS ('
    "setweight(to_tsvector('simple', \"search_name\"), 'A') || "
    "setweight(to_tsvector('simple', \"search_category\"), 'B') || "
    "setweight(to_tsvector('simple', \"search_body\"), 'C')) STORED",
    'CREATE INDEX "product_search_vector" ON "product" USING gin ("search_vector")',
    # The name and category alone, unweighted: a GIN match on weights rechecks every row.
    'ALTER TABLE "product" ADD COLUMN "search_head" tsvector GENERATED ALWAYS AS ('
    "to_tsvector('simple', \"search_name\" || ' ' || \"search_category\")) STORED",
    'CREATE INDEX "product_search_head" ON "product" USING gin ("search_head")',
]

_OLD_SQLITE_DROP = [
    *(f'DROP TRIGGER IF EXISTS "{t}_{kind}"' for t in _FTS for kind in ("ai", "ad", "au")),
    *(f'DROP TABLE IF EXISTS "{t}"' for t in _FTS),
]


def _backfill() -> None:
    from buynow_tui.store.search_index import backfill

    backfill()


def up(dialect: str) -> list[str | Callable[[], None]]:
    steps: list[str | Callable[[], None]] = [*_ADD, _WORDS[dialect], _backfill]
    if dialect == "sqlite":
        return [*steps, *_INDEXES["sqlite"], *_OLD_SQLITE_DROP, *_SQLITE_FTS]
    return [
        *steps,
        *_INDEXES["postgres"],
        *_POSTGRES_VECTOR,
        'DROP INDEX IF EXISTS "product_name_trgm"',
    ]


def down(dialect: str) -> list[str | Callable[[], None]]:
    drops = [
        'DROP INDEX IF EXISTS "product_search_name"',
        'DROP INDEX IF EXISTS "product_search_category"',
        'DROP TABLE IF EXISTS "search_word"',
        *(f'ALTER TABLE "product" DROP COLUMN "{c}"' for c in COLUMNS),
    ]
    if dialect == "sqlite":
        old = [
            *_SQLITE_SEARCH,
            *(f"INSERT INTO {t}({t}) VALUES ('rebuild')" for t in _FTS),
        ]
        return [
            *(f'DROP TRIGGER IF EXISTS "product_search_{k}"' for k in ("ai", "ad", "au")),
            'DROP TABLE IF EXISTS "product_search"',
            *drops,
            *old,
        ]
    old_pg = [sql for sql in _POSTGRES_SEARCH if not sql.startswith("CREATE EXTENSION")]
    return [
        'DROP INDEX IF EXISTS "product_search_head"',
        'ALTER TABLE "product" DROP COLUMN "search_head"',
        'DROP INDEX IF EXISTS "product_search_vector"',
        'ALTER TABLE "product" DROP COLUMN "search_vector"',
        *drops,
        *old_pg,
    ]
