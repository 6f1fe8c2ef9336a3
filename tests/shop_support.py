"""Helpers for the shopping screens' pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from buynow_tui.app import BuyNowApp
from buynow_tui.paths import Paths
from conftest import FIXED_NOW, register


def make_app(services: Any, home: Path, *, open_path: str | None = None) -> BuyNowApp:
    return BuyNowApp(
        services, Paths(home), open_path=open_path, clock=lambda: FIXED_NOW, theme="textual-dark"
    )


def log_in(app: BuyNowApp, services: Any, **fields: Any) -> Any:
    """Register a shopper and log them straight in (no Log in screen needed)."""
    user = register(services, **fields)
    app.logged_in(user)
    return user


async def settle(pilot: Pilot[Any], rounds: int = 4) -> None:
    """Let workers finish and their callbacks (which may start more workers) run."""
    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            continue  # a superseded read (exclusive group): the newer one is still waited for
        await pilot.pause()


async def search(pilot: Pilot[Any], text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await pilot.pause(0.3)  # the debounce
    await settle(pilot)


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
