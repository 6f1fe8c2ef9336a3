"""`Services`: the one object the CLI, the screens and the SSH sessions talk to.

Built from `Settings`; each attribute is a service whose methods open their own
connection and return frozen dataclasses from `views`.
"""

from __future__ import annotations

from buynow_tui.config import Settings
from buynow_tui.store.accounts import Accounts
from buynow_tui.store.cart import CartService
from buynow_tui.store.catalog import Catalog
from buynow_tui.store.orders import OrderService
from buynow_tui.store.wishlist import WishlistService


class Services:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.accounts = Accounts(self.settings)
        self.catalog = Catalog()
        self.cart = CartService(self.settings)
        self.wishlist = WishlistService()
        self.orders = OrderService(self.settings)
