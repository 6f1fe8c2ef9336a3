"""The logins a process serves, and the guard every write on a shopper's behalf runs.

A password change or reset adds one to `user.credentials_version`. The App tells
`Logins` the version its shopper logged in with (`begin`) and forgets it at log out
(`end`). Every write made for a user (cart, wishlist, checkout, address, consent,
question, password) calls `check(user_id)` inside its own transaction: the version is
read there, and on PostgreSQL the user row is locked with it (FOR SHARE; FOR NO KEY
UPDATE for writes to the user row itself, so two of those never deadlock upgrading a
shared lock, while foreign-key checks on the row go on), so a concurrent reset either
waits for the write or is seen by it.
A session whose version moved is refused with `SessionEnded` and nothing is written.

A user this process holds no login for (the admin CLI, scripts) is not checked: the
rule is about live sessions, and the CLI has none. Each SSH session is its own process
with its own `Services`, so one `Logins` serves one shopper there.
"""

from __future__ import annotations

from peewee import Select

from buynow_tui.logs import get_logger
from buynow_tui.store.compiled import Compiled, Param
from buynow_tui.store.db import connection, is_postgres
from buynow_tui.store.errors import SessionEnded
from buynow_tui.store.models import User

log = get_logger("logins")


def row_lock(query: Select, clause: str) -> Select:
    """`query` with a row lock (`FOR SHARE`, `FOR UPDATE`) on PostgreSQL.

    SQLite has no row locks and needs none: every write transaction there is
    `BEGIN IMMEDIATE`, which already runs one writer at a time. Call it where the query
    is built (inside a `Compiled` builder, which builds per bound database).
    """
    return query.for_update(clause) if is_postgres() else query  # type: ignore[arg-type]


def _version(lock: str | None) -> Select:
    query = User.select(User.credentials_version).where(User.id == Param("user"))
    return row_lock(query, lock) if lock else query


_VERSION = Compiled(lambda: _version(None))
_VERSION_SHARED = Compiled(lambda: _version("FOR SHARE"))
_VERSION_EXCLUSIVE = Compiled(lambda: _version("FOR NO KEY UPDATE"))


class Logins:
    """User id -> the credentials version this process's session logged in with."""

    def __init__(self) -> None:
        self._versions: dict[int, int] = {}

    def begin(self, user_id: int, version: int) -> None:
        self._versions[user_id] = version

    def end(self, user_id: int) -> None:
        self._versions.pop(user_id, None)

    def renew(self, user_id: int, version: int) -> None:
        """This session changed the password itself: it goes on with the new version."""
        if user_id in self._versions:
            self._versions[user_id] = version

    def held(self, user_id: int) -> int | None:
        return self._versions.get(user_id)

    def check(self, user_id: int, *, exclusive: bool = False) -> int | None:
        """Inside a write transaction: refuse a session whose login is out of date.

        Returns the user's current version when this process holds a login for them
        (None otherwise, and then nothing is read). `exclusive` for a write that
        updates the user row itself.
        """
        if user_id not in self._versions:
            return None
        query = _VERSION_EXCLUSIVE if exclusive else _VERSION_SHARED
        row = query.first({"user": user_id})
        return self.compare(user_id, row["credentials_version"] if row else None)

    def compare(self, user_id: int, found: int | None) -> int | None:
        """Refuse if `found` (the version just read, None for no such user) is not the
        one this session logged in with."""
        expected = self._versions.get(user_id)
        if expected is not None and found != expected:
            log.warning("session refused: the password changed since this login")
            raise SessionEnded()
        return found

    def verify(self, user_id: int) -> None:
        """The same check outside a write: when a screen opens."""
        if user_id not in self._versions:
            return
        with connection():
            row = _VERSION.first({"user": user_id})
        self.compare(user_id, row["credentials_version"] if row else None)
