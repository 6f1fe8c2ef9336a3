"""What the whole SSH server shares: one `Hub` per running server.

Connections and sessions come and go; the hub is what they all count against and
report to: the limits and their bookkeeping (`limits.Admission`), how apps start
(`spawner.Spawner`), the live connections and sessions (so a graceful stop can reach
every one), the tasks sessions run (kept, and logged if they fail), the count of
sessions served and the status file that `buynow uptime` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, Protocol

from buynow_tui.limits import Admission, Limits
from buynow_tui.logs import get_logger, read_session_user
from buynow_tui.paths import Paths
from buynow_tui.ssh.policy import server_environment
from buynow_tui.ssh.spawner import Spawner, SpawnMode
from buynow_tui.ssh.status_file import ServerStatus

log = get_logger("ssh")


class LiveSession(Protocol):
    """What the hub (and a graceful stop) may do to a live session."""

    def end(self, reason: str, message: str | None = None) -> asyncio.Task[None] | None: ...


class OpenConnection(Protocol):
    def close(self) -> None: ...


class Hub:
    """The server's shared bookkeeping (see the module docstring)."""

    def __init__(
        self,
        paths: Paths,
        limits: Limits,
        host: str,
        port: int,
        *,
        spawn: SpawnMode | str = SpawnMode.FORK,
    ) -> None:
        self.paths = paths
        self.limits = limits
        self.admission = Admission(limits)
        self.started = datetime.now(UTC)
        self.spawner = Spawner(SpawnMode.of(spawn), paths.home, self.server_environment)
        self.sessions: set[LiveSession] = set()
        self.connections: set[OpenConnection] = set()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.starts: set[asyncio.Task[Any]] = set()  # sessions still starting their app
        self.served = 0
        self.closing = False
        self.status = ServerStatus(
            pid=os.getpid(),
            started=self.started.isoformat(timespec="seconds"),
            host=host,
            port=port,
        )

    @property
    def port(self) -> int:
        return self.status.port

    def server_environment(self) -> dict[str, str]:
        """The server's part of every session's environment (`policy`)."""
        return server_environment(self.paths.home, self.started, os.environ)

    # -- the status file -------------------------------------------------------------------

    def write_status(self) -> None:
        self.status.sessions_served = self.served
        self.status.sessions_live = len(self.sessions)
        try:
            self.status.write(self.paths.server_state)
        except OSError as error:
            log.error("cannot write the server status file: %s", error)

    def session_live(self, session: LiveSession) -> None:
        self.sessions.add(session)
        self.served += 1
        self.write_status()

    def session_user(self, pid: int) -> str | None:
        """Who the session app `pid` had logged in when it ended (its file goes)."""
        path = self.paths.session_user_file(pid)
        who = read_session_user(path)
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return who

    def session_gone(self, session: LiveSession) -> None:
        if session in self.sessions:
            self.sessions.discard(session)
            self.write_status()

    # -- tasks -----------------------------------------------------------------------------

    def keep(
        self, coro: Coroutine[Any, Any, None], *, starting: bool = False
    ) -> asyncio.Task[None]:
        """A task the hub keeps (asyncio holds tasks weakly) and logs if it fails;
        `starting`: a session starting its app, which a graceful stop waits for."""
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        if starting:
            self.starts.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        self.starts.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            log.error("session task failed: %s: %s", type(error).__name__, error)
