"""Helpers for the shopping screens' pilot and snapshot tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from conftest import FIXED_NOW, register
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from buynow_tui.app import BuyNowApp
from buynow_tui.paths import Paths


def make_app(
    services: Any,
    home: Path,
    *,
    open_path: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> BuyNowApp:
    return BuyNowApp(
        services,
        Paths(home),
        open_path=open_path,
        clock=clock or (lambda: FIXED_NOW),
        theme="textual-dark",
    )


def log_in(app: BuyNowApp, services: Any, **fields: Any) -> Any:
    """Register a shopper and log them straight in (no Log in screen needed)."""
    user = register(services, **fields)
    app.logged_in(user)
    return user


async def shop_ready(pilot: Pilot[Any]) -> None:
    """Wait for the Shop's first page."""
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "page", None) is not None)


async def settle(pilot: Pilot[Any], rounds: int = 4) -> None:
    """Let workers finish and their callbacks (which may start more workers) run."""
    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            # A superseded read (exclusive group), or a store call the store refused (the
            # screen has said so): the others are still waited for.
            continue
        await pilot.pause()


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Settle until `predicate()` holds: screens mount and workers answer in their own time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting; the screen reads:\n{screen_text(pilot.app)}")
        await settle(pilot, rounds=1)
        await pilot.pause(0.02)
    await settle(pilot, rounds=1)


async def wait_for_text(pilot: Pilot[Any], *texts: str, timeout: float = 15.0) -> None:
    await wait_for(pilot, lambda: all(t in screen_text(pilot.app) for t in texts), timeout)


async def wait_for_screen(pilot: Pilot[Any], screen_type: type, timeout: float = 15.0) -> Any:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen_type), timeout)
    return pilot.app.screen


async def search(pilot: Pilot[Any], text: str) -> None:
    """Type a search on the Shop and wait until its results (or "no match") are shown."""
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.pause(0.3)  # the debounce
    await wait_for(pilot, lambda: getattr(pilot.app.screen, "query_text", None) == text.strip())


def notices(app: BuyNowApp) -> list[str]:
    """What the app has told the shopper in toasts."""
    return [str(n.message) for n in app._notifications]


def no_blink(app: BuyNowApp) -> None:
    """Stop text cursors blinking, so snapshots do not depend on when they are taken."""
    from textual.widgets import Input

    for box in app.screen.query(Input):
        box.cursor_blink = False


def screen_text(app: BuyNowApp) -> str:
    """The screen as plain text, for asserting what a shopper would read."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


async def press_key(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys that act on the screen (`1`-`5`, `q`, letters), as a shopper does on
    the Shop: out of its search box first (escape), where they would be typed."""
    from buynow_tui.screens.shop import ShopScreen

    screen = pilot.app.screen
    if isinstance(screen, ShopScreen) and pilot.app.focused is screen.search_box:
        await pilot.press("escape")
    await pilot.press(*keys)
