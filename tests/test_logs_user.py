"""Log lines name the logged-in user on every line written on their behalf (worker
threads' store calls included), and the SSH server's disconnect line names them too;
`ssh -t host nosuchpage` shows Not found with the way home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from buynow_tui.screens.not_found import NotFoundScreen
from buynow_tui.screens.product import ProductScreen
from tests.support.app import make_app, settle
from tests.support.ssh import Server, async_wait_for, connect, open_shop, start_server
from tests.support.store import register


def log_lines(home: Path) -> list[str]:
    return (home / "logs" / "all.log").read_text().splitlines()


def user_of(line: str) -> str:
    return line.split(" | ")[3]


async def test_every_line_of_a_logged_in_session_names_the_user(services: Any, home: Path) -> None:
    ann = register(services)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.logged_in(ann)
        await settle(pilot)
        start = len(log_lines(home))
        await pilot.press("down", "a")  # add to cart (a worker thread writes the line)
        await settle(pilot)
        await pilot.press("w")  # wishlist
        await settle(pilot)
        app.navigate("nosuchpage")  # not found (a warning)
        await settle(pilot)
        assert isinstance(app.screen, NotFoundScreen)
        await pilot.press("escape")
        app.navigate("product/99999")  # an unknown product: the store's warning
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        app.navigate("cart")
        await settle(pilot)
        await pilot.press("x")  # remove the cart line
        await settle(pilot)
        during = log_lines(home)[start:]
        app.log_out()
        await settle(pilot)
        after = log_lines(home)[start + len(during) :]
    kinds = " ".join(during)
    for what in ("to cart", "to wishlist", "not found: 'nosuchpage'", "product 99999 not found"):
        assert what in kinds, f"{what!r} was logged"
    assert during and all(user_of(line) == "ann" for line in during), during
    assert any("logged out" in line and user_of(line) == "ann" for line in after)

    # Once logged out, lines are nobody's again.
    services.catalog.get(product_id_of(services))
    services.catalog.search("x")
    missing = make_app(services, home)
    async with missing.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        missing.navigate("product/99998")
        await settle(pilot)
    last = [line for line in log_lines(home) if "99998" in line]
    assert last and all(user_of(line) == "someone" for line in last)


def product_id_of(services: Any) -> int:
    return int(services.catalog.page().items[0].id)


async def test_a_product_screen_opened_by_a_user_logs_under_their_name(
    services: Any, home: Path
) -> None:
    ann = register(services, email="bo@example.com", username="bo|x")
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.logged_in(ann)
        await settle(pilot)
        app.navigate(f"product/{product_id_of(services)}")
        await settle(pilot)
        assert isinstance(app.screen, ProductScreen)
        await pilot.press("a")
        await settle(pilot)
    added = [line for line in log_lines(home) if "to cart" in line]
    assert added and user_of(added[-1]) == "bo\\x7cx", "escaped, one column"


# -- over SSH -----------------------------------------------------------------------------
@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "home"
    home.mkdir()
    running = start_server(home)
    yield running
    running.stop()
    running.kill_leftovers()


def remember_kim(home: Path, fingerprint: str) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    accounts = open_store(Paths(home)).services.accounts
    try:
        kim = accounts.register(
            email="kim@example.com",
            username="kim",
            password="correct horse",
            question="pet",
            answer="Rex",
            agreed=True,
        )
        accounts.remember_key(kim.id, fingerprint)
    finally:
        close_db()


def disconnects(home: Path) -> list[str]:
    path = home / "logs" / "all.log"
    return [line for line in path.read_text().splitlines() if "disconnect from" in line]


async def test_ssh_disconnect_lines_name_the_user(server: Server) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    remember_kim(server.home, str(key.get_fingerprint("sha256")))
    async with await connect(server.port, key) as conn:
        term = await open_shop(conn, cols=100, rows=30)
        await term.see(b"@kim")
        await term.quiet()
    await async_wait_for(lambda: len(disconnects(server.home)) == 1, 15, "the disconnect line")
    assert user_of(disconnects(server.home)[0]) == "kim"
    async with await connect(server.port) as conn:  # anonymous
        term = await open_shop(conn, cols=100, rows=30)
        await term.see(b"Read policy")
        await term.quiet()
    await async_wait_for(lambda: len(disconnects(server.home)) == 2, 15, "the second line")
    assert user_of(disconnects(server.home)[1]) == "someone"
    assert not list((server.home / "config").glob("session-*.user")), "the files go"


async def test_ssh_t_nosuchpage_shows_not_found_with_the_way_home(server: Server) -> None:
    async with await connect(server.port) as conn:
        term = await open_shop(conn, cols=100, rows=30, command="nosuchpage")
        await term.see(b"Press 1 for the Shop")
        assert b"nosuchpage" in term.data
        await term.quiet()
        term.set_mark()
        term.process.stdin.write(b"1")
        # The Shop; its search box's steady cursor stands on the placeholder's "S".
        await term.see(b"earch by name or price")
        login = await open_shop(conn, cols=100, rows=30, command="login")
        await login.see(b"Press 1 for the Shop")  # a screen no link may open: Not found
        no_pty = await conn.run("nosuchpage", encoding="utf-8")
        assert no_pty.exit_status == 1 and "runs no commands" in str(no_pty.stderr)
    warnings = (server.home / "logs" / "warning.log").read_text()
    assert "not found: 'nosuchpage'" in warnings
