"""Scaling out: two `buynow serve` front ends on one PostgreSQL, one shared host key.

Real servers on loopback, real SSH clients, a fresh PostgreSQL schema per test.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import asyncssh
import pytest

from buynow_tui.store.services import Services
from tests.support.cli import run_cli, subprocess_env
from tests.support.repo import ROOT
from tests.support.shop import BOOK_ADDRESS
from tests.support.ssh import (
    Server,
    async_wait_for,
    checkout_to_confirm,
    connect,
    open_shop,
    start_server,
)

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True)

PASSWORD = "correct horse battery"

FrontEnds = tuple[list[Server], dict[str, str]]  # the two servers, the environment they share


@pytest.fixture
def front_ends(tmp_path: Path, database_url: str) -> Iterator[FrontEnds]:
    """Two servers, each with its own home, sharing the database and the host key."""
    key_path = tmp_path / "shared_host_key"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(key_path))
    key_path.chmod(0o600)
    env = {"BUYNOW_DATABASE_URL": database_url, "BUYNOW_HOST_KEY": str(key_path)}
    homes = [tmp_path / "front-a", tmp_path / "front-b"]
    for home in homes:
        home.mkdir()
    assert run_cli(homes[0], "db", "upgrade", env=env).returncode == 0
    assert run_cli(homes[0], "seed", env=env).returncode == 0
    servers = [start_server(home, env=env) for home in homes]
    try:
        yield servers, env
    finally:
        for server in servers:
            server.stop()
            server.kill_leftovers()


def test_both_front_ends_present_the_same_host_key_and_their_own_uptime(
    front_ends: FrontEnds,
) -> None:
    servers, env = front_ends

    async def host_key_of(port: int) -> str:
        conn = await connect(port, asyncssh.generate_private_key("ssh-ed25519"))
        try:
            key = conn.get_server_host_key()
            assert key is not None
            return key.get_fingerprint()
        finally:
            conn.close()

    fingerprints = {asyncio.run(host_key_of(s.port)) for s in servers}
    assert len(fingerprints) == 1

    a, b = servers
    assert a.pid != b.pid and a.port != b.port
    for server in servers:
        shown = run_cli(server.home, "uptime", env=env)
        assert shown.returncode == 0, shown.stdout + shown.stderr
    b.stop()
    assert run_cli(b.home, "uptime", env=env).returncode == 1
    assert run_cli(a.home, "uptime", env=env).returncode == 0


def test_a_key_remembered_through_one_front_end_is_remembered_through_the_other(
    services: Services, front_ends: FrontEnds
) -> None:
    servers, env = front_ends
    shopper_key = asyncssh.generate_private_key("ssh-ed25519")
    register = subprocess.run(
        [
            sys.executable,
            "-m",
            "buynow_tui",
            "--home",
            str(servers[0].home),
            "users",
            "add",
            "--email",
            "ann@example.com",
            "--username",
            "ann",
            "--password-stdin",
            "--answer",
            "Rex",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=subprocess_env(env),
        cwd=str(ROOT),
        timeout=30,
        check=False,
    )
    assert register.returncode == 0, register.stderr

    async def log_in_with_remember_me(port: int) -> None:
        conn = await connect(port, shopper_key)
        try:
            term = await open_shop(conn, cols=100, rows=30)
            await term.see(b"Log in")
            term.process.stdin.write(b"\t5")  # out of the search box, Account
            await term.see(b"Remember me")
            await term.quiet()
            term.process.stdin.write(b"ann@example.com")
            await term.quiet()
            term.process.stdin.write(b"\t")
            await term.quiet()
            term.process.stdin.write(PASSWORD.encode())
            await term.quiet()
            term.process.stdin.write(b"\t")
            await term.quiet()
            term.process.stdin.write(b" ")
            await term.quiet()
            term.process.stdin.write(b"\x1b[Z")  # shift+tab back to the password
            await term.quiet()
            term.set_mark()
            term.process.stdin.write(b"\r")
            await term.see(b"@ann")
            # The app binds the key in a worker after it shows the login; a window
            # closed that very moment can lose it, so wait for the store to have it.
            fingerprint = shopper_key.get_fingerprint("sha256")
            await async_wait_for(
                lambda: services.accounts.resolve_key(fingerprint) is not None, 10, "the key bound"
            )
        finally:
            conn.close()

    async def opens_logged_in(port: int) -> bool:
        conn = await connect(port, shopper_key)
        try:
            term = await open_shop(conn, cols=100, rows=30)
            await term.see(b"@ann", timeout=20)
            return True
        finally:
            conn.close()

    asyncio.run(log_in_with_remember_me(servers[0].port))
    assert asyncio.run(opens_logged_in(servers[1].port))


def test_checkouts_racing_through_both_front_ends_sell_exactly_the_stock(
    services: Services, front_ends: FrontEnds
) -> None:
    """Six shoppers, three on each front end, confirm at once; four units exist."""
    from tests.support.store import product_named, register

    servers, _ = front_ends
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 4)
    shoppers = []
    for n in range(6):
        user = register(services, email=f"buyer{n}@example.com", username=f"buyer{n}")
        key = asyncssh.generate_private_key("ssh-ed25519")
        services.accounts.remember_key(user.id, key.get_fingerprint("sha256"))
        services.addresses.add(user.id, replace(BOOK_ADDRESS, line1=f"{n} Market Street"))
        services.cart.add(user.id, watch.id, 1)
        shoppers.append((user, key, servers[n % 2].port))

    async def buy(key: asyncssh.SSHKey, port: int) -> str:
        conn = await connect(port, key)
        try:
            term = await open_shop(conn, cols=100, rows=30, command="cart")
            await term.see(b"Smart Watch", timeout=30)
            await term.quiet()
            await checkout_to_confirm(term)  # the checkout's steps, to Confirm
            term.set_mark()
            term.process.stdin.write(b"y")
            seen = await term.read_until(
                lambda data: b"placed" in data or b"Not enough stock" in data, timeout=30
            )
            return "ordered" if b"placed" in seen else "refused"
        finally:
            conn.close()

    async def everyone() -> list[str]:
        return await asyncio.gather(*(buy(key, port) for _, key, port in shoppers))

    outcomes = asyncio.run(everyone())
    assert sorted(outcomes) == ["ordered"] * 4 + ["refused"] * 2
    assert product_named(services, "Smart Watch").stock == 0
    sold = sum(len(services.orders.history(user.id)) for user, _, _ in shoppers)
    assert sold == 4
