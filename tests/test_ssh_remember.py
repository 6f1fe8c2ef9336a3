"""Remember me over SSH, end to end: a shopper logs in with Remember me in one session,
the next session with the same key opens logged in, logging out forgets the key.

This drives the real app through a real SSH session with keystrokes (test_ssh.py checks
the fingerprint and the store binding on their own).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.support.ssh import Server, Terminal, async_wait_for, connect, open_shop, start_server

TAB, SHIFT_TAB, ENTER, CLEAR_FIELD = b"\t", b"\x1b[Z", b"\r", b"\x15"


async def type_into_focused_field(term: Terminal, text: bytes) -> None:
    """Type `text` once the form's first field has focus: a new screen's field takes
    focus a moment after its first frame, and keys before that land nowhere. So type,
    wait to see the text; if it does not show, clear the field (ctrl+u) and type again.
    (Textual runs a key's binding after the characters that arrived with it, so the
    clearing key goes on its own.)"""
    for _ in range(20):
        term.process.stdin.write(CLEAR_FIELD)
        await term.quiet()
        term.set_mark()
        term.process.stdin.write(text)
        try:
            await term.see(text, timeout=0.5)
            return
        except TimeoutError:
            continue
    raise AssertionError(f"{text!r} never showed in the field")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "home"
    home.mkdir()
    running = start_server(home)
    yield running
    running.stop()
    running.kill_leftovers()


def register_kim(home: Path) -> int:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    accounts = open_store(Paths(home)).services.accounts
    try:
        user = accounts.register(
            email="kim@example.com",
            username="kim",
            password="correct horse",
            question="pet",
            answer="Rex",
            agreed=True,
        )
        return user.id
    finally:
        close_db()


def key_remembered_for(home: Path, fingerprint: str) -> int | None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    accounts = open_store(Paths(home)).services.accounts
    try:
        user = accounts.resolve_key(fingerprint)
        return user.id if user is not None else None
    finally:
        close_db()


async def test_the_same_key_is_remembered_across_sessions_and_forgotten_after_log_out(
    server: Server,
) -> None:
    kim = register_kim(server.home)
    key = asyncssh.generate_private_key("ssh-ed25519")
    fingerprint = str(key.get_fingerprint("sha256"))

    # First session: log in through the form with Remember me ticked.
    async with await connect(server.port, key) as conn:
        term = await open_shop(conn, cols=120, rows=40)
        await term.see(b"BuyNow")
        await term.see(b"Read policy")  # the app has looked for a remembered login
        term.process.stdin.write(b"\t5")  # Account (from the list): Log in, as nobody is
        await term.see(b"Remember me")
        await type_into_focused_field(term, b"kim@example.com")
        # Key by key, each once the app has reacted to the last, as a person types
        # (a burst can reach a field before the focus moved off it).
        for keys in (TAB, b"correct horse", TAB, b" ", SHIFT_TAB):
            term.process.stdin.write(keys)
            await term.quiet()
        term.set_mark()
        term.process.stdin.write(ENTER)
        await term.see(b"@kim")
        # Before the window closes: the app binds the key in a worker after it shows the
        # login, and a session ended that very moment can lose it.
        await async_wait_for(
            lambda: key_remembered_for(server.home, fingerprint) == kim, 10, "the key to be bound"
        )

    # Next session with the same key: logged in from the first frame on.
    async with await connect(server.port, key) as conn:
        term = await open_shop(conn, cols=120, rows=40)
        await term.see(b"@kim")
        term.process.stdin.write(b"\t5")  # Account (tab: out of the search box)
        await term.see(b"Log out")
        await term.quiet()
        term.process.stdin.write(b"l")
        await async_wait_for(
            lambda: key_remembered_for(server.home, fingerprint) is None,
            10,
            "the key to be forgotten",
        )

    # Another key was never Kim.
    other = asyncssh.generate_private_key("ssh-ed25519")
    assert key_remembered_for(server.home, str(other.get_fingerprint("sha256"))) is None
