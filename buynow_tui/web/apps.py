"""One browser tab's app: a `python -P -m buynow_tui` process on pipes, driven by
Textual's web driver, and the private folder it runs in.

The protocol is textual-serve's (`textual_serve.app_service.AppService`, reused here):
the app's stdout carries `D` (screen data), `M` (JSON meta: "exit" when the app quits)
and `P` packets after a `__GANGLION__` line; its stdin takes `D` packets (what the
shopper typed) and `M` packets (resize, focus, blur, quit). What is BuyNow's own:

- The process is exec'd without a shell, with an environment built from an allowlist
  (nothing else of the server's environment reaches it), in a session and process
  group of its own (one `killpg` ends it and anything it started), and with
  `PR_SET_PDEATHSIG`, so it ends if the server is killed outright.
- Until the app has a web session of its own (Remember me and consent per browser,
  phase 2 of issue 17), each tab runs with a private, throwaway `BUYNOW_HOME`
  (`TabHomes`): its `config` folder, where the app keeps its Remember me token and
  the consent it was given, belongs to that tab alone and is deleted with it, so no
  visitor ever opens the shop logged in as another. The shop's database is handed
  over as `BUYNOW_DATABASE_URL`, and the tab's `logs` is a link to the shop's log
  folder, so every tab logs where the SSH sessions do.
- Files are never delivered to the browser (the shop offers none), and the app cannot
  make the browser open a URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import os
import secrets
import shutil
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from buynow_tui.paths import PRIVATE_FOLDER, Paths

log = logging.getLogger("buynow.web")

#: What a tab's app runs on: Textual's own web driver, full colour.
DRIVER = "textual.drivers.web_driver:WebDriver"
#: Frames per second for a tab: each frame crosses the network (textual-serve's rate).
TAB_FPS = "60"
#: Copied from the server's environment when set there (as the SSH server does).
SERVER_SETTINGS = (
    "BUYNOW_TESTING",
    "BUYNOW_BCRYPT_ROUNDS",
    "BUYNOW_SHIPPING_CENTS",
)
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"
PR_SET_PDEATHSIG = 1
#: The name of a web server's folder of tab homes inside the shop's home.
TABS_PREFIX = ".web-tabs-"


def app_argv(open_path: str | None) -> list[str]:
    """`-P`: the working directory is not put on the module path, so nothing in a
    tab's folder can stand in for the app's code (PYTHONPATH says where it is)."""
    args = ["--open", open_path] if open_path else []
    return [sys.executable, "-P", "-m", "buynow_tui", *args]


def package_root() -> str:
    import buynow_tui

    return str(Path(buynow_tui.__file__).resolve().parent.parent)


def _die_with_parent() -> None:  # pragma: no cover - runs in the forked child
    """End (SIGTERM: the web driver quits the app cleanly) when the server dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


# -- private folders ---------------------------------------------------------------------


class TabHomes:
    """The folder of this server's tab homes: `<home>/.web-tabs-<pid>/<random>/`."""

    def __init__(self, shop: Paths) -> None:
        self.shop = shop
        self.root = shop.home / f"{TABS_PREFIX}{os.getpid()}"

    def open(self) -> None:
        """Make the folder, after removing those of web servers no longer running."""
        for old in self.shop.home.glob(f"{TABS_PREFIX}*"):
            pid = old.name[len(TABS_PREFIX) :]
            if pid.isdigit() and (int(pid) == os.getpid() or not _running(int(pid))):
                shutil.rmtree(old, ignore_errors=True)
        self.root.mkdir(mode=PRIVATE_FOLDER)
        os.chmod(self.root, PRIVATE_FOLDER)

    def new(self) -> Path:
        """A fresh private home whose `logs` is the shop's log folder."""
        home = self.root / secrets.token_hex(8)
        home.mkdir(mode=PRIVATE_FOLDER)
        os.chmod(home, PRIVATE_FOLDER)
        (home / "logs").symlink_to(self.shop.logs, target_is_directory=True)
        return home

    @staticmethod
    def remove(home: Path) -> None:
        shutil.rmtree(home, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tab_environment(
    shop: Paths, tab_home: Path, *, cols: int, rows: int, peer: str, started: str
) -> dict[str, str]:
    """The whole environment of a tab's app (the allowlist)."""
    env = {
        "PATH": os.environ.get("PATH") or DEFAULT_PATH,
        "HOME": str(tab_home),
        "BUYNOW_HOME": str(tab_home),
        "BUYNOW_DATABASE_URL": shop.database_url(),
        "PYTHONPATH": package_root(),
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "TEXTUAL_DRIVER": DRIVER,
        "TEXTUAL_FPS": TAB_FPS,
        "TEXTUAL_COLOR_SYSTEM": "truecolor",
        "TERM_PROGRAM": "textual",
        "COLUMNS": str(cols),
        "ROWS": str(rows),
        # For the app's web session (phase 2): who is on the other end.
        "BUYNOW_WEB": "1",
        "BUYNOW_WEB_PEER": peer,
        "BUYNOW_SERVER_STARTED": started,
    }
    for name in SERVER_SETTINGS:
        value = os.environ.get(name)
        if value:
            env[name] = value
    return env


# -- the app process ----------------------------------------------------------------------


class TabApp(AppService):
    """textual-serve's app service, started BuyNow's way and stopped for certain."""

    def __init__(
        self,
        argv: list[str],
        env: Mapping[str, str],
        cwd: Path,
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        on_exit: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(
            argv[0],
            write_bytes=write_bytes,
            write_str=self._no_text,
            close=on_exit,
            download_manager=DownloadManager(),
        )
        self.argv = argv
        self.env = dict(env)
        self.cwd = cwd
        self.first_output = asyncio.Event()
        #: Set when the app's output has ended (it quit, crashed or never started).
        self.output_ended = asyncio.Event()

    @staticmethod
    async def _no_text(text: str) -> None:
        return None

    @property
    def process(self) -> Process | None:
        return self._process

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.env,
            cwd=str(self.cwd),
            start_new_session=True,
            preexec_fn=_die_with_parent,
            close_fds=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
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
        return process.returncode
