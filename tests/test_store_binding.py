"""Binding the store to a database: which URLs it takes, and forked children.

`init_db` reads a PostgreSQL URL with peewee's `playhouse.db_url` and an SQLite one as
a file path; a URL it cannot use is a `ConfigError` (one `error:` line in the CLI, see
tests/test_cli.py), and nothing is made. A child forked from a process with pooled
connections opens its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from buynow_tui.config import ConfigError
from buynow_tui.store.db import SQLITE_NEEDS_A_FILE, init_db, postgres_options
from tests.support.repo import ROOT


@pytest.mark.parametrize(
    "url", ["sqlite:///shop.db", "sqlite:///:memory:", "sqlite:///", "sqlite://shop.db", "sqlite:"]
)
def test_sqlite_needs_an_absolute_file(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative file would be a different database for the server (started anywhere)
    and its sessions (run in the home folder); `:memory:` one per connection."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as refused:
        init_db(url)
    assert str(refused.value) == SQLITE_NEEDS_A_FILE
    assert list(tmp_path.iterdir()) == []


def test_postgresql_urls_are_read_as_peewee_reads_them_options_as_written() -> None:
    options = postgres_options(
        "postgresql://shop:p%40ss%2Fword@db.internal:6543/buynow"
        "?options=-csearch_path%3Dshop,public&connect_timeout=10&application_name=true"
    )
    assert options == {
        "database": "buynow",
        "user": "shop",
        "password": "p@ss/word",
        "host": "db.internal",
        "port": 6543,
        "options": "-csearch_path=shop,public",
        "connect_timeout": "10",
        "application_name": "true",
        "max_connections": 8,
        "stale_timeout": 300,
    }
    assert postgres_options("postgres://") == {
        "database": "postgres",
        "host": "127.0.0.1",
        "port": 5432,
        "max_connections": 8,
        "stale_timeout": 300,
    }


FORK_SCRIPT = r"""
import os, sys
from buynow_tui.store.db import close_db, connection, init_db
from buynow_tui.store.migrate import upgrade
from buynow_tui.store.models import database

init_db(sys.argv[1])
upgrade()


def used():
    # Which connection served this query: the server's process for it on PostgreSQL,
    # the connection object itself on SQLite.
    with connection():
        if sys.argv[2] == "postgres":
            return database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        database.execute_sql("SELECT count(*) FROM product").fetchone()
        return id(database.connection())


parent = used()  # that connection now waits in the pool
pid = os.fork()
if pid == 0:
    code = 0
    try:
        if used() == parent:
            code = 3  # the child took the parent's connection
        close_db()  # and closes whatever it holds
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    os._exit(code)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status), used() == parent)
"""


@pytest.mark.backends
def test_a_forked_child_opens_its_own_connections_and_leaves_the_parents(
    backend: str, database_url: str
) -> None:
    """The child gets connections of its own; closing them leaves the parent's pooled
    connection working (on PostgreSQL a shared one would be ended for both)."""
    done = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT, database_url, backend],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True"], done.stderr
