"""Snapshots of every shell and account screen at 80x24 and 120x40.

Pinned: the clock (the app's and the store's), the theme, TZ=UTC, no NO_COLOR, no
animations, no cursor blink. Update with `--snapshot-update` after a deliberate
change, and look at the report before committing the new SVGs.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.widgets import Static

from buynow_tui.screens.base import BaseScreen
from buynow_tui.store.services import Services
from buynow_tui.widgets.consent import ConsentNotice
from tests.support.app import SnapCompare, make_app, settle
from tests.support.store import register

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def snapshot(snap_compare: Any, app: Any, size: tuple[int, int], *steps: Any) -> None:
    """Run `steps` (each `step(pilot)`, sync or async) after the app settles, then compare."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        for step in steps:
            result = step(pilot)
            if result is not None:
                await result
            await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def go(path: str) -> Any:
    return lambda pilot: pilot.app.navigate(path)


def logged_in(user: Any) -> Any:
    return lambda pilot: pilot.app.logged_in(user)


def focus(selector: str) -> Any:
    def step(pilot: Any) -> None:
        pilot.app.screen.query_one(selector).focus()

    return step


async def press(pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)


def value(selector: str, text: str) -> Any:
    def step(pilot: Any) -> None:
        widget = pilot.app.screen.query_one(selector)
        widget.focus()
        widget.value = text

    return step


# -- log in, register, reset ------------------------------------------------------------


@SIZES
def test_login(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(snap_compare, make_app(services, home), size, go("login"))


@SIZES
def test_login_refused(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    register(services)
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        go("login"),
        value("#email", "ann@example.com"),
        value("#password", "wrong password"),
        lambda pilot: pilot.app.screen.submit(),
    )


@SIZES
def test_register(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(snap_compare, make_app(services, home), size, go("register"))


@SIZES
def test_register_with_problems(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        go("register"),
        value("#email", "ann@"),
        value("#username", "ann"),
        value("#password", "short"),
        lambda pilot: pilot.app.screen.submit(),
        focus("#password"),
    )


@SIZES
def test_reset_password_email(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        go("reset"),
        value("#email", "ann@example.com"),
    )


@SIZES
def test_reset_password_question(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    register(services)
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        go("reset"),
        value("#email", "ann@example.com"),
        lambda pilot: pilot.app.screen.ask_question(),
    )


# -- account ------------------------------------------------------------------------------


def ann(services: Any) -> Any:
    user = register(services)
    return services.accounts.set_address(user.id, "1 Main Street\nSpringfield")


@SIZES
def test_account(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(snap_compare, make_app(services, home), size, logged_in(ann(services)), go("account"))


@SIZES
def test_account_markup_username(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    user = register(services, username="[bold red]x[/")
    snapshot(snap_compare, make_app(services, home), size, logged_in(user), go("account"))


@SIZES
@pytest.mark.parametrize("key", ["e", "p", "c"], ids=["address", "password", "question"])
def test_account_dialogs(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
    key: str,
) -> None:
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        logged_in(ann(services)),
        go("account"),
        lambda pilot: press(pilot, key),
    )


# -- about, privacy, help, not found --------------------------------------------------------


@SIZES
def test_about(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(snap_compare, make_app(services, home), size, go("about"))


@SIZES
def test_privacy(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(snap_compare, make_app(services, home), size, go("privacy"))


@SIZES
def test_help_on_account(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        logged_in(ann(services)),
        go("account"),
        lambda pilot: press(pilot, "question_mark"),
    )


@SIZES
def test_not_found(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(snap_compare, make_app(services, home, open_path="product/x"), size)


def test_too_small(
    snap_compare: SnapCompare, services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    snapshot(snap_compare, make_app(services, home), (50, 15), go("login"))


@SIZES
def test_high_contrast_login(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(
        snap_compare, make_app(services, home, theme="buynow-high-contrast"), size, go("login")
    )


@SIZES
def test_no_color_login(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(
        snap_compare,
        make_app(services, home, no_color=True),
        size,
        go("login"),
        lambda pilot: setattr(pilot.app.screen.query_one("#remember"), "value", True),
    )


# -- the consent notice (on a stand-in screen: the Shop itself belongs to the catalog) -------


class NoticeHost(BaseScreen):
    SCREEN_TITLE = "Shop"

    def compose_body(self) -> ComposeResult:
        yield Static("(the catalog)", id="placeholder")
        yield ConsentNotice()


@SIZES
def test_consent_notice(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        lambda pilot: pilot.app.push_screen(NoticeHost()),
    )
