"""Running the checked-in migrations in `store/migrations/` up and down.

A migration is a module `mNNNN_name.py` with `up(dialect)` and `down(dialect)` that
return SQL statements. The `migration_history` table records what ran; the runner
creates it itself, so it survives a full downgrade.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from types import ModuleType

from buynow_tui import clock
from buynow_tui.logs import get_logger
from buynow_tui.store import migrations as migrations_pkg
from buynow_tui.store.db import dialect, session, write
from buynow_tui.store.models import MigrationHistory, database

log = get_logger("store.migrate")


@dataclass(frozen=True)
class MigrationState:
    applied: tuple[str, ...]
    pending: tuple[str, ...]

    @property
    def current(self) -> str | None:
        return self.applied[-1] if self.applied else None


def _available() -> list[tuple[str, ModuleType]]:
    names = sorted(
        info.name for info in pkgutil.iter_modules(migrations_pkg.__path__) if info.name[:1] == "m"
    )
    return [(name, importlib.import_module(f"{migrations_pkg.__name__}.{name}")) for name in names]


def _applied() -> list[str]:
    MigrationHistory.create_table(safe=True)
    return [row.name for row in MigrationHistory.select().order_by(MigrationHistory.name)]


def state() -> MigrationState:
    with session():
        applied = _applied()
    available = [name for name, _ in _available()]
    return MigrationState(tuple(applied), tuple(n for n in available if n not in applied))


def upgrade() -> list[str]:
    """Apply every pending migration, each in its own transaction; returns their names."""
    done: list[str] = []
    with session():
        applied = set(_applied())
        for name, module in _available():
            if name in applied:
                continue
            with write():
                for sql in module.up(dialect()):
                    database.execute_sql(sql)
                MigrationHistory.create(name=name, applied_at=clock.now())
            log.info("applied migration %s", name)
            done.append(name)
    return done


def downgrade(steps: int = 1) -> list[str]:
    """Undo the last `steps` applied migrations; returns their names."""
    undone: list[str] = []
    modules = dict(_available())
    with session():
        for name in reversed(_applied()[-steps:] if steps > 0 else []):
            with write():
                for sql in modules[name].down(dialect()):
                    database.execute_sql(sql)
                MigrationHistory.delete().where(MigrationHistory.name == name).execute()
            log.info("reverted migration %s", name)
            undone.append(name)
    return undone
