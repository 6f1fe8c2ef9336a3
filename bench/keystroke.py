"""Keystroke latency: a key typed into search until the terminal shows the result.

Measured in a real PTY, like startup: the bench writes one character to the
terminal and reads what the app draws until the result for the text typed so far
is on screen. Search runs over the big catalog, in a thread worker per change.

PLACEHOLDER. The Shop screen has no search box yet, so `shop_search_box_p95` (the
real measurement) returns None. Until it exists, `standin_search_p95` measures what
exists: the real app and store with a bench-made Input on the Shop screen
(bench/standin_app.py).
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from bench.search import percentile
from bench.startup import ESCAPES, StartupTimeout, _stop

TYPED = [
    "headphone",
    "smart wat",
    "pro lap",
    "150",
    "usb-c ch",
    "[/",
    "e-reader",
    "compact speaker",
]
CLEAR = b"\x15"  # ctrl+u: delete everything left of the cursor in a Textual Input


def shop_search_box_p95(home: Path, env: dict[str, str]) -> dict | None:
    """PLACEHOLDER: typing into the Shop's own search box; None until the Shop has one.

    To do when it lands: start `python -m buynow_tui` in a PTY, press `/` to focus
    the search box, type TYPED and wait per key for the Shop table's new first row
    (or its result count), as `standin_search_p95` does for the stand-in.
    """
    return None


class PtyApp:
    """A child process on a PTY; `send` keys, `wait_for` text it draws."""

    def __init__(
        self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (40, 120)
    ) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            close_fds=True,
            env=dict(env, TERM="xterm-256color"),
        )
        os.close(slave)
        self.fresh = b""

    def send(self, data: bytes) -> None:
        self.fresh = b""
        os.write(self.master, data)

    def wait_for(self, *texts: str, timeout: float = 30.0) -> None:
        """Read until every text has been drawn since the last `send`."""
        wanted = [t.encode() for t in texts]
        deadline = time.perf_counter() + timeout
        while not all(w in ESCAPES.sub(b"", self.fresh) for w in wanted):
            left = deadline - time.perf_counter()
            if left <= 0 or self.proc.poll() is not None:
                tail = ESCAPES.sub(b"", self.fresh)[-300:].decode("utf-8", "replace")
                raise StartupTimeout(f"{texts!r} not drawn (exit {self.proc.poll()}): {tail}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    self.fresh += os.read(self.master, 65536)
                except OSError:  # EIO: the child closed its terminal
                    self.proc.wait(timeout=10)

    def close(self) -> None:
        _stop(self.proc)
        os.close(self.master)


def standin_search_p95(home: Path, env: dict[str, str], *, rounds: int = 1) -> dict:
    """Per-keystroke ms, from writing the key to the PTY to the result being drawn."""
    argv = [
        sys.executable,
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "standin_app.py"),
    ]
    app = PtyApp(argv, dict(env, BUYNOW_HOME=str(home)))
    times: list[float] = []
    try:
        app.wait_for("BuyNow", "Cart (", f"results for {ascii('')}", timeout=60)
        for _ in range(rounds):
            for text in TYPED:
                app.send(CLEAR)
                app.wait_for(f"results for {ascii('')}")
                for n in range(1, len(text) + 1):
                    start = time.perf_counter()
                    app.send(text[n - 1].encode())
                    app.wait_for(f"results for {ascii(text[:n])}")
                    times.append((time.perf_counter() - start) * 1000)
    finally:
        app.close()
    return {
        "keystrokes": len(times),
        "p50_ms": percentile(times, 0.5),
        "p95_ms": percentile(times, 0.95),
        "note": "PLACEHOLDER stand-in: the Shop has no search box yet; a bench-made Input on "
        "the real app (bench/standin_app.py), search over the 100k catalog per key, "
        "timed in a real PTY",
    }
