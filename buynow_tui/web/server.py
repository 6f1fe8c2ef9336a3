"""The web front end: an aiohttp server giving each browser tab its own app process.

Routes:

==================  ============================================================
`GET /static/…`     the page's scripts, styles and fonts (`static/`, vendored)
`GET /ws`           the tab's terminal: a WebSocket speaking textual-serve's
                    browser protocol (below), one app process per connection
`POST /csp-report`  the browser's Content-Security-Policy violation reports,
                    logged as warnings (16 KiB at most)
`GET /<anything>`   the page; its path picks the screen the tab opens through
                    `navigation.page_for_url` (`/product/12`, `/cart`; Not found
                    for anything off the allowlist, with status 404)
==================  ============================================================

The browser's cookie (`cookies.py`): every page gives a browser without one a random
id, and renews its 30 days; the WebSocket's handshake brings it back, and the tab's
app is told only its SHA-256 (`BUYNOW_WEB_CLIENT`), by which the store keeps that
browser's Remember me and consent. The server itself never opens the database after
start-up: a page view costs the store nothing.

No other method, no redirect anywhere, paths of at most 512 characters, bodies of at
most 16 KiB, every error a short page in words. Every response carries the page's
Content-Security-Policy and friends (`page.security_headers`).

The WebSocket: its `Origin` must be the public URL's (a page on another site cannot
open a shopper's session through their browser: cross-site WebSocket hijacking), then
the SSH server's limits apply (`ssh.limits.Admission`: sessions in total and per
address, new connections per minute per address, apps starting at once; a flood far
over them is refused before any app starts). From the browser: JSON text messages
`["stdin", text]`, `["resize", {"width": w, "height": h}]`, `["ping", s]`,
`["focus"]`, `["blur"]`; to the browser: binary frames of terminal output, and
`["pong", s]`. A session ends with a close code the page puts in words: 1000 when
the app quit, 4001 idle, 4002 busy, 4003 the session cap, 4004 the server stopping,
4005 the app did not start -- each with its sentence as the close reason.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from buynow_tui.limits import Admission, Verdict
from buynow_tui.logs import get_logger
from buynow_tui.navigation import UNKNOWN_PAGE, page_for_url
from buynow_tui.paths import Paths
from buynow_tui.web import cookies
from buynow_tui.web import page as pages
from buynow_tui.web.apps import server_environment
from buynow_tui.web.config import PublicUrl, SpawnMode, WebConfig
from buynow_tui.web.spawn import TabSpawner
from buynow_tui.web.tab import CLOSE_CLOSING, MSG_CLOSING, Tab

log = get_logger("web")

STATIC = Path(__file__).resolve().parent / "static"
MAX_PATH = 512
MAX_BODY = 16 * 1024
MAX_MESSAGE = 64 * 1024
HEARTBEAT_SECONDS = 30.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LogBudget:
    """At most `per_minute` warnings a minute for what costs a stranger nothing to send
    (pages while busy, CSP reports, foreign WebSockets), so a flood cannot wash the
    log files' history away through rotation. The first one dropped says so."""

    def __init__(self, per_minute: int = 60, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.window_start = clock()
        self.used = 0

    def take(self) -> bool:
        now = self.clock()
        if now - self.window_start >= 60.0:
            self.window_start, self.used = now, 0
        self.used += 1
        if self.used == self.per_minute + 1:
            log.warning(
                "more than %s such warnings this minute; the rest are not logged", self.per_minute
            )
        return self.used <= self.per_minute


class WebShop:
    """Server-wide state: the limits' bookkeeping, the live tabs, their folders."""

    def __init__(self, paths: Paths, config: WebConfig) -> None:
        self.paths = paths
        self.config = config
        self.limits = config.limits
        self.public: PublicUrl = config.public_for(config.port or 1)
        self.admission = Admission(config.limits)
        self.starting = asyncio.Semaphore(config.limits.max_starting)
        self.tabs: set[Tab] = set()
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        #: The part of every tab's environment that is the server's (and the fork
        #: server's whole environment).
        self.server_env = server_environment(paths, self.started)
        self.spawner = TabSpawner(config.spawn, paths.home, lambda: dict(self.server_env))
        self.served = 0
        self.closing = False
        self.noisy = LogBudget()
        self.files = {
            path.relative_to(STATIC).as_posix(): path
            for path in STATIC.rglob("*")
            if path.is_file() and not path.is_symlink()
        }

    # -- the aiohttp application ------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY, middlewares=[self.guard])
        app.router.add_get("/ws", self.websocket)
        app.router.add_post("/csp-report", self.csp_report)
        app.router.add_get("/static/{name:.+}", self.static)
        app.router.add_get("/{tail:.*}", self.page)
        return app

    async def static(self, request: web.Request) -> web.StreamResponse:
        """Only the files shipped in `static/`, looked up by name (no path is built)."""
        found = self.files.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        return web.FileResponse(found, headers={"Cache-Control": "public, max-age=3600"})

    def address_of(self, request: web.Request) -> str:
        if self.config.forwarded_for:
            forwarded = request.headers.get("X-Forwarded-For", "")
            last = forwarded.rsplit(",", 1)[-1].strip()
            if last:
                return last[:64]
        return request.remote or "unknown"

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Size and method limits before any handler; words for every error; headers."""
        nonce = pages.new_nonce()
        request["nonce"] = nonce
        try:
            if len(request.raw_path) > MAX_PATH:
                raise web.HTTPRequestURITooLong()
            if request.method not in ("GET", "HEAD") and request.path != "/csp-report":
                raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
            response = await handler(request)
        except web.HTTPException as error:
            response = self.error_response(error.status, nonce)
            for name in ("Allow", "Retry-After"):
                if name in error.headers:
                    response.headers[name] = error.headers[name]
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception as error:  # the shopper gets words; the log gets the rest
            log.error("request for %s failed: %s: %s", request.path, type(error).__name__, error)
            response = self.error_response(500, nonce)
        if not response.prepared:
            response.headers.update(pages.security_headers(self.public, nonce))
        return response

    def error_response(self, status: int, nonce: str) -> web.Response:
        return web.Response(
            status=status, text=pages.error_page(status, nonce), content_type="text/html"
        )

    # -- the page ---------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.StreamResponse:
        nonce = request["nonce"]
        address = self.address_of(request)
        if self.closing or not self.admission.session_allowed(address):
            if self.noisy.take():
                log.warning("told %s the shop is busy (page %s)", address, request.path[:200])
            response = self.error_response(503, nonce)
            response.headers["Retry-After"] = "60"
            response.headers["Cache-Control"] = "no-store"
            return response
        opens = page_for_url(request.path)
        response = web.Response(
            status=404 if opens == UNKNOWN_PAGE else 200,
            text=pages.shop_page(pages.title_for(opens), nonce),
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )
        cookies.give(response, cookies.client_id(request, self.public), self.public)
        return response

    async def csp_report(self, request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
        except ValueError:
            raise web.HTTPBadRequest() from None
        report = body.get("csp-report", body) if isinstance(body, dict) else {}
        if isinstance(report, dict) and self.noisy.take():
            log.warning(
                "content security policy blocked %s (%s) on %s, from %s",
                str(report.get("blocked-uri", "?"))[:200],
                str(report.get("violated-directive", "?"))[:80],
                str(report.get("document-uri", "?"))[:200],
                self.address_of(request),
            )
        return web.Response(status=204)

    # -- the WebSocket ----------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        address = self.address_of(request)
        if request.headers.get("Upgrade", "").lower() != "websocket":
            raise web.HTTPBadRequest()
        origin = request.headers.get("Origin", "")
        if origin.lower().rstrip("/") != self.public.origin:
            if self.noisy.take():
                log.warning(
                    "refused a WebSocket from %s: its page is at %r, not %s",
                    address,
                    origin[:200] or "no origin",
                    self.public.origin,
                )
            raise web.HTTPForbidden()
        verdict = Verdict.BUSY if self.closing else self.admission.connection_opened(address)
        try:
            if verdict is Verdict.DROP:
                log.warning("dropped a connection from %s: far over the limits", address)
                raise web.HTTPTooManyRequests(headers={"Retry-After": "60"})
            ws = web.WebSocketResponse(
                heartbeat=HEARTBEAT_SECONDS, max_msg_size=MAX_MESSAGE, compress=False
            )
            ws.headers.update(pages.security_headers(self.public, request["nonce"]))
            await ws.prepare(request)
            client = cookies.client_id(request, self.public)
            tab = Tab(self, ws, address, request, cookies.client_hash(client) if client else "")
            await tab.run(admitted=verdict is Verdict.OK)
            return ws
        finally:
            self.admission.connection_closed(address)

    # -- stopping ---------------------------------------------------------------------

    async def close(self) -> None:
        """Tell every tab, stop its app, remove the folders."""
        self.closing = True
        await asyncio.gather(
            *(tab.end("the server stopped", CLOSE_CLOSING, MSG_CLOSING) for tab in list(self.tabs)),
            return_exceptions=True,
        )
        await self.spawner.close()


# -- running the server -------------------------------------------------------------------


class Running:
    """A listening web server; `close()` stops it the graceful way."""

    def __init__(self, runner: web.AppRunner, shop: WebShop, port: int) -> None:
        self.runner = runner
        self.shop = shop
        self.port = port

    async def close(self) -> None:
        shop = self.shop
        shop.closing = True
        await shop.close()
        await self.runner.cleanup()
        log.info("web server stopped after serving %s tabs", shop.served)


async def start(paths: Paths, config: WebConfig) -> Running:
    """Listen for browsers (port 0: any free port)."""
    shop = WebShop(paths, config)
    if config.spawn is SpawnMode.FORK:
        await shop.spawner.start_forkserver()  # before the first tab, as `buynow serve` does
    runner = web.AppRunner(
        shop.application(),
        access_log=None,
        handle_signals=False,
        max_line_size=4096,
        max_field_size=8190,
        max_headers=64,
    )
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port, reuse_address=True)
    await site.start()
    bound = runner.addresses
    port = int(bound[0][1]) if bound else config.port
    shop.public = config.public_for(port)
    log.info("web server on %s:%s for %s", config.host, port, shop.public.origin)
    return Running(runner, shop, port)


async def serve(paths: Paths, config: WebConfig, *, echo: Callable[[str], None] = print) -> int:
    """Serve until SIGTERM, SIGINT or SIGHUP; then end every tab cleanly. Returns 0.

    What the server prints is for whoever watches it: a write to an output that has
    gone (its pipe's reader exited) is logged once and never stops the server.
    """
    import signal

    say = _Say(echo)
    echo = say
    running = await start(paths, config)
    echo(f"BuyNow web server listening on {config.host}:{running.port} (pid {os.getpid()})")
    echo(f"Shoppers open: {running.shop.public.origin}/")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("web server closing: telling %d tabs", len(running.shop.tabs))
        echo("Closing: telling shoppers and stopping their tabs...")
        await running.close()
        for sig in signals:
            loop.remove_signal_handler(sig)
    served = running.shop.served
    echo(f"Stopped after serving {served} tab{'s' if served != 1 else ''}.")
    return 0


class _Say:
    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.gone = False

    def __call__(self, line: str) -> None:
        if self.gone:
            return
        try:
            self.echo(line)
            sys.stdout.flush()
        except (OSError, ValueError) as error:  # EPIPE, EIO; ValueError: a closed file
            self.gone = True
            log.warning("standard output is gone (%s); the server goes on without it", error)


def run(paths: Paths, config: WebConfig, *, echo: Callable[[str], None] = print) -> int:
    """Prepare the store once (migrate, seed a new shop), then serve (blocking)."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.store.db import close_db

    open_store(paths)
    close_db()
    return asyncio.run(serve(paths, config, echo=echo))
