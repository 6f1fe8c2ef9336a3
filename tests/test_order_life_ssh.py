"""Over SSH (issue 14): an admin's `buynow orders ship` makes the shopper's open session
show "Order #1 has shipped." within seconds, on SQLite and on PostgreSQL.

Real server (its sessions forked from the fork server, so the feed's watcher must run
in the session's own process), real SSH client, the real CLI in another process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncssh
import pytest

from tests.support.cli import run_cli
from tests.support.ssh import async_wait_for, connect, open_shop, start_server
from tests.support.store import product_named

pytestmark = pytest.mark.backends


def _shopper_with_an_order(home: Path, fingerprint: str) -> tuple[int, int]:
    """Kim, her key remembered (she opens logged in), and one paid order: (user, order)."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    services = open_store(Paths(home)).services
    try:
        kim = services.accounts.register(
            email="kim@example.com",
            username="kim",
            password="correct horse",
            question="pet",
            answer="Rex",
            agreed=True,
        )
        services.accounts.remember_key(kim.id, fingerprint)
        services.cart.add(kim.id, product_named(services, "Smart Watch").id, 1)
        order = services.orders.checkout(kim.id, ship_address="1 Main St")
        return kim.id, order.id
    finally:
        close_db()


def _watching(home: Path, user_id: int) -> bool:
    log = home / "logs" / "all.log"
    return log.exists() and f"watching user {user_id}'s orders" in log.read_text(errors="replace")


async def test_an_admin_shipping_from_the_cli_shows_a_toast_in_the_open_ssh_session(
    home: Path, database_url: str, backend: str, monkeypatch: Any
) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    kim, order = _shopper_with_an_order(home, str(key.get_fingerprint("sha256")))
    env = {"BUYNOW_DATABASE_URL": database_url} if backend == "postgres" else None
    server = start_server(home, env=env)
    try:
        async with await connect(server.port, key) as conn:
            term = await open_shop(conn, cols=100, rows=30, command="orders")
            await term.see(b"@kim")
            await term.see(b"Paid")
            await async_wait_for(lambda: _watching(home, kim), 20, "the session's order feed")
            term.set_mark()
            shipped = run_cli(
                home, "orders", "ship", str(order), "--carrier", "ups", "--tracking", "1Z0001",
                env=env,
            )  # fmt: skip
            assert shipped.returncode == 0, shipped.stderr
            await term.see(b"Order #1 has shipped.", timeout=20)
            await term.see(b"Shipped", timeout=20)  # the open Orders list read again
    finally:
        server.stop()
        server.kill_leftovers()
