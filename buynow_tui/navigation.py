"""Routes: every screen by name, how deep links map to them, and which need a login.

Screens are imported lazily by module path, so `navigation` stays cheap and each
screen lives in its own module under `buynow_tui/screens/`.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    name: str
    module: str
    cls: str
    login_required: bool = False
    takes_id: bool = False
    top: bool = False  # reached with 1-5: opening it resets the stack to the Shop


ROUTES: dict[str, Route] = {
    r.name: r
    for r in [
        Route("shop", "buynow_tui.screens.shop", "ShopScreen", top=True),
        Route("cart", "buynow_tui.screens.cart", "CartScreen", login_required=True, top=True),
        Route("wishlist", "buynow_tui.screens.wishlist", "WishlistScreen", login_required=True, top=True),
        Route("orders", "buynow_tui.screens.orders", "OrdersScreen", login_required=True, top=True),
        Route("account", "buynow_tui.screens.account", "AccountScreen", login_required=True, top=True),
        Route("product", "buynow_tui.screens.product", "ProductScreen", takes_id=True),
        Route("order", "buynow_tui.screens.order_detail", "OrderDetailScreen", login_required=True, takes_id=True),
        Route("about", "buynow_tui.screens.about", "AboutScreen"),
        Route("help", "buynow_tui.screens.help", "HelpScreen"),
        Route("login", "buynow_tui.screens.login", "LoginScreen"),
        Route("register", "buynow_tui.screens.register", "RegisterScreen"),
        Route("reset", "buynow_tui.screens.reset_password", "ResetPasswordScreen"),
        Route("privacy", "buynow_tui.screens.privacy", "PrivacyScreen"),
    ]
}

# What `buynow --open PATH` and `ssh host -t PATH` accept.
DEEP_LINKS = ("shop", "cart", "wishlist", "orders", "account", "about")
_ID_LINK = re.compile(r"^(product|order)/([1-9][0-9]{0,9})$")


@dataclass(frozen=True)
class Target:
    route: Route
    item_id: int | None = None

    def build(self) -> Any:
        module = importlib.import_module(self.route.module)
        screen_cls = getattr(module, self.route.cls)
        return screen_cls(self.item_id) if self.route.takes_id else screen_cls()


def resolve(path: str) -> Target | None:
    """A route for a screen name or deep link ("cart", "product/12"), or None."""
    path = path.strip().strip("/").lower()
    if path in ROUTES and not ROUTES[path].takes_id:
        return Target(ROUTES[path])
    match = _ID_LINK.match(path)
    if match:
        return Target(ROUTES[match.group(1)], int(match.group(2)))
    return None


def is_deep_link(path: str) -> bool:
    """Only these may be opened from outside (the SSH server uses the same test)."""
    path = path.strip().strip("/").lower()
    return path in DEEP_LINKS or bool(_ID_LINK.match(path))
