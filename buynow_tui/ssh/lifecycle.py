"""One SSH session: one app process on one PTY, from the request to the last byte.

A session channel is OPENING while the client says what it wants (PTY, shell or exec,
environment) and the server decides (`policy.refusal`, then the limits: a seat among
the live sessions, a starting slot), LIVE from the moment its app runs, and ENDED
after any of: the app quit, the client left or closed its input, it was idle too long,
it reached the session cap, the server is stopping, or it was refused. A shopper's
command without a PTY (`policy.ShopperCommand`) takes the same seat and starting slot
but runs `command_child.CommandChild` instead of the app, and ends with its exit
status (or after `COMMAND_TIMEOUT`).

The child's stdin, stdout and stderr are the PTY; it should leave the terminal as it
found it on exit, but the server restores the client's terminal itself on every exit
path anyway (alternate screen, cursor, mouse modes, focus events, bracketed paste,
autowrap, keyboard protocol). Every byte the app draws crosses the network, so over
SSH the app should not turn on any-motion mouse reporting (`?1003h`) nor repaint an
unchanged screen on a timer. When a session ends for any reason other than the app
quitting (disconnect, idle, time cap, server stopping), the child's process group
gets SIGHUP, then SIGTERM, then SIGKILL, about a second apart, and is reaped.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import Enum

import asyncssh

from buynow_tui.limits import Claim, Limits, Verdict, clamp_size
from buynow_tui.logs import ANONYMOUS, get_logger
from buynow_tui.ssh import policy
from buynow_tui.ssh.child import PtyChild
from buynow_tui.ssh.command_child import COMMAND_TIMEOUT, MSG_TOO_SLOW, CommandChild
from buynow_tui.ssh.hub import Hub
from buynow_tui.ssh.policy import MSG_BUSY, MSG_CLOSING, MSG_NO_AGENT, Request, RequestKind
from buynow_tui.ssh.pump import Pump

log = get_logger("ssh")

# Alternate screen off, cursor on, every mouse mode off, bracketed paste off, then
# what Textual also turns on: focus events, urxvt mouse, autowrap (back on), the
# kitty keyboard protocol (popped), colours reset.
RESTORE_TERMINAL = (
    b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l"
    b"\x1b[?1004l\x1b[?1015l\x1b[?7h\x1b[<u\x1b[0m"
)
START_SLOT_HOLD = 20.0  # a child silent this long no longer counts as starting
LAST_FRAME_GRACE = 0.5  # seconds the app's last output may take to drain after it exits


class Phase(Enum):
    OPENING = "opening"  # requests arriving, the server deciding, the app starting
    LIVE = "live"  # the app runs
    ENDED = "ended"  # refused, or ending: nothing more goes either way


class Timer(Enum):
    START_SLOT = "start slot"  # give the starting slot back if the app stays silent
    SESSION_CAP = "session cap"
    IDLE = "idle"


class Timers:
    """A session's timers by name; setting one again replaces it, and they all go at
    the session's end."""

    def __init__(self) -> None:
        self.handles: dict[Timer, asyncio.TimerHandle] = {}

    def set(self, timer: Timer, delay: float, callback: Callable[[], None]) -> None:
        old = self.handles.pop(timer, None)
        if old is not None:
            old.cancel()
        self.handles[timer] = asyncio.get_running_loop().call_later(delay, callback)

    def cancel_all(self) -> None:
        for handle in self.handles.values():
            handle.cancel()
        self.handles.clear()


@dataclass(frozen=True)
class Peer:
    """Who is on the other end, as the connection learned it before the session."""

    address: str
    fingerprint: str  # "" for an anonymous shopper
    verdict: Verdict  # what admission said when the connection came in


ServerChannel = asyncssh.SSHServerChannel[bytes]


class ShopSession(asyncssh.SSHServerSession[bytes]):
    """asyncssh's callbacks for one session channel, and the session's life."""

    def __init__(self, hub: Hub, peer: Peer) -> None:
        self.hub = hub
        self.peer = peer
        self.chan: ServerChannel | None = None
        self.request = Request()
        self.cols, self.rows = 80, 24
        self.phase = Phase.OPENING
        self.agent_asked = False
        self.child: PtyChild | None = None
        self.pump = Pump(self)
        self.seat = Claim()  # counted among the live sessions
        self.start_slot = Claim()  # one of the few apps starting at once
        self.live_since = 0.0
        self.last_input = time.monotonic()
        self.timers = Timers()
        self.ending: asyncio.Task[None] | None = None
        self.reason = ""
        self.writable = asyncio.Event()  # the client keeps up (a shopper's command's output)
        self.writable.set()

    @property
    def limits(self) -> Limits:
        return self.hub.limits

    # -- asyncssh callbacks ---------------------------------------------------------------

    def connection_made(self, chan: ServerChannel) -> None:
        self.chan = chan
        chan.set_write_buffer_limits(high=self.limits.output_buffer)

    def agent_requested(self) -> None:
        """The client asked to forward its agent (asyncssh refuses it)."""
        self.agent_asked = True

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Mapping[int, int]
    ) -> bool:
        self.request = replace(self.request, term_type=term_type)
        self.cols, self.rows = clamp_size(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        self.request = replace(self.request, kind=RequestKind.SHELL)
        return True

    def exec_requested(self, command: str) -> bool:
        self.request = replace(self.request, kind=RequestKind.EXEC, command=command)
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.request = replace(self.request, kind=RequestKind.SUBSYSTEM, command=subsystem)
        return True

    def session_started(self) -> None:
        self.hub.keep(self._start(), starting=True)

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.last_input = time.monotonic()
        if self.phase is not Phase.ENDED:
            self.pump.feed(data)

    def eof_received(self) -> bool:
        # The client's input has ended: a shop nobody can type into is closed. A
        # shopper's command reads no input (`ssh host orders < /dev/null`): it goes on.
        if self.request.shopper_command is None:
            self.end("the client closed its input")
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.cols, self.rows = clamp_size(width, height)
        if self.child is not None and self.phase is Phase.LIVE:
            self.child.resize(self.cols, self.rows)

    def pause_writing(self) -> None:
        self.writable.clear()
        self.pump.pause_output()

    def resume_writing(self) -> None:
        self.writable.set()
        self.pump.resume_output()

    def connection_lost(self, exc: Exception | None) -> None:
        self.chan = None
        self.end("the connection dropped" if exc else "the client disconnected")

    # -- the pump's ends (pump.Ends) --------------------------------------------------------

    def to_client(self, data: bytes) -> None:
        if self.chan is not None:
            self.chan.write(data)

    def hold_client(self, held: bool) -> None:
        if self.chan is not None:
            if held:
                self.chan.pause_reading()
            else:
                self.chan.resume_reading()

    def first_output(self) -> None:
        self.start_slot.release()

    def app_gone(self) -> None:
        self.end("the app exited")

    # -- starting ----------------------------------------------------------------------------

    def say(self, line: str) -> None:
        """One line to the client's terminal (stderr, so scripts and sftp show it)."""
        if self.chan is None:
            return
        eol = b"\r\n" if self.request.pty else b"\n"
        with contextlib.suppress(asyncssh.Error, OSError, BrokenPipeError):
            self.chan.write_stderr(line.encode("utf-8") + eol)

    def refuse(self, line: str) -> None:
        log.warning("refused %s from %s: %s", self.request.kind.value, self.peer.address, line)
        self.phase = Phase.ENDED
        self.say(line)
        self._exit(1)

    async def _start(self) -> None:
        line = policy.refusal(self.request)
        if line is not None:
            self.refuse(line)
            return
        if self.hub.closing:
            self.refuse(MSG_CLOSING)
            return
        admission = self.hub.admission
        if self.peer.verdict is not Verdict.OK or not admission.session_allowed(self.peer.address):
            self.refuse(MSG_BUSY)
            return
        self.seat = admission.seat(self.peer.address)
        slot = await admission.start_slot()
        if slot is None:
            self.seat.release()
            self.refuse(MSG_BUSY)
            return
        self.start_slot = slot
        if self.phase is Phase.ENDED or self.chan is None:  # gone while waiting for a slot
            self.start_slot.release()
            self.seat.release()
            return
        if self.request.shopper_command is not None:
            await self._run_command(self.request.shopper_command)
            return
        try:
            child = await self.hub.spawner.spawn(
                self.request.open_path, env=self.environment(), cols=self.cols, rows=self.rows
            )
        except OSError as error:
            log.error("could not start a session's app: %s", error)
            self.start_slot.release()
            self.seat.release()
            self.refuse(MSG_BUSY)
            return
        self.child = child
        if self.phase is Phase.OPENING:
            self.phase = Phase.LIVE
        self.live_since = time.monotonic()
        self.hub.session_live(self)
        opens = self.request.open_path
        log.info("connect from %s%s", self.described(), f" open {opens}" if opens else "")
        if self.agent_asked:
            self.say(MSG_NO_AGENT)
        if self.phase is Phase.ENDED:  # the client left while the app was starting
            self.ending = self.hub.keep(self._finish())
            return
        if self.hub.closing:  # the server began to stop while the app was starting
            self.end("the server stopped", MSG_CLOSING)
            return
        self.timers.set(Timer.START_SLOT, START_SLOT_HOLD, self.start_slot.release)
        self.timers.set(Timer.SESSION_CAP, self.limits.session_cap, self._session_cap_reached)
        self._arm_idle_timer()
        self.pump.start(child)
        self.hub.keep(self._watch_child(child))

    async def _run_command(self, command: policy.ShopperCommand) -> None:
        """A shopper's command, in a process of its own on pipes (`command_child`); the
        session stays OPENING throughout, so `end()` only marks it ENDED and the relay
        below kills the process and gives the seat back."""
        started = time.monotonic()
        log.info("command %s from %s", command.verb, self.described())
        try:
            child = await CommandChild.start(
                command.words, env=self.environment(), cwd=self.hub.paths.home
            )
        except OSError as error:
            log.error("could not start a shopper's command: %s", error)
            self.start_slot.release()
            self.seat.release()
            self.refuse(MSG_BUSY)
            return
        eol = b"\r\n" if self.request.pty else b"\n"

        def out(data: bytes) -> None:
            self.start_slot.release()  # it has started: the slot goes to the next one
            if self.chan is not None:
                with contextlib.suppress(asyncssh.Error, OSError):
                    self.chan.write(data.replace(b"\n", eol))

        def err(data: bytes) -> None:
            self.start_slot.release()
            if self.chan is not None:
                with contextlib.suppress(asyncssh.Error, OSError):
                    self.chan.write_stderr(data.replace(b"\n", eol))

        async def ready() -> bool:
            while not self.writable.is_set() and self.phase is not Phase.ENDED:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.writable.wait(), 1.0)
            return self.phase is not Phase.ENDED and self.chan is not None

        timeout = min(COMMAND_TIMEOUT, self.limits.session_cap)
        status = await child.run(out, err, ready, timeout)
        self.start_slot.release()
        self.seat.release()
        if status is None:
            self.say(MSG_TOO_SLOW)
        log.info(
            "command %s from %s ended after %.1fs (exit %s)",
            command.verb,
            self.peer.address,
            time.monotonic() - started,
            "timeout" if status is None else status,
        )
        self.phase = Phase.ENDED
        self._exit(1 if status is None or status < 0 else status)

    def described(self) -> str:
        """The session as its log lines name it: address, key, terminal type and size."""
        key = self.peer.fingerprint or "anonymous"
        term = policy.term_name(self.request.term_type)
        return f"{self.peer.address} key {key} term {term} size {self.cols}x{self.rows}"

    def environment(self) -> dict[str, str]:
        sent = self.chan.get_environment() if self.chan is not None else {}
        return policy.session_environment(
            self.hub.server_environment(),
            term_type=self.request.term_type,
            fingerprint=self.peer.fingerprint,
            peer=self.peer.address,
            sent=sent,
        )

    async def _watch_child(self, child: PtyChild) -> None:
        await child.wait()
        # Let the last frame drain from the PTY (EIO ends it), then end anyway.
        await asyncio.sleep(LAST_FRAME_GRACE)
        self.end("the app exited")

    # -- limits ------------------------------------------------------------------------------

    def _arm_idle_timer(self) -> None:
        remaining = self.last_input + self.limits.idle_timeout - time.monotonic()
        if remaining <= 0:
            self.end("idle", policy.idle_line(self.limits.idle_timeout))
            return
        self.timers.set(Timer.IDLE, remaining, self._arm_idle_timer)

    def _session_cap_reached(self) -> None:
        self.end("session cap", policy.cap_line(self.limits.session_cap))

    # -- ending ------------------------------------------------------------------------------

    def end(self, reason: str, message: str | None = None) -> asyncio.Task[None] | None:
        """End the session (idempotent): restore the terminal, say why, stop the app."""
        if self.phase is Phase.ENDED:
            return self.ending
        started = self.phase is Phase.LIVE
        self.phase = Phase.ENDED
        self.reason = reason
        if not started:
            # Not started yet: `_start` sees ENDED and cleans up.
            return None
        self.pump.stop()
        self.timers.cancel_all()
        if self.chan is not None:
            with contextlib.suppress(asyncssh.Error, OSError):
                self.chan.write(RESTORE_TERMINAL)
            if message:
                self.say("\r\n" + message if self.request.pty else message)
        self.ending = self.hub.keep(self._finish())
        return self.ending

    async def _finish(self) -> None:
        child = self.child
        status: int | None = None
        if child is not None:
            self.pump.stop()
            status = await child.stop()
            child.close_master()
        self.start_slot.release()
        self.seat.release()
        self._exit(status if status is not None and status >= 0 else 0)
        if child is not None:
            duration = time.monotonic() - self.live_since
            who = self.hub.session_user(child.pid)
            log.info(
                "disconnect from %s after %.1fs (%s)",
                self.described(),
                duration,
                self.reason,
                extra={"user": who or ANONYMOUS},
            )
            self.hub.session_gone(self)

    def _exit(self, status: int) -> None:
        chan = self.chan
        if chan is None:
            return
        try:
            chan.exit(status)
        except (asyncssh.Error, OSError):
            with contextlib.suppress(asyncssh.Error, OSError):
                chan.close()
