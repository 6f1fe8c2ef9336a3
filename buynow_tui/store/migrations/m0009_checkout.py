"""0009: the checkout of issue 15 — addresses, saved cards, payments, the mail outbox.

`address`: a shopper's addresses, one the default. `saved_card`: a card kept for next
time as the gateway's token, brand, last four digits and expiry (never the number or
the CVC). `payment`: the ledger of calls to the payment gateway, one row per
idempotency key. `outbox_mail`: receipts waiting for (or sent through) the SMTP server.

`orders` gains its own copy of how it was delivered and paid: `delivery_option`
(older orders were all "standard"), `card_brand` and `card_last4` (empty for orders no
gateway charged). How far its payment got is the order's `status` from m0006 (placed
while being charged, then paid or cancelled), so no column here touches what m0006
added, and the sweep of orders left unpaid uses m0006's (status, created_at) index.
This migration needs m0006 (the `orders` table as it made it) and nothing after it.
Down drops them all (SQLite 3.35+ has DROP COLUMN).
"""

from __future__ import annotations

from buynow_tui.store.migrations.m0001_initial import TYPES

_TABLES = [
    'CREATE TABLE "address" ("id" {pk}, "user_id" INTEGER NOT NULL, "name" VARCHAR(50) NOT NULL, "line1" VARCHAR(60) NOT NULL, "line2" VARCHAR(60) NOT NULL, "city" VARCHAR(40) NOT NULL, "region" VARCHAR(30) NOT NULL, "postal_code" VARCHAR(10) NOT NULL, "country" VARCHAR(2) NOT NULL, "phone" VARCHAR(20) NOT NULL, "is_default" {bool} NOT NULL, "created_at" {ts} NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "address_user_id" ON "address" ("user_id")',
    'CREATE TABLE "saved_card" ("id" {pk}, "user_id" INTEGER NOT NULL, "token" VARCHAR(64) NOT NULL, "brand" VARCHAR(20) NOT NULL, "last4" VARCHAR(4) NOT NULL, "exp_month" INTEGER NOT NULL, "exp_year" INTEGER NOT NULL, "created_at" {ts} NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "saved_card_user_id" ON "saved_card" ("user_id")',
    'CREATE UNIQUE INDEX "saved_card_token" ON "saved_card" ("token")',
    'CREATE TABLE "payment" ("id" {pk}, "idempotency_key" VARCHAR(100) NOT NULL, "kind" VARCHAR(10) NOT NULL, "order_id" INTEGER, "amount_cents" {money} NOT NULL CHECK (amount_cents >= 0), "currency" VARCHAR(3) NOT NULL, "status" VARCHAR(20) NOT NULL, "charge_id" VARCHAR(64), "brand" VARCHAR(20) NOT NULL, "last4" VARCHAR(4) NOT NULL, "message" VARCHAR(200) NOT NULL, "created_at" {ts} NOT NULL, FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX "payment_idempotency_key" ON "payment" ("idempotency_key")',
    'CREATE INDEX "payment_order_id" ON "payment" ("order_id")',
    'CREATE TABLE "outbox_mail" ("id" {pk}, "key" VARCHAR(100) NOT NULL, "to_addr" VARCHAR(254) NOT NULL, "subject" VARCHAR(200) NOT NULL, "body" TEXT NOT NULL, "created_at" {ts} NOT NULL, "attempts" INTEGER NOT NULL DEFAULT 0, "next_attempt_at" {ts} NOT NULL, "sent_at" {ts}, "last_error" VARCHAR(200) NOT NULL DEFAULT \'\')',
    'CREATE UNIQUE INDEX "outbox_mail_key" ON "outbox_mail" ("key")',
    'CREATE INDEX "outbox_mail_next_attempt_at" ON "outbox_mail" ("next_attempt_at")',
]

_ORDER_COLUMNS = [
    """ALTER TABLE "orders" ADD COLUMN "delivery_option" VARCHAR(20) NOT NULL DEFAULT 'standard'""",
    """ALTER TABLE "orders" ADD COLUMN "card_brand" VARCHAR(20) NOT NULL DEFAULT ''""",
    """ALTER TABLE "orders" ADD COLUMN "card_last4" VARCHAR(4) NOT NULL DEFAULT ''""",
]

_DOWN = [
    'DROP TABLE IF EXISTS "outbox_mail"',
    'DROP TABLE IF EXISTS "payment"',
    'DROP TABLE IF EXISTS "saved_card"',
    'DROP TABLE IF EXISTS "address"',
    'ALTER TABLE "orders" DROP COLUMN "card_last4"',
    'ALTER TABLE "orders" DROP COLUMN "card_brand"',
    'ALTER TABLE "orders" DROP COLUMN "delivery_option"',
]


def up(dialect: str) -> list[str]:
    types = dict(TYPES[dialect], money="BIGINT" if dialect == "postgres" else "INTEGER")
    return [sql.format(**types) for sql in _TABLES] + list(_ORDER_COLUMNS)


def down(dialect: str) -> list[str]:
    return list(_DOWN)
