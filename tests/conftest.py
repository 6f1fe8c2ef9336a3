"""Shared fixtures: a real temp-file SQLite store, fast bcrypt, a fixed clock.

bcrypt's cost is lowered for the suite through configuration (BUYNOW_TESTING=1 lets
BUYNOW_BCRYPT_ROUNDS go below 12); subprocesses inherit the same environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

os.environ["BUYNOW_TESTING"] = "1"
os.environ["BUYNOW_BCRYPT_ROUNDS"] = "4"
os.environ.pop("BUYNOW_DATABASE_URL", None)
os.environ.pop("BUYNOW_HOME", None)

FIXED_NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def services(home: Path) -> Iterator[object]:
    """Services on a fresh, migrated, seeded temp-file SQLite database."""
    from buynow_tui import clock
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    opened = open_store(Paths(home))
    yield opened.services
    close_db()
    clock.set_clock(None)


@pytest.fixture
def frozen_clock() -> Iterator[list[datetime]]:
    """A clock the test can move: `now[0] += timedelta(...)`."""
    from buynow_tui import clock

    now = [FIXED_NOW]
    clock.set_clock(lambda: now[0])
    yield now
    clock.set_clock(None)


def register(services, email: str = "ann@example.com", username: str = "ann", password: str = "correct horse", **extra):  # type: ignore[no-untyped-def]
    fields = dict(question="pet", answer="Rex", agreed=True)
    fields.update(extra)
    return services.accounts.register(email=email, username=username, password=password, **fields)


def product_named(services, name: str):  # type: ignore[no-untyped-def]
    return next(p for p in services.catalog.search(name) if p.name == name)
