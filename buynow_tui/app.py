"""The Textual app: wires screens, global keys and theme. No business logic here.

Navigation goes through `navigate(path)`, which knows (from `navigation.ROUTES`)
which screens need a login. `require_login(then)` sends an anonymous shopper to Log
in and, once they are in, runs `then` — the screen or action they asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from buynow_tui import clock as clock_module
from buynow_tui.logs import current_user, get_logger
from buynow_tui.navigation import resolve
from buynow_tui.paths import Paths

if TYPE_CHECKING:
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView

log = get_logger("app")


class BuyNowApp(App[None]):
    TITLE = "BuyNow"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("1", "go('shop')", "Shop", id="go-shop"),
        Binding("2", "go('cart')", "Cart", id="go-cart"),
        Binding("3", "go('wishlist')", "Wishlist", id="go-wishlist"),
        Binding("4", "go('orders')", "Orders", id="go-orders"),
        Binding("5", "go('account')", "Account", id="go-account"),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("escape", "back", "Back", id="back", show=False),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", id="quit-ctrl", show=False, priority=True),
    ]

    user: reactive[UserView | None] = reactive(None, init=False)
    cart_count: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        services: Services,
        paths: Paths,
        *,
        open_path: str | None = None,
        clock: Callable[[], datetime] | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.paths = paths
        self.open_path = open_path
        self.now: Callable[[], datetime] = clock or clock_module.now
        self.launched_at = self.now()
        if theme:
            self.theme = theme

    # -- screens ---------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        from buynow_tui.screens.shop import ShopScreen

        return ShopScreen()

    def on_mount(self) -> None:
        if self.open_path:
            self.navigate(self.open_path)

    def navigate(self, path: str) -> None:
        """Open a screen by name or deep link; unknown paths show Not found."""
        target = resolve(path)
        if target is None:
            log.warning("not found: %r", path)
            from buynow_tui.screens.not_found import NotFoundScreen

            self.push_screen(NotFoundScreen(path))
            return
        if target.route.login_required and self.user is None:
            self.require_login(lambda: self.navigate(path))
            return
        if target.route.top:
            self._to_base()
            if target.route.name == "shop":
                return
        self.push_screen(target.build())

    def _to_base(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_go(self, name: str) -> None:
        self.navigate(name)

    def action_help(self) -> None:
        self.navigate("help")

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    # -- the logged-in user ----------------------------------------------------
    def require_login(self, then: Callable[[], object] | None = None) -> bool:
        """True if someone is logged in; otherwise open Log in and run `then` after."""
        if self.user is not None:
            return True
        from buynow_tui.screens.login import LoginScreen

        self.push_screen(LoginScreen(after=then))
        return False

    def logged_in(self, user: UserView) -> None:
        """Called by Log in and Register once the store has accepted the user."""
        self.user = user
        self.refresh_badge()

    def watch_user(self, user: UserView | None) -> None:
        current_user.set(user.username if user else "someone")

    def refresh_badge(self) -> None:
        """Re-read the cart badge (distinct items) in a worker."""
        user = self.user
        if user is None:
            self.cart_count = 0
            return

        def count() -> None:
            n = self.services.cart.count(user.id)
            self.call_from_thread(setattr, self, "cart_count", n)

        self.run_worker(count, thread=True, group="badge", exclusive=True, exit_on_error=False)


def run(paths: Paths, *, open_path: str | None = None) -> None:
    from buynow_tui.bootstrap import open_store

    opened = open_store(paths)
    BuyNowApp(opened.services, paths, open_path=open_path).run()  # type: ignore[arg-type]
