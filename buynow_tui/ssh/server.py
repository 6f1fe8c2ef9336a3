"""`buynow serve`: the shop over SSH, one isolated app process per session.

Each session gets its own `python -P -m buynow_tui [--open PATH]` on a fresh PTY that is
the child's controlling terminal -- forked from the pre-imported fork server
(`forkserver.py`, the default) or exec'd (`--spawn exec`) -- so the app is exactly the
local app: the kernel
delivers window changes (SIGWINCH) and hang-ups, and a dropped connection ends the
child's whole process group. Every shopper is a stranger on the internet: the server
accepts only what a shopper needs and says so in one line when it refuses.

The contract with the app
-------------------------

The child's environment is built from an allowlist; nothing else of the server's or
the client's environment reaches it. Never `COLUMNS`/`LINES` (Textual would freeze
its size; the PTY's window size is the truth).

==========================  ==============================================================
`TERM`                      the client's terminal type from its PTY request (sanitised;
                            `xterm-256color` if unusable)
`LANG`, `COLORTERM`,        only if the client sent them (`SendEnv`/`SetEnv`), sanitised
`NO_COLOR`
`PATH`                      the server's `PATH`
`HOME`, `BUYNOW_HOME`       the server's BuyNow home folder
`PYTHONPATH`                the folder the server's own `buynow_tui` was imported from,
                            so the child runs the same code as the server
`BUYNOW_DATABASE_URL`,      copied from the server's environment when set there
`BUYNOW_TESTING`,
`BUYNOW_BCRYPT_ROUNDS`,
`BUYNOW_SHIPPING_CENTS`
`BUYNOW_SSH`                `1`
`BUYNOW_SSH_FINGERPRINT`    `SHA256:...` of the public key the client proved it holds,
                            or empty for an anonymous (keyboard-interactive) shopper.
                            The app uses it for Remember me over SSH:
                            `Accounts.resolve_key` on start, `remember_key` on log in
                            with Remember me, `forget_key` on log out.
`BUYNOW_SSH_PEER`           the client's address
`BUYNOW_SERVER_STARTED`     ISO 8601 UTC launch time of the server (About shows the
                            server's launch time and uptime from it)
==========================  ==============================================================

Deep links: an exec request naming a page on the allowlist (`cart`, `orders`,
`wishlist`, `account`, `about`, `shop`, `product/<digits>`, `order/<digits>`) with a
PTY (`ssh -t host cart`) starts the child with `--open <that>`. The app shows Not found
for a product or order that does not exist. Anything else is refused.

The child's stdin, stdout and stderr are the PTY; it should leave the terminal as it
found it on exit, but the server restores the client's terminal itself on every exit
path anyway (alternate screen, cursor, mouse modes, focus events, bracketed paste,
autowrap, keyboard protocol). Every byte the app draws crosses the network, so over
SSH the app should not turn on any-motion mouse reporting (`?1003h`) nor repaint an
unchanged screen on a timer. When a session ends for any reason other than the app
quitting (disconnect, idle, time cap, server stopping), the child's process group
gets SIGHUP, then SIGTERM, then SIGKILL, about a second apart, and is reaped.

Refused, one line each: a session without a PTY; exec requests other than the deep
links (so `ssh host 'rm -rf /'` and scp); subsystems (sftp); local and remote port
forwarding (and Unix-socket forwarding); agent forwarding (the session goes on
without it). Over a limit: "busy, try again".

Identity: any public key is accepted. asyncssh does not record which key a client
authenticated with, so the server watches its auth callbacks: asyncssh answers a
signed public-key request with success straight after `validate_public_key` returned
True for that request's key and the signature checked out, with no other callback in
between; keyboard-interactive success always goes through `get_kbdint_challenge`. So
the key seen in the last `validate_public_key` before `auth_completed` -- and only if
no keyboard-interactive exchange came after it -- is the key the client proved. A key
that was only probed, or whose signature failed, never becomes the identity.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncssh

from buynow_tui.logs import get_logger
from buynow_tui.paths import Paths
from buynow_tui.ssh.child import PtyChild, app_args, app_argv
from buynow_tui.ssh.forkserver import ForkServer
from buynow_tui.ssh.limits import Admission, Limits, clamp_size
from buynow_tui.ssh.state import ServerState, remove_state, running_state

log = get_logger("ssh")

# Alternate screen off, cursor on, every mouse mode off, bracketed paste off, then
# what Textual also turns on: focus events, urxvt mouse, autowrap (back on), the
# kitty keyboard protocol (popped), colours reset.
RESTORE_TERMINAL = (
    b"\x1b[?1049l\x1b[?25h\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l"
    b"\x1b[?1004l\x1b[?1015l\x1b[?7h\x1b[<u\x1b[0m"
)

DEEP_LINK = re.compile(
    r"(?:cart|orders|wishlist|account|about|shop|product/[0-9]{1,9}|order/[0-9]{1,9})"
)
PAGES = "cart, orders, wishlist, account, about, shop, product/<id>, order/<n>"
FILE_TRANSFER = re.compile(r"^\s*(?:scp|sftp|sftp-server|rsync|/usr/\S*sftp-server)\b")

MSG_NO_PTY = "BuyNow needs a terminal: connect with `ssh -t` (or plain `ssh` with no command)."
MSG_NO_COMMANDS = (
    f"BuyNow runs no commands. To open a page: ssh -t HOST PAGE, where PAGE is one of: {PAGES}."
)
MSG_NO_FILES = "BuyNow offers no file transfer (sftp, scp)."
MSG_NO_SUBSYSTEM = "BuyNow offers no subsystems."
MSG_NO_FORWARDING = "BuyNow offers no port forwarding."
MSG_NO_AGENT = "BuyNow does not take agent forwarding; your agent stays with you."
MSG_BUSY = "BuyNow is busy right now; please try again in a minute."
MSG_CLOSING = "The shop is closing. Goodbye."

TERM_OK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
LANG_OK = re.compile(r"[A-Za-z][A-Za-z0-9_.@-]{0,63}")
COLORTERM_OK = re.compile(r"[A-Za-z0-9_-]{1,32}")
SERVER_SETTINGS = (
    "BUYNOW_DATABASE_URL",
    "BUYNOW_TESTING",
    "BUYNOW_BCRYPT_ROUNDS",
    "BUYNOW_SHIPPING_CENTS",
)
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
SPAWN_MODES = ("fork", "exec")
HEARTBEAT_SECONDS = 30.0
START_SLOT_HOLD = 20.0  # a child silent this long no longer counts as starting


def utc_now() -> datetime:
    return datetime.now(UTC)


def span(seconds: float) -> str:
    """`15 minutes`, `2 hours`, `90 minutes`, `1 second`: for the lines shoppers read."""
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size and (seconds % size == 0 or unit == "second"):
            count = round(seconds / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


def package_root() -> str:
    import buynow_tui

    return str(Path(buynow_tui.__file__).resolve().parent.parent)


# -- the server as a whole -------------------------------------------------------------


class Shop:
    """Server-wide state: limits, live sessions, counters, the state file."""

    def __init__(
        self, paths: Paths, limits: Limits, host: str, port: int, *, spawn: str = "fork"
    ) -> None:
        if spawn not in SPAWN_MODES:
            raise ValueError(f"spawn must be one of {', '.join(SPAWN_MODES)}, not {spawn!r}")
        self.paths = paths
        self.spawn = spawn
        self.forkserver: ForkServer | None = None
        self.forkserver_starting: asyncio.Task[ForkServer | None] | None = None
        self.limits = limits
        self.host = host
        self.port = port
        self.started = utc_now()
        self.admission = Admission(limits)
        self.starting = asyncio.Semaphore(limits.max_starting)
        self.sessions: set[ShopSession] = set()
        self.connections: set[ShopConnection] = set()
        self.tasks: set[asyncio.Task[Any]] = set()
        self.starts: set[asyncio.Task[Any]] = set()  # sessions still in `_start`
        self.served = 0
        self.closing = False
        self.state = ServerState(
            pid=os.getpid(),
            started=self.started.isoformat(timespec="seconds"),
            host=host,
            port=port,
        )

    def base_env(self) -> dict[str, str]:
        home = str(self.paths.home)
        env = {
            "PATH": os.environ.get("PATH") or DEFAULT_PATH,
            "HOME": home,
            "BUYNOW_HOME": home,
            "PYTHONPATH": package_root(),
            "BUYNOW_SSH": "1",
            "BUYNOW_SERVER_STARTED": self.started.isoformat(timespec="seconds"),
        }
        for name in SERVER_SETTINGS:
            value = os.environ.get(name)
            if value:
                env[name] = value
        return env

    def write_state(self) -> None:
        self.state.sessions_served = self.served
        self.state.sessions_live = len(self.sessions)
        try:
            self.state.write(self.paths.server_state)
        except OSError as error:
            log.error("cannot write the server state file: %s", error)

    def session_live(self, session: ShopSession) -> None:
        self.sessions.add(session)
        self.served += 1
        self.write_state()

    def session_gone(self, session: ShopSession) -> None:
        if session in self.sessions:
            self.sessions.discard(session)
            self.write_state()

    async def start_forkserver(self) -> ForkServer | None:
        """The fork server, started (or restarted after it died) once at a time."""
        if self.forkserver is not None and self.forkserver.alive:
            return self.forkserver
        if self.forkserver_starting is None or self.forkserver_starting.done():
            self.forkserver_starting = asyncio.ensure_future(self._start_forkserver())
        return await asyncio.shield(self.forkserver_starting)

    async def _start_forkserver(self) -> ForkServer | None:
        if self.forkserver is not None:
            await self.forkserver.close()
            self.forkserver = None
        try:
            self.forkserver = await ForkServer.start(self.base_env(), self.paths.home)
        except (OSError, TimeoutError, ValueError) as error:
            log.error("the fork server did not start (%s); sessions start by exec", error)
            return None
        log.info("fork server running (pid %s)", self.forkserver.process.pid)
        return self.forkserver

    async def spawn_app(
        self, open_path: str | None, *, env: dict[str, str], cols: int, rows: int
    ) -> PtyChild:
        """A session's app on a fresh PTY: forked from the fork server, or by exec."""
        if self.spawn == "fork":
            forkserver = await self.start_forkserver()
            if forkserver is not None:
                try:
                    return await PtyChild.fork(
                        forkserver,
                        app_args(open_path),
                        env=env,
                        cwd=self.paths.home,
                        cols=cols,
                        rows=rows,
                    )
                except (OSError, TimeoutError) as error:
                    log.error("the fork server could not start a session (%s); using exec", error)
        return await PtyChild.spawn(
            app_argv(open_path), env=env, cwd=self.paths.home, cols=cols, rows=rows
        )

    async def close_forkserver(self) -> None:
        if self.forkserver_starting is not None and not self.forkserver_starting.done():
            await asyncio.wait([self.forkserver_starting], timeout=35)
        if self.forkserver is not None:
            await self.forkserver.close()
            self.forkserver = None

    def spawn_task(self, coro: Any, *, starting: bool = False) -> asyncio.Task[Any]:
        """A task the shop keeps (asyncio holds tasks weakly) and logs if it fails."""
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


# -- one SSH connection ------------------------------------------------------------------


class ShopConnection(asyncssh.SSHServer):
    """One client connection: admission, identity, and what it may open."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "unknown"
        self.verdict = "ok"
        self.fingerprint = ""
        self._candidate: asyncssh.SSHKey | None = None
        self.authenticated = False

    # connection lifecycle

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "unknown"
        self.shop.connections.add(self)
        self.verdict = (
            "busy" if self.shop.closing else self.shop.admission.connection_opened(self.address)
        )
        if self.verdict == "drop":
            log.warning("dropped a connection from %s: far over the limits", self.address)
            asyncio.get_running_loop().call_soon(conn.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        self.shop.connections.discard(self)
        self.shop.admission.connection_closed(self.address)

    # authentication: anyone may come in; a proven key says who they are

    def begin_auth(self, username: str) -> bool:
        return True  # ask for auth, so clients offer their keys before falling back

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # Probe or signed request alike: only a success straight after this proves it.
        self._candidate = key
        return True

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str) -> bool:
        self._candidate = None  # this auth is keyboard-interactive: anonymous
        return True

    def validate_kbdint_response(self, username: str, responses: Any) -> bool:
        self._candidate = None
        return True

    def password_auth_supported(self) -> bool:
        return False

    def auth_completed(self) -> None:
        key, self._candidate = self._candidate, None
        self.fingerprint = str(key.get_fingerprint("sha256")) if key is not None else ""
        self.authenticated = True

    # what the connection may open

    def session_requested(self) -> Any:
        assert self.conn is not None
        chan = self.conn.create_server_channel(encoding=None)
        session = ShopSession(self)
        session.watch_agent_request(chan)
        return chan, session

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> Any:
        log.warning("refused a port forward to %s:%s from %s", dest_host, dest_port, self.address)
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, MSG_NO_FORWARDING
        )

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        log.warning(
            "refused a remote port forward on %s:%s from %s", listen_host, listen_port, self.address
        )
        return False

    def unix_connection_requested(self, dest_path: str) -> Any:
        log.warning("refused a socket forward from %s", self.address)
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, MSG_NO_FORWARDING
        )

    def unix_server_requested(self, listen_path: str) -> bool:
        log.warning("refused a remote socket forward from %s", self.address)
        return False


# -- one session: one app process on one PTY -------------------------------------------------


class ShopSession(asyncssh.SSHServerSession):  # type: ignore[type-arg]
    def __init__(self, owner: ShopConnection) -> None:
        self.owner = owner
        self.shop = owner.shop
        self.limits = owner.shop.limits
        self.chan: asyncssh.SSHServerChannel | None = None  # type: ignore[type-arg]
        self.term_type: str | None = None
        self.cols, self.rows = 80, 24
        self.kind = "shell"
        self.command = ""
        self.agent_requested = False
        self.child: PtyChild | None = None
        self.counted = False
        self.holds_start_slot = False
        self.reading = False
        self.output_paused = False
        self.input_paused = False
        self.pending_input = bytearray()
        self.live_since = 0.0
        self.last_input = time.monotonic()
        self.first_output_at: float | None = None
        self.ended = False
        self.ending: asyncio.Task[None] | None = None
        self.task: asyncio.Task[None] | None = None
        self.timers: list[asyncio.TimerHandle] = []
        self.idle_timer: asyncio.TimerHandle | None = None
        self.reason = ""

    # -- asyncssh callbacks ---------------------------------------------------------------

    def connection_made(self, chan: Any) -> None:
        self.chan = chan
        chan.set_write_buffer_limits(high=self.limits.output_buffer)

    def watch_agent_request(self, chan: Any) -> None:
        """Note an agent-forwarding request (asyncssh refuses it: agent_forwarding=False).

        OpenSSH asks without wanting a reply, so the shopper would never learn it was
        refused; noting it lets the session say so in one line. If asyncssh ever
        renames its handler, the request is still refused, just silently.
        """
        name = "_process_auth_agent_req_at_openssh_dot_com_request"
        original = getattr(chan, name, None)
        if original is None:
            return

        def noted(packet: Any) -> Any:
            self.agent_requested = True
            return original(packet)

        setattr(chan, name, noted)

    def pty_requested(
        self, term_type: str, term_size: tuple[int, int, int, int], term_modes: Any
    ) -> bool:
        self.term_type = term_type
        self.cols, self.rows = clamp_size(term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        self.kind = "shell"
        return True

    def exec_requested(self, command: str) -> bool:
        self.kind, self.command = "exec", command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.kind, self.command = "subsystem", subsystem
        return True

    def session_started(self) -> None:
        self.task = self.shop.spawn_task(self._start(), starting=True)

    def data_received(self, data: bytes, datatype: Any) -> None:
        self.last_input = time.monotonic()
        if self.ended:
            return
        if self.child is None:
            # Typed while the app starts: keep a little, hand it over once it runs.
            if len(self.pending_input) < 4096:
                self.pending_input += data[: 4096 - len(self.pending_input)]
            return
        self.pending_input += data
        self._flush_input()

    def eof_received(self) -> bool:
        # The client's input has ended: a shop nobody can type into is closed.
        self.end("the client closed its input")
        return True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self.cols, self.rows = clamp_size(width, height)
        if self.child is not None and not self.ended:
            self.child.resize(self.cols, self.rows)

    def pause_writing(self) -> None:
        # The client is not reading: stop reading the app, whose writes then block.
        self.output_paused = True
        self._stop_reading()

    def resume_writing(self) -> None:
        self.output_paused = False
        self._start_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.chan = None
        self.end("the connection dropped" if exc else "the client disconnected")

    # -- starting ----------------------------------------------------------------------------

    @property
    def pty(self) -> bool:
        return self.term_type is not None

    def refusal(self) -> str | None:
        if self.kind == "subsystem":
            return MSG_NO_FILES if self.command == "sftp" else MSG_NO_SUBSYSTEM
        if self.kind == "exec":
            if FILE_TRANSFER.match(self.command):
                return MSG_NO_FILES
            if not DEEP_LINK.fullmatch(self.command.strip()):
                return MSG_NO_COMMANDS
        if not self.pty:
            return MSG_NO_PTY
        return None

    def say(self, line: str) -> None:
        """One line to the client's terminal (stderr, so scripts and sftp show it)."""
        if self.chan is None:
            return
        eol = b"\r\n" if self.pty else b"\n"
        try:
            self.chan.write_stderr(line.encode("utf-8") + eol)
        except (asyncssh.Error, OSError, BrokenPipeError):
            pass

    def refuse(self, line: str) -> None:
        what = {"shell": "a shell", "exec": "an exec request"}.get(self.kind, "a subsystem request")
        log.warning("refused %s from %s: %s", what, self.owner.address, line)
        self.ended = True
        self.say(line)
        self._exit(1)

    async def _start(self) -> None:
        line = self.refusal()
        if line is not None:
            self.refuse(line)
            return
        if self.shop.closing:
            self.refuse(MSG_CLOSING)
            return
        admission = self.shop.admission
        if self.owner.verdict != "ok" or not admission.session_allowed(self.owner.address):
            self.refuse(MSG_BUSY)
            return
        admission.session_opened(self.owner.address)
        self.counted = True
        try:
            await asyncio.wait_for(self.shop.starting.acquire(), self.limits.start_wait)
        except TimeoutError:
            self._uncount()
            self.refuse(MSG_BUSY)
            return
        self.holds_start_slot = True
        if self.ended or self.chan is None:  # gone while waiting for a slot
            self._release_start_slot()
            self._uncount()
            return
        try:
            self.child = await self.shop.spawn_app(
                self.command.strip() if self.kind == "exec" else None,
                env=self.child_env(),
                cols=self.cols,
                rows=self.rows,
            )
        except OSError as error:
            log.error("could not start a session's app: %s", error)
            self._release_start_slot()
            self._uncount()
            self.refuse(MSG_BUSY)
            return
        self.live_since = time.monotonic()
        self.shop.session_live(self)
        log.info(
            "connect from %s key %s term %s size %sx%s%s",
            self.owner.address,
            self.owner.fingerprint or "anonymous",
            self.term_env(),
            self.cols,
            self.rows,
            f" open {self.command.strip()}" if self.kind == "exec" else "",
        )
        if self.agent_requested:
            self.say(MSG_NO_AGENT)
        if self.ended:  # the client left while the app was starting
            self.ending = self.shop.spawn_task(self._finish())
            return
        if self.shop.closing:  # the server began to stop while the app was starting
            self.end("the server stopped", MSG_CLOSING)
            return
        loop = asyncio.get_running_loop()
        self.timers.append(loop.call_later(START_SLOT_HOLD, self._release_start_slot))
        self.timers.append(loop.call_later(self.limits.session_cap, self._session_cap_reached))
        self._arm_idle_timer()
        self._start_reading()
        if self.pending_input:
            self._flush_input()
        self.shop.spawn_task(self._watch_child())

    def term_env(self) -> str:
        term = self.term_type or ""
        return term if TERM_OK.fullmatch(term) else "xterm-256color"

    def child_env(self) -> dict[str, str]:
        env = self.shop.base_env()
        env["TERM"] = self.term_env()
        env["BUYNOW_SSH_FINGERPRINT"] = self.owner.fingerprint
        env["BUYNOW_SSH_PEER"] = self.owner.address
        sent = self.chan.get_environment() if self.chan is not None else {}
        lang = sent.get("LANG", "")
        if LANG_OK.fullmatch(lang):
            env["LANG"] = lang
        colorterm = sent.get("COLORTERM", "")
        if COLORTERM_OK.fullmatch(colorterm):
            env["COLORTERM"] = colorterm
        if sent.get("NO_COLOR"):
            env["NO_COLOR"] = "1"
        return env

    # -- the PTY pump ------------------------------------------------------------------------

    def _start_reading(self) -> None:
        child = self.child
        if self.reading or self.output_paused or self.ended or child is None or child.master < 0:
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
            data = os.read(child.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""  # EIO: every slave fd is closed, the app has gone
        if not data:
            self._stop_reading()
            self.end("the app exited")
            return
        if self.first_output_at is None:
            self.first_output_at = time.monotonic()
            self._release_start_slot()
        if self.chan is not None:
            self.chan.write(data)

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
            loop.add_writer(child.master, self._on_writable)
            if (
                len(self.pending_input) > 64 * 1024
                and not self.input_paused
                and self.chan is not None
            ):
                self.chan.pause_reading()  # the app is not reading: stop reading the client
                self.input_paused = True
        else:
            loop.remove_writer(child.master)
            if self.input_paused and self.chan is not None:
                self.chan.resume_reading()
            self.input_paused = False

    def _on_writable(self) -> None:
        self._flush_input()

    async def _watch_child(self) -> None:
        child = self.child
        assert child is not None
        await child.wait()
        # Let the last frame drain from the PTY (EIO ends it), then end anyway.
        await asyncio.sleep(0.5)
        self.end("the app exited")

    # -- limits ------------------------------------------------------------------------------

    def _arm_idle_timer(self) -> None:
        remaining = self.last_input + self.limits.idle_timeout - time.monotonic()
        if remaining <= 0:
            self.end("idle", f"You were idle for {span(self.limits.idle_timeout)}; goodbye.")
            return
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        self.idle_timer = asyncio.get_running_loop().call_later(remaining, self._arm_idle_timer)

    def _session_cap_reached(self) -> None:
        self.end(
            "session cap",
            f"Sessions last at most {span(self.limits.session_cap)}; goodbye. Come back any time.",
        )

    def _release_start_slot(self) -> None:
        if self.holds_start_slot:
            self.holds_start_slot = False
            self.shop.starting.release()

    def _uncount(self) -> None:
        if self.counted:
            self.counted = False
            self.shop.admission.session_closed(self.owner.address)

    # -- ending ------------------------------------------------------------------------------

    def end(self, reason: str, message: str | None = None) -> asyncio.Task[None] | None:
        """End the session (idempotent): restore the terminal, say why, stop the app."""
        if self.ended:
            return self.ending
        self.ended = True
        self.reason = reason
        if self.child is None:
            # Not started yet (or refused): _start sees `ended` and cleans up.
            return None
        self._stop_reading()
        for timer in [*self.timers, self.idle_timer]:
            if timer is not None:
                timer.cancel()
        if self.chan is not None:
            try:
                self.chan.write(RESTORE_TERMINAL)
            except (asyncssh.Error, OSError):
                pass
            if message:
                self.say("\r\n" + message if self.pty else message)
        self.ending = self.shop.spawn_task(self._finish())
        return self.ending

    async def _finish(self) -> None:
        child = self.child
        status: int | None = None
        if child is not None:
            loop = asyncio.get_running_loop()
            if child.master >= 0:
                loop.remove_writer(child.master)
                self._stop_reading()
            status = await child.stop()
            child.close_master()
        self._release_start_slot()
        self._uncount()
        self._exit(status if status is not None and status >= 0 else 0)
        if child is not None:
            duration = time.monotonic() - self.live_since
            log.info(
                "disconnect from %s key %s term %s size %sx%s after %.1fs (%s)",
                self.owner.address,
                self.owner.fingerprint or "anonymous",
                self.term_env(),
                self.cols,
                self.rows,
                duration,
                self.reason,
            )
            self.shop.session_gone(self)

    def _exit(self, status: int) -> None:
        chan = self.chan
        if chan is None:
            return
        try:
            chan.exit(status)
        except (asyncssh.Error, OSError):
            try:
                chan.close()
            except (asyncssh.Error, OSError):
                pass


# -- running the server ----------------------------------------------------------------------


class Running:
    """A listening server and its shop; `close()` stops it the graceful way."""

    def __init__(self, server: asyncssh.SSHAcceptor, shop: Shop, fingerprint: str) -> None:
        self.server = server
        self.shop = shop
        self.fingerprint = fingerprint

    @property
    def port(self) -> int:
        return self.shop.port

    async def close(self) -> None:
        """Stop listening, tell every session, restore terminals, reap every child."""
        shop = self.shop
        shop.closing = True
        self.server.close()
        starting = [task for task in shop.starts if not task.done()]
        if starting:
            # Sessions half-way through starting finish starting (and see `closing`).
            await asyncio.wait(starting, timeout=shop.limits.start_wait + 10)
        endings = [
            session.end("the server stopped", MSG_CLOSING) for session in list(shop.sessions)
        ]
        await asyncio.gather(*(e for e in endings if e is not None), return_exceptions=True)
        for connection in list(shop.connections):
            if connection.conn is not None:
                connection.conn.close()
        try:
            await asyncio.wait_for(self.server.wait_closed(), 5)
        except TimeoutError:
            pass
        await shop.close_forkserver()
        remove_state(shop.paths.server_state)
        log.info("stopped after serving %s sessions", shop.served)


async def start(
    paths: Paths, host: str, port: int, limits: Limits, host_key: Any, *, spawn: str = "fork"
) -> Running:
    """Listen for shoppers (port 0: any free port) and write the state file.

    With `spawn="fork"` the fork server is started first (its imports take a moment), so
    the first shopper does not wait for it.
    """
    shop = Shop(paths, limits, host, port, spawn=spawn)
    if spawn == "fork":
        await shop.start_forkserver()
    server = await asyncssh.create_server(
        lambda: ShopConnection(shop),
        host,
        port,
        server_host_keys=[host_key],
        config=None,
        authorized_client_keys=None,
        encoding=None,
        line_editor=False,
        allow_pty=True,
        agent_forwarding=False,
        x11_forwarding=False,
        password_auth=False,
        gss_host=None,
        login_timeout=limits.login_timeout,
        keepalive_interval=30,
        keepalive_count_max=4,
        server_version="BuyNow",
        reuse_address=True,
    )
    bound = server.sockets[0].getsockname() if server.sockets else (host, port)
    shop.port = shop.state.port = int(bound[1])
    shop.write_state()
    fingerprint = str(host_key.get_fingerprint("sha256"))
    log.info("serving on %s:%s, host key %s", host, shop.port, fingerprint)
    return Running(server, shop, fingerprint)


async def serve(
    paths: Paths,
    host: str,
    port: int,
    limits: Limits,
    host_key: Any,
    *,
    echo: Callable[[str], None] = print,
    spawn: str = "fork",
) -> int:
    """Serve until SIGTERM, SIGINT or SIGHUP; then close every session cleanly. Returns 0.

    What the server prints is for whoever watches it; nothing depends on it being read.
    With its output in a pipe (`buynow serve | tee log`), Ctrl-C stops the reader too,
    and a write to the closed pipe must not cut the shutdown short: see `Say`.
    """
    say = Say(echo)
    running = await start(paths, host, port, limits, host_key, spawn=spawn)
    shop = running.shop
    shown_host = host if host not in ("0.0.0.0", "::", "") else "HOST"
    say(f"BuyNow SSH server listening on {host}:{running.port} (pid {os.getpid()})")
    say(f"Host key fingerprint: {running.fingerprint}")
    say(f"Shoppers connect with: ssh -p {running.port} {shown_host}")

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    stopped_by: list[str] = []

    def stopping(sig: signal.Signals) -> None:
        stopped_by.append(sig.name)
        stop.set()

    for sig in signals:
        loop.add_signal_handler(sig, stopping, sig)

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            shop.write_state()

    beat = asyncio.ensure_future(heartbeat())
    try:
        await stop.wait()
    finally:
        beat.cancel()
        log.info(
            "closing on %s: telling %d shoppers", stopped_by[0] if stopped_by else "request",
            len(shop.sessions),
        )
        say("Closing: telling shoppers and stopping their sessions...")
        await running.close()
        for sig in signals:
            loop.remove_signal_handler(sig)
    say(f"Stopped after serving {shop.served} session{'s' if shop.served != 1 else ''}.")
    return 0


class Say:
    """The server's own output lines, which never stop the server.

    If standard output goes away (its pipe's reader exited), the first failed write is
    logged, and standard output is pointed at /dev/null so neither later lines nor
    Python's flush at exit fail again; the server goes on (and stops) as it would.
    """

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.gone = False

    def __call__(self, line: str) -> None:
        if self.gone:
            return
        try:
            self.echo(line)
        except (OSError, ValueError) as error:  # EPIPE, EIO; ValueError: a closed file
            self.gone = True
            log.warning("standard output is gone (%s); the server goes on without it", error)
            _silence_stdout()


def _silence_stdout() -> None:
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def run(
    paths: Paths,
    host: str,
    port: int,
    limits: Limits,
    host_key_file: Path,
    *,
    echo: Callable[[str], None] = print,
    spawn: str = "fork",
) -> int:
    """Prepare the store and host key once, then serve (blocking)."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.ssh.hostkey import load_or_create
    from buynow_tui.store.db import close_db

    other = running_state(paths.server_state)
    if other is not None and other.pid != os.getpid():
        raise RuntimeError(
            f"a server is already running for {paths.home} (pid {other.pid}, port {other.port}); "
            "stop it first or use another --home"
        )
    # Migrate and seed here, once, so sessions starting together never race to do it.
    open_store(paths)
    close_db()
    key = load_or_create(host_key_file)
    return asyncio.run(serve(paths, host, port, limits, key, echo=echo, spawn=spawn))
