"""`Services`: the one object the CLI, the screens and the SSH sessions talk to.

Built from `Settings` and a clock; each attribute is a service whose methods open their
own connection and return frozen dataclasses from `views`. `clock` is what time it is
for this store: every service reads it (the system's unless told otherwise, a stopped
one in tests), and whatever shows the store's times beside its own (the App's About
and countdowns) reads the same one, so the two always agree. `logins` is the login
this process serves (set by the App at log in and log out); every write on a shopper's
behalf checks it, so a session outlived by a password change or reset is refused.
"""

from __future__ import annotations

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import Settings
from buynow_tui.store.accounts import Accounts
from buynow_tui.store.addresses import AddressService
from buynow_tui.store.cards import SavedCards
from buynow_tui.store.cart import CartService
from buynow_tui.store.catalog import Catalog
from buynow_tui.store.checkout import CheckoutService
from buynow_tui.store.feed import OrderFeed
from buynow_tui.store.lifecycle import Lifecycle
from buynow_tui.store.logins import Logins
from buynow_tui.store.orders import OrderService
from buynow_tui.store.payments import load_gateway
from buynow_tui.store.payments.gateway import PaymentGateway
from buynow_tui.store.pictures import Pictures
from buynow_tui.store.preferences import Preferences
from buynow_tui.store.web_clients import WebClients
from buynow_tui.store.wishlist import WishlistService


class Services:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock = system_clock,
        gateway: PaymentGateway | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.clock = clock
        self.logins = Logins()
        self.accounts = Accounts(self.settings, self.logins, clock=clock)
        self.catalog = Catalog(clock=clock)
        self.pictures = Pictures(clock=clock)
        self.preferences = Preferences(clock=clock)
        self.cart = CartService(self.settings, self.logins, clock=clock)
        self.wishlist = WishlistService(self.logins, clock=clock)
        self.orders = OrderService(self.settings, self.logins, clock=clock)
        self.web_clients = WebClients(self.settings, clock=clock)
        #: The payment gateway (the built-in test gateway unless configured).
        self.gateway = gateway if gateway is not None else load_gateway()
        #: Moving orders through their states (ship, deliver, cancel, refund); a refund
        #: of an order that was charged goes back through the gateway.
        self.lifecycle = Lifecycle(self.logins, clock=clock, gateway=self.gateway)
        #: A shopper's order events as they happen (the App's toasts).
        self.feed = OrderFeed()
        # The checkout of issue 15: addresses, saved cards, the gateway, receipts.
        self.addresses = AddressService(self.logins, clock=clock)
        self.cards = SavedCards(self.logins, clock=clock)
        self.checkout = CheckoutService(
            self.settings,
            self.orders,
            self.addresses,
            self.cards,
            self.gateway,
            self.lifecycle,
            clock=clock,
        )
