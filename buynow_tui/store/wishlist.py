"""The wishlist: newest first, each product once; adding to the cart keeps it listed."""

from __future__ import annotations

from buynow_tui import clock
from buynow_tui.logs import get_logger
from buynow_tui.store.cart import add_line
from buynow_tui.store.catalog import product_view
from buynow_tui.store.db import session, write
from buynow_tui.store.errors import AlreadyInWishlist, NotFound
from buynow_tui.store.models import Product, Wishlist, WishlistLine
from buynow_tui.store.views import WishlistItem

log = get_logger("wishlist")


def _wishlist_id(user_id: int) -> int:
    wishlist, _ = Wishlist.get_or_create(user=user_id)
    return wishlist.id


class WishlistService:
    def list(self, user_id: int) -> list[WishlistItem]:
        with session():
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
            product = Product.get_or_none(Product.id == product_id)
            if product is None:
                raise NotFound(f"There is no product {product_id}.")
            wishlist_id = _wishlist_id(user_id)
            exists = WishlistLine.get_or_none(
                (WishlistLine.wishlist == wishlist_id) & (WishlistLine.product == product_id)
            )
            if exists is not None:
                raise AlreadyInWishlist(product.name)
            WishlistLine.create(wishlist=wishlist_id, product=product_id, added_at=clock.now())
        log.info("added %s to wishlist", product.sku)

    def remove(self, user_id: int, product_id: int) -> None:
        with write():
            WishlistLine.delete().where(
                (WishlistLine.wishlist == _wishlist_id(user_id))
                & (WishlistLine.product == product_id)
            ).execute()
        log.info("removed product %d from wishlist", product_id)

    def contains(self, user_id: int, product_id: int) -> bool:
        with session():
            return (
                WishlistLine.select()
                .join(Wishlist)
                .where((Wishlist.user == user_id) & (WishlistLine.product == product_id))
                .exists()
            )

    def add_to_cart(self, user_id: int, product_id: int, quantity: int = 1) -> None:
        """Put a wishlisted product in the cart; it stays on the wishlist."""
        with write():
            product = add_line(user_id, product_id, quantity)
        log.info("added %s to cart from wishlist", product.sku)
