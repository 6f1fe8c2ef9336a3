"""0010: the number of products in each category, kept by the database.

The Shop's status line ("Page 1 of 20,000 · 1,000,000 products") and its category list
counted the product table on every page: a full scan, ~35-270 ms with a million
products. `category_count` holds one row per category with its product count, kept
right by triggers on `product` in the same statement as every insert, delete or change
of category (so every writer, the CLI's bulk `seed --generate` included, keeps it
right without knowing of it). `Catalog.count` and `Catalog.categories` read it.

A category whose last product goes keeps a row with 0 (never deleted by the triggers,
so two writers never race to delete and re-create one row); readers skip zeros.

The table holds copies of what `product` says (`DERIVED`): downgrading drops it
without asking, as nothing is lost.
"""

from __future__ import annotations

#: Tables that hold only copies of other tables' data: a downgrade loses nothing.
DERIVED = frozenset({"category_count"})

_TABLE = (
    'CREATE TABLE "category_count" ("category" VARCHAR(60) NOT NULL PRIMARY KEY, '
    '"products" INTEGER NOT NULL)'
)
_BACKFILL = (
    'INSERT INTO "category_count" ("category", "products") '
    'SELECT "category", COUNT(*) FROM "product" GROUP BY "category"'
)

_SQLITE = [
    'CREATE TRIGGER "category_count_insert" AFTER INSERT ON "product" BEGIN '
    'INSERT INTO "category_count" ("category", "products") VALUES (NEW."category", 1) '
    'ON CONFLICT ("category") DO UPDATE SET "products" = "products" + 1; END',
    'CREATE TRIGGER "category_count_delete" AFTER DELETE ON "product" BEGIN '
    'UPDATE "category_count" SET "products" = "products" - 1 '
    'WHERE "category" = OLD."category"; END',
    'CREATE TRIGGER "category_count_update" AFTER UPDATE OF "category" ON "product" '
    'WHEN OLD."category" IS NOT NEW."category" BEGIN '
    'UPDATE "category_count" SET "products" = "products" - 1 '
    'WHERE "category" = OLD."category"; '
    'INSERT INTO "category_count" ("category", "products") VALUES (NEW."category", 1) '
    'ON CONFLICT ("category") DO UPDATE SET "products" = "products" + 1; END',
]

_POSTGRES = [
    'CREATE FUNCTION "category_count_change"() RETURNS trigger LANGUAGE plpgsql AS $$ '
    "BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
    'UPDATE "category_count" SET "products" = "products" - 1 '
    'WHERE "category" = OLD."category"; '
    "END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    'INSERT INTO "category_count" ("category", "products") VALUES (NEW."category", 1) '
    'ON CONFLICT ("category") DO UPDATE SET "products" = "category_count"."products" + 1; '
    "END IF; "
    "RETURN NULL; "
    "END $$",
    'CREATE TRIGGER "category_count_insert" AFTER INSERT ON "product" '
    'FOR EACH ROW EXECUTE FUNCTION "category_count_change"()',
    'CREATE TRIGGER "category_count_delete" AFTER DELETE ON "product" '
    'FOR EACH ROW EXECUTE FUNCTION "category_count_change"()',
    'CREATE TRIGGER "category_count_update" AFTER UPDATE OF "category" ON "product" '
    'FOR EACH ROW WHEN (OLD."category" IS DISTINCT FROM NEW."category") '
    'EXECUTE FUNCTION "category_count_change"()',
]


def up(dialect: str) -> list[str]:
    triggers = _POSTGRES if dialect == "postgres" else _SQLITE
    # Locked first on PostgreSQL so no product is written between the backfill and
    # the triggers (SQLite's migration transaction already holds the write lock).
    lock = ['LOCK TABLE "product" IN SHARE ROW EXCLUSIVE MODE'] if dialect == "postgres" else []
    return [*lock, _TABLE, _BACKFILL, *triggers]


def down(dialect: str) -> list[str]:
    drops = [
        'DROP TRIGGER IF EXISTS "category_count_insert"'
        + (' ON "product"' if dialect == "postgres" else ""),
        'DROP TRIGGER IF EXISTS "category_count_delete"'
        + (' ON "product"' if dialect == "postgres" else ""),
        'DROP TRIGGER IF EXISTS "category_count_update"'
        + (' ON "product"' if dialect == "postgres" else ""),
    ]
    if dialect == "postgres":
        drops.append('DROP FUNCTION IF EXISTS "category_count_change"()')
    return [*drops, 'DROP TABLE IF EXISTS "category_count"']
