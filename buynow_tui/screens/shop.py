"""Shop: the catalog (placeholder until the shopping issue lands)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from buynow_tui.screens.base import BaseScreen
from buynow_tui.widgets.consent import ConsentNotice


class ShopScreen(BaseScreen):
    SCREEN_TITLE = "Shop"

    def compose_body(self) -> ComposeResult:
        yield Static("The catalog opens here.", id="placeholder")
        yield ConsentNotice()
