"""The bytes between a session's app and its shopper, held back on both sides.

Output: the app's PTY is read only while the client keeps up. asyncssh calls
`pause_writing` once more than `Limits.output_buffer` bytes wait for the client; the
pump then stops reading the PTY, the app's writes block, and nothing more queues up
until `resume_writing`. Input: keys typed while the app starts are kept (4 KiB at
most) and handed over once it runs; when the app stops reading its terminal and over
64 KiB of input wait, the pump stops reading the client until the app catches up.

The pump knows nothing of SSH: it talks to the session through `Ends`.
"""

from __future__ import annotations

import asyncio
import os
from typing import Protocol

from buynow_tui.ssh.child import PtyChild

EARLY_INPUT = 4096  # bytes kept from before the app runs
INPUT_BACKLOG = 64 * 1024  # bytes waiting for the app before the client is held
READ_SIZE = 65536


class Ends(Protocol):
    """The session side of a pump."""

    def to_client(self, data: bytes) -> None:
        """Send the app's output to the shopper."""

    def hold_client(self, held: bool) -> None:
        """Stop (True) or go back to (False) reading the shopper's input."""

    def first_output(self) -> None:
        """The app drew its first bytes: it has started."""

    def app_gone(self) -> None:
        """The app's terminal reads end-of-file: every process on it has gone."""


class Pump:
    def __init__(self, ends: Ends) -> None:
        self.ends = ends
        self.child: PtyChild | None = None
        self.pending_input = bytearray()
        self.reading = False  # the PTY is being read
        self.output_paused = False  # the client is not keeping up
        self.input_paused = False  # the client is held: the app is not reading
        self.stopped = False
        self.seen_output = False

    def start(self, child: PtyChild) -> None:
        """Begin moving bytes to and from `child`'s terminal."""
        self.child = child
        self._start_reading()
        if self.pending_input:
            self._flush_input()

    def stop(self) -> None:
        """Move nothing more (idempotent); the PTY itself is the child's to close."""
        self.stopped = True
        self._stop_reading()
        if self.child is not None and self.child.master >= 0:
            asyncio.get_running_loop().remove_writer(self.child.master)

    # -- input -----------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Keys from the shopper, for the app."""
        if self.stopped:
            return
        if self.child is None:
            # Typed while the app starts: keep a little, hand it over once it runs.
            if len(self.pending_input) < EARLY_INPUT:
                self.pending_input += data[: EARLY_INPUT - len(self.pending_input)]
            return
        self.pending_input += data
        self._flush_input()

    def _flush_input(self) -> None:
        child = self.child
        if child is None or child.master < 0:
            return
        loop = asyncio.get_running_loop()
        while self.pending_input:
            try:
                written = os.write(child.master, self.pending_input)
            except BlockingIOError:
                break
            except OSError:
                self.pending_input.clear()
                return
            del self.pending_input[:written]
        if self.pending_input:
            loop.add_writer(child.master, self._flush_input)
            if len(self.pending_input) > INPUT_BACKLOG and not self.input_paused:
                self.ends.hold_client(True)  # the app is not reading: stop reading the client
                self.input_paused = True
        else:
            loop.remove_writer(child.master)
            if self.input_paused:
                self.ends.hold_client(False)
            self.input_paused = False

    # -- output ----------------------------------------------------------------------

    def pause_output(self) -> None:
        """The client is not reading: stop reading the app, whose writes then block."""
        self.output_paused = True
        self._stop_reading()

    def resume_output(self) -> None:
        self.output_paused = False
        self._start_reading()

    def _start_reading(self) -> None:
        child = self.child
        if self.reading or self.output_paused or self.stopped or child is None or child.master < 0:
            return
        asyncio.get_running_loop().add_reader(child.master, self._on_output)
        self.reading = True

    def _stop_reading(self) -> None:
        if self.reading and self.child is not None and self.child.master >= 0:
            asyncio.get_running_loop().remove_reader(self.child.master)
        self.reading = False

    def _on_output(self) -> None:
        child = self.child
        assert child is not None
        try:
            data = os.read(child.master, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # EIO: every slave fd is closed, the app has gone
        if not data:
            self._stop_reading()
            self.ends.app_gone()
            return
        if not self.seen_output:
            self.seen_output = True
            self.ends.first_output()
        self.ends.to_client(data)
