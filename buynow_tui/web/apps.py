"""One browser tab's app: a `python -m buynow_tui` process on pipes, driven by Textual's
web driver, and the environment it gets.

The protocol is textual-serve's (`textual_serve.app_service.AppService`, reused here):
the app's stdout carries `D` (screen data), `M` (JSON meta: "exit" when the app quits)
and `P` packets after a `__GANGLION__` line; its stdin takes `D` packets (what the
shopper typed) and `M` packets (resize, focus, blur, quit). What is BuyNow's own:

- The process is forked from the web server's fork server, or exec'd without a shell
  when that is not running (`spawn.TabSpawner`), with an environment built from an
  allowlist (nothing else of the server's environment reaches it), in a session and
  process group of its own (one `killpg` ends it and anything it started). It ends
  when the server does, even one killed outright: its driver (`drivers.BrowserDriver`)
  quits when its stdin, whose other end only the server holds, ends.
- The web session contract (issue 17): the tab runs in the shop's home like an SSH
  session, and is told which browser it serves by `BUYNOW_WEB_CLIENT`, the SHA-256 of
  the browser's cookie id (never the id itself: an environment can be read by the
  shop's user). Its Remember me and consent are that browser's, in the store
  (`session.BrowserCookie`, `session.BrowserSettings`); it writes no token or
  settings file.
- Files are never delivered to the browser (the shop offers none), and the app cannot
  make the browser open a URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from buynow_tui.paths import Paths

if TYPE_CHECKING:
    from asyncio.subprocess import Process

    from buynow_tui.web.spawn import ForkedProcess, TabSpawner

log = logging.getLogger("buynow.web")

#: What a tab's app runs on: Textual's web driver, quitting when the server goes.
DRIVER = "buynow_tui.drivers:BrowserDriver"
#: Frames per second for a tab: each frame crosses the network (textual-serve's rate).
TAB_FPS = "60"
#: Copied from the server's environment when set there (as the SSH server does).
SERVER_SETTINGS = (
    "BUYNOW_TESTING",
    "BUYNOW_BCRYPT_ROUNDS",
    "BUYNOW_SHIPPING_CENTS",
)
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def package_root() -> str:
    import buynow_tui

    return str(Path(buynow_tui.__file__).resolve().parent.parent)


def server_environment(shop: Paths, started: str) -> dict[str, str]:
    """What every tab's app gets from the server, and what its fork server runs with:
    Textual reads its settings (driver, frame rate, colours) when it is imported, which
    a forked tab did in the fork server."""
    env = {
        "PATH": os.environ.get("PATH") or DEFAULT_PATH,
        "HOME": str(shop.home),
        "BUYNOW_HOME": str(shop.home),
        "BUYNOW_DATABASE_URL": shop.database_url(),
        "PYTHONPATH": package_root(),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "TEXTUAL_DRIVER": DRIVER,
        "TEXTUAL_FPS": TAB_FPS,
        "TEXTUAL_COLOR_SYSTEM": "truecolor",
        "TERM_PROGRAM": "textual",
        "BUYNOW_WEB": "1",
        "BUYNOW_SERVER_STARTED": started,
    }
    for name in SERVER_SETTINGS:
        value = os.environ.get(name)
        if value:
            env[name] = value
    return env


def tab_environment(
    server: Mapping[str, str], *, cols: int, rows: int, peer: str, client: str
) -> dict[str, str]:
    """The whole environment of one tab's app (the allowlist): the server's part, its
    size, who is on the other end, and which browser (`client`: the hash, or "")."""
    env = dict(server)
    env["COLUMNS"] = str(cols)
    env["ROWS"] = str(rows)
    env["BUYNOW_WEB_PEER"] = peer
    env["BUYNOW_WEB_CLIENT"] = client
    return env


# -- the app process ----------------------------------------------------------------------


class TabApp(AppService):
    """textual-serve's app service, started BuyNow's way and stopped for certain."""

    def __init__(
        self,
        spawner: TabSpawner,
        open_path: str | None,
        env: Mapping[str, str],
        cwd: Path,
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        on_exit: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(
            "buynow",
            write_bytes=write_bytes,
            write_str=self._no_text,
            close=on_exit,
            download_manager=DownloadManager(),
        )
        self.spawner = spawner
        self.open_path = open_path
        self.env = dict(env)
        self.cwd = cwd
        self.forked = False
        self.first_output = asyncio.Event()
        #: Set when the app's output has ended (it quit, crashed or never started).
        self.output_ended = asyncio.Event()

    @staticmethod
    async def _no_text(text: str) -> None:
        return None

    @property
    def process(self) -> Process | ForkedProcess | None:
        return self._process

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        started = await self.spawner.spawn(self.open_path, env=self.env, cwd=self.cwd)
        process: Process = started.process  # an asyncio Process, or one forked alike
        self._process = process
        self._stdin = started.stdin
        self.forked = started.forked
        return process

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            self.output_ended.set()

    async def on_data(self, payload: bytes) -> None:
        self.first_output.set()
        await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        """Only "exit" is acted on: the shop delivers no files and opens no URLs."""
        try:
            meta = json.loads(data)
        except ValueError:
            return
        if isinstance(meta, dict) and meta.get("type") == "exit":
            await self.remote_close()

    async def on_packed(self, payload: bytes) -> None:
        return None

    async def send(self, data: str) -> None:
        if self._stdin is not None:
            await self.send_bytes(data.encode("utf-8"))

    async def terminate(self, grace: float = 2.0) -> int | None:
        """Ask the app to quit, then SIGTERM, then SIGKILL its group; reap it."""
        process = self._process
        if process is None:
            return None
        if process.returncode is None and self._stdin is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), grace / 2)
        for sig, wait in ((None, grace / 2), (signal.SIGTERM, grace / 2), (signal.SIGKILL, 5.0)):
            if process.returncode is not None:
                break
            if sig is not None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), wait)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # anything it left in its group
        task, self._task = self._task, None
        if task is not None:
            # The reader ends by itself at the app's end of output; never wait long.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(task), 1.0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._stdin is not None:
            self._stdin.close()
        closing = getattr(process, "close", None)
        if closing is not None:
            closing()
        return process.returncode
