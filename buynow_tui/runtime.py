"""What every process that runs the shop shares, before and around the app: a leaf.

`launch` (the `buynow` command), the Typer CLI and the SSH fork server all start the
same app; what they must set up the same way lives here, below all of them, so none of
them imports another. Nothing here imports Textual, peewee or the store.
"""

from __future__ import annotations

import gc
import os
import sys

#: Frames per second Textual may draw (its default is 60): a key's result waits for the
#: next frame, so at 60 a search result took ~8 ms longer on average (bench/keystroke.py).
#: Frames are drawn only when something changed, so an idle shop costs nothing more.
FRAME_RATE = "120"

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
