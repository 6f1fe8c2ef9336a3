"""Helpers for the shell and account tests (no tests here).

`make_app` pins what a snapshot must not depend on: the clock, the theme, the
environment (no SSH, no NO_COLOR unless asked), animations and cursor blink. Times
are shown in local time, so the tests run with TZ=UTC.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_NOW

from buynow_tui.app import BuyNowApp
from buynow_tui.paths import Paths


@pytest.fixture(autouse=True)
def utc_and_colour(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC and colour is on, unless a test says otherwise."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("NO_COLOR", raising=False)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def make_app(
    services: Any,
    home: Path,
    *,
    now: list[datetime] | None = None,
    environ: dict[str, str] | None = None,
    **kwargs: Any,
) -> BuyNowApp:
    """The app as tests want it: fixed clock, pinned theme, no blinking, no SSH."""
    clock = (lambda: now[0]) if now is not None else (lambda: FIXED_NOW)
    kwargs.setdefault("theme", "textual-dark")
    app = BuyNowApp(
        services,
        Paths(home),
        clock=clock,
        environ=environ if environ is not None else {},
        cursor_blink=False,
        **kwargs,
    )
    app.animation_level = "none"
    return app


async def settle(pilot: Any) -> None:
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


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*text)


async def fill(pilot: Any, selector: str, text: str, *, typed: bool = False) -> None:
    """Focus a field and enter `text`: key by key when `typed`, else in one go.

    Both go through the same `Input.Changed` path; typing every key is slow
    (each one re-renders the screen), so most tests paste.
    """
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if typed:
        widget.value = ""
        await type_text(pilot, text)
    else:
        widget.value = text
        await pilot.pause()


def screen_text(app: BuyNowApp) -> str:
    """Everything the current screen shows, as plain text."""
    from textual.widgets import Static

    parts = []
    for widget in app.screen.query(Static):
        parts.append(str(widget.render()))
    return "\n".join(parts)


def header_text(app: BuyNowApp) -> str:
    from buynow_tui.widgets.header import ShopHeader

    header = app.screen.query_one(ShopHeader)
    return " ".join(str(child.render()) for child in header.children)


def file_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
