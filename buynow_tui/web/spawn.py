"""How a browser tab's app starts: forked from the web server's fork server, or by exec.

As for SSH sessions (`ssh/spawner.py`), `buynow web` starts one fork server
(`buynow_tui.forkserver`, `buynow-forksrv` in `ps`) before the first tab: a process that
has imported Textual, the screens and the store, with the tabs' Textual settings in its
environment. Each tab is forked from it (`buynow-session`) onto three pipes instead of a
PTY: its stdin, stdout and stderr, whose other ends the web server holds, so a tab
starts in a fraction of the CPU a fresh interpreter needs and shares the imported pages
with every other tab. If the fork server cannot start or dies, the next tab starts a
new one, and tabs start by exec (`python -P -m buynow_tui`) meanwhile; live tabs go on
either way (their pipes are the server's). `--spawn exec` (`BUYNOW_WEB_SPAWN=exec`)
always execs.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buynow_tui.forkserver import ForkServer, ForkServerGone
from buynow_tui.logs import get_logger
from buynow_tui.web.config import SpawnMode

log = get_logger("web")

PR_SET_PDEATHSIG = 1
#: Bytes of a tab's output read ahead (asyncio's own default for subprocess pipes).
PIPE_LIMIT = 64 * 1024


def app_args(open_path: str | None) -> list[str]:
    """A tab's app's arguments: none for the shop, or `--open` a deep link."""
    return ["--open", open_path] if open_path else []


def app_argv(open_path: str | None) -> list[str]:
    """The command line of a tab's app when started by exec. `-P`: the working folder
    is not put on the module path, so nothing in it can stand in for the app's code
    (PYTHONPATH says where it is)."""
    return [sys.executable, "-P", "-m", "buynow_tui", *app_args(open_path)]


def _die_with_parent() -> None:  # pragma: no cover - runs in the exec'd child
    """End (SIGTERM: the web driver quits the app cleanly) when the server dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class ForkedProcess:
    """A tab's app forked by the fork server, as `TabApp` uses an asyncio `Process`:
    `pid`, `stdout`, `stderr`, `returncode`, `wait()`."""

    def __init__(
        self,
        pid: int,
        stdout: asyncio.StreamReader,
        stderr: asyncio.StreamReader,
        transports: list[asyncio.BaseTransport],
    ) -> None:
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None
        self.transports = transports
        self.done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def set_exited(self, status: int) -> None:
        if self.returncode is None:
            self.returncode = status
            if not self.done.done():
                self.done.set_result(status)

    async def wait(self) -> int:
        return await asyncio.shield(self.done)

    def close(self) -> None:
        """Close the server's ends of the tab's pipes."""
        for transport in self.transports:
            transport.close()


@dataclass
class Started:
    """A tab's app once running: its process, its stdin, and how it was started."""

    process: Any  # asyncio.subprocess.Process or ForkedProcess
    stdin: asyncio.StreamWriter
    forked: bool


class TabSpawner:
    """Starts tabs' apps; owns the fork server's life."""

    def __init__(self, mode: SpawnMode, home: Path, environment: Callable[[], dict[str, str]]):
        self.mode = mode
        self.home = home
        self.environment = environment  # the fork server's: the server's part of a tab's
        self.forkserver: ForkServer | None = None
        self._starting: asyncio.Task[ForkServer | None] | None = None

    async def start_forkserver(self) -> ForkServer | None:
        """The fork server, started (or restarted after it died) once at a time."""
        if self.forkserver is not None and self.forkserver.alive:
            return self.forkserver
        if self._starting is None or self._starting.done():
            self._starting = asyncio.ensure_future(self._start_forkserver())
        return await asyncio.shield(self._starting)

    async def _start_forkserver(self) -> ForkServer | None:
        if self.forkserver is not None:
            await self.forkserver.close()
            self.forkserver = None
        try:
            self.forkserver = await ForkServer.start(self.environment(), self.home)
        except (OSError, TimeoutError, ValueError, ForkServerGone) as error:
            log.error("the fork server did not start (%s); tabs start by exec", error)
            return None
        log.info("fork server for browser tabs running (pid %s)", self.forkserver.process.pid)
        return self.forkserver

    async def spawn(self, open_path: str | None, *, env: Mapping[str, str], cwd: Path) -> Started:
        if self.mode is SpawnMode.FORK:
            forkserver = await self.start_forkserver()
            if forkserver is not None:
                try:
                    return await self._fork(forkserver, open_path, env, cwd)
                except (OSError, TimeoutError, ForkServerGone) as error:
                    log.error("the fork server could not start a tab (%s); using exec", error)
        return await self._exec(open_path, env, cwd)

    async def _exec(self, open_path: str | None, env: Mapping[str, str], cwd: Path) -> Started:
        process = await asyncio.create_subprocess_exec(
            *app_argv(open_path),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=dict(env),
            cwd=str(cwd),
            start_new_session=True,
            preexec_fn=_die_with_parent,
            close_fds=True,
        )
        assert process.stdin is not None
        return Started(process, process.stdin, forked=False)

    async def _fork(
        self, forkserver: ForkServer, open_path: str | None, env: Mapping[str, str], cwd: Path
    ) -> Started:
        loop = asyncio.get_running_loop()
        exited: list[int] = []
        process: ForkedProcess | None = None

        def on_exit(status: int) -> None:
            if process is None:
                exited.append(status)
            else:
                process.set_exited(status)

        # os.pipe() makes non-inheritable descriptors; the fork server dup2()s its copies.
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        ours = [stdin_w, stdout_r, stderr_r]
        try:
            pid = await forkserver.spawn(
                app_args(open_path),
                env=env,
                cwd=cwd,
                pipes=[stdin_r, stdout_w, stderr_w],
                on_exit=on_exit,
            )
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in (stdin_r, stdout_w, stderr_w):
                os.close(fd)
        transports: list[asyncio.BaseTransport] = []
        try:
            stdout = await _reader(loop, stdout_r, transports)
            stderr = await _reader(loop, stderr_r, transports)
            stdin = await _writer(loop, stdin_w, transports)
        except BaseException:
            for transport in transports:
                transport.close()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            raise
        process = ForkedProcess(pid, stdout, stderr, transports)
        if exited:
            process.set_exited(exited[0])
        return Started(process, stdin, forked=True)

    async def close(self) -> None:
        """Stop the fork server (its tabs were stopped before)."""
        starting = self._starting
        if starting is not None and not starting.done():
            await asyncio.wait([starting], timeout=35)
        if self.forkserver is not None:
            await self.forkserver.close()
            self.forkserver = None


async def _reader(
    loop: asyncio.AbstractEventLoop, fd: int, transports: list[asyncio.BaseTransport]
) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=PIPE_LIMIT, loop=loop)
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader, loop=loop), os.fdopen(fd, "rb", buffering=0)
    )
    transports.append(transport)
    return reader


async def _writer(
    loop: asyncio.AbstractEventLoop, fd: int, transports: list[asyncio.BaseTransport]
) -> asyncio.StreamWriter:
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.streams.FlowControlMixin(loop=loop), os.fdopen(fd, "wb", buffering=0)
    )
    transports.append(transport)
    return asyncio.StreamWriter(transport, protocol, None, loop)
