"""The SSH server's parts that a loopback session cannot pin down on its own: which key
becomes the identity, the admission arithmetic, the deep-link rule, the agent-forwarding
notice, and output to a client that stops reading (an in-process server whose "app"
floods its terminal).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncssh
import pytest
from typer.testing import CliRunner

from buynow_tui.limits import Admission, Limits, Verdict, clamp_size
from buynow_tui.navigation import DEEP_LINKS, ROUTES, is_deep_link, resolve
from buynow_tui.paths import Paths
from buynow_tui.ssh import server as ssh_server
from buynow_tui.ssh import spawner
from buynow_tui.ssh.connection import AGENT_REQUEST_HANDLER, ShopConnection
from buynow_tui.ssh.hub import Hub
from buynow_tui.ssh.lifecycle import ShopSession
from buynow_tui.ssh.policy import (
    MSG_NO_AGENT,
    MSG_NO_COMMANDS,
    PAGES,
    Request,
    RequestKind,
    refusal,
    span,
)
from tests.support.repo import ROOT
from tests.support.ssh import async_wait_for, connect


@pytest.fixture
def hub(tmp_path: Path) -> Hub:
    return Hub(Paths(tmp_path), Limits(), "127.0.0.1", 0)


@pytest.fixture(scope="module")
def two_keys() -> tuple[asyncssh.SSHKey, asyncssh.SSHKey]:
    return (
        asyncssh.generate_private_key("ssh-ed25519").convert_to_public(),
        asyncssh.generate_private_key("ssh-ed25519").convert_to_public(),
    )


async def serve_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, program: str, limits: Limits
) -> ssh_server.Running:
    """An in-process server whose sessions' "app" is `python -c program` (by exec: the
    stand-in is another program than the shop)."""
    monkeypatch.setattr(spawner, "app_argv", lambda open_path: [sys.executable, "-c", program])
    paths = Paths(tmp_path)
    paths.ensure()
    key = asyncssh.generate_private_key("ssh-ed25519")
    return await ssh_server.start(paths, "127.0.0.1", 0, limits, key, spawn="exec")


def preload_in_a_fresh_interpreter(cwd: Path, then: str = "", **env: str) -> str:
    """Run the fork server's preload (then `then`) in a new interpreter; its output."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from buynow_tui import forkserver; forkserver.preload()\n{then}",
        ],
        env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- identity: only the key the client proved ------------------------------------------------------


def test_the_key_proved_last_is_the_identity(
    hub: Hub, two_keys: tuple[asyncssh.SSHKey, asyncssh.SSHKey]
) -> None:
    a, b = two_keys
    conn = ShopConnection(hub)
    conn.validate_public_key("shopper", a)  # probed, never signed
    conn.validate_public_key("shopper", b)  # signed: asyncssh reports success right after
    conn.auth_completed()
    assert conn.fingerprint == b.get_fingerprint("sha256")


def test_a_probed_key_followed_by_keyboard_interactive_is_anonymous(
    hub: Hub, two_keys: tuple[asyncssh.SSHKey, asyncssh.SSHKey]
) -> None:
    a, _ = two_keys
    conn = ShopConnection(hub)
    conn.validate_public_key("shopper", a)  # offered (or its signature failed)
    assert conn.get_kbdint_challenge("shopper", "", "") is True  # in, without prompts
    conn.auth_completed()
    assert conn.fingerprint == ""


def test_anyone_may_come_in_but_never_by_password(hub: Hub) -> None:
    conn = ShopConnection(hub)
    assert conn.begin_auth("anyone") is True, "auth is asked for, so clients offer their keys"
    assert conn.public_key_auth_supported() and conn.kbdint_auth_supported()
    assert not conn.password_auth_supported()
    assert conn.server_requested("0.0.0.0", 80) is False
    with pytest.raises(asyncssh.ChannelOpenError):
        conn.connection_requested("example.com", 25, "127.0.0.1", 5000)
    with pytest.raises(asyncssh.ChannelOpenError):
        conn.unix_connection_requested("/var/run/docker.sock")


# -- admission -------------------------------------------------------------------------------------


def test_connections_per_minute_turn_busy_then_drop_then_recover() -> None:
    now = [1000.0]
    admission = Admission(
        Limits(connections_per_minute=20, max_per_address=100), clock=lambda: now[0]
    )
    verdicts = []
    for _ in range(45):
        verdicts.append(admission.connection_opened("203.0.113.9"))
        admission.connection_closed("203.0.113.9")
    assert verdicts[:20] == [Verdict.OK] * 20
    assert verdicts[20:40] == [Verdict.BUSY] * 20
    assert verdicts[40:] == [Verdict.DROP] * 5
    assert admission.connection_opened("198.51.100.1") is Verdict.OK, (
        "other addresses are not affected"
    )
    now[0] += 61
    assert admission.connection_opened("203.0.113.9") is Verdict.OK, (
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


# -- policy: one deep-link allowlist, the app's ----------------------------------------------------


OPENS = ["cart", "Cart", "/orders/", " shop ", "product/7", "order/12", "product/1234567890"]
#: Unknown pages: with a PTY the app shows Not found for them, as `buynow --open` does.
NOT_FOUND = ["product/0", "product/007", "order/", "nosuchpage", "help", "login"]
REFUSED = ["cart; rm -rf /", "rm -rf /", "-help", "--home=/tmp", "../../etc/passwd", "a b"]


@pytest.mark.parametrize("command", OPENS + NOT_FOUND + REFUSED)
def test_ssh_deep_links_are_exactly_the_apps(command: str) -> None:
    """What `ssh -t host PAGE` opens is what `buynow --open PAGE` opens (navigation's
    allowlist) and `Cart` opens the cart as it does locally; an unknown page shows Not
    found (a screen no link may open, `login`, too); anything else, or an unknown page
    without a PTY, is refused with a line."""
    request = Request(RequestKind.EXEC, command, term_type="xterm")
    assert is_deep_link(command) == (command in OPENS)
    if command in OPENS:
        assert refusal(request) is None
        assert resolve(request.open_path or "") is not None, "the app opens that page"
    elif command in NOT_FOUND:
        assert refusal(request) is None
        assert resolve(request.open_path or "") is None, "the app shows Not found"
        assert refusal(Request(RequestKind.EXEC, command)) == MSG_NO_COMMANDS, "no PTY"
    else:
        assert refusal(request) == MSG_NO_COMMANDS


def test_the_refusal_names_every_page_the_app_opens() -> None:
    named = {page.split("/")[0] for page in PAGES.split(", ")}
    assert named == {*DEEP_LINKS, *(name for name, route in ROUTES.items() if route.takes_id)}
    assert PAGES in MSG_NO_COMMANDS


def test_a_bad_setting_is_left_for_the_session_to_report(tmp_path: Path) -> None:
    """The fork server's preload makes the dummy hash from the settings; a setting it
    cannot use is the session's to report (in one line), not a fork server that never
    starts."""
    preload_in_a_fresh_interpreter(tmp_path, BUYNOW_BCRYPT_ROUNDS="twelve")


def test_the_fork_server_preloads_the_app_but_no_entry_point(tmp_path: Path) -> None:
    """The fork server sits below the entry points (`launch`, the CLI): it loads what a
    session's app needs, and neither of them (nor Typer)."""
    names = "('buynow_tui.app', 'buynow_tui.launch', 'buynow_tui.cli', 'typer')"
    loaded = preload_in_a_fresh_interpreter(
        tmp_path, f"import sys; print(sorted(n for n in {names} if n in sys.modules))"
    )
    assert loaded.strip() == "['buynow_tui.app']"


# -- agent forwarding: refused, and said so --------------------------------------------------------


def test_the_agent_request_hook_still_exists_in_asyncssh() -> None:
    """asyncssh has no public hook for agent-forwarding requests; the server wraps a
    private handler (`connection.notice_agent_requests`). If an asyncssh upgrade renames
    it, this fails: the request would still be refused, but silently."""
    assert callable(getattr(asyncssh.SSHServerChannel, AGENT_REQUEST_HANDLER, None))


async def test_an_agent_forwarding_request_is_refused_and_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = "import time; print('app up'); time.sleep(60)"
    running = await serve_stand_in(tmp_path, monkeypatch, app, Limits())
    try:
        seen: dict[bool, bytes] = {}
        for forwarding in (True, False):
            options: dict[str, Any] = (
                {"agent_forwarding": str(tmp_path / "agent.sock")} if forwarding else {}
            )
            async with await connect(running.port, **options) as conn:
                process = await conn.create_process(
                    term_type="xterm", encoding=None, stderr=asyncssh.STDOUT
                )
                output = b""
                while b"app up" not in output:
                    output += await asyncio.wait_for(process.stdout.read(4096), 10)
                seen[forwarding] = output
                [session] = running.hub.sessions
                assert isinstance(session, ShopSession) and session.chan is not None
                assert session.chan.get_agent_path() is None, "forwarding was not granted"
                process.close()
            await async_wait_for(lambda: not running.hub.sessions, 10, "the session to end")
    finally:
        await running.close()
    line = MSG_NO_AGENT.encode()
    # Said before the app draws anything, and only to a client that asked.
    assert seen[True].count(line) == 1 and seen[True].index(line) < seen[True].index(b"app up")
    assert line not in seen[False]


# -- output to a client that stops reading ---------------------------------------------------------


FLOOD = "import os\nblock = b'x' * 4096\nwhile True:\n    os.write(1, block)\n"


async def test_output_to_a_client_that_stops_reading_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limits = Limits(output_buffer=64 * 1024)
    running = await serve_stand_in(tmp_path, monkeypatch, FLOOD, limits)
    try:
        conn = await connect(running.port)
        process = await conn.create_process(term_type="xterm", encoding=None)
        session = await async_wait_for(
            lambda: next(iter(running.hub.sessions), None), 10, "a session"
        )

        # The client reads nothing: the server stops reading the app once its buffer is full.
        await async_wait_for(
            lambda: session.pump.output_paused and not session.pump.reading, 15, "output to pause"
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
        await async_wait_for(lambda: not running.hub.sessions, 10, "the session to end")
        assert session.child.exited
    finally:
        await running.close()


async def test_sessions_beyond_the_starting_limit_wait_then_hear_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An "app" that never draws holds its starting slot.
    limits = Limits(max_starting=1, start_wait=0.5)
    running = await serve_stand_in(tmp_path, monkeypatch, "import time; time.sleep(60)", limits)
    try:
        conn = await connect(running.port)
        first = await conn.create_process(term_type="xterm", encoding=None, stderr=asyncssh.STDOUT)
        await async_wait_for(lambda: running.hub.sessions, 10, "the first session to start")
        second = await conn.create_process(term_type="xterm", encoding=None, stderr=asyncssh.STDOUT)
        output = await asyncio.wait_for(second.stdout.read(), 10)
        assert output.strip() == b"BuyNow is busy right now; please try again in a minute."
        assert len(running.hub.sessions) == 1
        assert running.hub.admission.live_sessions == 1, "the refused session is not counted"
        first.close()
        conn.close()
    finally:
        await running.close()
    assert not running.hub.sessions
