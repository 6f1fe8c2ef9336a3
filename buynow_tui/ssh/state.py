"""The running server's state file, read by `buynow uptime`.

The file says who is serving (pid), since when, where, and how many sessions. It is
replaced atomically (write a temp file, then rename) so a reader never sees half a
file, and removed when the server stops. A file left behind by a server that was
killed outright is recognised by its dead pid and reported as "not running".
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class ServerState:
    pid: int
    started: str  # ISO 8601, UTC
    host: str
    port: int
    sessions_served: int = 0
    sessions_live: int = 0
    updated: str = ""

    def write(self, path: Path) -> None:
        self.updated = datetime.now(UTC).isoformat(timespec="seconds")
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(temp, path)

    @classmethod
    def read(cls, path: Path) -> ServerState | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                pid=int(raw["pid"]),
                started=str(raw["started"]),
                host=str(raw.get("host", "")),
                port=int(raw.get("port", 0)),
                sessions_served=int(raw.get("sessions_served", 0)),
                sessions_live=int(raw.get("sessions_live", 0)),
                updated=str(raw.get("updated", "")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    @property
    def started_at(self) -> datetime:
        when = datetime.fromisoformat(self.started)
        return when if when.tzinfo else when.replace(tzinfo=UTC)


def pid_alive(pid: int) -> bool:
    """Whether `pid` is a live process (and, where /proc tells, a `buynow serve`)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc here: trust the signal check
    # A recycled pid now belongs to something else: the server is gone.
    return b"serve" in cmdline


def running_state(path: Path) -> ServerState | None:
    """The state of the server that is running now, or None."""
    state = ServerState.read(path)
    if state is None or not pid_alive(state.pid):
        return None
    return state


def remove_state(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def format_duration(seconds: float) -> str:
    """`3d 4h 5m 6s` with the leading zero units left out."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    shown = [f"{value}{unit}" for value, unit in parts if value] + [f"{secs}s"]
    return " ".join(shown)
