"""The wishlist: newest first, each product once; adding to the cart keeps it listed.

Writes check the session's login first (`logins`). The wishlist and its lines are
made with INSERT ... ON CONFLICT DO NOTHING, so two sessions wishing for the same
thing at once get one line and a clear "already there", never a raw error.
"""

from __future__ import annotations

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.cart import add_line
from buynow_tui.store.catalog import product_view
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import AlreadyInWishlist, NotFound
from buynow_tui.store.logins import Logins
from buynow_tui.store.models import Product, Wishlist, WishlistLine
from buynow_tui.store.views import WishlistItem

log = get_logger("wishlist")


def _wishlist_id(user_id: int) -> int:
    """The user's wishlist id, made on first use (inside a write transaction)."""
    found = Wishlist.select(Wishlist.id).where(Wishlist.user == user_id)
    wishlist_id = found.scalar()
    if wishlist_id is None:
        Wishlist.insert(user=user_id).on_conflict_ignore().execute()
        wishlist_id = found.scalar()
    return int(wishlist_id)


class WishlistService:
    def __init__(self, logins: Logins | None = None, *, clock: Clock = system_clock) -> None:
        self.logins = logins if logins is not None else Logins()
        self.clock = clock

    def items(self, user_id: int) -> list[WishlistItem]:
        """The user's wishlist, newest first."""
        with connection():
            rows = (
                WishlistLine.select(WishlistLine.added_at, WishlistLine.id, Product)
                .join(Product)
                .switch(WishlistLine)
                .join(Wishlist)
                .where(Wishlist.user == user_id)
                .order_by(WishlistLine.added_at.desc(), WishlistLine.id.desc())
            )
            return [WishlistItem(product_view(row.product), row.added_at) for row in rows]

    def add(self, user_id: int, product_id: int) -> None:
        with write():
            self.logins.check(user_id)
            product = Product.get_or_none(Product.id == product_id)
            if product is None:
                raise NotFound(f"There is no product {product_id}.")
            added = (
                WishlistLine.insert(
                    wishlist=_wishlist_id(user_id), product=product_id, added_at=self.clock()
                )
                .on_conflict_ignore()
                .as_rowcount()
                .execute()
            )
            if added != 1:
                raise AlreadyInWishlist(product.name)
        log.info("added %s to wishlist", product.sku)

    def remove(self, user_id: int, product_id: int) -> None:
        with write():
            self.logins.check(user_id)
            WishlistLine.delete().where(
                (WishlistLine.wishlist == _wishlist_id(user_id))
                & (WishlistLine.product == product_id)
            ).execute()
        log.info("removed product %d from wishlist", product_id)

    def contains(self, user_id: int, product_id: int) -> bool:
        with connection():
            return (
                WishlistLine.select()
                .join(Wishlist)
                .where((Wishlist.user == user_id) & (WishlistLine.product == product_id))
                .exists()
            )

    def add_to_cart(self, user_id: int, product_id: int, quantity: int = 1) -> None:
        """Put a wishlisted product in the cart; it stays on the wishlist."""
        v.check_quantity(quantity)
        with write():
            self.logins.check(user_id)
            product = add_line(user_id, product_id, quantity, self.clock())
        log.info("added %s to cart from wishlist", product.sku)
