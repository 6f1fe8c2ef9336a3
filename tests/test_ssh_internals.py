"""The SSH server's parts that a loopback session cannot pin down on its own: which key
becomes the identity, the admission arithmetic, and output to a client that stops
reading (an in-process server whose "app" floods its terminal).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import asyncssh
import pytest
from typer.testing import CliRunner

from buynow_tui.paths import Paths
from buynow_tui.ssh import server as ssh_server
from buynow_tui.ssh.limits import Admission, Limits, clamp_size
from buynow_tui.ssh.server import Shop, ShopConnection, span
from tests.ssh_support import async_wait_for, connect


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return Shop(Paths(tmp_path), Limits(), "127.0.0.1", 0)


@pytest.fixture(scope="module")
def two_keys() -> tuple[asyncssh.SSHKey, asyncssh.SSHKey]:
    return (
        asyncssh.generate_private_key("ssh-ed25519").convert_to_public(),
        asyncssh.generate_private_key("ssh-ed25519").convert_to_public(),
    )


# -- identity: only the key the client proved ---------------------------------------------------------


def test_the_key_proved_last_is_the_identity(shop: Shop, two_keys) -> None:
    a, b = two_keys
    conn = ShopConnection(shop)
    conn.validate_public_key("shopper", a)  # probed, never signed
    conn.validate_public_key("shopper", b)  # signed: asyncssh reports success right after
    conn.auth_completed()
    assert conn.fingerprint == b.get_fingerprint("sha256")


def test_a_probed_key_followed_by_keyboard_interactive_is_anonymous(shop: Shop, two_keys) -> None:
    a, _ = two_keys
    conn = ShopConnection(shop)
    conn.validate_public_key("shopper", a)  # offered (or its signature failed)
    assert conn.get_kbdint_challenge("shopper", "", "") is True  # in, without prompts
    conn.auth_completed()
    assert conn.fingerprint == ""


def test_anyone_may_come_in_but_never_by_password(shop: Shop) -> None:
    conn = ShopConnection(shop)
    assert conn.begin_auth("anyone") is True, "auth is asked for, so clients offer their keys"
    assert conn.public_key_auth_supported() and conn.kbdint_auth_supported()
    assert not conn.password_auth_supported()
    assert conn.server_requested("0.0.0.0", 80) is False
    with pytest.raises(asyncssh.ChannelOpenError):
        conn.connection_requested("example.com", 25, "127.0.0.1", 5000)
    with pytest.raises(asyncssh.ChannelOpenError):
        conn.unix_connection_requested("/var/run/docker.sock")


# -- admission -----------------------------------------------------------------------------------------


def test_connections_per_minute_turn_busy_then_drop_then_recover() -> None:
    now = [1000.0]
    admission = Admission(
        Limits(connections_per_minute=20, max_per_address=100), clock=lambda: now[0]
    )
    verdicts = []
    for _ in range(45):
        verdicts.append(admission.connection_opened("203.0.113.9"))
        admission.connection_closed("203.0.113.9")
    assert verdicts[:20] == ["ok"] * 20
    assert verdicts[20:40] == ["busy"] * 20
    assert verdicts[40:] == ["drop"] * 5
    assert admission.connection_opened("198.51.100.1") == "ok", "other addresses are not affected"
    now[0] += 61
    assert admission.connection_opened("203.0.113.9") == "ok", (
        "a minute later the window has moved on"
    )


def test_sessions_are_limited_in_total_and_per_address() -> None:
    admission = Admission(Limits(max_sessions=3, max_per_address=2))
    admission.session_opened("a")
    admission.session_opened("a")
    assert not admission.session_allowed("a")
    assert admission.session_allowed("b")
    admission.session_opened("b")
    assert not admission.session_allowed("c"), "three in total"
    admission.session_closed("a")
    assert admission.session_allowed("a") and admission.session_allowed("c")


def test_terminal_sizes_are_clamped() -> None:
    assert clamp_size(0, 0) == (80, 24)
    assert clamp_size(5, 2) == (20, 10)
    assert clamp_size(100000, 100000) == (240, 80)
    assert clamp_size(132, 43) == (132, 43)


def test_time_spans_read_naturally() -> None:
    assert [span(s) for s in (900, 7200, 5400, 1, 30)] == [
        "15 minutes",
        "2 hours",
        "90 minutes",
        "1 second",
        "30 seconds",
    ]


def test_limits_below_one_are_refused_with_one_line(tmp_path: Path) -> None:
    from buynow_tui.cli import app

    result = CliRunner().invoke(app, ["--home", str(tmp_path), "serve", "--max-sessions", "0"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: max sessions must be at least 1"


# -- output to a client that stops reading ---------------------------------------------------------------


FLOOD = "import os\nblock = b'x' * 4096\nwhile True:\n    os.write(1, block)\n"


async def test_output_to_a_client_that_stops_reading_is_bounded(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(ssh_server, "app_argv", lambda open_path: [sys.executable, "-c", FLOOD])
    paths = Paths(tmp_path)
    paths.ensure()
    limits = Limits(output_buffer=64 * 1024)
    running = await ssh_server.start(  # exec: the stand-in app is another program
        paths, "127.0.0.1", 0, limits, asyncssh.generate_private_key("ssh-ed25519"), spawn="exec"
    )
    try:
        conn = await connect(running.port)
        process = await conn.create_process(term_type="xterm", encoding=None)
        session = await async_wait_for(
            lambda: next(iter(running.shop.sessions), None), 10, "a session"
        )

        # The client reads nothing: the server stops reading the app once its buffer is full.
        await async_wait_for(
            lambda: session.output_paused and not session.reading, 15, "output to pause"
        )
        bound = limits.output_buffer + 65536  # the limit plus at most one read from the PTY
        for _ in range(10):
            assert session.chan.get_write_buffer_size() <= bound
            await asyncio.sleep(0.05)  # sampling over time: the buffer must stay bounded

        # Reading again lets the output flow again.
        taken = 0
        while taken < 8 * 1024 * 1024:
            taken += len(await asyncio.wait_for(process.stdout.read(65536), 10))
        assert session.child is not None and not session.child.exited
        conn.close()
        await async_wait_for(lambda: not running.shop.sessions, 10, "the session to end")
        assert session.child.exited
    finally:
        await running.close()


async def test_sessions_beyond_the_starting_limit_wait_then_hear_busy(
    tmp_path: Path, monkeypatch
) -> None:
    # An "app" that never draws holds its starting slot.
    monkeypatch.setattr(
        ssh_server,
        "app_argv",
        lambda open_path: [sys.executable, "-c", "import time; time.sleep(60)"],
    )
    paths = Paths(tmp_path)
    paths.ensure()
    limits = Limits(max_starting=1, start_wait=0.5)
    running = await ssh_server.start(  # exec: the stand-in app is another program
        paths, "127.0.0.1", 0, limits, asyncssh.generate_private_key("ssh-ed25519"), spawn="exec"
    )
    try:
        conn = await connect(running.port)
        first = await conn.create_process(term_type="xterm", encoding=None, stderr=asyncssh.STDOUT)
        await async_wait_for(lambda: running.shop.sessions, 10, "the first session to start")
        second = await conn.create_process(term_type="xterm", encoding=None, stderr=asyncssh.STDOUT)
        output = await asyncio.wait_for(second.stdout.read(), 10)
        assert output.strip() == b"BuyNow is busy right now; please try again in a minute."
        assert len(running.shop.sessions) == 1
        assert running.shop.admission.live_sessions == 1, "the refused session is not counted"
        first.close()
        conn.close()
    finally:
        await running.close()
    assert not running.shop.sessions
