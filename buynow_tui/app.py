"""The Textual app: routes the screens' messages, runs the global keys, keeps the theme.

Screens never call the App: they post `messages` that bubble up to it and read what
they need through `context.Context`, which the App is. Routes (`navigation.ROUTES`) say
which screens need a login: an anonymous shopper goes to Log in and, once in, lands
where they were going with the action they asked for done.

Who is logged in, Remember me (a 0600 token file locally; over SSH, the key whose
`BUYNOW_SSH_FINGERPRINT` `config.ClientEnvironment` reads) and the consent notice are
the headless `session.Session`'s, which the App holds; `session_bridge.SessionBridge`,
a part of the App, turns the session's messages into its calls. A store refusal of
this session (`SessionEnded`: its password changed elsewhere) reaches it from the one
worker error handler (`screens.base.StoreWorkers`) and logs it out.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from buynow_tui import messages as m
from buynow_tui.app_keys import KeyOrder, no_blinking_cursors
from buynow_tui.commands import ShopCommands
from buynow_tui.config import ClientEnvironment
from buynow_tui.logs import get_logger
from buynow_tui.navigation import resolve
from buynow_tui.runtime import tune_gc
from buynow_tui.screens.base import NARROW_BELOW
from buynow_tui.session import Session, binding_for, settings_for
from buynow_tui.session_bridge import SessionBridge
from buynow_tui.themes import DEFAULT_THEME, THEMES

if TYPE_CHECKING:
    from textual.driver import Driver

    from buynow_tui.context import Context
    from buynow_tui.paths import Paths
    from buynow_tui.store.services import Services

log = get_logger("app")
#: 1-5 share one footer entry, so the footer fits 80 columns.
GO = Binding.Group("Shop…Account", compact=True)


class BuyNowApp(KeyOrder, SessionBridge, App[None]):
    TITLE = "BuyNow"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    NOTIFICATION_TIMEOUT = 4  # seconds; an undo's toast says longer (Cart)
    COMMANDS = App.COMMANDS | {ShopCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]  # noqa: RUF012 - App's

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "go('shop')", "Shop", id="go-shop", group=GO),
        Binding("2", "go('cart')", "Cart", id="go-cart", group=GO),
        Binding("3", "go('wishlist')", "Wishlist", id="go-wishlist", group=GO),
        Binding("4", "go('orders')", "Orders", id="go-orders", group=GO),
        Binding("5", "go('account')", "Account", id="go-account", group=GO),
        Binding("slash", "search", "Search", id="search", key_display="/"),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("ctrl+y", "accept_consent", "Accept policy", id="accept-consent", show=False),
        Binding("escape", "back", "Back", id="back"),
        Binding("q", "quit", "Quit", id="quit"),
        # Where a text box takes "q" as text (the Shop's search box has the cursor when
        # the Shop opens), the footer says how to quit from there.
        Binding(
            "ctrl+q",
            "quit_from_text",
            "Quit",
            id="quit-from-text",
            key_display="^q",
            priority=True,  # both priority: the footer shows this one where it applies
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit-ctrl-q", show=False, priority=True),
        Binding("ctrl+c", "quit", "Quit", id="quit-ctrl", show=False, priority=True),
        # Priority, so focus moves before the next key of a burst is delivered: a password
        # manager's auto-type ("email<Tab>password<Enter>") or a fast typist would
        # otherwise have the password land in the email field, in clear.
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(
        self,
        services: Services,
        paths: Paths,
        *,
        open_path: str | None = None,
        clock: Callable[[], datetime] | None = None,
        theme: str | None = None,
        environ: Mapping[str, str] | None = None,
        cursor_blink: bool = True,
        pictures: str | None = None,
    ) -> None:
        client = ClientEnvironment.from_env(environ)
        super().__init__(driver_class=_ssh_driver() if client.over_ssh else None)
        self.services, self.paths, self.open_path = services, paths, open_path
        self.now: Callable[[], datetime] = clock or services.clock
        self.launched_at = self.now()
        for extra in THEMES:
            self.register_theme(extra)
        #: How pictures show (`widgets.picture`): `run` asks this terminal; else half
        #: blocks (nothing with NO_COLOR).
        self.picture_mode = "none" if self.no_color else (pictures or "halfcell")
        #: Run by the SSH server for one shopper, or by the web server for one browser
        #: tab (no files of our own then).
        self.over_ssh = client.over_ssh
        self.over_web = client.over_web
        self.server_started = client.server_started
        settings = settings_for(client, paths, services)
        self.session = Session(services, binding_for(client, paths), settings, self.now)
        #: A theme given here (`--theme`, a test's) wins over the remembered one.
        self.theme_given = theme is not None
        saved = None if theme else self.session.saved_theme()
        #: What this client remembers: a change from it is saved (`watch_theme`).
        self._kept_theme = theme or (saved if saved in self.available_themes else DEFAULT_THEME)
        self.theme = self._kept_theme
        #: Tests switch this off so snapshots never catch a cursor mid-blink.
        self.cursor_blink = cursor_blink
        #: Set by `run` (the process's one app): freeze the collector's view this many
        #: seconds after mount. Tests running many apps in one process leave it off.
        self.gc_freeze_after: float | None = None

    # -- the theme: remembered per client (`Session.keep_theme`) ------------------------
    def watch_theme(self, theme: str) -> None:
        if theme != self._kept_theme:
            self._kept_theme = theme
            self._run_job(self.session.keep_theme(theme))

    def remembered_theme(self, theme: str | None) -> None:
        """What `recall` found (over SSH, the key's): shown unless one was given."""
        if theme and not self.theme_given and theme in self.available_themes:
            self._kept_theme = theme
            self.theme = theme

    @property
    def shop_started(self) -> datetime:
        return self.server_started or self.launched_at

    # -- screens and keys ---------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        from buynow_tui.screens.shop import ShopScreen

        return ShopScreen()

    def on_mount(self) -> None:
        if self.gc_freeze_after is not None:
            import gc

            self.set_timer(self.gc_freeze_after, gc.freeze)
        self._restore()

    @on(m.Navigate)
    def _navigate_to(self, message: m.Navigate) -> None:
        self.navigate(message.path)

    def navigate(self, path: str) -> None:
        """Open a screen by name or deep link; unknown paths show Not found."""
        target = resolve(path)
        if target is None:
            who = self.user.username if self.user else "someone"
            log.warning("not found: %r", path, extra={"user": who})
            from buynow_tui.screens.not_found import NotFoundScreen

            self.push_screen(NotFoundScreen(path))
            return
        if target.route.login_required and self.user is None:
            self.require_login(lambda: self.navigate(path))
            return
        self._check_session()
        if target.route.top:
            self._to_base()
            if target.route.name == "shop":
                return
        try:
            screen = target.build()
        except ModuleNotFoundError as error:
            if error.name != target.route.module:
                raise
            log.error("screen module missing: %s", target.route.module)
            name = target.route.name.title()
            self.notify(f"{name} is not available yet.", severity="warning", markup=False)
            return
        self.push_screen(screen)

    def _to_base(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_go(self, name: str) -> None:
        self.navigate(name)

    def action_help(self) -> None:
        from buynow_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
        else:
            self.push_screen(HelpScreen())

    async def action_quit_from_text(self) -> None:
        await self.action_quit()

    def action_back(self) -> None:  # type: ignore[override]  # Textual's is a coroutine
        if len(self.screen_stack) > 1:
            self.pop_screen()

    @on(m.OpenSearch)
    def _open_search(self) -> None:
        self.navigate("shop")
        self.action_search()

    def action_search(self) -> None:
        """Go to the Shop and put the cursor in its search box (`ShopScreen.focus_search`)."""
        self._to_base()

        def focus_search() -> None:
            focus = getattr(self.screen, "focus_search", None)
            if callable(focus):
                focus()

        self.call_after_refresh(focus_search)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return len(self.screen_stack) > 1
        if action == "search":
            # A focused text box takes "/" as text: do not offer it in the footer then.
            focused = self.focused
            return focused is None or not focused.check_consume_key("slash", "/")
        if action == "quit_from_text":
            focused = self.focused
            return focused is not None and focused.check_consume_key("q", "q")
        if action == "accept_consent":
            return self.consent_needed and self._consent_offered_here()
        return True


def _ssh_driver() -> type[Driver] | None:
    """Over SSH, the driver that reports mouse buttons but not every motion."""
    if sys.platform == "win32":  # pragma: no cover - the SSH server runs on POSIX
        return None
    from buynow_tui.drivers import SshDriver

    return SshDriver


def run(paths: Paths, *, open_path: str | None = None, theme: str | None = None) -> None:
    """The shop in this terminal (the process's one app), its collector tuned for
    keystroke latency (`runtime.tune_gc`); `theme` (`--theme`) for this run only."""
    import os

    from buynow_tui.bootstrap import open_store
    from buynow_tui.widgets.picture import choose_mode, prepare

    services = open_store(paths).services
    client = ClientEnvironment.from_env()
    remote = client.over_ssh or client.over_web
    pictures = prepare(choose_mode(no_color="NO_COLOR" in os.environ, remote=remote))
    if remote:  # idle sessions cost nothing: no blinking cursor (`no_blinking_cursors`)
        no_blinking_cursors()
    app = BuyNowApp(
        services,
        paths,
        open_path=open_path,
        theme=theme,
        pictures=pictures,
        cursor_blink=not remote,
    )
    app.gc_freeze_after = tune_gc()
    app.run()


if TYPE_CHECKING:

    def _is_a_context(app: BuyNowApp) -> Context:
        return app  # mypy checks that the App gives screens all they may read
