"""How a session's app process starts: forked from the fork server, or by exec.

Each session gets its own `python -P -m buynow_tui [--open PATH]` on a fresh PTY that is
the child's controlling terminal -- forked from the pre-imported fork server
(`forkserver.py`, the default) or exec'd (`--spawn exec`) -- so the app is exactly the
local app: the kernel delivers window changes (SIGWINCH) and hang-ups, and a dropped
connection ends the child's whole process group (`child.py`). The fork server is
started once, before the first shopper, and again after it died; while it cannot
start or fork, sessions start by exec.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from buynow_tui.forkserver import ForkServer
from buynow_tui.logs import get_logger
from buynow_tui.ssh.child import PtyChild, app_args, app_argv

log = get_logger("ssh")


class SpawnMode(Enum):
    FORK = "fork"
    EXEC = "exec"

    @classmethod
    def of(cls, value: SpawnMode | str) -> SpawnMode:
        """`value` as a mode; a ValueError naming the choices for anything else."""
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(mode.value for mode in cls)
            raise ValueError(f"spawn must be one of {choices}, not {value!r}") from None


class Spawner:
    """Starts sessions' apps in `home`; owns the fork server's life."""

    def __init__(
        self, mode: SpawnMode, home: Path, environment: Callable[[], dict[str, str]]
    ) -> None:
        self.mode = mode
        self.home = home
        self.environment = environment  # the fork server's: the server's part of a session's
        self.forkserver: ForkServer | None = None
        self._forkserver_starting: asyncio.Task[ForkServer | None] | None = None

    async def start_forkserver(self) -> ForkServer | None:
        """The fork server, started (or restarted after it died) once at a time."""
        if self.forkserver is not None and self.forkserver.alive:
            return self.forkserver
        if self._forkserver_starting is None or self._forkserver_starting.done():
            self._forkserver_starting = asyncio.ensure_future(self._start_forkserver())
        return await asyncio.shield(self._forkserver_starting)

    async def _start_forkserver(self) -> ForkServer | None:
        if self.forkserver is not None:
            await self.forkserver.close()
            self.forkserver = None
        try:
            self.forkserver = await ForkServer.start(self.environment(), self.home)
        except (OSError, TimeoutError, ValueError) as error:
            log.error("the fork server did not start (%s); sessions start by exec", error)
            return None
        log.info("fork server running (pid %s)", self.forkserver.process.pid)
        return self.forkserver

    async def spawn(
        self, open_path: str | None, *, env: dict[str, str], cols: int, rows: int
    ) -> PtyChild:
        """A session's app on a fresh PTY: forked from the fork server, or by exec."""
        if self.mode is SpawnMode.FORK:
            forkserver = await self.start_forkserver()
            if forkserver is not None:
                try:
                    return await PtyChild.fork(
                        forkserver,
                        app_args(open_path),
                        env=env,
                        cwd=self.home,
                        cols=cols,
                        rows=rows,
                    )
                except (OSError, TimeoutError) as error:
                    log.error("the fork server could not start a session (%s); using exec", error)
        return await PtyChild.spawn(
            app_argv(open_path), env=env, cwd=self.home, cols=cols, rows=rows
        )

    async def close(self) -> None:
        """Stop the fork server (its sessions run on: the server holds their PTYs)."""
        starting = self._forkserver_starting
        if starting is not None and not starting.done():
            await asyncio.wait([starting], timeout=35)
        if self.forkserver is not None:
            await self.forkserver.close()
            self.forkserver = None
