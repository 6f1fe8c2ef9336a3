"""One app process on its own pseudo-terminal, as a login shell would get it.

The child is a session leader (`setsid`) whose controlling terminal is the PTY's slave
side (`TIOCSCTTY`). That is what makes the kernel do the work: a window change set on
the master (`TIOCSWINSZ`) reaches the app as SIGWINCH, and closing the master hangs
the terminal up. The child's process group is its pid, so one `killpg` ends it and
anything it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import signal
import struct
import sys
import termios
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from buynow_tui.forkserver import ForkServer


def set_winsize(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def get_winsize(fd: int) -> tuple[int, int]:
    rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    return cols, rows


@contextlib.contextmanager
def new_pty(cols: int, rows: int) -> Iterator[tuple[int, int]]:
    """A fresh PTY of that size, as (master, slave), for starting a child on.

    The slave is closed when the block ends (the child has its own copy by then); the
    master too if the block fails, and otherwise it is left non-blocking for the caller.
    """
    master, slave = os.openpty()
    try:
        set_winsize(master, cols, rows)
        yield master, slave
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    os.set_blocking(master, False)


def _take_controlling_terminal() -> None:  # pragma: no cover - runs in the forked child
    # Runs after setsid() (start_new_session) and after stdin became the slave.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def app_args(open_path: str | None) -> list[str]:
    """The arguments of a session's app: none for the shop, or `--open` a deep link."""
    return ["--open", open_path] if open_path else []


def app_argv(open_path: str | None) -> list[str]:
    """The command line of a session's app when started by exec.

    `-P`: the working directory is not put on the module path, so nothing in the
    home folder can stand in for the app's code (PYTHONPATH says where it is).
    """
    return [sys.executable, "-P", "-m", "buynow_tui", *app_args(open_path)]


class PtyChild:
    """A process on a fresh PTY; the caller reads and writes `master` (non-blocking)."""

    def __init__(self, pid: int, master: int) -> None:
        self.pid = pid
        self.master = master
        self.returncode: int | None = None
        self.done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._reaper: asyncio.Task[None] | None = None

    def set_exited(self, status: int) -> None:
        """Record the exit status (as `asyncio` reports it: -N for signal N)."""
        if self.returncode is None:
            self.returncode = status
            if not self.done.done():
                self.done.set_result(status)

    async def wait(self) -> int:
        return await asyncio.shield(self.done)

    @classmethod
    async def spawn(
        cls,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        cols: int,
        rows: int,
    ) -> PtyChild:
        with new_pty(cols, rows) as (master, slave):
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=dict(env),
                cwd=str(cwd),
                start_new_session=True,
                preexec_fn=_take_controlling_terminal,
                close_fds=True,
            )
        child = cls(process.pid, master)

        async def reap() -> None:
            child.set_exited(await process.wait())

        child._reaper = asyncio.ensure_future(reap())  # held: asyncio keeps tasks weakly
        return child

    @classmethod
    async def fork(
        cls,
        forkserver: ForkServer,
        args: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        cols: int,
        rows: int,
    ) -> PtyChild:
        """The same as `spawn`, forked from the pre-imported fork server."""
        exited: list[int] = []
        child: PtyChild | None = None

        def on_exit(status: int) -> None:
            if child is None:
                exited.append(status)
            else:
                child.set_exited(status)

        with new_pty(cols, rows) as (master, slave):
            pid = await forkserver.spawn(args, env=env, cwd=cwd, slave=slave, on_exit=on_exit)
        child = cls(pid, master)
        if exited:
            child.set_exited(exited[0])
        return child

    def resize(self, cols: int, rows: int) -> None:
        """Set the window size; the kernel tells the app with SIGWINCH."""
        with contextlib.suppress(OSError):
            set_winsize(self.master, cols, rows)

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    @property
    def exited(self) -> bool:
        return self.returncode is not None

    async def stop(self, grace: float = 2.0) -> int | None:
        """Hang up, then terminate, then kill the process group; reap the child."""
        for sig, wait in (
            (signal.SIGHUP, grace / 2),
            (signal.SIGTERM, grace / 2),
            (signal.SIGKILL, 5.0),
        ):
            if self.exited:
                break
            self.signal_group(sig)
            try:
                await asyncio.wait_for(self.wait(), wait)
            except TimeoutError:
                continue
        # Anything the app left in its group goes too.
        self.signal_group(signal.SIGKILL)
        return self.returncode

    def close_master(self) -> None:
        if self.master >= 0:
            try:
                os.close(self.master)
            except OSError as error:
                if error.errno != errno.EBADF:
                    raise
            self.master = -1
