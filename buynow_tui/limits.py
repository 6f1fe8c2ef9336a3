"""How much a front end (the SSH server, the web server) takes on, and the bookkeeping.

Every session is a stranger on the internet and costs a whole app process, so the
server counts what it has promised: live sessions in total and per address, new
connections per minute per address, sessions still starting (a new app process is
the expensive moment). Over a limit, a shopper gets one line ("busy, try again")
instead of a hang. Far over a limit (a flood), connections are dropped before any
key exchange, so a flood cannot buy work with the server's CPU.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

MIN_COLS, MAX_COLS = 20, 240
MIN_ROWS, MAX_ROWS = 10, 80


@dataclass(frozen=True)
class Limits:
    max_sessions: int = 50
    max_per_address: int = 5
    connections_per_minute: int = 20
    max_starting: int = 8
    login_timeout: float = 30.0
    idle_timeout: float = 15 * 60.0
    session_cap: float = 2 * 60 * 60.0
    # Bytes queued for a client before the server stops reading the app's output.
    output_buffer: int = 256 * 1024
    # How long a new session waits for a starting slot before it is told "busy".
    start_wait: float = 5.0

    def __post_init__(self) -> None:
        for name in ("max_sessions", "max_per_address", "connections_per_minute", "max_starting"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', ' ')} must be at least 1")
        for name in ("login_timeout", "idle_timeout", "session_cap"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name.replace('_', ' ')} must be more than 0 seconds")


class Verdict(Enum):
    """What a new connection is told: come in, "busy, try again", or nothing (a flood)."""

    OK = "ok"
    BUSY = "busy"
    DROP = "drop"


class Claim:
    """A place a session holds (a seat among the live sessions, a starting slot) and
    gives back exactly once, however many ways it ends."""

    def __init__(self, give_back: Callable[[], None] | None = None) -> None:
        self._give_back = give_back

    @property
    def held(self) -> bool:
        return self._give_back is not None

    def release(self) -> None:
        give_back, self._give_back = self._give_back, None
        if give_back is not None:
            give_back()


def clamp_size(cols: int, rows: int) -> tuple[int, int]:
    """A client's terminal size within what the app is laid out for."""
    return max(MIN_COLS, min(MAX_COLS, cols or 80)), max(MIN_ROWS, min(MAX_ROWS, rows or 24))


class Admission:
    """Counts connections and sessions; says whether the next one may come in."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.connections: dict[str, int] = {}
        self.sessions: dict[str, int] = {}
        self.recent: dict[str, deque[float]] = {}
        self.starting = asyncio.Semaphore(limits.max_starting)

    # -- connections ----------------------------------------------------------------

    def connection_opened(self, address: str) -> Verdict:
        """Count a new connection: OK, BUSY (tell them) or DROP (a flood)."""
        now = self.clock()
        window = self.recent.setdefault(address, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        window.append(now)
        self.connections[address] = self.connections.get(address, 0) + 1
        total = sum(self.connections.values())
        lim = self.limits
        if (
            len(window) > 2 * lim.connections_per_minute
            or self.connections[address] > 2 * lim.max_per_address + 2
            or total > 2 * lim.max_sessions + 10
        ):
            return Verdict.DROP
        if len(window) > lim.connections_per_minute:
            return Verdict.BUSY
        return Verdict.OK

    def connection_closed(self, address: str) -> None:
        left = self.connections.get(address, 0) - 1
        if left > 0:
            self.connections[address] = left
        else:
            self.connections.pop(address, None)
        window = self.recent.get(address)
        if window is not None and (not window or window[-1] <= self.clock() - 60.0):
            self.recent.pop(address, None)

    # -- sessions -------------------------------------------------------------------

    @property
    def live_sessions(self) -> int:
        return sum(self.sessions.values())

    def session_allowed(self, address: str) -> bool:
        return (
            self.live_sessions < self.limits.max_sessions
            and self.sessions.get(address, 0) < self.limits.max_per_address
        )

    def session_opened(self, address: str) -> None:
        self.sessions[address] = self.sessions.get(address, 0) + 1

    def seat(self, address: str) -> Claim:
        """Count a session from `address` as live until the claim is released."""
        self.session_opened(address)
        return Claim(lambda: self.session_closed(address))

    def session_closed(self, address: str) -> None:
        left = self.sessions.get(address, 0) - 1
        if left > 0:
            self.sessions[address] = left
        else:
            self.sessions.pop(address, None)

    # -- starting ----------------------------------------------------------------------

    async def start_slot(self) -> Claim | None:
        """One of the `max_starting` slots for starting an app, waiting at most
        `start_wait` seconds for one; None if none came free."""
        try:
            await asyncio.wait_for(self.starting.acquire(), self.limits.start_wait)
        except TimeoutError:
            return None
        return Claim(self.starting.release)
