"""0008: the browsers the web front end knows (`web_client`).

Each row is one browser, keyed by the SHA-256 of the random id its cookie holds (the id
itself is never stored): whether it accepted the consent notice while nobody was logged
in, when it was first and last seen (rows unseen for the cookie's 30 days are purged by
`seen_at`). A browser's Remember me is a `remember_token` row of kind "web", as an SSH
key's is of kind "ssh", so a password change or reset revokes it with the others.

Down drops the table and the web Remember me rows (those browsers log in again).
"""

from __future__ import annotations

_TS = {"sqlite": "DATETIME", "postgres": "TIMESTAMP"}


def up(dialect: str) -> list[str]:
    ts = _TS[dialect]
    return [
        'CREATE TABLE "web_client" ("client_hash" VARCHAR(64) NOT NULL PRIMARY KEY, '
        f'"consent_at" {ts}, "created_at" {ts} NOT NULL, "seen_at" {ts} NOT NULL)',
        'CREATE INDEX "web_client_seen_at" ON "web_client" ("seen_at")',
    ]


def down(dialect: str) -> list[str]:
    return [
        """DELETE FROM "remember_token" WHERE "kind" = 'web'""",
        'DROP INDEX IF EXISTS "web_client_seen_at"',
        'DROP TABLE IF EXISTS "web_client"',
    ]
