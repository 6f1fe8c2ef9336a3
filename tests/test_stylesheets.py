"""The stylesheets a fork server parses once for all its sessions (`widgets.stylesheets`):
what a session draws with them is what it draws parsing its own, every stylesheet it
meets is found there, and a theme that was not prepared is parsed as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.css.stylesheet import Stylesheet
from textual.theme import BUILTIN_THEMES

from buynow_tui.app import BuyNowApp
from buynow_tui.store.services import Services
from buynow_tui.themes import DEFAULT_THEME, HIGH_CONTRAST_THEME, THEMES
from buynow_tui.widgets import stylesheets
from tests.support.app import make_app, wait_for_text


@pytest.fixture
def parsed_here() -> Iterator[list[str]]:
    """Where each stylesheet parsed by Textual itself (not found shared) came from."""
    own = Stylesheet._parse_rules
    seen: list[str] = []

    def spy(self: Stylesheet, css: str, read_from: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(f"{read_from[0]}:{read_from[1]}")
        return own(self, css, read_from, *args, **kwargs)

    Stylesheet._parse_rules = spy  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Stylesheet._parse_rules = own  # type: ignore[method-assign]
        stylesheets.uninstall()


async def shop_picture(services: Services, home: Path, theme: str) -> str:
    app = make_app(services, home, theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_text(pilot, "Page 1 of")
        await pilot.press("escape", "2")  # out of the search box; the Cart: more CSS
        await wait_for_text(pilot, "Forgot password")  # the Cart asks who you are
        return app.export_screenshot()


async def test_a_session_with_the_shared_parses_draws_what_it_draws_without(
    services: Services, home: Path, parsed_here: list[str]
) -> None:
    fresh = await shop_picture(services, home, DEFAULT_THEME)
    assert parsed_here, "Textual parsed the stylesheets itself"
    parsed = stylesheets.warm(BuyNowApp, [BUILTIN_THEMES[DEFAULT_THEME], *THEMES])
    assert parsed > 100  # the app's file and every widget class's default CSS, per theme
    parsed_here.clear()
    assert await shop_picture(services, home, DEFAULT_THEME) == fresh
    assert parsed_here == []  # every stylesheet it met was ready

    parsed_here.clear()
    contrast = await shop_picture(services, home, HIGH_CONTRAST_THEME)
    assert parsed_here == []
    assert contrast != fresh  # its own colours, not the default theme's


async def test_a_theme_not_prepared_is_parsed_as_before(
    services: Services, home: Path, parsed_here: list[str]
) -> None:
    fresh = await shop_picture(services, home, "nord")
    stylesheets.warm(BuyNowApp, [BUILTIN_THEMES[DEFAULT_THEME]])
    parsed_here.clear()
    assert await shop_picture(services, home, "nord") == fresh
    assert any("app.tcss" in where for where in parsed_here)
