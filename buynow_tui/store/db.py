"""Opening the database: SQLite (embedded default) or PostgreSQL by URL.

`init_db(url)` binds the models' `DatabaseProxy`; nothing happens at import time, and
nothing is migrated (that is `store.migrate.upgrade`, which `bootstrap.open_store`
runs). SQLite runs in WAL with a busy timeout and foreign keys on; every write
transaction is `BEGIN IMMEDIATE` (see `write()`), so two writers queue instead of
deadlocking on a lock upgrade. Each service call runs inside `connection()`, which
takes a connection for the calling thread and hands it back when the outermost call
ends.

Both backends pool their connections (`playhouse.pool`). For SQLite this is what keeps
the store fast: a fresh connection starts with a cold page cache and schema, and
closing the last connection to a WAL database checkpoints and deletes the WAL. Opening
and closing one per call made every search re-read its pages and every checkout pay a
checkpoint (with its fsync). A forked child never reuses its parent's pooled
connections (`_after_fork_in_child`).
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from peewee import Database, OperationalError, PostgresqlDatabase, SqliteDatabase

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import ConfigError
from buynow_tui.store.models import database

SQLITE_PRAGMAS: dict[str, Any] = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
}
#: PostgreSQL connections one process pools at most, and seconds an idle one is kept.
POSTGRES_POOL = 8
POSTGRES_STALE_AFTER = 300
SQLITE_STALE_AFTER = 600
SQLITE_NEEDS_A_FILE = "SQLite needs a file path: sqlite:////absolute/path.db"

#: The mode of the database file (its -wal and -shm files take the same).
PRIVATE_FILE = 0o600


class StoreNotReady(RuntimeError):
    """The database was used before `init_db`."""


def bound() -> Database:
    """The database `init_db` bound."""
    db: Database | None = database.obj
    if db is None:
        raise StoreNotReady("init_db() has not been called")
    return db


# -- from a URL to a database --------------------------------------------------------------


def opener(url: str) -> Callable[[], Database]:
    """What makes a peewee Database for `url` (not yet connected), with the SQLite
    file's folder and private file made now. A `ConfigError` for a URL it cannot use.

    `postgresql://user:password@host:port/name?options=...` is read by peewee's
    `playhouse.db_url` (user and password unquoted); the query parameters pass through
    to libpq as they are written (`?options=-csearch_path%3Dshop`). No host means
    127.0.0.1, no port 5432, no name "postgres".

    `sqlite:////absolute/path.db` is a file path, not parsed as a URL: everything after
    `sqlite:///`, unquoted. A home folder may hold `?` or `#`, which a URL parser would
    cut the path at, and peewee's reads an empty path as `:memory:`, which every other
    thread and process would see as a database of its own. So an empty, `:memory:` or
    relative path is refused (relative to what: each SSH session runs in the home
    folder, the server wherever it was started).
    """
    scheme = urlparse(url).scheme.lower()
    if scheme == "sqlite":
        path = _sqlite_file(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        make_private(path)
        from playhouse.pool import PooledSqliteDatabase

        # Pooled connections move between worker threads, one thread at a time.
        return functools.partial(
            PooledSqliteDatabase,
            path,
            pragmas=SQLITE_PRAGMAS,
            max_connections=None,
            stale_timeout=SQLITE_STALE_AFTER,
            check_same_thread=False,
        )
    if scheme in ("postgres", "postgresql"):
        return functools.partial(_postgres_class(), **postgres_options(url))
    raise ConfigError(
        f"unsupported database URL scheme {scheme!r} (use sqlite:/// or postgresql://)"
    )


def make_database(url: str) -> Database:
    """A peewee Database for `sqlite:///path` or `postgresql://…` (not yet connected)."""
    return opener(url)()


def _sqlite_file(url: str) -> Path:
    prefix = "sqlite:///"
    if not url.lower().startswith(prefix):
        raise ConfigError(SQLITE_NEEDS_A_FILE)
    path = unquote(url[len(prefix) :])
    if not path or path == ":memory:" or not os.path.isabs(path):
        raise ConfigError(SQLITE_NEEDS_A_FILE)
    return Path(path)


def postgres_options(url: str) -> dict[str, Any]:
    """The connection options of a PostgreSQL URL, as the pooled database takes them."""
    from playhouse.db_url import parseresult_to_dict

    parsed = urlparse(url)
    options: dict[str, Any] = parseresult_to_dict(
        parsed._replace(query=""), unquote_password=True, unquote_user=True
    )
    options["database"] = options.get("database") or "postgres"
    options.setdefault("host", "127.0.0.1")
    options.setdefault("port", 5432)
    # Passed through to libpq as written: db_url would turn "1.50" into 1.5, "true" into True.
    options.update(parse_qsl(parsed.query))
    return dict(options, max_connections=POSTGRES_POOL, stale_timeout=POSTGRES_STALE_AFTER)


def _postgres_class() -> type[Database]:
    from playhouse.db_url import schemes

    return schemes["postgresql+pool"]  # type: ignore[no-any-return]


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


# -- binding ---------------------------------------------------------------------------------

#: How this process opens its database again (in a forked child); set by `init_db`.
_reopen: Callable[[], Database] | None = None
#: Databases a forked child inherited: kept referenced, never closed (see below).
_inherited: list[Database] = []
_watching_forks = False


def init_db(url: str) -> Database:
    """Bind the store to the database at `url` (its schema as it is: see `migrate`)."""
    global _reopen
    reopen = opener(url)
    db = reopen()
    close_db()
    database.initialize(db)
    _reopen = reopen
    _watch_forks()
    return db


def _watch_forks() -> None:
    """Register the fork hook, once per process, the first time a database is bound."""
    global _watching_forks
    if not _watching_forks:
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _watching_forks = True


def _after_fork_in_child() -> None:
    """In a forked child: bind a new database like the parent's, leaving the inherited
    one and its pooled connections untouched.

    A connection must not cross a fork. Closing the parent's in the child would end it
    for the parent too (psycopg2 tells the server goodbye on the shared socket; a SQLite
    close could checkpoint the parent's WAL), and so would letting it be garbage
    collected: so the inherited database stays referenced, never closed. The new one
    has its own pool and locks, none held by a thread that did not come along.
    """
    inherited = database.obj
    if inherited is None or _reopen is None:
        return
    _inherited.append(inherited)
    database.initialize(_reopen())


def close_db() -> None:
    """Close this thread's connection and every idle pooled one (their files too)."""
    if database.obj is None:
        return
    if not database.is_closed():
        database.close()
    close_idle = getattr(database.obj, "close_idle", None)
    if close_idle is not None:
        close_idle()


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def is_postgres() -> bool:
    return isinstance(database.obj, PostgresqlDatabase)


def dialect() -> str:
    return "sqlite" if is_sqlite() else "postgres"


@contextmanager
def connection() -> Iterator[None]:
    """The calling thread's connection for the length of one service call."""
    bound()
    with database.connection_context():
        yield


@contextmanager
def write() -> Iterator[None]:
    """A write transaction: BEGIN IMMEDIATE on SQLite, a plain transaction elsewhere.

    On some errors (a full disk, an I/O error) SQLite rolls the transaction back by
    itself; peewee's own ROLLBACK then fails with "no transaction is active", which
    would hide the real error. That real error is what propagates.
    """
    with connection():
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


def backup_sqlite(folder: Path, label: str, *, clock: Clock = system_clock) -> Path:
    """Copy the bound SQLite database, with SQLite's online backup, into `folder` as
    `buynow-<label>-<UTC time>.db` (mode 0600, never overwriting); its path.

    The backup API copies a consistent snapshot, the WAL's committed pages included,
    which a plain file copy of a live database would not.
    """
    import sqlite3

    stamp = clock().strftime("%Y%m%dT%H%M%SZ")
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
        with connection():
            copy = sqlite3.connect(target)
            try:
                database.connection().backup(copy)
            finally:
                copy.close()
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
