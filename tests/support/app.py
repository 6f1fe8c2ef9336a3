"""The app under a Textual pilot: one `make_app`, one `settle`, one `screen_text`.

`make_app` pins everything a pilot's answer or a snapshot must not depend on: the
app's clock (FIXED_NOW, or the list `now` a test moves), the theme, NO_COLOR (off
unless `no_color=True`), the client environment (no SSH unless `environ` says so),
animations (none) and cursor blink (off). Local time is UTC for every test (the
`utc` fixture in conftest.py), so times on screen do not depend on the machine.

Waits are conditions with a deadline (`wait_for`), never fixed sleeps.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.widgets import Input

from buynow_tui.app import BuyNowApp
from buynow_tui.paths import Paths
from buynow_tui.store.services import Services
from tests.support.store import FIXED_NOW

ScreenT = TypeVar("ScreenT")


def make_app(
    services: Services,
    home: Path,
    *,
    now: list[datetime] | None = None,
    clock: Callable[[], datetime] | None = None,
    theme: str | None = "textual-dark",
    no_color: bool = False,
    environ: Mapping[str, str] | None = None,
    open_path: str | None = None,
) -> BuyNowApp:
    """The app as tests want it (see the module's docstring). `theme=None` leaves the
    app's own default theme; `now` is a one-item list the test moves (`now[0] += ...`)."""
    if clock is None:
        clock = (lambda: now[0]) if now is not None else (lambda: FIXED_NOW)
    # Textual reads NO_COLOR from the process environment once, when the App is made.
    saved = os.environ.pop("NO_COLOR", None)
    if no_color:
        os.environ["NO_COLOR"] = "1"
    try:
        app = BuyNowApp(
            services,
            Paths(home),
            open_path=open_path,
            clock=clock,
            theme=theme,
            environ=environ if environ is not None else {},
            cursor_blink=False,
        )
    finally:
        os.environ.pop("NO_COLOR", None)
        if saved is not None:
            os.environ["NO_COLOR"] = saved
    app.animation_level = "none"
    return app


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the screen catch up (no sleeps).

    Each worker is awaited on its own: `workers.wait_for_complete()` gives up at the
    first cancelled one (an exclusive group replaced it, or the palette moved on),
    leaving the rest still running. Workers started by a callback get a next round.
    """
    app = pilot.app
    for _ in range(10):
        running = [worker for worker in app.workers if not worker.is_finished]
        if not running:
            break
        await asyncio.gather(*(worker.wait() for worker in running), return_exceptions=True)
        await pilot.pause()
    await pilot.pause()


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Settle until `predicate()` holds: screens mount and workers answer in their own time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting; the screen reads:\n{screen_text(pilot.app)}")
        await settle(pilot)
        await pilot.pause(0.02)
    await settle(pilot)


async def wait_for_text(pilot: Pilot[Any], *texts: str, timeout: float = 15.0) -> None:
    await wait_for(pilot, lambda: all(t in screen_text(pilot.app) for t in texts), timeout)


async def wait_for_screen(
    pilot: Pilot[Any], screen_type: type[ScreenT], timeout: float = 15.0
) -> ScreenT:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen_type), timeout)
    screen = pilot.app.screen
    assert isinstance(screen, screen_type)
    return screen


def screen_text(app: Any) -> str:
    """The screen as plain text: what a shopper would read, nothing scrolled out of view."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def header_text(app: BuyNowApp) -> str:
    from buynow_tui.widgets.header import ShopHeader

    header = app.screen.query_one(ShopHeader)
    return " ".join(str(child.render()) for child in header.children)


def notices(app: BuyNowApp) -> list[str]:
    """What the app has told the shopper in toasts."""
    return [str(n.message) for n in app._notifications]


def no_blink(app: BuyNowApp) -> None:
    """Stop text cursors blinking on the current screen (`make_app` stops the app's;
    a field can still have its own)."""
    for box in app.screen.query(Input):
        box.cursor_blink = False


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


async def fill(pilot: Pilot[Any], selector: str, text: str, *, typed: bool = False) -> None:
    """Focus a field and enter `text`: key by key when `typed`, else in one go.

    Both go through the same `Input.Changed` path; typing every key is slow
    (each one re-renders the screen), so most tests paste.
    """
    widget: Any = pilot.app.screen.query_one(selector)  # an Input or a TextArea
    widget.focus()
    await pilot.pause()
    if typed:
        widget.value = ""
        await type_text(pilot, text)
    else:
        widget.value = text
        await pilot.pause()


def file_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


#: pytest-textual-snapshot's `snap_compare` fixture: `snap_compare(app, press=...,
#: terminal_size=..., run_before=...)` (its own annotation names only the first).
SnapCompare = Callable[..., bool]


async def press_key(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys that act on the screen (`1`-`5`, `q`, letters), as a shopper does on
    the Shop: out of its search box first (escape), where they would be typed."""
    from buynow_tui.screens.shop import ShopScreen

    screen = pilot.app.screen
    if isinstance(screen, ShopScreen) and pilot.app.focused is screen.search_box:
        await pilot.press("escape")
    await pilot.press(*keys)
