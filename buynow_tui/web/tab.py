"""One browser tab on the server: its WebSocket, its app process, its limits.

A tab is admitted (`limits.Admission`, the SSH server's bookkeeping), waits for a
starting slot, gets its app (`apps.TabApp`, forked or exec'd by `spawn.TabSpawner`),
then pumps the browser's messages to the app until one side ends. However it ends --
the app quit, the browser left, idle, the session cap, the server stopping -- the page
is told why with a close code and its sentence, the app's process group is stopped and
reaped, and the disconnect logged with the reason. The connect and disconnect lines
name the browser as "browser #<first 8 hex digits of its hash>" (or "no cookie"), as
the SSH lines name a key by its fingerprint: enough to follow one browser through the
log, useless to log in with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from buynow_tui.limits import clamp_size
from buynow_tui.logs import get_logger
from buynow_tui.navigation import page_for_url
from buynow_tui.web import page as pages
from buynow_tui.web.apps import TabApp, tab_environment

if TYPE_CHECKING:
    from buynow_tui.web.server import WebShop

log = get_logger("web")

MAX_QUERY = 512
START_SLOT_HOLD = 20.0  # a tab silent this long no longer counts as starting
CLOSE_ENDED, CLOSE_IDLE, CLOSE_BUSY, CLOSE_CAP, CLOSE_CLOSING, CLOSE_FAILED = (
    1000,
    4001,
    4002,
    4003,
    4004,
    4005,
)
MSG_ENDED = "Session ended."
MSG_CLOSING = "The shop is closing. Goodbye."
MSG_FAILED = "The shop could not start; please try again in a minute."


def span(seconds: float) -> str:
    """`15 minutes`, `2 hours`, `90 minutes`, `1 second`: for the lines shoppers read."""
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size and (seconds % size == 0 or unit == "second"):
            count = round(seconds / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


class Tab:
    """One browser tab: its WebSocket, its app process, its timers."""

    def __init__(
        self,
        shop: WebShop,
        ws: web.WebSocketResponse,
        address: str,
        request: web.Request,
        client: str = "",
    ) -> None:
        self.shop = shop
        self.ws = ws
        self.address = address
        #: The browser: the SHA-256 of its cookie id ("" without the cookie).
        self.client = client
        self.limits = shop.limits
        self.open_path = page_for_url(request.query.get("path", "/")[:MAX_QUERY])
        self.cols, self.rows = clamp_size(
            _int(request.query.get("width"), 80), _int(request.query.get("height"), 24)
        )
        self.app: TabApp | None = None
        self.counted = False
        self.holds_start_slot = False
        self.last_input = time.monotonic()
        self.live_since = 0.0
        self.timers: list[asyncio.TimerHandle] = []
        self.idle_timer: asyncio.TimerHandle | None = None
        self.ended = False
        self.ending: asyncio.Future[None] | None = None
        self.reason = ""
        self.tasks: set[asyncio.Future[None]] = set()  # held: asyncio keeps tasks weakly

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run(self, *, admitted: bool) -> None:
        shop = self.shop
        if shop.closing:
            await self.refuse(CLOSE_CLOSING, MSG_CLOSING)
            return
        if not admitted or not shop.admission.session_allowed(self.address):
            await self.refuse(CLOSE_BUSY, pages.MSG_BUSY)
            return
        shop.admission.session_opened(self.address)
        self.counted = True
        try:
            try:
                await asyncio.wait_for(shop.starting.acquire(), self.limits.start_wait)
            except TimeoutError:
                await self.refuse(CLOSE_BUSY, pages.MSG_BUSY)
                return
            self.holds_start_slot = True
            if not await self.start_app():
                return
            await self.pump()
        finally:
            await self.end(self.reason or "the browser closed the page")
            self._release_start_slot()
            self._uncount()

    async def refuse(self, code: int, message: str) -> None:
        log.warning("refused a session from %s: %s", self.address, message)
        self.ended = True
        await self.ws.close(code=code, message=message.encode("utf-8"))

    @property
    def browser(self) -> str:
        """The browser as the log names it."""
        return f"browser #{self.client[:8]}" if self.client else "no cookie"

    async def start_app(self) -> bool:
        shop = self.shop
        env = tab_environment(
            shop.server_env,
            cols=self.cols,
            rows=self.rows,
            peer=self.address,
            client=self.client,
        )
        self.app = TabApp(
            shop.spawner,
            self.open_path,
            env,
            shop.paths.home,
            write_bytes=self._to_browser,
            on_exit=self._app_quit,
        )
        try:
            await self.app.start(self.cols, self.rows)
        except OSError as error:
            log.error("could not start a tab's app: %s", error)
            self.reason = "the app did not start"
            await self.ws.close(code=CLOSE_FAILED, message=MSG_FAILED.encode("utf-8"))
            return False
        self.live_since = time.monotonic()
        shop.tabs.add(self)
        shop.served += 1
        log.info(
            "connect from %s %s size %sx%s%s (%s)",
            self.address,
            self.browser,
            self.cols,
            self.rows,
            f" open {self.open_path}" if self.open_path else "",
            "forked" if self.app.forked else "exec",
        )
        loop = asyncio.get_running_loop()
        self.timers.append(loop.call_later(START_SLOT_HOLD, self._release_start_slot))
        self.timers.append(loop.call_later(self.limits.session_cap, self._session_cap_reached))
        self._arm_idle_timer()
        self._spawn(self._first_output())
        self._spawn(self._watch_output())
        return True

    async def _first_output(self) -> None:
        app = self.app
        if app is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await app.first_output.wait()
        self._release_start_slot()

    async def _watch_output(self) -> None:
        """The app's output ended without it saying it quit: it crashed, or never
        started (its database unreachable, say); the page says which."""
        app = self.app
        assert app is not None
        await app.output_ended.wait()
        if self.ended or self.ws.closed:
            return
        if app.first_output.is_set():
            self.reason = "the app exited"
            await self.ws.close(code=CLOSE_ENDED, message=MSG_ENDED.encode("utf-8"))
        else:
            self.reason = "the app did not start"
            log.error("a tab's app did not start (for %s)", self.address)
            await self.ws.close(code=CLOSE_FAILED, message=MSG_FAILED.encode("utf-8"))

    async def pump(self) -> None:
        """The browser's messages to the app until either side ends."""
        app = self.app
        assert app is not None
        async for message in self.ws:
            if self.ended:
                break
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                self.last_input = time.monotonic()
                await app.send(data)
            elif kind == "resize" and isinstance(data, dict):
                self.cols, self.rows = clamp_size(
                    _int(data.get("width"), self.cols), _int(data.get("height"), self.rows)
                )
                await app.set_terminal_size(self.cols, self.rows)
            elif kind == "ping" and isinstance(data, str):
                await self.ws.send_json(["pong", data[:32]])
            elif kind == "focus":
                await app.focus()
            elif kind == "blur":
                await app.blur()

    # -- the app's side ----------------------------------------------------------------

    async def _to_browser(self, data: bytes) -> None:
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError):
                await self.ws.send_bytes(data)

    async def _app_quit(self) -> None:
        """The app quit (the shopper pressed q): the page says the session ended."""
        self.reason = self.reason or "the app exited"
        if not self.ws.closed:
            await self.ws.close(code=CLOSE_ENDED, message=MSG_ENDED.encode("utf-8"))

    # -- limits ------------------------------------------------------------------------

    def _arm_idle_timer(self) -> None:
        remaining = self.last_input + self.limits.idle_timeout - time.monotonic()
        if remaining <= 0:
            message = f"You were idle for {span(self.limits.idle_timeout)}; goodbye."
            self._spawn(self.end("idle", CLOSE_IDLE, message))
            return
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        self.idle_timer = asyncio.get_running_loop().call_later(remaining, self._arm_idle_timer)

    def _session_cap_reached(self) -> None:
        message = (
            f"Sessions last at most {span(self.limits.session_cap)}; goodbye. Come back any time."
        )
        self._spawn(self.end("session cap", CLOSE_CAP, message))

    def _release_start_slot(self) -> None:
        if self.holds_start_slot:
            self.holds_start_slot = False
            self.shop.starting.release()

    def _uncount(self) -> None:
        if self.counted:
            self.counted = False
            self.shop.admission.session_closed(self.address)

    # -- ending ------------------------------------------------------------------------

    async def end(self, reason: str, code: int = CLOSE_ENDED, message: str = "") -> None:
        """End the tab (idempotent): say why, stop the app, remove its folder, log it."""
        if self.ending is None:
            self.ending = asyncio.ensure_future(self._finish(reason, code, message))
        await asyncio.shield(self.ending)

    async def _finish(self, reason: str, code: int, message: str) -> None:
        self.ended = True
        self.reason = self.reason or reason
        for timer in [*self.timers, self.idle_timer]:
            if timer is not None:
                timer.cancel()
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.close(code=code, message=(message or MSG_ENDED).encode("utf-8"))
        app, status = self.app, None
        if app is not None:
            status = await app.terminate()
        if app is not None and self in self.shop.tabs:
            self.shop.tabs.discard(self)
            log.info(
                "disconnect from %s %s size %sx%s after %.1fs (%s; app exit %s)",
                self.address,
                self.browser,
                self.cols,
                self.rows,
                time.monotonic() - self.live_since,
                self.reason,
                status,
            )


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
