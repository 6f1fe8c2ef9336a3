"""The one place a failure becomes words: one line for an admin, a sentence for a shopper.

A domain error (`StoreError`) already speaks for itself. What the database, the disk or
the text encoding refused is put into the same words everywhere: by the CLI and the
`buynow` command (`for_admin`, one `error:` line, `error_line`) and by the app's workers
(`for_shopper`, which never shows a raw driver message). Anything else is a bug: the
CLI lets it end in a traceback, the app logs it in full and says so politely.

Plain Python: peewee's error classes are looked at only if peewee is already imported
(only then can an error be one of its).
"""

from __future__ import annotations

import sys

from buynow_tui.config import ConfigError
from buynow_tui.store.errors import StoreError

NOTHING_CHANGED = "Nothing was changed."


def error_line(message: str) -> str:
    """`error: message` on one line, whatever the admin typed: a file name or an argument
    holding ESC or a newline is shown escaped, never sent raw to their terminal."""
    from buynow_tui.logs import escape_control

    return f"error: {escape_control(message)}"


def database_problem(error: BaseException) -> str:
    """What a database error means, in a few words (its first line if nothing better)."""
    text = str(error).splitlines()[0] if str(error) else error.__class__.__name__
    lowered = text.lower()
    if "disk" in lowered and "full" in lowered:
        return "the disk is full"
    if "readonly" in lowered or "read-only" in lowered:
        return "the database is read-only"
    if "locked" in lowered:
        return "the database is busy; try again"
    return text[:200]


def _is_database_error(error: BaseException) -> bool:
    if "peewee" not in sys.modules:
        return False
    from peewee import DatabaseError, InterfaceError

    return isinstance(error, (DatabaseError, InterfaceError))


def for_admin(error: BaseException) -> str | None:
    """The one line an admin sees for a failure that is not a bug; None for a bug."""
    if isinstance(error, (StoreError, ConfigError)):
        return str(error)
    if _is_database_error(error):
        return f"the database refused the change: {database_problem(error)}"
    if isinstance(error, OSError):
        return f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
    if isinstance(error, UnicodeError):
        return "the input is not valid UTF-8 text"
    return None


def for_shopper(error: BaseException) -> StoreError:
    """A failure of a store call made for a shopper, as a domain error they can read.

    A `StoreError` is its own message; a full disk, a read-only database or a lock held
    too long are said in words; anything else is "something went wrong" (the caller has
    logged it in full).
    """
    if isinstance(error, StoreError):
        return error
    text = str(error).lower()
    if "disk" in text and "full" in text:
        return StoreError(f"The shop could not save that: the disk is full. {NOTHING_CHANGED}")
    if "readonly" in text or "read-only" in text:
        return StoreError(
            f"The shop could not save that: its database is read-only. {NOTHING_CHANGED}"
        )
    if "locked" in text:
        return StoreError("The shop is busy. Please try again.")
    return StoreError(f"Something went wrong; it has been logged. {NOTHING_CHANGED}")
