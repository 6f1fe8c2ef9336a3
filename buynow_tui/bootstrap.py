"""Opening the shop's store for a process: paths, logging, database, first-run seed.

Shared by the CLI, the TUI entry point and the SSH server's session processes, so
every way in sets things up the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import Settings
from buynow_tui.logs import setup_logging
from buynow_tui.paths import Paths

if TYPE_CHECKING:  # the store is imported when it is opened, not with this module
    from buynow_tui.store.services import Services


@dataclass
class Opened:
    paths: Paths
    services: Services
    seeded: int = 0


def open_store(
    paths: Paths,
    *,
    migrate: bool = True,
    seed_fresh: bool = True,
    clock: Clock = system_clock,
) -> Opened:
    """Make the folders, attach the log files, open and migrate the database; the
    services run on `clock`.

    A database created new gets the shipped demo catalog, once: the migration runner
    marks a database new when it first meets it with no tables, and the catalog is
    seeded in the same transaction that clears that mark. So a crash between creating
    and seeding is resumed by the next start, and a database that once held a shop
    (even one downgraded to nothing) is never seeded behind the admin's back.
    """
    from buynow_tui.store.db import init_db
    from buynow_tui.store.migrate import demo_catalog_pending, upgrade
    from buynow_tui.store.services import Services

    paths.ensure()
    setup_logging(paths.logs)
    init_db(paths.database_url())
    services = Services(Settings.from_env(), clock=clock)
    seeded = 0
    if migrate:
        upgrade(clock=clock)
        if seed_fresh and demo_catalog_pending():
            from buynow_tui.store.seed import seed_demo_catalog  # only a new database needs it

            seeded = seed_demo_catalog(services.catalog)
        sweep_at_start(services)
    return Opened(paths, services, seeded)


def sweep_at_start(services: Services) -> None:
    """Cancel orders a crash left unpaid (issue 15), returning their stock. Never stops
    a start: a failure is logged and the next start (or `buynow serve`) tries again."""
    from buynow_tui.logs import get_logger

    try:
        services.checkout.sweep()
    except Exception as error:
        get_logger("payments").warning("stranded-order sweep failed at start: %r", error)
