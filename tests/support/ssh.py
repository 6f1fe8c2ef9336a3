"""Helpers for the SSH server tests: a real `buynow serve` subprocess on a free
loopback port, asyncssh and OpenSSH clients, and /proc lookups of its children.

Every wait is a wait-for-condition with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from tests.support.cli import stop_process, subprocess_env
from tests.support.repo import ROOT

LOOPBACK = "127.0.0.1"
CUP = re.compile(rb"\x1b\[(\d+);(\d+)H")


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


async def async_wait_for(
    condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition"
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


# -- /proc ------------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    """Live (not zombie) direct children of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def name_of(pid: int) -> str:
    """The process's name (`/proc/PID/comm`, what `ps -o comm` shows); "" if it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


FORK_SERVER = "buynow-forksrv"
SESSION = "buynow-session"


def fork_server_of(server_pid: int) -> int | None:
    """The `buynow serve` process's fork server, if it runs one."""
    found = [pid for pid in children_of(server_pid) if name_of(pid) == FORK_SERVER]
    return found[0] if found else None


def sessions_of(server_pid: int) -> list[int]:
    """A server's session app processes: forked by its fork server, or its own children."""
    found = []
    for pid in children_of(server_pid):
        found += children_of(pid) if name_of(pid) == FORK_SERVER else [pid]
    return sorted(found)


def logged_identities(home: Path) -> list[str]:
    """The key fingerprint (or "anonymous") of each session the server logged, in order:
    what it handed the session's app as `BUYNOW_SSH_FINGERPRINT`. (A forked session's
    /proc environ is the fork server's, so the log is where an admin sees it.)"""
    found = []
    for line in (home / "logs" / "all.log").read_text().splitlines():
        if " connect from " in line and " key " in line:
            found.append(line.split(" key ", 1)[1].split()[0])
    return found


def process_gone(pid: int) -> bool:
    """Gone entirely: exited *and* reaped (a zombie still counts as there)."""
    return not Path(f"/proc/{pid}").exists()


def process_ended(pid: int) -> bool:
    """Exited, reaped or not (an orphan's reaping is up to PID 1, not to us)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2 :].split()[0] in ("Z", "X")


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {key.decode(): value.decode() for key, value in pairs}


def cmdline_of(pid: int) -> list[str]:
    return [
        part.decode() for part in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if part
    ]


def pty_size_of(pid: int) -> tuple[int, int]:
    """(cols, rows) of the terminal on the process's stdin, as the kernel has it."""
    fd = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    finally:
        os.close(fd)
    return cols, rows


def controlling_tty_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[4])  # tty_nr


def session_id_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[3])


def max_row(data: bytes) -> int:
    rows = [int(m.group(1)) for m in CUP.finditer(data)]
    return max(rows) if rows else 0


def drew_at(data: bytes, row: int, beyond_col: int) -> bool:
    """Whether the app moved the cursor to `row` at a column past `beyond_col`:
    proof it laid the screen out for a size where that cell exists."""
    return any(int(m.group(1)) == row and int(m.group(2)) > beyond_col for m in CUP.finditer(data))


def max_col(data: bytes) -> int:
    cols = [int(m.group(2)) for m in CUP.finditer(data)]
    return max(cols) if cols else 0


# -- the checkout's steps over a terminal (issue 15) ----------------------------------------


async def checkout_to_confirm(
    term: Terminal,
    *,
    express: bool = False,
    card: bytes = b"4242424242424242",
    expiry: bytes = b"12/30",
    cvc: bytes = b"739",
) -> None:
    """On the Cart: `b`, then Ship to (enter: the default address), Delivery (enter, or
    down and enter for express), Pay (the card typed, tab between its fields), to
    Confirm, which is left unconfirmed (its "Pay $... (y)" is on screen)."""
    term.set_mark()
    term.process.stdin.write(b"b")
    await term.see(b"Where should this go?", timeout=30)
    await term.quiet()
    term.set_mark()
    term.process.stdin.write(b"\r")
    await term.see(b"How fast?", timeout=30)
    await term.quiet()
    term.set_mark()
    term.process.stdin.write(b"\x1b[B\r" if express else b"\r")
    await term.see(b"Pay by card", timeout=30)
    await term.quiet()
    term.set_mark()
    term.process.stdin.write(card + b"\t" + expiry + b"\t" + cvc)
    await term.quiet()
    term.process.stdin.write(b"\r")
    await term.see(b"(y)", timeout=30)
    await term.quiet()


# -- the server subprocess ------------------------------------------------------------------------


@dataclass
class Server:
    home: Path
    proc: subprocess.Popen[str]
    port: int = 0
    output: str = ""
    seen_children: set[int] = field(default_factory=set)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def state_file(self) -> Path:
        return self.home / "server.json"

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(self.state_file.read_text())
        return state

    def children(self) -> list[int]:
        """The session app processes (not the fork server)."""
        kids = sessions_of(self.pid)
        self.seen_children.update(kids)
        return kids

    def wait_children(self, count: int, timeout: float = 15.0) -> list[int]:
        def exactly() -> list[int] | None:
            kids = self.children()
            return kids if len(kids) == count else None

        kids: list[int] = wait_for(exactly, timeout, f"{count} session processes")
        return kids

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proc.poll() is None:
            self.children()  # remembered, for kill_leftovers
        self.output += stop_process(self.proc, sig, timeout)
        return self.proc.returncode

    def kill_leftovers(self) -> None:
        for pid in self.seen_children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def start_server(
    home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 20.0
) -> Server:
    proc = subprocess.Popen(
        [sys.executable, "-m", "buynow_tui", "--home", str(home), "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(env),
        text=True,
        cwd=str(ROOT),
    )
    server = Server(home, proc)

    def ready() -> bool:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"server exited with {proc.returncode}: {out}{err}")
        try:
            state = server.state()
        except (OSError, ValueError):
            return False
        return state.get("pid") == proc.pid and state.get("port", 0) > 0

    wait_for(ready, timeout, "the server to listen")
    server.port = int(server.state()["port"])
    return server


def add_users(
    home: Path,
    accounts: Iterable[tuple[str, str]],
    password: str,
    env: dict[str, str] | None = None,
) -> None:
    """`buynow users add` for each (email, username), a few at a time, as an admin would."""
    pending = list(accounts)
    while pending:
        batch, pending = pending[:4], pending[4:]
        procs = []
        for email, username in batch:
            argv = ["users", "add", "--email", email, "--username", username, "--answer", "Rex"]
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "buynow_tui",
                        "--home",
                        str(home),
                        *argv,
                        "--password-stdin",
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=subprocess_env(env),
                    cwd=str(ROOT),
                )
            )
        for proc, (email, _) in zip(procs, batch, strict=True):
            out, err = proc.communicate(password + "\n", timeout=60)
            assert proc.returncode == 0, f"users add {email}: {out}{err}"


# -- asyncssh client -------------------------------------------------------------------------------


class AnonymousClient(asyncssh.SSHClient):
    """No key: answer the server's (empty) keyboard-interactive challenge."""

    def kbdint_auth_requested(self) -> str:
        return ""


async def connect(
    port: int, key: asyncssh.SSHKey | None = None, **options: Any
) -> asyncssh.SSHClientConnection:
    common: dict[str, Any] = {
        "known_hosts": None,
        "username": "shopper",
        "config": None,
        "agent_path": None,
    }
    common.update(options)
    if key is None:
        return await asyncssh.connect(
            LOOPBACK, port, client_keys=None, client_factory=AnonymousClient, **common
        )
    return await asyncssh.connect(LOOPBACK, port, client_keys=[key], **common)


class Terminal:
    """A session's stdout, accumulated; waits for what a shopper would see."""

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:  # type: ignore[type-arg]
        self.process = process
        self.data = b""
        self.mark = 0

    async def read_until(self, condition: Callable[[bytes], bool], timeout: float = 15.0) -> bytes:
        """Read until `condition(data since the last mark)` holds; returns that data."""

        async def pump() -> bytes:
            while not condition(self.data[self.mark :]):
                chunk = await self.process.stdout.read(65536)
                if not chunk:
                    raise AssertionError(
                        f"session ended before the condition held: {self.data[-400:]!r}"
                    )
                self.data += chunk
            return self.data[self.mark :]

        return await asyncio.wait_for(pump(), timeout)

    async def see(self, needle: bytes, timeout: float = 15.0) -> bytes:
        return await self.read_until(lambda data: needle in data, timeout)

    async def quiet(self, period: float = 0.25, timeout: float = 10.0) -> None:
        """Wait until the app has drawn nothing for `period` seconds (done reacting)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), period)
            except TimeoutError:
                return
            if not chunk:
                return
            self.data += chunk
        raise AssertionError(f"the app never went quiet in {timeout}s")

    def set_mark(self) -> None:
        self.mark = len(self.data)

    async def read_to_end(self, timeout: float = 15.0) -> bytes:
        async def pump() -> bytes:
            while chunk := await self.process.stdout.read(65536):
                self.data += chunk
            return self.data[self.mark :]

        return await asyncio.wait_for(pump(), timeout)


async def open_shop(
    conn: asyncssh.SSHClientConnection,
    *,
    cols: int = 80,
    rows: int = 24,
    command: str | None = None,
    env: dict[str, str] | None = None,
    term: str = "xterm-256color",
) -> Terminal:
    process = await conn.create_process(
        command,
        term_type=term,
        term_size=(cols, rows),
        encoding=None,
        env=env or {},
        stderr=asyncssh.STDOUT,
    )
    return Terminal(process)


# -- OpenSSH client --------------------------------------------------------------------------------


def write_key(key: asyncssh.SSHKey, path: Path) -> Path:
    path.write_bytes(key.export_private_key())
    os.chmod(path, 0o600)
    return path


def ssh_argv(port: int, key_file: Path | None, *extra: str, log_level: str = "ERROR") -> list[str]:
    """OpenSSH options come first-wins, so the test's own choices go here."""
    argv = [
        "ssh",
        "-F",
        "/dev/null",
        "-p",
        str(port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        f"LogLevel={log_level}",
        "-o",
        "BatchMode=no",
        "-o",
        "ConnectTimeout=10",
    ]
    if key_file is not None:
        argv += ["-i", str(key_file), "-o", "IdentitiesOnly=yes"]
    else:
        argv += ["-o", "PubkeyAuthentication=no"]
    return [*argv, *extra]


@dataclass
class PtyClient:
    """An OpenSSH client on a real PTY of our own, as a shopper's terminal would run it."""

    proc: subprocess.Popen[bytes]
    master: int
    data: bytes = b""

    @classmethod
    def spawn(
        cls, argv: Iterable[str], cols: int = 80, rows: int = 24, env: dict[str, str] | None = None
    ) -> PtyClient:
        master, slave = os.openpty()
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            env=env or subprocess_env(),
        )
        os.close(slave)
        return cls(proc, master)

    def read_until(self, condition: Callable[[bytes], bool], timeout: float = 15.0) -> bytes:
        deadline = time.monotonic() + timeout
        while not condition(self.data):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; the terminal shows: {self.data[-600:]!r}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    if condition(self.data):
                        break
                    raise AssertionError(
                        f"the client ended first; the terminal shows: {self.data[-600:]!r}"
                    )
                self.data += chunk
        return self.data

    def see(self, needle: bytes, timeout: float = 15.0) -> bytes:
        return self.read_until(lambda data: needle in data, timeout)

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def drain(self, timeout: float = 15.0) -> int:
        """Read until the client exits; its exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if chunk:
                    self.data += chunk
                    continue
                break
            if self.proc.poll() is not None:
                break
        return self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)
