"""What several screens do alike: add to the cart or the wishlist, search, log in first.

The Shop and Product add to the cart and the wishlist; every shopping screen's `/` goes
to the Shop's search. The store calls run as workers of the screen that asked (so its
`store_refused` says what went wrong, and nothing is shown once it has closed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from buynow_tui.messages import CartChanged, LoginRequired, OpenSearch, Then
from buynow_tui.screens.base import InContext

if TYPE_CHECKING:
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import ProductView


def when_logged_in(screen: InContext, action: Then) -> None:
    """Do `action` now if someone is logged in; otherwise ask them to log in and do it
    after (Log in leads back here, with the action done)."""
    if screen.user is not None:
        action()
    else:
        screen.post_message(LoginRequired(then=action))


def open_search(screen: InContext) -> None:
    """`/` from any shopping screen: back to the Shop with the search box focused."""
    screen.post_message(OpenSearch())


def add_to_cart(screen: InContext, product: ProductView, quantity: int = 1) -> None:
    """Put `quantity` of `product` in the logged-in user's cart; the badge follows."""
    user = screen.user
    if user is not None:
        _add_to_cart(screen, screen.services, user.id, product, quantity)


def add_to_wishlist(screen: InContext, product: ProductView) -> None:
    """Save `product` on the logged-in user's wishlist; a duplicate is refused politely
    (the group's refusals are warnings: `StoreWorkers.WARNING_GROUPS`)."""
    user = screen.user
    if user is not None:
        _add_to_wishlist(screen, screen.services, user.id, product)


@work(thread=True, group="cart-add", exit_on_error=False)
def _add_to_cart(
    screen: InContext, services: Services, user_id: int, product: ProductView, quantity: int
) -> None:
    services.cart.add(user_id, product.id, quantity)
    amount = f"{quantity} × " if quantity > 1 else ""
    screen.reply(_say, screen, f"Added {amount}{product.name} to your cart.", CartChanged())


@work(thread=True, group="wishlist-add", exit_on_error=False)
def _add_to_wishlist(
    screen: InContext, services: Services, user_id: int, product: ProductView
) -> None:
    services.wishlist.add(user_id, product.id)
    screen.reply(_say, screen, f"Saved {product.name} to your wishlist.")


def _say(screen: InContext, text: str, then: Message | None = None) -> None:
    """(on the event loop) Tell the shopper it worked, and the App what changed."""
    screen.app.notify(text, markup=False)
    if then is not None:
        screen.post_message(then)
