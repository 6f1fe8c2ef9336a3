"""The consent notice at the bottom of the Shop: what the shop keeps, Accept, Read policy.

It shows while `app.consent_needed` is true and posts intent messages; the app records
the acceptance (for the logged-in user, or for this machine).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Static

NOTICE = (
    "This shop keeps your account, your orders and, if you choose Remember me, "
    "a login token. Accept (ctrl+y) or read the policy."
)


class ConsentNotice(Horizontal):
    DEFAULT_CSS = """
    ConsentNotice {
        dock: bottom;
        margin-bottom: 1;  /* docks overlap: keep the footer's line free */
        height: auto;
        padding: 0 1;
        background: $panel;
        border-top: solid $accent;
        display: none;
    }
    ConsentNotice.-shown { display: block; }
    ConsentNotice > #consent-text { width: 1fr; height: auto; padding: 0 1 0 0; }
    ConsentNotice > Button { margin: 0 0 0 1; }
    """

    #: The key itself is the app's (it works wherever the notice shows); listed here for Help.
    BINDINGS = [
        Binding(
            "ctrl+y",
            "app.accept_consent",
            "Accept the privacy policy",
            id="consent-accept",
            show=False,
        )
    ]

    class Accept(Message):
        """The shopper accepted the notice."""

    class ReadPolicy(Message):
        """The shopper wants to read the privacy policy."""

    def compose(self) -> ComposeResult:
        yield Static(NOTICE, id="consent-text", markup=False)
        yield Button("Accept", id="consent-accept", variant="primary", compact=True)
        yield Button("Read policy", id="consent-read", compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "consent_needed", self._show)

    def _show(self, needed: bool) -> None:
        self.set_class(needed, "-shown")

    @on(Button.Pressed, "#consent-accept")
    def _accept(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Accept())

    @on(Button.Pressed, "#consent-read")
    def _read(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.ReadPolicy())
