"""`buynow products list --search` as an admin runs it: every match, best first, no cap."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.cli import run_cli


def test_products_list_search_prints_every_match_and_a_limit_says_so(home: Path) -> None:
    assert run_cli(home, "seed").returncode == 0
    assert run_cli(home, "seed", "--generate", "4000").returncode == 0
    conn = sqlite3.connect(home / "buynow.db")
    try:
        watches = conn.execute(
            "SELECT COUNT(*) FROM product WHERE category = 'Watches' OR name LIKE '%watch%'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert watches > 500  # more than the old silent cap, and than one read of the store

    listed = run_cli(home, "products", "list", "--search", "watches")
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()[1:]
    assert len(rows) == watches and listed.stderr == ""
    assert rows[0].split()[0] == "BN-WAT-001"  # Smart Watch: a name with the word, first
    assert len({row.split()[0] for row in rows}) == len(rows)  # each product once

    limited = run_cli(home, "products", "list", "--search", "watches", "--limit", "10")
    assert limited.returncode == 0
    assert len(limited.stdout.splitlines()[1:]) == 10
    assert limited.stderr.strip() == f"Showing 10 of {watches:,} matches; --limit shows more."

    none = run_cli(home, "products", "list", "--search", "zzzzqqq")
    assert none.returncode == 0 and none.stdout.splitlines()[1:] == []
