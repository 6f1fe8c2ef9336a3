"""Order detail's dialogs: the y/n before a cancel, and the tracking QR code full size."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from buynow_tui.screens.base import FitsWindow
from buynow_tui.widgets.qr import QrCode
from buynow_tui.widgets.too_small import TooSmall


class ConfirmCancel(FitsWindow, ModalScreen[bool]):
    """ "Cancel order #N? y/n": dismisses with True for y, False for n or escape."""

    DEFAULT_CSS = """
    ConfirmCancel {
        align: center middle;
        #dialog {
            width: 56;
            max-width: 100%;
            height: auto;
            border: thick $error;
            background: $surface;
            padding: 1 2;
        }
        #question { text-style: bold; }
        #detail { margin-top: 1; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes, cancel it", id="cancel-order-yes"),
        Binding("n,escape", "answer(False)", "No, keep it", id="cancel-order-no"),
    ]

    def __init__(self, number: int, detail: str) -> None:
        super().__init__()
        self.number = number
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(f"Cancel order #{self.number}? (y/n)"), id="question")
            yield Static(Content(self.detail), id="detail")
        yield TooSmall()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class TrackingCode(ModalScreen[None]):
    """The tracking URL's QR code, full size, for a phone to scan; any key closes it."""

    DEFAULT_CSS = """
    TrackingCode {
        align: center middle;
        background: $background;
        #card { width: auto; height: auto; background: #ffffff; padding: 0 2; }
        #caption { width: 100%; content-align: center middle; color: $text-muted; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t,q,enter,space", "close", "Close", id="tracking-code-close"),
    ]

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="card"):
            yield QrCode(self.url, id="qr")
        yield Static(Content(self.url), id="caption")

    def action_close(self) -> None:
        self.dismiss(None)
