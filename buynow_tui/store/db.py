"""Opening the database: SQLite (embedded default) or PostgreSQL by URL.

`init_db(url)` binds the models' `DatabaseProxy`; nothing happens at import time.
SQLite runs in WAL with a busy timeout and foreign keys on; every write transaction
is `BEGIN IMMEDIATE` (see `write()`), so two writers queue instead of deadlocking on
a lock upgrade. Each service call runs inside `session()`, which takes a connection
for the calling thread and hands it back when the outermost call ends.

Both backends pool their connections. For SQLite this is what keeps the store fast:
a fresh connection starts with a cold page cache and schema, and closing the last
connection to a WAL database checkpoints and deletes the WAL. Opening and closing one
per call made every search re-read its pages and every checkout pay a checkpoint
(with its fsync). A forked child never reuses its parent's pooled connections.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from peewee import (
    Context,
    Database,
    Field,
    Insert,
    Node,
    OperationalError,
    PostgresqlDatabase,
    Query,
    SqliteDatabase,
)

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
        path = sqlite_path(url)
        if path is None:
            raise ValueError("SQLite needs a file path: sqlite:////absolute/path.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        make_private(path)
        from playhouse.pool import PooledSqliteDatabase

        # Pooled connections move between worker threads, one thread at a time.
        return PooledSqliteDatabase(
            path,
            pragmas=SQLITE_PRAGMAS,
            max_connections=None,
            stale_timeout=600,
            check_same_thread=False,
        )
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


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite:///path` URL; None for any other URL (or `:memory:`)."""
    if not url.lower().startswith("sqlite:///"):
        return None
    path = unquote(url[len("sqlite:///") :])
    return Path(path) if path and path != ":memory:" else None


#: The modes of the database file and of the folder an embedded database lives in.
PRIVATE_FILE = 0o600


def make_private(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does; take others' access away from an
    existing one.

    It holds every password and answer hash. SQLite would create it 0644 (under the
    usual umask), and it creates the -wal and -shm files with the database file's
    mode, so a private database file makes those private too. An empty file is a valid
    empty database.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                mode = each.stat().st_mode
                if mode & 0o077 and stat.S_ISREG(mode):
                    # Others lose access; the owner's bits stay (a read-only shop stays so).
                    os.chmod(each, stat.S_IMODE(mode) & 0o700)
            except OSError:  # not there, or not ours: SQLite says so if it matters
                pass
        return
    os.close(fd)


def backup_sqlite(folder: Path, label: str) -> Path:
    """Copy the bound SQLite database, with SQLite's online backup, into `folder` as
    `buynow-<label>-<UTC time>.db` (mode 0600, never overwriting); its path.

    The backup API copies a consistent snapshot, the WAL's committed pages included,
    which a plain file copy of a live database would not.
    """
    import sqlite3

    from buynow_tui import clock

    stamp = clock.now().strftime("%Y%m%dT%H%M%SZ")
    for n in range(100):
        target = folder / f"buynow-{label}-{stamp}{f'-{n}' if n else ''}.db"
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:
            continue
        os.close(fd)
        break
    else:
        raise FileExistsError(f"too many backups named buynow-{label}-{stamp}*.db in {folder}")
    try:
        with session():
            copy = sqlite3.connect(target)
            try:
                database.connection().backup(copy)
            finally:
                copy.close()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def init_db(url: str, *, migrate: bool = True) -> Database:
    """Bind the store to the database at `url`; bring its schema up to date if asked."""
    db = make_database(url)
    close_db()
    database.initialize(db)
    if migrate:
        from buynow_tui.store.migrate import upgrade

        upgrade()
    return db


def close_db() -> None:
    """Close this thread's connection and every idle pooled one (their files too)."""
    if database.obj is None:
        return
    if not database.is_closed():
        database.close()
    close_idle = getattr(database.obj, "close_idle", None)
    if close_idle is not None:
        close_idle()


def _forget_parent_connections() -> None:
    """In a forked child: drop the parent's pooled connections without touching them.

    SQLite connections must not cross a fork; closing one in the child could even
    checkpoint and delete the parent's WAL. They are kept referenced (never closed,
    never garbage-collected) and the child opens its own.
    """
    pool = database.obj
    if pool is None or not hasattr(pool, "_connections"):
        return
    _inherited.append((pool._connections, pool._in_use, pool._state))
    pool._connections, pool._in_use = [], {}
    pool._state = type(pool._state)()
    # Another parent thread may have held these at the fork.
    pool._lock = threading.Lock()
    pool._pool_lock = threading.RLock()
    pool._pool_available = threading.Condition(pool._pool_lock)


_inherited: list[object] = []
os.register_at_fork(after_in_child=_forget_parent_connections)


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
    """A write transaction: BEGIN IMMEDIATE on SQLite, a plain transaction elsewhere.

    On some errors (a full disk, an I/O error) SQLite rolls the transaction back by
    itself; peewee's own ROLLBACK then fails with "no transaction is active", which
    would hide the real error. That real error is what propagates.
    """
    with session():
        try:
            with database.atomic("IMMEDIATE") if is_sqlite() else database.atomic():
                yield
        except OperationalError as error:
            real: BaseException | None = error
            while real is not None and "no transaction is active" in str(real):
                real = real.__context__
            if real is None or real is error:
                raise
            raise real from None


# -- queries built once ---------------------------------------------------------------------


class Param(Node):
    """A named value in a query that `Compiled` turns into SQL once.

    Converted the way peewee converts a plain value in the same place: by the field on
    the left of a comparison (`Product.stock >= Param("qty")`), or by `field` where
    there is none, as in an INSERT's values (`{Order.user: Param("user", Order.user)}`).
    """

    def __init__(self, name: str, field: Field | None = None) -> None:
        super().__init__()
        self.name = name
        self.converter = field.db_value if field is not None else None

    def __sql__(self, ctx: Context) -> Context:
        slot = _Slot(self.name, self.converter or ctx.state.converter)
        return ctx.value(slot, converter=False)  # the slot stands where the value goes


class _Slot:
    __slots__ = ("converter", "name")

    def __init__(self, name: str, converter: Callable[[Any], Any] | None) -> None:
        self.name = name
        self.converter = converter


class Compiled:
    """A peewee query made SQL once per database, then run with new values.

    Peewee spends 70-160 µs of CPU building the SQL of one statement, against a few
    µs to run it; on the checkout path that time is spent holding SQLite's one write
    lock. `build` makes the query from the models with `Param`s where the values go;
    the SQL it renders for the bound database (so its dialect, quoting, RETURNING)
    and the order of its parameters are kept, and a run only fills in the values and
    executes them through the database as peewee would (its errors included).
    Made again when `init_db` binds another database.
    """

    def __init__(self, build: Callable[[], Query]) -> None:
        self._build = build
        self._made: _Made | None = None

    def _for_bound(self) -> _Made:
        db = database.obj
        if db is None:
            raise StoreNotReady("init_db() has not been called")
        made = self._made
        if made is None or made.db is not db:
            query = self._build()
            sql, params = query.sql()
            columns = getattr(query, "selected_columns", None) or []
            made = self._made = _Made(
                db,
                sql,
                params,
                # peewee adds RETURNING to an INSERT where the dialect has it
                returns_id=isinstance(query, Insert) and " RETURNING " in sql,
                readers=[c.python_value if isinstance(c, Field) else None for c in columns],
            )
        return made

    def sql(self, values: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """The SQL and parameters a run with `values` (by `Param` name) executes."""
        made = self._for_bound()
        return made.sql, [_fill(p, values) for p in made.params]

    def _run(self, values: Mapping[str, Any]) -> tuple[_Made, Any]:
        made = self._for_bound()
        return made, made.db.execute_sql(made.sql, [_fill(p, values) for p in made.params])

    def execute(self, values: Mapping[str, Any]) -> Any:
        """Run with `values` by `Param` name; the driver's cursor."""
        return self._run(values)[1]

    def rowcount(self, values: Mapping[str, Any]) -> int:
        """Rows an UPDATE or DELETE changed."""
        made, cursor = self._run(values)
        return made.db.rows_affected(cursor)

    def insert_id(self, values: Mapping[str, Any]) -> int:
        """The new row's id (RETURNING where the dialect has it, else the last row id)."""
        made, cursor = self._run(values)
        return cursor.fetchone()[0] if made.returns_id else made.db.last_insert_id(cursor)

    def rows(self, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """A SELECT's rows as tuples, field columns read as peewee reads them."""
        made, cursor = self._run(values)
        readers = made.readers
        return [
            tuple(v if read is None or v is None else read(v) for v, read in zip(row, readers))
            for row in cursor.fetchall()
        ]

    def first(self, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        rows = self.rows(values)
        return rows[0] if rows else None


@dataclass(frozen=True)
class _Made:
    db: Database
    sql: str
    params: list[Any]  # constants of the query, and a `_Slot` for each `Param`
    returns_id: bool
    readers: list[Callable[[Any], Any] | None]


def _fill(param: Any, values: Mapping[str, Any]) -> Any:
    if type(param) is not _Slot:
        return param  # a constant of the query, already converted
    value = values[param.name]
    return value if param.converter is None else param.converter(value)
