"""Process start to first frame, in a real PTY.

The child gets a pseudo-terminal as stdin, stdout and stderr (its own session, so
the PTY is its controlling terminal) and a fixed window size; we read what it draws,
strip escape sequences, and stop the clock when every marker has appeared.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence

ESCAPES = re.compile(
    rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])"
)
#: The header, and the status line the Shop writes once its table has its first page.
MARKERS = ("BuyNow", "Cart (", "Page 1 of")


class StartupTimeout(RuntimeError):
    pass


def time_to_markers(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    markers: Sequence[str] = MARKERS,
    size: tuple[int, int] = (40, 120),
    timeout: float = 60.0,
) -> float:
    """Seconds from spawning `argv` in a PTY until all `markers` have been drawn."""
    master, slave = os.openpty()
    rows, cols = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    child_env = dict(env, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows))
    wanted = [m.encode() for m in markers]
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=child_env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    raw = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise StartupTimeout(f"no first frame after {timeout:.0f}s: {_tail(raw)}")
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if not ready:
                if proc.poll() is not None:
                    raise StartupTimeout(f"exited with {proc.returncode}: {_tail(raw)}")
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                raise StartupTimeout(
                    f"terminal closed (exit {proc.poll()}): {_tail(raw)}"
                ) from None
            raw += chunk
            text = ESCAPES.sub(b"", raw)
            if all(m in text for m in wanted):
                return time.perf_counter() - start
    finally:
        _stop(proc)
        os.close(master)


def _tail(raw: bytes) -> str:
    return ESCAPES.sub(b"", raw)[-300:].decode("utf-8", "replace")


def _stop(proc: subprocess.Popen) -> None:
    """End the child's whole session (it is the group leader: pgid == pid)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def shop_argv() -> list[str]:
    return [sys.executable, "-m", "buynow_tui"]


def bare_argv() -> list[str]:
    return [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bare_app.py")]
