"""Not found: an unknown deep link, product or order, with the way home."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Static

from buynow_tui.screens.base import BaseScreen


class NotFoundScreen(BaseScreen):
    SCREEN_TITLE = "Not found"

    def __init__(self, what: str = "") -> None:
        super().__init__()
        self.what = what

    def compose_body(self) -> ComposeResult:
        yield Static(Content(f"Not found: {self.what}"), id="not-found")
        yield Static("Press 1 to go to the Shop, or escape to go back.")
