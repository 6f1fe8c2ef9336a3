"""The suite's fixtures (fixtures and hooks only: helpers are in tests/support/).

A real temp-file SQLite store or a fresh PostgreSQL schema (`backends`-marked tests run
on both), fast bcrypt, a fixed clock, local time in UTC.

bcrypt's cost is lowered for the suite through configuration (BUYNOW_TESTING=1 lets
BUYNOW_BCRYPT_ROUNDS go below 12); subprocesses inherit the same environment.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from buynow_tui.store.services import Services
from tests.support.store import FIXED_NOW, fresh_postgres_schema

os.environ["BUYNOW_TESTING"] = "1"
os.environ["BUYNOW_BCRYPT_ROUNDS"] = "4"
os.environ.pop("BUYNOW_DATABASE_URL", None)
os.environ.pop("BUYNOW_HOME", None)


@pytest.fixture(autouse=True)
def utc_and_colour(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC and NO_COLOR is unset (for the app and any subprocess), unless
    a test says otherwise."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("NO_COLOR", raising=False)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "backends: run on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Store tests marked `backends` run once per database backend."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(backend: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The test's own empty database: a temp SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{home / 'buynow.db'}"
        return
    with fresh_postgres_schema() as url:
        monkeypatch.setenv("BUYNOW_DATABASE_URL", url)
        yield url


@pytest.fixture
def store_time() -> list[datetime]:
    """The time the `services` fixture's clock says: the system's while empty, what
    `frozen_clock` puts in it after."""
    return []


@pytest.fixture
def services(home: Path, database_url: str, store_time: list[datetime]) -> Iterator[Services]:
    """Services on a fresh, migrated, seeded database (temp-file SQLite by default)."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.clock import system_clock
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    opened = open_store(Paths(home), clock=lambda: store_time[0] if store_time else system_clock())
    yield opened.services
    close_db()


@pytest.fixture
def frozen_clock(store_time: list[datetime]) -> list[datetime]:
    """The `services` fixture's clock, stopped: the test moves it (`now[0] += ...`)."""
    store_time[:] = [FIXED_NOW]
    return store_time
