"""0007: product pictures, and each SSH key's preferences.

`product_image` holds at most one picture per product (a PNG the store made from the
admin's file; see `store/pictures.py`), deleted with its product. `client_preference`
holds what a client chose (its theme), keyed by the same hash of the SSH key that the
remembered logins use.

Down drops both tables (the pictures and remembered themes go with them).
"""

from __future__ import annotations

TYPES = {
    "sqlite": {"ts": "DATETIME", "blob": "BLOB"},
    "postgres": {"ts": "TIMESTAMP", "blob": "BYTEA"},
}

_UP = [
    'CREATE TABLE "product_image" ("product_id" INTEGER NOT NULL PRIMARY KEY, '
    '"mime" VARCHAR(20) NOT NULL, "width" INTEGER NOT NULL, "height" INTEGER NOT NULL, '
    '"data" {blob} NOT NULL, "updated_at" {ts} NOT NULL, '
    'FOREIGN KEY ("product_id") REFERENCES "product" ("id") ON DELETE CASCADE)',
    'CREATE TABLE "client_preference" ("client_hash" VARCHAR(64) NOT NULL PRIMARY KEY, '
    '"theme" VARCHAR(60) NOT NULL, "updated_at" {ts} NOT NULL)',
]

_DOWN = ['DROP TABLE IF EXISTS "client_preference"', 'DROP TABLE IF EXISTS "product_image"']


def up(dialect: str) -> list[str]:
    return [sql.format(**TYPES[dialect]) for sql in _UP]


def down(dialect: str) -> list[str]:
    return list(_DOWN)
