"""PostgreSQL end to end through the real CLI: a fresh database, migrate, seed, list."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_cli


def cli(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(home, *args, database_url=url, timeout=60)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_upgrade_seed_and_list_on_a_fresh_postgresql(home: Path, database_url: str) -> None:
    upgraded = cli(home, database_url, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "m0001_initial" in upgraded.stdout

    seeded = cli(home, database_url, "seed")
    assert seeded.returncode == 0, seeded.stderr
    listed = cli(home, database_url, "products", "list")
    line = next(row for row in listed.stdout.splitlines() if "Bluetooth Headphone" in row)
    assert "250.00" in line
    assert not (home / "buynow.db").exists()  # nothing went to SQLite

    found = cli(home, database_url, "products", "list", "--search", "phone")
    assert "Bluetooth Headphone" in found.stdout and "New Smart Phone" in found.stdout
    assert "Digital Camera" not in found.stdout

    # Down to nothing drops the shop's rows: only with --yes (and no backup on PostgreSQL).
    down = cli(home, database_url, "db", "downgrade", "--steps", "99", "--yes")
    assert down.returncode == 0 and "m0001_initial" in down.stdout, down.stderr
    assert "No backup was made (PostgreSQL" in down.stdout
    current = cli(home, database_url, "db", "current")
    assert "Current: none" in current.stdout
    again = cli(home, database_url, "db", "upgrade")
    assert again.returncode == 0, again.stderr
