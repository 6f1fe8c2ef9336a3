"""The header: the shop's name, where you are, who you are, and the cart badge."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from buynow_tui.widgets.safe import safe_text


class ShopHeader(Horizontal):
    """Reads `app.user` and `app.cart_count` (reactives) and redraws when they change."""

    DEFAULT_CSS = """
    ShopHeader {
        height: 1;
        dock: top;
        background: $panel;
        color: $foreground;
    }
    ShopHeader > #brand { width: auto; text-style: bold; padding: 0 1; color: $accent; }
    ShopHeader > #where { width: 1fr; padding: 0 1; }
    ShopHeader > #who { width: auto; padding: 0 1; }
    ShopHeader > #badge { width: auto; padding: 0 1; text-style: bold; }
    """

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.where = title

    def compose(self) -> ComposeResult:
        yield Static("BuyNow", id="brand")
        yield Static(safe_text(self.where), id="where")
        yield Static(id="who")
        yield Static(id="badge")

    def on_mount(self) -> None:
        self.watch(self.app, "user", self._show_user)
        self.watch(self.app, "cart_count", self._show_badge)

    def _show_user(self, user: object) -> None:
        name = getattr(user, "username", None)
        self.query_one("#who", Static).update(
            safe_text(f"@{name}") if name else Content("5 Log in")
        )

    def _show_badge(self, count: int) -> None:
        self.query_one("#badge", Static).update(Content(f"Cart ({count})"))
