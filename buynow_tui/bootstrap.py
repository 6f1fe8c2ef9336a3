"""Opening the shop's store for a process: paths, logging, database, first-run seed.

Shared by the CLI, the TUI entry point and the SSH server's session processes, so
every way in sets things up the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from buynow_tui.config import Settings
from buynow_tui.logs import setup_logging
from buynow_tui.paths import Paths


@dataclass
class Opened:
    paths: Paths
    services: object  # buynow_tui.store.services.Services (kept untyped: no import cost here)
    seeded: int = 0


def open_store(paths: Paths, *, migrate: bool = True, seed_fresh: bool = True) -> Opened:
    """Make the folders, attach the log files, open and migrate the database.

    A database created just now (its first migration ran in this call) gets the
    shipped demo catalog, so a new shop opens with products in it.
    """
    from buynow_tui.store.db import init_db
    from buynow_tui.store.migrate import upgrade
    from buynow_tui.store.services import Services

    paths.ensure()
    setup_logging(paths.logs)
    init_db(paths.database_url(), migrate=False)
    services = Services(Settings.from_env())
    seeded = 0
    if migrate:
        applied = upgrade()
        if seed_fresh and applied and applied[0].startswith("m0001"):
            from buynow_tui.store.seed import seed  # only a new database needs it

            seeded, _ = seed(services.catalog)
    return Opened(paths, services, seeded)
