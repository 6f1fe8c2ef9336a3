"""The lockout: every check of a secret is an attempt, counted before it is checked.

Every check of a secret (the password at log in, change password and change question;
the answer at reset) is an attempt counted under the account's email key, unknown
emails too, so a lock reveals nothing. The attempt is *reserved* before bcrypt runs:
one short write transaction, serialised per key (SQLite's `BEGIN IMMEDIATE`; on
PostgreSQL a transaction-level advisory lock on a hash of the key, since READ COMMITTED
would let two transactions count the same rows), counts the key's attempts within the
window and, below the limit, inserts a row. So at most `lockout_failures` guesses per
window are ever checked, however many arrive at once; the others are refused
unchecked, and refusals add nothing (hammering a locked account does not extend its
lock). A wrong guess leaves its row; a success deletes the key's rows, as a success
always cleared the earlier failures. Rows older than the window are purged as attempts
come.

The reset form's question step is counted the same way in a bucket of its own
(`QUESTION`): five look-ups of one email within the window, and the next is refused
with the lock message (as is a look-up while the account is locked).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from buynow_tui.clock import Clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.db import connection, is_postgres, write
from buynow_tui.store.errors import LockedError
from buynow_tui.store.models import LoginFailure, database

log = get_logger("accounts")  # the lines an admin reads about accounts, wherever counted

#: The buckets attempts are counted in (`LoginFailure.kind`).
LOGIN = "login"
QUESTION = "question"


def failure_key(email: str) -> str:
    """What failed attempts are counted under: the email as compared, cut to the width of
    `LoginFailure.email_key` (the longest valid email), which PostgreSQL enforces."""
    return v.email_key(email)[: v.EMAIL_MAX]


def stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def _lock_id(key: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock id for one email key."""
    digest = hashlib.sha256(b"buynow-attempts:" + key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Attempts:
    """Attempts at secrets, per email key, within the lockout window."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    def locked_until_at(self, key: str, now: datetime, kind: str = LOGIN) -> datetime | None:
        """Inside a connection: until when `key` is locked at `now`, or None."""
        window = timedelta(minutes=self.settings.lockout_minutes)
        recent = list(
            LoginFailure.select(LoginFailure.at)
            .where(
                (LoginFailure.email_key == key)
                & (LoginFailure.kind == kind)
                & (LoginFailure.at > now - window)
            )
            .order_by(LoginFailure.at.desc())
            .limit(self.settings.lockout_failures)
        )
        if len(recent) < self.settings.lockout_failures:
            return None
        until: datetime = recent[0].at + window
        return until

    def locked_until(self, email: str) -> datetime | None:
        with connection():
            return self.locked_until_at(failure_key(email), self.clock())

    def _purge(self, now: datetime) -> None:
        """Delete every attempt older than the window: they no longer count. On
        PostgreSQL rows another transaction holds are skipped (and left for the next
        purge), so a purge never waits and never deadlocks with another delete."""
        window = timedelta(minutes=self.settings.lockout_minutes)
        old = LoginFailure.select(LoginFailure.id).where(LoginFailure.at <= now - window)
        if is_postgres():
            old = old.for_update(skip_locked=True)
        LoginFailure.delete().where(LoginFailure.id.in_(old)).execute()

    def reserve(self, key: str, kind: str) -> None:
        """Count an attempt on `key` before it is checked; `LockedError` (nothing
        counted) if the key is locked. Serialised per key: see the module's docstring."""
        now = self.clock()
        with write():
            if is_postgres():
                database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_lock_id(key),))
            self._purge(now)
            until = self.locked_until_at(key, now, LOGIN)
            if kind != LOGIN:
                until = max(
                    filter(None, (until, self.locked_until_at(key, now, kind))), default=None
                )
            if until is None:
                LoginFailure.insert(email_key=key, kind=kind, at=now).execute()
        if until is not None:
            raise LockedError(until)

    def attempt(self, key: str, what: str, who: str, user: str | None = None) -> None:
        """Reserve an attempt at a secret (`what`: "log in", "reset", …); log a refusal."""
        extra = {"user": user} if user else None
        try:
            self.reserve(key, LOGIN)
        except LockedError as locked:
            log.warning(
                "%s refused for %s: locked until %s", what, who, stamp(locked.until), extra=extra
            )
            raise

    def failed(self, key: str, what: str, who: str, user: str | None = None) -> None:
        """A checked secret was wrong (its reserved row stays): log it, and raise
        `LockedError` if that was the last guess the window allows."""
        extra = {"user": user} if user else None
        with connection():
            until = self.locked_until_at(key, self.clock())
        if until is not None:
            log.warning("failed %s for %s; locked until %s", what, who, stamp(until), extra=extra)
            raise LockedError(until)
        log.warning("failed %s for %s", what, who, extra=extra)

    @staticmethod
    def forget(key: str) -> None:
        """Inside a write: a secret was right, the key's attempts (both buckets) no
        longer count."""
        LoginFailure.delete().where(LoginFailure.email_key == key).execute()
