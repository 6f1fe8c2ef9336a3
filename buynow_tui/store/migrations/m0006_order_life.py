"""0006: orders that live (issue 14): a state, a number per shopper, tracking, events.

`orders` gains:

- `number`, the shopper's own number for the order ("#1" is their first; the global
  `id` stays the key, and what the admin CLI names orders by), unique per shopper.
  Existing orders are numbered by id within each shopper;
- `status`, one of placed, paid, shipped, delivered, cancelled, refunded. Until
  payment exists an order is paid once placed, so existing orders become `paid`;
- `carrier`, `tracking_number` and `tracking_url`, set when the order ships.

`order_event` holds every change of state (from, to, when, who, a note), written in
the transaction that made it. Existing orders get their two events, placed and paid,
at the time they were placed, by the system.

Going down drops the events and the new columns (so `db downgrade` names the rows it
would lose). A cancelled order would then look live again, though its stock was
returned: take a backup first.
"""

from __future__ import annotations

_TS = {"sqlite": "DATETIME", "postgres": "TIMESTAMP"}
_PK = {"sqlite": "INTEGER NOT NULL PRIMARY KEY", "postgres": "SERIAL NOT NULL PRIMARY KEY"}

_STATES = "'placed', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'"

_COLUMNS = [
    'ALTER TABLE "orders" ADD COLUMN "number" INTEGER NOT NULL DEFAULT 0',
    'ALTER TABLE "orders" ADD COLUMN "status" VARCHAR(12) NOT NULL DEFAULT \'paid\' '
    f"CHECK (status IN ({_STATES}))",
    'ALTER TABLE "orders" ADD COLUMN "carrier" VARCHAR(20)',
    'ALTER TABLE "orders" ADD COLUMN "tracking_number" VARCHAR(40)',
    'ALTER TABLE "orders" ADD COLUMN "tracking_url" VARCHAR(100)',
    # Each shopper's orders numbered 1, 2, ... in the order they were placed.
    'UPDATE "orders" SET "number" = (SELECT COUNT(*) FROM "orders" AS "earlier" '
    'WHERE "earlier"."user_id" = "orders"."user_id" AND "earlier"."id" <= "orders"."id")',
    'CREATE UNIQUE INDEX "orders_user_id_number" ON "orders" ("user_id", "number")',
    'CREATE INDEX "orders_status_created_at" ON "orders" ("status", "created_at")',
]

_EVENTS = (
    'CREATE TABLE "order_event" ("id" {pk}, "order_id" INTEGER NOT NULL, '
    '"user_id" INTEGER NOT NULL, "from_status" VARCHAR(12), "to_status" VARCHAR(12) NOT NULL, '
    '"at" {ts} NOT NULL, "actor_kind" VARCHAR(8) NOT NULL, "actor" VARCHAR(64) NOT NULL, '
    '"note" TEXT NOT NULL, '
    'FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)'
)

_EVENT_INDEXES = [
    'CREATE INDEX "order_event_order_id_id" ON "order_event" ("order_id", "id")',
    'CREATE INDEX "order_event_user_id_id" ON "order_event" ("user_id", "id")',
]


def _history(from_status: str, to_status: str, note: str) -> str:
    origin = "NULL" if from_status == "" else f"'{from_status}'"
    return (
        'INSERT INTO "order_event" ("order_id", "user_id", "from_status", "to_status", "at", '
        '"actor_kind", "actor", "note") '
        f"SELECT \"id\", \"user_id\", {origin}, '{to_status}', \"created_at\", 'system', '', "
        f'\'{note}\' FROM "orders" ORDER BY "id"'
    )


def up(dialect: str) -> list[str]:
    return [
        *_COLUMNS,
        _EVENTS.format(pk=_PK[dialect], ts=_TS[dialect]),
        *_EVENT_INDEXES,
        _history("", "placed", ""),
        _history("placed", "paid", "paid on placing (before payments)"),
    ]


def down(dialect: str) -> list[str]:
    return [
        'DROP TABLE IF EXISTS "order_event"',
        'DROP INDEX IF EXISTS "orders_status_created_at"',
        'DROP INDEX IF EXISTS "orders_user_id_number"',
        'ALTER TABLE "orders" DROP COLUMN "tracking_url"',
        'ALTER TABLE "orders" DROP COLUMN "tracking_number"',
        'ALTER TABLE "orders" DROP COLUMN "carrier"',
        'ALTER TABLE "orders" DROP COLUMN "status"',
        'ALTER TABLE "orders" DROP COLUMN "number"',
    ]
