"""One place that says what time it is, so tests can pin it.

Times are timezone-aware UTC everywhere in the store; screens convert to local time
for display only.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


_clock: Clock = system_clock


def now() -> datetime:
    """The current time (aware, UTC) from the installed clock."""
    return _clock()


def set_clock(clock: Clock | None) -> None:
    """Install a clock (tests pass a fixed one); None restores the system clock."""
    global _clock
    _clock = clock or system_clock


def fixed(when: datetime) -> Clock:
    """A clock that always answers `when`."""
    return lambda: when
