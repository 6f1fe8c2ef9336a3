"""What a screen may read from the app it runs in: the `Context` protocol.

Screens (and the command palette) type against this, never against the App: they read
here and change things by posting `messages`. The App satisfies it (checked by mypy in
`app.py`); a test or another front end can give its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from buynow_tui.session import SignedIn
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView


class Context(Protocol):
    @property
    def services(self) -> Services:
        """The store, for calls made in worker threads."""
        ...

    @property
    def user(self) -> UserView | None:
        """Who is logged in (a reactive: `watch(app, "user", ...)`)."""
        ...

    @property
    def consent_needed(self) -> bool:
        """Whether the consent notice should show (a reactive, like `user`)."""
        ...

    @property
    def over_ssh(self) -> bool:
        """Run by the SSH server for one shopper."""
        ...

    @property
    def over_web(self) -> bool:
        """Run by the web server for one browser tab."""
        ...

    @property
    def picture_mode(self) -> str:
        """How pictures show here (`widgets.picture`): "tgp", "sixel", "halfcell", "none"."""
        ...

    @property
    def can_remember(self) -> bool:
        """Remember me has something to bind to (a file here, or an SSH key)."""
        ...

    @property
    def shop_started(self) -> datetime:
        """When this shop went up: the SSH server's launch over SSH, the app's locally."""
        ...

    def now(self) -> datetime:
        """What time it is (the app's clock; tests pin it)."""
        ...

    def sign_in(self, email: str, password: str, remember: bool) -> SignedIn:
        """Check a password and, with Remember me, remember the login. Call it from a
        worker thread (bcrypt); it logs nobody in: post `LoggedIn` with its answer."""
        ...
