"""What screens, widgets and the command palette ask of the App, as messages.

Screens never call the App: they post one of these (it bubbles up to the App, which
routes it) and read what they need through `context.Context`. Each message says what
happened or what the shopper asked for; what follows is the App's business.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from buynow_tui.session import SignedIn
    from buynow_tui.store.errors import StoreError
    from buynow_tui.store.views import OrderEventView, UserView

#: What a shopper was on their way to when Log in came up: run once they are in.
Then = Callable[[], object]


class Navigate(Message):
    """Open a screen by name or deep link ("cart", "product/12"); unknown ones show
    Not found, and those that need a login ask for one first."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


class OpenSearch(Message):
    """`/` on a shopping screen: the Shop, with the cursor in its search box."""


class LoginRequired(Message):
    """Someone must be logged in for this: open Log in, and run `then` once they are."""

    def __init__(self, then: Then | None = None) -> None:
        super().__init__()
        self.then = then


class LoggedIn(Message):
    """Log in (or Register, `registered`) has the store's yes: the shopper is in; the
    form closes and `then` runs (or they are welcomed)."""

    def __init__(
        self, signed_in: SignedIn, *, registered: bool = False, then: Then | None = None
    ) -> None:
        super().__init__()
        self.signed_in = signed_in
        self.registered = registered
        self.then = then


class LoggedOut(Message):
    """The shopper chose Log out: end the session and revoke its Remember me."""


class LoginsRevoked(Message):
    """This session changed the password: the store revoked every Remember me."""


class SessionRefused(Message):
    """The store refused this session's login (its password changed elsewhere)."""

    def __init__(self, error: StoreError) -> None:
        super().__init__()
        self.error = error


class UserChanged(Message):
    """The shopper's account as the store has it now (an address or question saved)."""

    def __init__(self, user: UserView) -> None:
        super().__init__()
        self.user = user


class CartChanged(Message):
    """The cart changed: the header's badge is read again."""


class ConsentAccepted(Message):
    """The shopper accepted the consent notice (or the policy's Accept)."""


class OrdersMoved(Message):
    """The shopper's orders moved elsewhere (an admin shipped one): the App sends this
    to the screen on top, which reads again if it shows one of them."""

    def __init__(self, events: list[OrderEventView]) -> None:
        super().__init__()
        self.events = events
