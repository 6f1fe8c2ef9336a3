"""Running the checked-in migrations in `store/migrations/` up and down.

A migration is a module `mNNNN_name.py` with `up(dialect)` and `down(dialect)` that
return SQL statements (or, for data only Python can compute, callables run in the same
transaction, in their place: m0005's search documents). A module's `DERIVED` names the
tables and `table.column`s its `down` drops that hold only data derived from others:
dropping them loses nothing, so they are not counted as rows a downgrade would lose.

The runner owns two tables of its own, which it creates and no migration drops, so they
survive a full downgrade: `migration_history` (what ran) and `store_marker` (whether
this database is new; see `demo_catalog_pending`). The times they record come from the
clock the caller passes (`Services.clock`, by default the system's).

Every step holds the migration lock while it checks what is applied and applies the
next migration, so several processes opening a new database at once (an SSH server's
first sessions, a CLI beside it) queue instead of creating the same tables twice:
SQLite's `BEGIN IMMEDIATE`, and on PostgreSQL a transaction-scoped advisory lock for
this schema (READ COMMITTED alone would let both see "nothing applied").
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store import migrations as migrations_pkg
from buynow_tui.store.db import connection, dialect, is_postgres, write
from buynow_tui.store.errors import DataWouldBeLost, describe_rows
from buynow_tui.store.models import MigrationHistory, StoreMarker, database

log = get_logger("store.migrate")

#: The marker row saying whether the demo catalog is still to be seeded.
DEMO_CATALOG = "demo_catalog"
PENDING, DONE, NOT_WANTED = "pending", "seeded", "not wanted"

_DROP_TABLE = re.compile(r'^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?', re.IGNORECASE)
_DROP_COLUMN = re.compile(
    r'^\s*ALTER\s+TABLE\s+"?(\w+)"?\s+DROP\s+COLUMN\s+"?(\w+)"?', re.IGNORECASE
)
_MADE_TABLE = re.compile(
    r'^\s*(?:CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?'
    r'|ALTER\s+TABLE\s+"?\w+"?\s+RENAME\s+TO\s+"?(\w+)"?)',
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MigrationStatus:
    """Which migrations this database has, in order, and which it still lacks."""

    applied: tuple[str, ...]
    pending: tuple[str, ...]

    @property
    def current(self) -> str | None:
        return self.applied[-1] if self.applied else None


@dataclass(frozen=True)
class DowngradePlan:
    """What `downgrade(steps)` would revert, and the rows it would drop, by table."""

    migrations: tuple[str, ...]
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> dict[str, int]:
        """The dropped tables that hold rows, and how many."""
        return {table: count for table, count in self.rows.items() if count}

    @property
    def loses_rows(self) -> bool:
        return bool(self.lost)


def _available() -> list[tuple[str, ModuleType]]:
    names = sorted(
        info.name for info in pkgutil.iter_modules(migrations_pkg.__path__) if info.name[:1] == "m"
    )
    return [(name, importlib.import_module(f"{migrations_pkg.__name__}.{name}")) for name in names]


def _table_names() -> set[str]:
    if is_postgres():
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    return {name for (name,) in database.execute_sql(sql).fetchall()}


def _lock() -> None:
    """Inside a write transaction: hold the migration lock until it ends.

    SQLite's `BEGIN IMMEDIATE` (what `write()` starts) already is that lock. PostgreSQL
    takes an advisory lock keyed by this schema, so shops in other schemas of one
    database do not wait for each other.
    """
    if is_postgres():
        database.execute_sql(
            "SELECT pg_advisory_xact_lock(hashtext('buynow-migrate:' || current_schema()))"
        )


def _prepare(clock: Clock) -> list[str]:
    """Under the lock: the runner's own tables, and the applied migrations' names.

    The first time the runner meets a database it records whether it is new (no tables
    at all): only a new one is to get the demo catalog. A database that already had
    tables (a shop from before the marker existed) never is.
    """
    tables = _table_names()
    MigrationHistory.create_table(safe=True)
    StoreMarker.create_table(safe=True)
    if StoreMarker._meta.table_name not in tables:
        now = clock()
        StoreMarker.insert_many(
            [
                {"name": "created", "value": "by the migration runner", "at": now},
                {"name": DEMO_CATALOG, "value": PENDING if not tables else NOT_WANTED, "at": now},
            ]
        ).execute()
    return [row.name for row in MigrationHistory.select().order_by(MigrationHistory.name)]


def status() -> MigrationStatus:
    with connection():
        if MigrationHistory._meta.table_name in _table_names():
            query = MigrationHistory.select(MigrationHistory.name).order_by(MigrationHistory.name)
            applied = [row.name for row in query]
        else:
            applied = []
    available = [name for name, _ in _available()]
    return MigrationStatus(tuple(applied), tuple(n for n in available if n not in applied))


def upgrade(*, clock: Clock = system_clock) -> list[str]:
    """Apply every pending migration, each in its own locked transaction; their names."""
    done: list[str] = []
    with connection():
        if _up_to_date():
            return done  # every start of every session: no write lock for nothing
        while True:
            with write():
                _lock()
                applied = set(_prepare(clock))
                pending = [(n, m) for n, m in _available() if n not in applied]
                if not pending:
                    break
                name, module = pending[0]
                _run(module.up(dialect()))
                MigrationHistory.create(name=name, applied_at=clock())
            log.info("applied migration %s", name)
            done.append(name)
    return done


def _up_to_date() -> bool:
    """Without the lock: the runner's tables exist and nothing is pending. A "no" is
    checked again under the lock, so this can only save work, never skip any."""
    runner = {MigrationHistory._meta.table_name, StoreMarker._meta.table_name}
    if not runner <= _table_names():
        return False
    applied = {row.name for row in MigrationHistory.select(MigrationHistory.name)}
    return all(name in applied for name, _ in _available())


def _run(steps: Iterable[str | Callable[[], None]]) -> None:
    for step in steps:
        if isinstance(step, str):
            database.execute_sql(step)
        else:
            step()


def _dropped(sql: str) -> tuple[str | None, str | None]:
    """The table a statement drops (or drops a column of), and that column."""
    table = _DROP_TABLE.match(sql)
    if table:
        return table.group(1), None
    column = _DROP_COLUMN.match(sql)
    if column:
        return column.group(1), column.group(2)
    return None, None


def _plan(steps: int, clock: Clock) -> DowngradePlan:
    """Under the lock: the migrations to revert and the rows their `down` would drop."""
    modules = dict(_available())
    names = list(reversed(_prepare(clock)[-steps:])) if steps > 0 else []
    dropped: list[str] = []
    made: set[str] = set()
    for name in names:
        derived: frozenset[str] = getattr(modules[name], "DERIVED", frozenset())
        for sql in modules[name].down(dialect()):
            if not isinstance(sql, str):
                continue
            table, column = _dropped(sql)
            lost = table not in derived and f"{table}.{column}" not in derived
            if table is not None and lost and table not in dropped:
                dropped.append(table)
            remade = _MADE_TABLE.match(sql)
            if remade:
                made.add(remade.group(1) or remade.group(2))
    real = _table_names() - _virtual_tables()
    rows = {}
    for table in dropped:
        if table in real and table not in made:
            rows[table] = database.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    return DowngradePlan(tuple(names), rows)


def _virtual_tables() -> set[str]:
    """SQLite's full-text indexes (and their shadow tables): they hold copies, not data."""
    if is_postgres():
        return set()
    virtual = {
        name
        for (name,) in database.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        ).fetchall()
    }
    shadows = {t for t in _table_names() for v in virtual if t.startswith(v + "_")}
    return virtual | shadows


def downgrade_plan(steps: int = 1, *, clock: Clock = system_clock) -> DowngradePlan:
    """What `downgrade(steps)` would revert and drop, without changing anything."""
    with connection(), write():
        _lock()
        return _plan(steps, clock)


def downgrade(
    steps: int = 1, *, accept_loss: bool = False, clock: Clock = system_clock
) -> list[str]:
    """Undo the last `steps` applied migrations, all in one transaction; their names.

    Refuses with `DataWouldBeLost` (changing nothing) when that would drop tables or
    columns that hold rows, unless `accept_loss`.
    """
    modules = dict(_available())
    with connection():
        with write():
            _lock()
            plan = _plan(steps, clock)
            if plan.loses_rows and not accept_loss:
                raise DataWouldBeLost(list(plan.migrations), plan.lost)
            for name in plan.migrations:
                _run(modules[name].down(dialect()))
                MigrationHistory.delete().where(MigrationHistory.name == name).execute()
        for name in plan.migrations:
            log.info("reverted migration %s", name)
        if plan.loses_rows:
            log.warning("downgrade dropped %s", describe_rows(plan.lost))
    return list(plan.migrations)


def demo_catalog_pending() -> bool:
    """Whether this database is new and still waits for the demo catalog."""
    with connection():
        row = StoreMarker.get_or_none(StoreMarker.name == DEMO_CATALOG)
    return row is not None and row.value == PENDING


def claim_demo_catalog(clock: Clock = system_clock) -> bool:
    """Inside the caller's write transaction: take the lock, and if the demo catalog is
    still pending mark it seeded; True if this caller is the one to seed it.

    The caller seeds in the same transaction, so "seeded" is never recorded without the
    products (a crash rolls both back, and the next start seeds again), and two
    processes starting a new shop at once seed it once.
    """
    _lock()
    updated = (
        StoreMarker.update(value=DONE, at=clock())
        .where((StoreMarker.name == DEMO_CATALOG) & (StoreMarker.value == PENDING))
        .execute()
    )
    return bool(updated == 1)
