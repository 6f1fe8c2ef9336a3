"""Not found: an unknown deep link, product or order, with the way home."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from buynow_tui.messages import Navigate
from buynow_tui.screens.base import BaseScreen
from buynow_tui.widgets.safe import safe_text


class NotFoundScreen(BaseScreen):
    SCREEN_TITLE = "Not found"

    def __init__(self, what: str = "") -> None:
        super().__init__()
        self.what = what

    def compose_body(self) -> ComposeResult:
        with (
            Vertical(classes="page", id="not-found-page"),
            Vertical(id="not-found-box") as box,
        ):
            box.border_title = "Not found"
            yield Static(Content("There is nothing here."), id="not-found-lead")
            yield Static(
                safe_text(f"Not found: {self.what}" if self.what else "Not found"),
                id="not-found",
            )
            yield Static(
                Content("Press 1 for the Shop, or escape to go back."), id="not-found-help"
            )
            with Center():
                yield Button("Go to the Shop", id="go-home", variant="primary")

    @on(Button.Pressed, "#go-home")
    def _home(self) -> None:
        self.post_message(Navigate("shop"))
