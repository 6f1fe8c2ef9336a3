"""A pre-imported fork server for SSH sessions and browser tabs: one import of the app,
many sessions.

Starting a session by `exec` costs a fresh interpreter importing Textual, the screens
and the store: about a quarter of a second of CPU and ~60 MiB of private memory per
session, and ten sessions connecting at once queue on the CPUs for over a second. So
`buynow serve` starts this process once (`python -P -m buynow_tui.forkserver FD`,
with the server's own minimal environment). It imports everything a session needs,
freezes the garbage collector's view of those objects (so collections do not write to
the shared pages), and then forks one child per session. A child shares the imported
code and objects with every other session until it writes to them. `buynow web` runs
one of its own for browser tabs (`web/spawn.py`), started with the tabs' Textual
settings in its environment (Textual reads them when it is imported, here).

What a child does is what `exec` did: it becomes a session leader with the PTY's slave
as its controlling terminal and as fds 0-2 (a browser tab: three pipes as fds 0-2, and
no terminal), takes the session's environment and working folder, and runs
`python -m buynow_tui` (the same `__main__`, with `--open` for a deep link). Nothing
before the fork opens a database, a log file, a thread or an event loop:
"no work at import time" is what makes the fork safe. Environment variables that matter
only at `exec` (`LD_PRELOAD`, `PYTHON*`) cannot reach a forked child at all, and the
server never passes them anyway.

Differences a person inspecting processes will notice: a session's `/proc/PID/cmdline`
and `/proc/PID/environ` are the fork server's (Linux shows the environment a process
was *started* with); its name (`/proc/PID/comm`, what `ps -o comm` and `top` show) is
`buynow-session`, and the fork server's is `buynow-forksrv`.

The protocol, over a `SOCK_SEQPACKET` socket pair (one message per packet, JSON):

- server -> fork server: `{"id": n, "args": [...], "env": {...}, "cwd": "..."}` with the
  PTY slave passed as `SCM_RIGHTS` (or, with `"stdio": "pipes"`, the child's ends of
  its stdin, stdout and stderr pipes, in that order);
- fork server -> server: `{"ready": true}` once, after the imports; `{"id": n, "pid": p}`
  or `{"id": n, "error": "..."}` per request; `{"exit": p, "status": s}` when a session's
  process ends (-N for a process ended by signal N, as `asyncio` reports it).

The fork server ends when the server's end of the socket closes (the server stopped or
died). Sessions it started run on: the server holds their PTY masters, and when those
close the kernel hangs the sessions up.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import gc
import io
import json
import logging
import os
import runpy
import select
import signal
import socket
import sys
import termios
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("buynow.forkserver")

SESSION_NAME = b"buynow-session"
SERVER_NAME = b"buynow-forksrv"
MODULE = "buynow_tui.forkserver"
MAX_MESSAGE = 256 * 1024
PR_SET_NAME = 15

ExitCallback = Callable[[int], None]  # called with a session's exit status


def exit_status(status: int) -> int:
    """A wait status as `asyncio` reports it: the exit code, or -N for signal N."""
    return os.waitstatus_to_exitcode(status)


def set_process_name(name: bytes) -> None:
    """Set /proc/self/comm (15 bytes at most); best effort."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_NAME, ctypes.c_char_p(name[:15]), 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


# -- the fork server process -------------------------------------------------------------


#: What a session imports, loaded by name: the fork server never calls into the app
#: (nothing in `buynow_tui.ssh` does); it only loads these so every session shares them.
PRELOADED = ("buynow_tui.app", "buynow_tui.bootstrap", "buynow_tui.drivers")
PRELOADED_PACKAGES = ("buynow_tui.screens", "buynow_tui.widgets", "buynow_tui.store")
#: What a session still imported on its way to its first frame (found by comparing
#: `sys.modules` then with the fork server's): each is ~1-15 ms of a session's CPU.
FIRST_FRAME_IMPORTS = (
    "concurrent.futures.thread",
    "playhouse.pool",
    "rich._emoji_codes",
    "textual.drivers.headless_driver",
    "textual.pilot",
    "textual.scrollbar",
)


def preload() -> None:
    """Import what a session imports, and make what it would make at start-up, so the
    children share it.

    Sessions run `python -m buynow_tui [--open PAGE]`, whose entry point (`launch`)
    imports only `runtime` before the app: it is left for the session to import (a
    fraction of a millisecond), so the fork server stays below the entry points.
    """
    import importlib

    import bcrypt  # noqa: F401
    import peewee  # noqa: F401
    import textual.drivers.linux_driver
    import textual.drivers.web_driver
    import textual.widgets  # noqa: F401

    for name in (*PRELOADED, *FIRST_FRAME_IMPORTS):
        importlib.import_module(name)
    for package in PRELOADED_PACKAGES:
        _import_package(package)
    # The hash unknown emails are checked against, made once here for every session
    # (a bad setting is left for the session to report).
    from buynow_tui.config import ConfigError, Settings
    from buynow_tui.store.accounts import dummy_hash

    with contextlib.suppress(ConfigError):
        dummy_hash(Settings.from_env().bcrypt_rounds)
    # rich's table of character widths, loaded (by Unicode version) at the first width.
    from rich.cells import cell_len

    cell_len("BuyNow ✓")
    # Pictures in half blocks, the way sessions draw them, loaded once for all of them.
    from buynow_tui.widgets.picture import load_quietly

    load_quietly()
    # Every stylesheet parsed once, with the default theme's and the shop's own themes'
    # variables (`widgets.stylesheets`): ~30 ms less CPU per session.
    from textual.theme import BUILTIN_THEMES

    from buynow_tui.app import BuyNowApp
    from buynow_tui.themes import DEFAULT_THEME, THEMES
    from buynow_tui.widgets.stylesheets import warm

    warm(BuyNowApp, [BUILTIN_THEMES[DEFAULT_THEME], *THEMES])
    # Textual widgets imported lazily by name from `textual.widgets`.
    from textual.widgets import (  # noqa: F401
        DataTable,
        Footer,
        Header,
        Input,
        Label,
        Static,
    )


def _import_package(name: str) -> None:
    import importlib
    import pkgutil

    package = importlib.import_module(name)
    for info in pkgutil.walk_packages(package.__path__, prefix=name + "."):
        importlib.import_module(info.name)


class Zygote:
    """The fork server's loop: read requests, fork sessions, report their ends."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.children: set[int] = set()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)

    def send(self, message: Mapping[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the server has gone; the loop sees EOF next
            self.sock.send(json.dumps(message).encode())

    def serve(self) -> None:
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
        self.send({"ready": True})
        while True:
            readable, _, _ = select.select([self.sock.fileno(), self.wake_r], [], [])
            if self.wake_r in readable:
                try:
                    while os.read(self.wake_r, 512):
                        pass
                except BlockingIOError:
                    pass
            self.reap()
            if self.sock.fileno() in readable and not self.handle_request():
                return

    def reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.send({"exit": pid, "status": exit_status(status)})

    def handle_request(self) -> bool:
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, MAX_MESSAGE, 4)
        except OSError:
            return False
        if not data:
            for fd in fds:
                os.close(fd)
            return False
        request: dict[str, Any] = {}
        try:
            request = json.loads(data)
            expected = 3 if request.get("stdio") == "pipes" else 1
            if len(fds) != expected:
                raise ValueError(f"expected {expected} descriptors, not {len(fds)}")
            pid = self.fork(fds, request)
        except Exception as error:  # reported to the server, never fatal
            self.send({"id": request.get("id"), "error": f"{type(error).__name__}: {error}"})
        else:
            self.children.add(pid)
            self.send({"id": request["id"], "pid": pid})
        finally:
            for fd in fds:
                os.close(fd)
        return True

    def fork(self, stdio: Sequence[int], request: Mapping[str, Any]) -> int:
        args = [str(a) for a in request["args"]]
        env = {str(k): str(v) for k, v in request["env"].items()}
        cwd = str(request["cwd"])
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, which never returns
            code = 1
            try:
                self.become_session(stdio, args, env, cwd)
                code = run_app(args)
            except BaseException:  # whatever ends the session is shown on its terminal
                traceback.print_exc()
            finally:
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(Exception):
                        stream.flush()
                os._exit(code)
        return pid

    def become_session(
        self, stdio: Sequence[int], args: Sequence[str], env: Mapping[str, str], cwd: str
    ) -> None:  # pragma: no cover - runs in the child
        """A session leader on `stdio`: one PTY slave (its controlling terminal, as fds
        0-2), or three pipes (stdin, stdout, stderr) and no terminal."""
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        self.sock.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        os.setsid()
        if len(stdio) == 1:
            fcntl.ioctl(stdio[0], termios.TIOCSCTTY, 0)
        # Each descriptor to its place; one a later one needs is copied out of the way.
        targets = [stdio[0]] * 3 if len(stdio) == 1 else list(stdio)
        moved = [os.dup(fd) if fd in (0, 1, 2) else fd for fd in targets]
        for number, fd in enumerate(moved):
            os.dup2(fd, number)
        for fd in set(moved) | set(stdio):
            if fd > 2:
                os.close(fd)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        set_process_name(SESSION_NAME)
        # Fresh text streams on the terminal, as a new interpreter would open them
        # (typeshed marks the `__std*__` originals final; a forked session replaces them).
        sys.stdin = sys.__stdin__ = terminal_stream(0, "r", "surrogateescape")  # type: ignore[misc]
        sys.stdout = sys.__stdout__ = terminal_stream(1, "w", "surrogateescape")  # type: ignore[misc]
        sys.stderr = sys.__stderr__ = terminal_stream(2, "w", "backslashreplace")  # type: ignore[misc]


def terminal_stream(fd: int, mode: str, errors: str) -> io.TextIOWrapper:
    """A UTF-8 text stream on `fd`, line-buffered like a new interpreter's on a TTY."""
    raw = io.FileIO(fd, mode, closefd=False)
    buffered = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    return io.TextIOWrapper(buffered, encoding="utf-8", errors=errors, line_buffering=True)


def run_app(args: Sequence[str]) -> int:  # pragma: no cover - runs in the child
    """`python -m buynow_tui ARGS`, in this (forked) interpreter; the exit code."""
    sys.argv = ["buynow", *args]
    try:
        runpy.run_module("buynow_tui", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        if done.code is None:
            return 0
        if isinstance(done.code, int):
            return done.code
        print(done.code, file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    sock = socket.socket(fileno=int(argv[0]))
    set_process_name(SERVER_NAME)
    from buynow_tui.runtime import prepare_environment

    prepare_environment()  # before Textual is imported, as `python -m buynow_tui` does
    preload()
    gc.collect()
    gc.freeze()  # collections leave the imported objects' pages shared
    if threading.active_count() != 1:  # pragma: no cover - a safety net for imports
        print("fork server: a thread started while importing; not forking", file=sys.stderr)
        return 1
    Zygote(sock).serve()
    return 0


# -- the server's side -------------------------------------------------------------------


class ForkServerGone(Exception):
    """The fork server is not running (it died or never started)."""


class ForkServer:
    """The server's handle on the fork server: spawn sessions, learn when they end."""

    def __init__(self, process: asyncio.subprocess.Process, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending: dict[int, tuple[asyncio.Future[int], ExitCallback]] = {}
        self.exits: dict[int, ExitCallback] = {}
        self.next_id = 0
        self.alive = True
        asyncio.get_running_loop().add_reader(sock.fileno(), self._on_message)

    @classmethod
    async def start(cls, env: Mapping[str, str], cwd: Path, timeout: float = 30.0) -> ForkServer:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-P",
                "-m",
                MODULE,
                str(theirs.fileno()),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=None,  # the server's stderr: an import failure is worth seeing
                env=dict(env),
                cwd=str(cwd),
                pass_fds=(theirs.fileno(),),
                start_new_session=True,
            )
        finally:
            theirs.close()
        ours.setblocking(False)
        server = cls(process, ours)
        try:
            await asyncio.wait_for(asyncio.shield(server.ready), timeout)
        except BaseException:
            await server.close()
            raise
        return server

    def _on_message(self) -> None:
        try:
            data = self.sock.recv(MAX_MESSAGE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._gone()
            return
        message = json.loads(data)
        if message.get("ready"):
            if not self.ready.done():
                self.ready.set_result(None)
        elif "exit" in message:
            callback = self.exits.pop(message["exit"], None)
            if callback is not None:
                callback(message["status"])
        else:
            waiting = self.pending.pop(message.get("id"), None)
            if waiting is None:
                return
            future, on_exit = waiting
            if "pid" in message:
                self.exits[message["pid"]] = on_exit  # before any exit message is read
                if not future.done():
                    future.set_result(message["pid"])
            elif not future.done():
                future.set_exception(OSError(message.get("error", "fork failed")))

    def _gone(self) -> None:
        if not self.alive:
            return
        self.alive = False
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.sock.fileno())
        if not self.ready.done():
            self.ready.set_exception(ForkServerGone("the fork server exited while starting"))
        for future, _ in self.pending.values():
            if not future.done():
                future.set_exception(ForkServerGone("the fork server exited"))
        self.pending.clear()
        # Its sessions are orphans now: watch them through pidfds instead.
        for pid, callback in self.exits.items():
            watch_pid(pid, callback)
        self.exits.clear()

    async def spawn(
        self,
        args: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        on_exit: ExitCallback,
        slave: int | None = None,
        pipes: Sequence[int] | None = None,
        timeout: float = 10.0,
    ) -> int:
        """Fork a session on `slave` (a PTY) or `pipes` (its stdin, stdout and stderr
        ends); `on_exit(status)` is called when it ends."""
        if (slave is None) == (pipes is None):
            raise ValueError("a session needs a terminal or three pipes")
        if not self.alive:
            raise ForkServerGone("the fork server is not running")
        self.next_id += 1
        request_id = self.next_id
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.pending[request_id] = (future, on_exit)
        request: dict[str, Any] = {
            "id": request_id,
            "args": list(args),
            "env": dict(env),
            "cwd": str(cwd),
        }
        if pipes is not None:
            request["stdio"] = "pipes"
        fds = [slave] if slave is not None else list(pipes or ())
        try:
            socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
        except OSError as error:
            self.pending.pop(request_id, None)
            self._gone()
            raise ForkServerGone(str(error)) from error
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        """Close the socket (the fork server exits on EOF) and reap it."""
        if self.alive:
            self._gone()
        with contextlib.suppress(OSError):
            self.sock.close()
        try:
            await asyncio.wait_for(self.process.wait(), 5.0)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def watch_pid(pid: int, callback: ExitCallback) -> None:
    """Call `callback(0)` when `pid` (not our child) ends, through a pidfd."""
    loop = asyncio.get_running_loop()
    try:
        pidfd = os.pidfd_open(pid)
    except (ProcessLookupError, OSError):
        loop.call_soon(callback, 0)
        return

    def ended() -> None:
        loop.remove_reader(pidfd)
        os.close(pidfd)
        callback(0)

    loop.add_reader(pidfd, ended)


if __name__ == "__main__":  # pragma: no cover - the fork server process
    sys.exit(main())
