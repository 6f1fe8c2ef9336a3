"""0003: attempts counted by kind and purged by age; the shop's own secret.

`login_failure` gains `kind` ("login" for passwords and reset answers, the rows it
already holds; "question" for the reset form's question step), an index led by the
email key and kind for the lockout count, and one on `at` for purging old rows.
`shop_secret` holds random secrets made once per database (the key the reset form's
decoy questions and masked log identifiers are derived from); the store makes its row
on first use, so the value is never in a migration or a log.

Down drops the question rows and the column (SQLite 3.35+ has DROP COLUMN), and the
secret: a later upgrade makes a new one, so decoy questions change then.
"""

from __future__ import annotations

_UP = [
    """ALTER TABLE "login_failure" ADD COLUMN "kind" VARCHAR(10) NOT NULL DEFAULT 'login'""",
    'DROP INDEX "login_failure_email_key_at"',
    'CREATE INDEX "login_failure_email_key_kind_at" ON "login_failure" ("email_key", "kind", "at")',
    'CREATE INDEX "login_failure_at" ON "login_failure" ("at")',
    'CREATE TABLE "shop_secret" ("name" VARCHAR(40) NOT NULL PRIMARY KEY, "value" VARCHAR(128) NOT NULL)',
]

_DOWN = [
    'DROP TABLE IF EXISTS "shop_secret"',
    'DROP INDEX IF EXISTS "login_failure_at"',
    'DROP INDEX IF EXISTS "login_failure_email_key_kind_at"',
    """DELETE FROM "login_failure" WHERE "kind" <> 'login'""",
    'ALTER TABLE "login_failure" DROP COLUMN "kind"',
    'CREATE INDEX "login_failure_email_key_at" ON "login_failure" ("email_key", "at")',
]


def up(dialect: str) -> list[str]:
    return list(_UP)


def down(dialect: str) -> list[str]:
    return list(_DOWN)
