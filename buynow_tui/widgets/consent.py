"""The consent notice at the bottom of the Shop: what the shop keeps, Accept, Read policy.

It shows while `app.consent_needed` is true and posts intent messages (`ConsentAccepted`,
`Navigate("privacy")`); the app records the acceptance (for the logged-in user, or for
this machine).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Button, Static

from buynow_tui.messages import ConsentAccepted, Navigate

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
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+y",
            "app.accept_consent",
            "Accept the privacy policy",
            id="consent-accept",
            show=False,
        )
    ]

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
        self.post_message(ConsentAccepted())

    @on(Button.Pressed, "#consent-read")
    def _read(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(Navigate("privacy"))
