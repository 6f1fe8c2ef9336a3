"""Opening the database: SQLite (embedded default) or PostgreSQL by URL.

`init_db(url)` binds the models' `DatabaseProxy`; nothing happens at import time.
SQLite runs in WAL with a busy timeout and foreign keys on; every write transaction
is `BEGIN IMMEDIATE` (see `write()`), so two writers queue instead of deadlocking on
a lock upgrade. Each service call runs inside `session()`, which opens the calling
thread's connection if needed and closes it when the outermost call ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from peewee import Database, PostgresqlDatabase, SqliteDatabase

from buynow_tui.store.models import database

SQLITE_PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
}


class StoreNotReady(RuntimeError):
    """The database was used before `init_db`."""


def make_database(url: str) -> Database:
    """A peewee Database for `sqlite:///path` or `postgresql://…` (not yet connected)."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not path or path == ":memory:":
            raise ValueError("SQLite needs a file path: sqlite:////absolute/path.db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=5)
    if scheme in ("postgres", "postgresql"):
        from playhouse.pool import PooledPostgresqlDatabase

        # Query parameters pass through to libpq (e.g. ?options=-csearch_path%3Dshop).
        extra = dict(parse_qsl(parsed.query))
        return PooledPostgresqlDatabase(
            (parsed.path or "/").lstrip("/") or "postgres",
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            max_connections=8,
            stale_timeout=300,
            **extra,
        )
    raise ValueError(f"unsupported database URL scheme {scheme!r} (use sqlite:/// or postgresql://)")


def init_db(url: str, *, migrate: bool = True) -> Database:
    """Bind the store to the database at `url`; bring its schema up to date if asked."""
    db = make_database(url)
    if database.obj is not None and not database.is_closed():
        database.close()
    database.initialize(db)
    if migrate:
        from buynow_tui.store.migrate import upgrade

        upgrade()
    return db


def close_db() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def dialect() -> str:
    return "sqlite" if is_sqlite() else "postgres"


@contextmanager
def session() -> Iterator[None]:
    """The calling thread's connection for the length of one service call."""
    if database.obj is None:
        raise StoreNotReady("init_db() has not been called")
    with database.connection_context():
        yield


@contextmanager
def write() -> Iterator[None]:
    """A write transaction: BEGIN IMMEDIATE on SQLite, a plain transaction elsewhere."""
    with session():
        if is_sqlite():
            with database.atomic("IMMEDIATE"):
                yield
        else:
            with database.atomic():
                yield
