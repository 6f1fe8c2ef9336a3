"""The SSH server as shoppers and admins meet it: a real `buynow serve` subprocess on a
free loopback port, driven by asyncssh's client (OpenSSH's in test_ssh_openssh.py).
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.support.cli import run_cli
from tests.support.ssh import (
    Server,
    async_wait_for,
    children_of,
    cmdline_of,
    connect,
    controlling_tty_of,
    drew_at,
    environ_of,
    fork_server_of,
    max_col,
    max_row,
    name_of,
    open_shop,
    process_ended,
    process_gone,
    pty_size_of,
    session_id_of,
    sessions_of,
    start_server,
)

DEEP_LINK_PAGES = [
    ("cart", b"Log in to use your cart"),  # anonymous: the page asks for a log in first
    ("product/7", b"Bluetooth Headphone"),
    ("order/12", b"Log in to use your cart"),
]

MSG_BUSY = b"BuyNow is busy right now; please try again in a minute."
MSG_CLOSING = b"The shop is closing. Goodbye."
RESTORE = b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l"

ALLOWED_ENV = {
    "TERM",
    "LANG",
    "COLORTERM",
    "NO_COLOR",
    "PATH",
    "HOME",
    "PYTHONPATH",
    "BUYNOW_HOME",
    "BUYNOW_DATABASE_URL",
    "BUYNOW_TESTING",
    "BUYNOW_BCRYPT_ROUNDS",
    "BUYNOW_SHIPPING_CENTS",
    "BUYNOW_SSH",
    "BUYNOW_SSH_FINGERPRINT",
    "BUYNOW_SSH_PEER",
    "BUYNOW_SERVER_STARTED",
    "LC_CTYPE",  # Python's C-locale coercion (PEP 538) adds it inside the child itself
}


KeyPair = tuple[asyncssh.SSHKey, asyncssh.SSHKey]
StartServer = Callable[..., Server]  # `server_with`: CLI options, then home= and env=


@pytest.fixture(scope="module")
def keys() -> KeyPair:
    return asyncssh.generate_private_key("ssh-ed25519"), asyncssh.generate_private_key(
        "ssh-ed25519"
    )


@pytest.fixture(scope="module")
def shop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server with default limits, shared by the tests that do not change them."""
    server = start_server(tmp_path_factory.mktemp("ssh-home"))
    yield server
    server.stop()
    server.kill_leftovers()


@pytest.fixture(scope="module")
def exec_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that starts each session by exec (`--spawn exec`): a fresh interpreter
    whose /proc/PID/environ and cmdline are what the server handed over. The
    environment contract is the same dict in both modes; only exec makes it visible."""
    server = start_server(tmp_path_factory.mktemp("ssh-exec-home"), "--spawn", "exec")
    yield server
    server.stop()
    server.kill_leftovers()


@pytest.fixture(params=["fork", "exec"])
def any_server(request: pytest.FixtureRequest) -> Server:
    """Each spawn mode's shared server in turn."""
    server: Server = request.getfixturevalue(
        "shop_server" if request.param == "fork" else "exec_server"
    )
    return server


def is_exec(server: Server) -> bool:
    args = server.proc.args
    assert isinstance(args, list)
    return "--spawn" in args and "exec" in args


@pytest.fixture
def server_with(tmp_path: Path) -> Iterator[StartServer]:
    """Start a server of one's own (its own home), with extra CLI options or env."""
    started: list[Server] = []

    def start(*args: str, home: Path | None = None, env: dict[str, str] | None = None) -> Server:
        folder = home or tmp_path / f"home{len(started)}"
        folder.mkdir(exist_ok=True)
        server = start_server(folder, *args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        server.kill_leftovers()


def host_key(conn: asyncssh.SSHClientConnection) -> asyncssh.SSHKey:
    key = conn.get_server_host_key()
    assert key is not None
    return key


def fingerprint(key: asyncssh.SSHKey) -> str:
    return str(key.get_fingerprint("sha256"))


async def no_sessions_left(server: Server) -> None:
    await async_wait_for(
        lambda: server.state()["sessions_live"] == 0 and not server.children(), 10, "no sessions"
    )


# -- a session -------------------------------------------------------------------------------------


async def test_a_session_sees_the_shop_in_its_own_process_on_its_own_terminal(
    any_server: Server, keys: KeyPair
) -> None:
    shop_server = any_server
    key, _ = keys
    async with await connect(shop_server.port, key) as conn:
        term = await open_shop(conn)
        await term.see(b"BuyNow")
        [pid] = shop_server.wait_children(1)

        assert session_id_of(pid) == pid, "the app leads its own session (setsid)"
        assert controlling_tty_of(pid) != 0, "the PTY is the app's controlling terminal"
        assert pty_size_of(pid) == (80, 24)
        if is_exec(shop_server):
            assert cmdline_of(pid)[1:] == ["-P", "-m", "buynow_tui"]
            env = environ_of(pid)
            assert set(env) <= ALLOWED_ENV, set(env) - ALLOWED_ENV
            assert "COLUMNS" not in env and "LINES" not in env
            assert env["BUYNOW_SSH"] == "1"
            assert env["BUYNOW_SSH_FINGERPRINT"] == fingerprint(key)
            assert env["BUYNOW_SSH_PEER"] == "127.0.0.1"
            assert env["BUYNOW_HOME"] == env["HOME"] == str(shop_server.home)
            assert env["BUYNOW_SERVER_STARTED"] == shop_server.state()["started"]
            assert env["TERM"] == "xterm-256color"
        else:
            # Forked from the server's one fork server, named so `ps` tells them apart.
            forkserver = fork_server_of(shop_server.pid)
            assert forkserver is not None and name_of(forkserver) == "buynow-forksrv"
            assert sessions_of(shop_server.pid) == [pid]
            assert name_of(pid) == "buynow-session"
        assert shop_server.state()["sessions_live"] == 1

        # q quits the app (from the list: tab leaves the search box, which has the
        # cursor when the Shop opens): the session ends and the terminal is restored.
        term.set_mark()
        term.process.stdin.write(b"\tq")
        tail = await term.read_to_end()
        assert tail.endswith(RESTORE + b"\x1b[?1004l\x1b[?1015l\x1b[?7h\x1b[<u\x1b[0m")
        assert (await term.process.wait()).exit_status == 0
    await async_wait_for(lambda: process_gone(pid), 10, "the app to be reaped")
    await no_sessions_left(shop_server)


async def test_what_the_client_sends_reaches_the_app_only_through_the_allowlist(
    exec_server: Server,
) -> None:
    shop_server = exec_server
    async with await connect(shop_server.port) as conn:
        term = await open_shop(
            conn,
            term="xterm\x1b]0;pwned\x07",
            env={
                "LANG": "de_DE.UTF-8",
                "COLORTERM": "truecolor",
                "NO_COLOR": "yes",
                "COLUMNS": "10",
                "LINES": "5",
                "LD_PRELOAD": "/tmp/evil.so",
                "PYTHONSTARTUP": "/tmp/x.py",
            },
        )
        await term.see(b"BuyNow")
        [pid] = shop_server.wait_children(1)
        env = environ_of(pid)
        assert env["BUYNOW_SSH_FINGERPRINT"] == "", "no key: anonymous"
        assert env["LANG"] == "de_DE.UTF-8"
        assert env["COLORTERM"] == "truecolor"
        assert env["NO_COLOR"] == "1"
        assert env["TERM"] == "xterm-256color", "a hostile TERM is replaced"
        for name in ("COLUMNS", "LINES", "LD_PRELOAD", "PYTHONSTARTUP"):
            assert name not in env
        assert set(env) <= ALLOWED_ENV
    await no_sessions_left(shop_server)


async def test_a_forked_session_runs_with_the_environment_the_server_handed_over(
    shop_server: Server,
) -> None:
    """A forked session's /proc environ is the fork server's, so show what the app did
    with its own: it knows it is over SSH and measures uptime from the server's launch."""
    from datetime import datetime

    started = datetime.fromisoformat(shop_server.state()["started"]).astimezone()
    async with await connect(shop_server.port) as conn:
        term = await open_shop(conn, command="about", cols=120, rows=30)
        await term.see(b"when the shop's SSH server started")
        await term.see(started.strftime("%H:%M:%S").encode())
        [pid] = shop_server.wait_children(1)
        assert name_of(pid) == "buynow-session"
    await no_sessions_left(shop_server)


async def test_over_ssh_the_mouse_reports_buttons_not_every_motion(any_server: Server) -> None:
    """Any-motion reporting (?1003h) would send a sequence per cell the pointer crosses,
    across the network; button-event tracking (?1002h) still clicks, scrolls and drags."""
    async with await connect(any_server.port) as conn:
        term = await open_shop(conn)
        shown = await term.see(b"BuyNow")
        shown = await term.read_until(lambda data: b"\x1b[?1006h" in data)
        assert b"\x1b[?1000h" in shown and b"\x1b[?1002h" in shown
        assert b"\x1b[?1003h" not in shown
        await term.see(b"Page 1 of")
        term.process.stdin.write(b"\x1b[<0;10;8M\x1b[<0;10;8m")  # a click on a table row
        await term.quiet()
        assert b"\x1b[?1003h" not in term.data
    await no_sessions_left(any_server)


async def test_an_idle_session_sends_nothing_not_even_a_blinking_cursor(
    shop_server: Server,
) -> None:
    """The Shop opens with the cursor in its search box; over SSH it does not blink, so
    a shopper who is reading costs the server nothing and the connection stays still."""
    async with await connect(shop_server.port) as conn:
        term = await open_shop(conn)
        await term.see(b"Page 1 of")
        await term.quiet(period=1.0)
        term.set_mark()
        await term.quiet(period=2.0)  # returns after 2 s with nothing drawn...
        assert term.data[term.mark :] == b""  # ...and nothing was
        term.process.stdin.write(b"x")  # and the box still answers at once
        await term.see(b"x")
    await no_sessions_left(shop_server)


async def test_a_window_change_re_lays_the_screen_out_and_sizes_are_clamped(
    shop_server: Server,
) -> None:
    async with await connect(shop_server.port) as conn:
        term = await open_shop(conn, cols=100, rows=30)
        await term.read_until(lambda data: b"BuyNow" in data and max_row(data) == 30)
        [pid] = shop_server.wait_children(1)
        assert pty_size_of(pid) == (100, 30)

        term.set_mark()
        term.process.change_terminal_size(150, 40)
        # The kernel told the app (SIGWINCH): it drew its footer on row 40, past column 100.
        redrawn = await term.read_until(lambda data: drew_at(data, 40, 100))
        assert max_col(redrawn) <= 150 and max_row(redrawn) <= 40
        assert pty_size_of(pid) == (150, 40)

        term.set_mark()
        term.process.change_terminal_size(1000, 3)
        await term.read_until(lambda data: drew_at(data, 10, 150))
        assert pty_size_of(pid) == (240, 10), "clamped to 20-240 columns and 10-80 rows"
    await no_sessions_left(shop_server)


async def test_an_abrupt_disconnect_leaves_no_app_process(
    shop_server: Server, keys: KeyPair
) -> None:
    conn = await connect(shop_server.port, keys[0])
    term = await open_shop(conn)
    await term.see(b"BuyNow")
    [pid] = shop_server.wait_children(1)
    conn.abort()  # no goodbye: the TCP connection just drops
    await async_wait_for(lambda: process_gone(pid), 10, "the app to be killed and reaped")
    await no_sessions_left(shop_server)


async def test_deep_links_from_the_allowlist_open_that_page(any_server: Server) -> None:
    shop_server = any_server
    async with await connect(shop_server.port) as conn:
        for page, shows in DEEP_LINK_PAGES:
            term = await open_shop(conn, command=page)
            await term.see(shows)
            [pid] = shop_server.wait_children(1)
            if is_exec(shop_server):
                assert cmdline_of(pid)[1:] == ["-P", "-m", "buynow_tui", "--open", page]
            term.process.close()  # (a page may open on Log in, where "q" is typed, not a key)
            await async_wait_for(functools.partial(process_gone, pid), 10, "the app to exit")
    await no_sessions_left(shop_server)


# -- refusals --------------------------------------------------------------------------------------


async def test_what_is_not_a_shop_session_is_refused_with_one_line(shop_server: Server) -> None:
    async with await connect(shop_server.port) as conn:
        no_pty = await conn.run(encoding="utf-8")
        assert isinstance(no_pty.stderr, str)
        assert no_pty.exit_status == 1
        assert no_pty.stderr.count("\n") == 1 and "needs a terminal" in no_pty.stderr

        deep_link_without_pty = await conn.run("about", encoding="utf-8")
        assert isinstance(deep_link_without_pty.stderr, str)
        assert "needs a terminal" in deep_link_without_pty.stderr
        # (`cart` without a PTY is a shopper's command: tests/test_ssh_shopper.py)

        for command in (
            "rm -rf /",
            "cart; rm -rf /",
            "product/7 --help",
            "../../etc/passwd",
        ):
            result = await conn.run(command, term_type="xterm", encoding="utf-8")
            assert isinstance(result.stderr, str)
            assert result.exit_status == 1, command
            assert result.stderr.count("\n") == 1 and "runs no commands" in result.stderr, command

        scp = await conn.run("scp -t /tmp", encoding="utf-8")
        assert isinstance(scp.stderr, str)
        assert (
            scp.exit_status == 1
            and scp.stderr.strip() == "BuyNow offers no file transfer (sftp, scp)."
        )

        sftp = await conn.run(subsystem="sftp", encoding="utf-8")
        assert isinstance(sftp.stderr, str)
        assert (
            sftp.exit_status == 1
            and sftp.stderr.strip() == "BuyNow offers no file transfer (sftp, scp)."
        )
        with pytest.raises((asyncssh.Error, OSError)):
            await conn.start_sftp_client()

        with pytest.raises(asyncssh.ChannelOpenError) as local_forward:
            await conn.open_connection("127.0.0.1", 22)
        assert local_forward.value.code == asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED
        assert local_forward.value.reason == "BuyNow offers no port forwarding."

        with pytest.raises(asyncssh.ChannelListenError):
            await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", 22)

        assert shop_server.children() == [], "nothing refused ever started an app"
    assert shop_server.state()["sessions_served"] >= 0


# -- identity --------------------------------------------------------------------------------------


async def test_the_same_key_is_the_same_shopper_across_sessions(
    exec_server: Server, keys: KeyPair
) -> None:
    shop_server = exec_server
    key, other = keys
    seen: list[str] = []
    for client_key in (key, key, other, None):
        async with await connect(shop_server.port, client_key) as conn:
            term = await open_shop(conn)
            await term.see(b"BuyNow")
            [pid] = shop_server.wait_children(1)
            seen.append(environ_of(pid)["BUYNOW_SSH_FINGERPRINT"])
        await no_sessions_left(shop_server)
    assert seen == [fingerprint(key), fingerprint(key), fingerprint(other), ""]

    # What the app does with it (Remember me over SSH), against the same store.
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    accounts = open_store(Paths(shop_server.home)).services.accounts
    try:
        user = accounts.register(
            email="kim@example.com",
            username="kim",
            password="correct horse",
            question="pet",
            answer="Rex",
            agreed=True,
        )
        accounts.remember_key(user.id, seen[0])
        remembered = accounts.resolve_key(seen[1])
        assert remembered is not None and remembered.id == user.id, (
            "the next session with that key is Kim"
        )
        assert accounts.resolve_key(seen[2]) is None, "another key is someone else"
        assert accounts.resolve_key(seen[3]) is None, "anonymous is nobody"
        accounts.forget_key(seen[0])
        assert accounts.resolve_key(seen[1]) is None, "after log out the key is forgotten"
    finally:
        close_db()


async def test_four_concurrent_sessions_of_two_shoppers_are_apart(
    any_server: Server, keys: KeyPair
) -> None:
    shop_server = any_server
    key_a, key_b = keys
    conns = [await connect(shop_server.port, k) for k in (key_a, key_b, key_a, key_b)]
    try:
        terms = await asyncio.gather(*(open_shop(c) for c in conns))
        await asyncio.gather(*(t.see(b"BuyNow") for t in terms))
        pids = shop_server.wait_children(4)
        assert len({session_id_of(p) for p in pids}) == 4, "four sessions"
        assert len({controlling_tty_of(p) for p in pids}) == 4, "four terminals"
        if is_exec(shop_server):
            prints = sorted(environ_of(p)["BUYNOW_SSH_FINGERPRINT"] for p in pids)
            assert prints == sorted([fingerprint(key_a)] * 2 + [fingerprint(key_b)] * 2)
        assert shop_server.state()["sessions_live"] == 4

        # Typing in one session reaches only that session's app.
        terms[0].set_mark()
        terms[0].process.stdin.write(b"\tq")  # out of the search box, then quit
        await terms[0].read_to_end()
        await async_wait_for(lambda: len(shop_server.children()) == 3, 10, "one app to quit")
    finally:
        for conn in conns:
            conn.close()
    await no_sessions_left(shop_server)


# -- limits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--max-sessions", "--max-per-address"])
async def test_the_session_over_a_limit_gets_the_busy_line(
    server_with: StartServer, option: str
) -> None:
    server = server_with(option, "2")
    conns = [await connect(server.port) for _ in range(3)]
    try:
        first, second = [await open_shop(c) for c in conns[:2]]
        await asyncio.gather(first.see(b"BuyNow"), second.see(b"BuyNow"))
        server.wait_children(2)

        third = await open_shop(conns[2])
        output = await third.read_to_end()
        assert output.strip() == MSG_BUSY
        assert (await third.process.wait()).exit_status == 1
        assert len(server.children()) == 2

        # A place frees up: the next one gets in.
        conns[0].close()
        await async_wait_for(lambda: server.state()["sessions_live"] == 1, 10, "a session to end")
        fourth = await open_shop(conns[2])
        await fourth.see(b"BuyNow")
    finally:
        for conn in conns:
            conn.close()


async def test_too_many_new_connections_from_one_address_are_turned_away(
    server_with: StartServer,
) -> None:
    server = server_with("--connections-per-minute", "3")
    conns = [await connect(server.port) for _ in range(3)]
    over = await connect(server.port)
    try:
        output = await (await open_shop(over)).read_to_end()
        assert output.strip() == MSG_BUSY
        # Far over the limit (a flood), connections are dropped before the handshake.
        for _ in range(2):
            (await connect(server.port)).close()
        with pytest.raises((OSError, asyncssh.Error)):
            await connect(server.port)
    finally:
        for conn in [*conns, over]:
            conn.close()
    assert server.children() == []


async def test_idle_sessions_and_long_sessions_end_with_a_line(server_with: StartServer) -> None:
    idle = server_with("--idle-timeout", "1")
    async with await connect(idle.port) as conn:
        term = await open_shop(conn)
        # Not its first frame: the idle clock starts at connect, and on a busy machine the
        # app may take longer than the 1-second limit to draw.
        [pid] = idle.wait_children(1)
        tail = await term.read_to_end(timeout=10)
        assert RESTORE in tail and b"You were idle for 1 second; goodbye." in tail
    await async_wait_for(lambda: process_gone(pid), 10, "the idle app to be reaped")

    capped = server_with("--session-cap", "2", "--idle-timeout", "60")
    async with await connect(capped.port) as conn:
        term = await open_shop(conn)
        await term.see(b"BuyNow")
        term.process.stdin.write(b"x")  # typing does not extend the cap
        tail = await term.read_to_end(timeout=10)
        assert RESTORE in tail and b"Sessions last at most 2 seconds; goodbye." in tail


async def test_a_client_that_never_logs_in_is_disconnected(server_with: StartServer) -> None:
    server = server_with("--login-timeout", "1")
    loop = asyncio.get_running_loop()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.setblocking(False)

        async def read_until_closed() -> bytes:
            data = b""
            while chunk := await loop.sock_recv(sock, 4096):
                data += chunk
            return data

        banner = await asyncio.wait_for(read_until_closed(), 8)
    assert banner.startswith(b"SSH-2.0-BuyNow")


# -- host key, uptime, stopping --------------------------------------------------------------------


async def test_the_host_key_is_made_once_private_and_kept_across_restarts(
    server_with: StartServer, tmp_path: Path
) -> None:
    home = tmp_path / "keyhome"
    first = server_with(home=home)
    async with await connect(first.port) as conn:
        seen_first = host_key(conn).get_fingerprint("sha256")
    key_file = home / "ssh_host_ed25519_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.stop() == 0
    assert f"Host key fingerprint: {seen_first}" in first.output

    second = server_with(home=home)
    async with await connect(second.port) as conn:
        assert host_key(conn).get_fingerprint("sha256") == seen_first
    paths_out = run_cli(home, "paths").stdout
    assert f"host key fingerprint  {seen_first}" in paths_out

    # BUYNOW_HOST_KEY points several front ends at one shared key elsewhere.
    shared = tmp_path / "shared_key"
    third = server_with(home=tmp_path / "other", env={"BUYNOW_HOST_KEY": str(shared)})
    assert stat.S_IMODE(shared.stat().st_mode) == 0o600
    assert not (tmp_path / "other" / "ssh_host_ed25519_key").exists()
    async with await connect(third.port) as conn:
        shared_print = host_key(conn).get_fingerprint("sha256")
    assert shared_print != seen_first
    assert (
        shared_print
        in run_cli(tmp_path / "other", "paths", env={"BUYNOW_HOST_KEY": str(shared)}).stdout
    )


def test_a_host_key_others_can_read_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    key_file = home / "ssh_host_ed25519_key"
    key_file.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
    os.chmod(key_file, 0o644)
    result = run_cli(home, "serve", "--port", "0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: the host key {key_file} can be read by others (mode 0644);"
        f" run: chmod 600 {key_file}"
    ]


async def test_uptime_answers_while_serving_and_not_after(server_with: StartServer) -> None:
    server = server_with()
    async with await connect(server.port) as conn:
        term = await open_shop(conn)
        await term.see(b"BuyNow")
        result = run_cli(server.home, "uptime")
        assert result.returncode == 0, result.stderr
        assert "running since" in result.stdout and "up for" in result.stdout
        assert "1 served, 1 live" in result.stdout
    assert server.stop() == 0
    after = run_cli(server.home, "uptime")
    assert after.returncode == 1 and after.stdout.strip() == "not running"


def test_uptime_ignores_a_state_file_left_by_a_killed_server(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "server.json").write_text(
        '{"pid": 999999, "started": "2026-01-01T00:00:00+00:00", "host": "x", "port": 1}'
    )
    result = run_cli(home, "uptime")
    assert result.returncode == 1 and result.stdout.strip() == "not running"


async def test_even_a_killed_server_leaves_no_app_running(server_with: StartServer) -> None:
    server = server_with()
    conn = await connect(server.port)
    term = await open_shop(conn)
    await term.see(b"BuyNow")
    [pid] = server.wait_children(1)
    server.proc.kill()  # no graceful stop: the kernel hangs up the PTY, the app goes
    server.proc.wait()
    await async_wait_for(lambda: process_ended(pid), 10, "the orphaned app to end")
    conn.abort()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_stopping_tells_shoppers_restores_terminals_and_leaves_no_process(
    server_with: StartServer, sig: int
) -> None:
    server = server_with()
    conns = [await connect(server.port) for _ in range(2)]
    terms = [await open_shop(c) for c in conns]
    await asyncio.gather(*(t.see(b"BuyNow") for t in terms))
    pids = server.wait_children(2)
    for term in terms:
        term.set_mark()

    loop = asyncio.get_running_loop()
    code = await loop.run_in_executor(None, server.stop, sig)
    assert code == 0
    for term in terms:
        tail = await term.read_to_end()
        assert RESTORE in tail and MSG_CLOSING in tail
        assert tail.index(RESTORE) < tail.index(MSG_CLOSING), (
            "restore first, so the line shows on the main screen"
        )
    assert all(process_gone(pid) for pid in pids)
    assert children_of(server.pid) == []
    assert not server.state_file.exists()
    assert "Stopped after serving 2 sessions." in server.output
    for conn in conns:
        conn.close()


# -- the fork server -------------------------------------------------------------------------------


async def test_a_killed_fork_server_loses_no_session_and_is_replaced(
    server_with: StartServer,
) -> None:
    server = server_with()
    forkserver = fork_server_of(server.pid)
    assert forkserver is not None

    conn = await connect(server.port)
    term = await open_shop(conn)
    await term.see(b"BuyNow")
    [pid] = server.wait_children(1)

    os.kill(forkserver, signal.SIGKILL)
    await async_wait_for(lambda: process_ended(forkserver), 10, "the fork server to die")

    # The live session goes on (it is an orphan now) and still answers keys...
    term.set_mark()
    term.process.stdin.write(b"\t2")  # the Cart (from the list): anonymous, it asks for a log in
    await term.see(b"Log in to use your cart")
    # ...and when it quits, the server still notices.
    term.process.stdin.write(b"\x1b")
    await term.quiet()
    term.process.stdin.write(b"q")
    await term.read_to_end()
    await async_wait_for(lambda: server.state()["sessions_live"] == 0, 10, "the session to end")
    await async_wait_for(lambda: process_ended(pid), 10, "the orphaned app to end")
    conn.close()

    # The next shopper gets a session from a new fork server.
    async with await connect(server.port) as again:
        term = await open_shop(again)
        await term.see(b"BuyNow")
        [new_pid] = server.wait_children(1)
        replacement = fork_server_of(server.pid)
        assert replacement not in (None, forkserver)
        assert name_of(new_pid) == "buynow-session"
