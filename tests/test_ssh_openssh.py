"""The SSH server with the client shoppers actually use: OpenSSH's `ssh`, `sftp`, `scp`,
run on a PTY of the test's own where a shopper would have a terminal.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from tests.support.cli import subprocess_env
from tests.support.ssh import (
    PtyClient,
    Server,
    drew_at,
    environ_of,
    logged_identities,
    process_gone,
    pty_size_of,
    ssh_argv,
    start_server,
    wait_for,
    write_key,
)

pytestmark = pytest.mark.skipif(
    shutil.which("ssh") is None, reason="no OpenSSH client on this machine"
)

RESTORE = b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l"
NO_FILES = "BuyNow offers no file transfer (sftp, scp)."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("openssh-home"))
    yield running
    running.stop()
    running.kill_leftovers()


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_key(
        asyncssh.generate_private_key("ssh-ed25519"), tmp_path_factory.mktemp("keys") / "id_ed25519"
    )


def keygen_fingerprint(key_file: Path) -> str:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(key_file)],
        check=False,
        capture_output=True,
        text=True,
    )
    return out.stdout.split()[1]


def run_ssh(
    server: Server, key_file: Path | None, *args: str, timeout: float = 20
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ssh_argv(server.port, key_file, *args),
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(),
    )


def test_a_shopper_with_ssh_sees_the_shop_resizes_and_quits(server: Server, key_file: Path) -> None:
    client = PtyClient.spawn(ssh_argv(server.port, key_file, "127.0.0.1"), cols=100, rows=30)
    try:
        client.see(b"BuyNow")
        [pid] = server.wait_children(1)
        assert pty_size_of(pid) == (100, 30), "the size of the shopper's terminal"
        assert logged_identities(server.home)[-1] == keygen_fingerprint(key_file)

        # The shopper resizes their window: ssh sends a window change on SIGWINCH.
        import fcntl
        import struct
        import termios

        mark = len(client.data)
        fcntl.ioctl(client.master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 132, 0, 0))
        client.proc.send_signal(signal.SIGWINCH)
        client.read_until(lambda data: drew_at(data[mark:], 40, 100))
        assert pty_size_of(pid) == (132, 40)

        client.type(b"\tq")  # out of the Shop's search box, then quit
        assert client.drain() == 0
        assert client.data.rstrip(b"\r\n").endswith(b"\x1b[<u\x1b[0m") and RESTORE in client.data
        wait_for(lambda: process_gone(pid), 10, "the app to be reaped")
    finally:
        client.close()


def test_a_deep_link_with_ssh_t_opens_that_page(server: Server, key_file: Path) -> None:
    client = PtyClient.spawn(ssh_argv(server.port, key_file, "-t", "127.0.0.1", "orders"))
    try:
        client.see(b"Log in to use your cart")  # Orders, for an anonymous shopper
        [pid] = server.wait_children(1)
    finally:
        client.close()  # (Orders may open on Log in, where "q" is typed, not a key)
    wait_for(lambda: process_gone(pid), 10, "the app to go with the client")


def test_a_shopper_without_a_key_comes_in_anonymously(server: Server) -> None:
    client = PtyClient.spawn(ssh_argv(server.port, None, "127.0.0.1"))
    try:
        client.see(b"BuyNow")
        [pid] = server.wait_children(1)
        assert logged_identities(server.home)[-1] == "anonymous"
    finally:
        client.close()
    wait_for(lambda: process_gone(pid), 10, "the app to go with the dropped client")


def test_commands_sftp_scp_and_no_terminal_are_refused_with_one_line(
    server: Server, key_file: Path, tmp_path: Path
) -> None:
    rm = run_ssh(server, key_file, "127.0.0.1", "rm -rf /")
    assert rm.returncode == 1
    assert rm.stderr.strip().splitlines() == [
        (
            "BuyNow runs no commands but its own: orders, order N, cart, wishlist, "
            "search TEXT, product ID, whoami (each with --json). To open a page: ssh -t HOST "
            "PAGE, where PAGE is one of: cart, orders, wishlist, account, about, shop, "
            "product/<id>, order/<n>."
        )
    ]

    no_tty = run_ssh(server, key_file, "-T", "127.0.0.1")
    assert no_tty.returncode == 1
    assert no_tty.stderr.strip().splitlines() == [
        "BuyNow needs a terminal: connect with `ssh -t` (or plain `ssh` with no command)."
    ]

    subsystem = run_ssh(server, key_file, "-s", "127.0.0.1", "sftp")
    assert subsystem.returncode == 1 and subsystem.stderr.strip() == NO_FILES

    common = [
        "-F",
        "/dev/null",
        "-P",
        str(server.port),
        "-i",
        str(key_file),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
    ]
    sftp = subprocess.run(
        ["sftp", "-b", "-", *common, "127.0.0.1"],
        input="ls\n",
        check=False,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert sftp.returncode != 0 and NO_FILES in sftp.stderr

    target = tmp_path / "copied"
    legacy_scp = subprocess.run(
        ["scp", "-O", *common, __file__, f"127.0.0.1:{target}"],
        check=False,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert legacy_scp.returncode != 0 and NO_FILES in legacy_scp.stderr
    assert not target.exists()
    assert server.children() == []


def test_port_forwarding_is_refused(server: Server, key_file: Path) -> None:
    remote = run_ssh(
        server, key_file, "-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9", "127.0.0.1"
    )
    assert remote.returncode == 255 and "remote port forwarding failed" in remote.stderr

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        local_port = probe.getsockname()[1]
    forward = subprocess.Popen(
        ssh_argv(
            server.port,
            key_file,
            "-N",
            "-L",
            f"{local_port}:127.0.0.1:9",
            "127.0.0.1",
            log_level="INFO",
        ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:

        def through() -> bytes | None:
            try:
                with socket.create_connection(("127.0.0.1", local_port), timeout=5) as sock:
                    return sock.recv(100) or b"closed"
            except OSError:
                return None

        assert wait_for(through, 10, "the local forward to listen") == b"closed"
    finally:
        forward.kill()  # what it had to say is already on its stderr
        _, err = forward.communicate(timeout=10)
    assert "administratively prohibited: BuyNow offers no port forwarding." in err


@pytest.mark.skipif(shutil.which("ssh-agent") is None, reason="no ssh-agent here")
def test_agent_forwarding_is_refused_and_said_so(
    server: Server, key_file: Path, tmp_path: Path
) -> None:
    sock = tmp_path / "agent.sock"
    agent = subprocess.Popen(
        ["ssh-agent", "-D", "-a", str(sock)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(sock.exists, 5, "the agent socket")
        env = subprocess_env({"SSH_AUTH_SOCK": str(sock)})
        client = PtyClient.spawn(ssh_argv(server.port, key_file, "-A", "127.0.0.1"), env=env)
        try:
            client.see(b"BuyNow does not take agent forwarding; your agent stays with you.")
            client.see(b"BuyNow")
            [pid] = server.wait_children(1)
            # (A forked session never sees the server's environment, let alone the client's.)
            assert "SSH_AUTH_SOCK" not in environ_of(pid)
        finally:
            client.close()
        wait_for(lambda: process_gone(pid), 10, "the app to go")
    finally:
        agent.terminate()
        agent.wait()
