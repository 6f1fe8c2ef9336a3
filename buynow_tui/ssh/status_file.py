"""The running server's status file (`server.json`), read by `buynow uptime`.

The file says who is serving (pid, and when that process started), since when, where,
and how many sessions. It is private (0600), replaced atomically (write a temp file,
then rename) so a reader never sees half a file, and removed when the server stops.

A file left behind by a server that was killed outright names a pid that is dead or,
later, reused by another process: the process's start time (from /proc, in clock
ticks since boot) is recorded beside its pid, and only a live process with that pid
*and* that start time is the server. A file that cannot be read as a status file
(garbled, truncated, from an older BuyNow without the start time) reads as "not
running", never as an error.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

PID_MAX = 1 << 22  # Linux's largest pid_max


def process_start(pid: int) -> str:
    """When process `pid` started, as /proc has it (clock ticks since boot); "" if
    there is no such process or no /proc to tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return stat[stat.rindex(")") + 2 :].split()[19]
    except (OSError, ValueError, IndexError):
        return ""


def _own_start() -> str:
    return process_start(os.getpid())


@dataclass
class ServerStatus:
    """What `server.json` says: who serves, since when, where, how many sessions."""

    pid: int
    started: str  # ISO 8601, UTC
    host: str
    port: int
    sessions_served: int = 0
    sessions_live: int = 0
    updated: str = ""
    process_started: str = field(default_factory=_own_start)  # of `pid`, see above

    def write(self, path: Path) -> None:
        self.updated = datetime.now(UTC).isoformat(timespec="seconds")
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)  # a temp file left by a crash may be older
            handle.write(json.dumps(asdict(self), indent=2) + "\n")
        os.replace(temp, path)

    @classmethod
    def read(cls, path: Path) -> ServerStatus | None:
        """The status in `path`, or None if there is none or it is not a status file."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                return None
            status = cls(
                pid=_whole(raw["pid"], 1, PID_MAX),
                started=str(raw["started"]),
                host=str(raw.get("host", "")),
                port=_whole(raw.get("port", 0), 0, 65535),
                sessions_served=_whole(raw.get("sessions_served", 0), 0, 1 << 62),
                sessions_live=_whole(raw.get("sessions_live", 0), 0, 1 << 62),
                updated=str(raw.get("updated", "")),
                process_started=str(raw.get("process_started", "")),
            )
            status.started_at  # noqa: B018  # a time that does not parse is a garbled file
            return status
        except (OSError, ValueError, KeyError, TypeError, OverflowError, RecursionError):
            return None

    @property
    def started_at(self) -> datetime:
        when = datetime.fromisoformat(self.started)
        return when if when.tzinfo else when.replace(tzinfo=UTC)


def _whole(value: object, low: int, high: int) -> int:
    """A JSON whole number in [low, high]; anything else (true, 1.5, "3") is garbled."""
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"not a whole number from {low} to {high}: {value!r}")
    return value


def pid_alive(pid: int, process_started: str) -> bool:
    """Whether `pid` is live and is the process that started at `process_started`.

    Without /proc (not Linux) only the pid can be checked.
    """
    if not 0 < pid <= PID_MAX:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if not Path("/proc/self/stat").exists():
        return True
    return bool(process_started) and process_start(pid) == process_started


def running_status(path: Path) -> ServerStatus | None:
    """The status of the server that is running now, or None."""
    status = ServerStatus.read(path)
    if status is None or not pid_alive(status.pid, status.process_started):
        return None
    return status


def remove_status(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def format_duration(seconds: float) -> str:
    """`3d 4h 5m 6s` with the leading zero units left out."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    shown = [f"{value}{unit}" for value, unit in parts if value] + [f"{secs}s"]
    return " ".join(shown)
