"""What time it is, as a value handed down: a `Clock` is a function that answers now.

There is no clock to install globally. `Services` takes one (the system's unless told
otherwise) and hands it to every service, so the store and whatever shows its times
(the App, through `services.clock`) agree; tests pass one they can stop and move.
Times are timezone-aware UTC everywhere in the store; screens convert to local time for
display only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time (aware, UTC) from the system."""
    return datetime.now(UTC)


def fixed(when: datetime) -> Clock:
    """A clock that always answers `when`."""
    return lambda: when
