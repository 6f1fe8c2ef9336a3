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
        Route(
            "wishlist",
            "buynow_tui.screens.wishlist",
            "WishlistScreen",
            login_required=True,
            top=True,
        ),
        Route("orders", "buynow_tui.screens.orders", "OrdersScreen", login_required=True, top=True),
        Route(
            "account", "buynow_tui.screens.account", "AccountScreen", login_required=True, top=True
        ),
        Route("product", "buynow_tui.screens.product", "ProductScreen", takes_id=True),
        Route(
            "order",
            "buynow_tui.screens.order_detail",
            "OrderDetailScreen",
            login_required=True,
            takes_id=True,
        ),
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


#: What a web front end opens for an address that is no deep link. It contains a
#: space, which no route name does, so `resolve` never finds it and the app shows
#: Not found ("Not found: this page").
UNKNOWN_PAGE = "this page"


def page_for_url(url_path: str) -> str | None:
    """What the shop opens for the path of a web address: None for the Shop (`/`), the
    deep link (`/product/12` -> "product/12") when it is on the allowlist above, and
    `UNKNOWN_PAGE` for anything else.

    The path itself never reaches the app unless it is on the allowlist: `/login`,
    `/help` or `/--home=x` would otherwise open a screen no link may open, or reach
    the command line.
    """
    path = url_path.strip().strip("/").lower()
    if not path:
        return None
    return path if is_deep_link(path) else UNKNOWN_PAGE
