"""What every process that runs the shop shares, before and around the app: a leaf.

`launch` (the `buynow` command), the Typer CLI and the SSH fork server all start the
same app; what they must set up the same way lives here, below all of them, so none of
them imports another. Nothing here imports Textual, peewee or the store.
"""

from __future__ import annotations

import gc
import os
import sys

from buynow_tui.config import has_own_driver

#: Frames per second Textual may draw (its default is 60): a key's result waits for the
#: next frame, so at 60 a search result took ~8 ms longer on average (bench/keystroke.py).
#: Frames are drawn only when something changed, so an idle shop costs nothing more.
FRAME_RATE = "120"

NEEDS_A_TERMINAL = "buynow needs a terminal; see buynow --help"

#: What peewee tries to import at its own import, besides sqlite3: server drivers.
SERVER_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")

#: Allocations between young-generation collections, and young (then middle) collections
#: between older ones (CPython's defaults: 700, 10, 10).
GC_YOUNG_THRESHOLD = 20_000
GC_OLDER_EVERY = 20
#: After this long the app's long-lived objects (widgets, styles, caches) are frozen:
#: moved out of the collector's sight, so full collections stop walking them.
GC_FREEZE_AFTER = 1.0


def prepare_environment() -> None:
    """Settings Textual reads when it is imported; an explicit TEXTUAL_FPS wins."""
    os.environ.setdefault("TEXTUAL_FPS", FRAME_RATE)


def not_a_terminal() -> bool:
    """Whether the shop would start with no terminal to draw on or read keys from.

    `buynow | head` or `buynow > file` would start the full-screen app into a pipe and
    hang there. Every SSH session has a PTY, so it is unaffected. A process given a
    Textual driver of its own (as a web front end does) talks to that instead of a
    terminal.
    """
    if has_own_driver():
        return False
    try:
        return not (sys.stdin.isatty() and sys.stdout.isatty())
    except (AttributeError, ValueError):  # closed, or replaced by something else
        return True


def import_peewee_for(database_url: str) -> None:
    """Import peewee; for a SQLite URL, without the server drivers it would load.

    peewee imports every database server driver it finds installed when it is first
    imported: psycopg2 alone took ~8 ms of the shop's start. Only for a process whose
    database is fixed, like the shop's: peewee keeps what it found at import, so this
    process would then get peewee's "driver not found" if it were asked for PostgreSQL.
    The drivers themselves stay importable.
    """
    if "peewee" in sys.modules or not database_url.lower().startswith("sqlite:"):
        return
    hidden = [name for name in SERVER_DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` fails fast
    try:
        import peewee  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


def tune_gc() -> float:
    """Collect less often in the process's one app; returns the seconds after mount at
    which its long-lived objects should be frozen (`gc.freeze`).

    Textual makes many short-lived objects per frame; with CPython's default thresholds
    the cyclic collector ran often, and its full passes over the app's whole object graph
    were the slowest keystrokes (search-as-you-type p95 96 -> 60 ms in bench/keystroke.py,
    100,000 products). Garbage is still collected, just in larger batches.
    """
    gc.set_threshold(GC_YOUNG_THRESHOLD, GC_OLDER_EVERY, GC_OLDER_EVERY)
    return GC_FREEZE_AFTER
