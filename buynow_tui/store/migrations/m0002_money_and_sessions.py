"""0002: 64-bit money, and a credentials version on each user.

PostgreSQL's INTEGER is 32 bits: a total above $21,474,836.47 could not be stored,
and checkout failed with a raw error. Every money column becomes BIGINT there (SQLite's
INTEGER is already 64-bit, so nothing changes on SQLite for money).

`user.credentials_version` goes up by one with every password change or reset; a live
session remembers the version it logged in with and is refused once it differs
(see `store/logins.py`).
"""

from __future__ import annotations

#: (table, column) of every amount of money.
MONEY = (
    ("product", "price_cents"),
    ("orders", "subtotal_cents"),
    ("orders", "shipping_cents"),
    ("orders", "total_cents"),
    ("order_line", "unit_price_cents"),
)

_ADD_VERSION = 'ALTER TABLE "user" ADD COLUMN "credentials_version" INTEGER NOT NULL DEFAULT 0'
_DROP_VERSION = 'ALTER TABLE "user" DROP COLUMN "credentials_version"'


def _money(to: str) -> list[str]:
    return [f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {to}' for table, column in MONEY]


def up(dialect: str) -> list[str]:
    return [_ADD_VERSION] + (_money("BIGINT") if dialect == "postgres" else [])


def down(dialect: str) -> list[str]:
    # Back to 32 bits fails (and changes nothing) if an amount no longer fits.
    return (_money("INTEGER") if dialect == "postgres" else []) + [_DROP_VERSION]
