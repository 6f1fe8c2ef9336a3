"""The Textual app (a minimal frame until the shell issue lands)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from buynow_tui.paths import Paths


class BuyNowApp(App[None]):
    TITLE = "BuyNow"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit", priority=True)]

    def __init__(self, services: object, *, open_path: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.open_path = open_path

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("BuyNow — the shop is opening soon.", id="placeholder")
        yield Footer()


def run(paths: Paths, *, open_path: str | None = None) -> None:
    from buynow_tui.bootstrap import open_store

    opened = open_store(paths)
    BuyNowApp(opened.services, open_path=open_path).run()
