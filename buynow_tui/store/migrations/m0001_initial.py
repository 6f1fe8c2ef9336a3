"""0001: the initial schema — the original shop's tables plus what accounts need.

SQL is written once as a template; `{pk}`, `{ts}` and `{bool}` become each backend's
types. SQLite also gets an FTS5 index on product names, kept in step by triggers.
"""

from __future__ import annotations

TYPES = {
    "sqlite": {"pk": "INTEGER NOT NULL PRIMARY KEY", "ts": "DATETIME", "bool": "INTEGER"},
    "postgres": {"pk": "SERIAL NOT NULL PRIMARY KEY", "ts": "TIMESTAMP", "bool": "BOOLEAN"},
}

_TABLES = [
    'CREATE TABLE "user" ("id" {pk}, "email" VARCHAR(254) NOT NULL, "username" VARCHAR(32) NOT NULL, "password_hash" VARCHAR(100) NOT NULL, "question" VARCHAR(40) NOT NULL, "answer_hash" VARCHAR(100) NOT NULL, "created_at" {ts} NOT NULL, "consent_at" {ts}, "ship_address" TEXT, "is_admin" {bool} NOT NULL)',
    'CREATE UNIQUE INDEX "user_email_lower" ON "user" (lower("email"))',
    'CREATE TABLE "product" ("id" {pk}, "sku" VARCHAR(64) NOT NULL, "name" VARCHAR(200) NOT NULL, "category" VARCHAR(60) NOT NULL, "price_cents" INTEGER NOT NULL CHECK (price_cents >= 0), "stock" INTEGER NOT NULL CHECK (stock >= 0), "description" TEXT NOT NULL, "specs" TEXT NOT NULL, "created_at" {ts} NOT NULL)',
    'CREATE UNIQUE INDEX "product_sku" ON "product" ("sku")',
    'CREATE INDEX "product_name" ON "product" ("name")',
    'CREATE INDEX "product_category_name_id" ON "product" ("category", "name", "id")',
    'CREATE INDEX "product_price_cents_id" ON "product" ("price_cents", "id")',
    'CREATE INDEX "product_category_price_cents_id" ON "product" ("category", "price_cents", "id")',
    'CREATE TABLE "cart" ("id" {pk}, "user_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "cart_user_id" ON "cart" ("user_id")',
    'CREATE TABLE "cart_line" ("id" {pk}, "cart_id" INTEGER NOT NULL, "product_id" INTEGER NOT NULL, "quantity" INTEGER NOT NULL CHECK (quantity >= 1 AND quantity <= 99), "added_at" {ts} NOT NULL, FOREIGN KEY ("cart_id") REFERENCES "cart" ("id") ON DELETE CASCADE, FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "cart_line_cart_id" ON "cart_line" ("cart_id")',
    'CREATE INDEX "cart_line_product_id" ON "cart_line" ("product_id")',
    'CREATE UNIQUE INDEX "cart_line_cart_id_product_id" ON "cart_line" ("cart_id", "product_id")',
    'CREATE TABLE "wishlist" ("id" {pk}, "user_id" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE UNIQUE INDEX "wishlist_user_id" ON "wishlist" ("user_id")',
    'CREATE TABLE "wishlist_line" ("id" {pk}, "wishlist_id" INTEGER NOT NULL, "product_id" INTEGER NOT NULL, "added_at" {ts} NOT NULL, FOREIGN KEY ("wishlist_id") REFERENCES "wishlist" ("id") ON DELETE CASCADE, FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "wishlist_line_wishlist_id" ON "wishlist_line" ("wishlist_id")',
    'CREATE INDEX "wishlist_line_product_id" ON "wishlist_line" ("product_id")',
    'CREATE UNIQUE INDEX "wishlist_line_wishlist_id_product_id" ON "wishlist_line" ("wishlist_id", "product_id")',
    'CREATE TABLE "orders" ("id" {pk}, "user_id" INTEGER NOT NULL, "created_at" {ts} NOT NULL, "subtotal_cents" INTEGER NOT NULL CHECK (subtotal_cents >= 0), "shipping_cents" INTEGER NOT NULL CHECK (shipping_cents >= 0), "total_cents" INTEGER NOT NULL CHECK (total_cents >= 0), "ship_address" TEXT NOT NULL, "checkout_key" VARCHAR(64), FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE RESTRICT)',
    'CREATE INDEX "orders_user_id" ON "orders" ("user_id")',
    'CREATE UNIQUE INDEX "orders_checkout_key" ON "orders" ("checkout_key")',
    'CREATE INDEX "orders_user_id_created_at" ON "orders" ("user_id", "created_at")',
    'CREATE TABLE "order_line" ("id" {pk}, "order_id" INTEGER NOT NULL, "product_id" INTEGER, "sku" VARCHAR(64) NOT NULL, "name" VARCHAR(200) NOT NULL, "unit_price_cents" INTEGER NOT NULL CHECK (unit_price_cents >= 0), "quantity" INTEGER NOT NULL CHECK (quantity >= 1 AND quantity <= 99), FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE CASCADE, FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE SET NULL)',
    'CREATE INDEX "order_line_order_id" ON "order_line" ("order_id")',
    'CREATE INDEX "order_line_product_id" ON "order_line" ("product_id")',
    'CREATE TABLE "remember_token" ("id" {pk}, "user_id" INTEGER NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "kind" VARCHAR(10) NOT NULL, "created_at" {ts} NOT NULL, "expires_at" {ts} NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "remember_token_user_id" ON "remember_token" ("user_id")',
    'CREATE UNIQUE INDEX "remember_token_token_hash" ON "remember_token" ("token_hash")',
    'CREATE TABLE "login_failure" ("id" {pk}, "email_key" VARCHAR(254) NOT NULL, "at" {ts} NOT NULL)',
    'CREATE INDEX "login_failure_email_key_at" ON "login_failure" ("email_key", "at")',
]

# Two external-content FTS5 indexes of product names: words (for 1-2 letter prefixes)
# and trigrams (for any 3+ letter piece of a word: "phone" finds "Headphone").
_FTS = {"product_fts": "unicode61 remove_diacritics 2", "product_tri": "trigram"}
_SQLITE_SEARCH = [
    sql.format(t=table, tok=tokenizer)
    for table, tokenizer in _FTS.items()
    for sql in (
        "CREATE VIRTUAL TABLE \"{t}\" USING fts5(name, content='product', content_rowid='id', tokenize='{tok}')",
        'CREATE TRIGGER "{t}_ai" AFTER INSERT ON "product" BEGIN INSERT INTO {t}(rowid, name) VALUES (new.id, new.name); END',
        'CREATE TRIGGER "{t}_ad" AFTER DELETE ON "product" BEGIN INSERT INTO {t}({t}, rowid, name) VALUES (\'delete\', old.id, old.name); END',
        'CREATE TRIGGER "{t}_au" AFTER UPDATE OF name ON "product" BEGIN INSERT INTO {t}({t}, rowid, name) VALUES (\'delete\', old.id, old.name); INSERT INTO {t}(rowid, name) VALUES (new.id, new.name); END',
    )
]

# PostgreSQL: trigram index for the same substring search (ILIKE '%word%').
_POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    'CREATE INDEX "product_name_trgm" ON "product" USING gin ("name" gin_trgm_ops)',
]

_DROP = [
    "order_line",
    "orders",
    "wishlist_line",
    "wishlist",
    "cart_line",
    "cart",
    "remember_token",
    "login_failure",
    "product",
    "user",
]


def up(dialect: str) -> list[str]:
    statements = [sql.format(**TYPES[dialect]) for sql in _TABLES]
    statements += _SQLITE_SEARCH if dialect == "sqlite" else _POSTGRES_SEARCH
    return statements


def down(dialect: str) -> list[str]:
    statements = [f'DROP TABLE IF EXISTS "{t}"' for t in _FTS] if dialect == "sqlite" else []
    return statements + [f'DROP TABLE IF EXISTS "{table}"' for table in _DROP]
