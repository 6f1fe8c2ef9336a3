"""The Textual app: wires screens, global keys and theme. No business logic here.

Navigation goes through `navigate(path)`, which knows (from `navigation.ROUTES`)
which screens need a login. `require_login(then)` sends an anonymous shopper to Log
in and, once they are in, runs `then` — the screen or action they asked for.

The session (who is logged in, Remember me, the consent notice) lives here too:
locally Remember me is a token in a 0600 file in the config folder; over SSH
(`BUYNOW_SSH=1`, set by the SSH server) it is bound to the shopper's key
fingerprint (`BUYNOW_SSH_FINGERPRINT`) and no file is used.

A session ends by itself when the shopper's password is changed or reset elsewhere:
the App hands the store the login it serves (`services.logins`), every write for the
shopper and every screen opened checks it, and a refusal (`SessionEnded`) logs this
session out with that message and drops its Remember me.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from buynow_tui import clock as clock_module
from buynow_tui.commands import ShopCommands
from buynow_tui.config import ClientEnvironment
from buynow_tui.logs import current_user, get_logger
from buynow_tui.navigation import resolve
from buynow_tui.paths import Paths
from buynow_tui.runtime import tune_gc
from buynow_tui.screens.base import NARROW_BELOW, run_store_call
from buynow_tui.store.errors import StoreError
from buynow_tui.themes import DEFAULT_THEME, THEMES
from buynow_tui.widgets.consent import ConsentNotice

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.notifications import SeverityLevel

    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView

log = get_logger("app")

#: 1-5 share one footer entry, so the footer fits 80 columns.
GO = Binding.Group("Shop…Account", compact=True)


@dataclass(frozen=True)
class SignedIn:
    """What `sign_in` hands Log in: the user, and whether (and with what token) the
    login was remembered."""

    user: UserView
    remembered: bool = False
    token: str | None = None


class BuyNowApp(App[None]):
    TITLE = "BuyNow"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ShopCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]

    BINDINGS = [
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
        Binding("ctrl+c", "quit", "Quit", id="quit-ctrl", show=False, priority=True),
        # Priority, so focus moves before the next key of a burst is delivered: a password
        # manager's auto-type ("email<Tab>password<Enter>") or a fast typist would
        # otherwise have the password land in the email field, in clear.
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    user: reactive[UserView | None] = reactive(None, init=False)
    cart_count: reactive[int] = reactive(0, init=False)
    #: True while the consent notice should show (nobody here has accepted yet).
    consent_needed: reactive[bool] = reactive(False, init=False)

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
    ) -> None:
        client = ClientEnvironment.from_env(environ)
        over_ssh = client.over_ssh
        super().__init__(driver_class=_ssh_driver() if over_ssh else None)
        self.services = services
        self.paths = paths
        self.open_path = open_path
        self.now: Callable[[], datetime] = clock or clock_module.now
        self.launched_at = self.now()
        for extra in THEMES:
            self.register_theme(extra)
        self.theme = theme or DEFAULT_THEME
        #: Run by the SSH server for one shopper (no files of our own then).
        self.over_ssh = over_ssh
        self.ssh_fingerprint = client.ssh_fingerprint
        self.server_started = client.server_started
        #: Tests switch this off so snapshots never catch a cursor mid-blink.
        self.cursor_blink = cursor_blink
        self._token: str | None = None
        self._anonymous_consent = False
        #: Set by `run` (the process's one app): freeze the collector's view this many
        #: seconds after mount. Tests running many apps in one process leave it off.
        self.gc_freeze_after: float | None = None

    @property
    def shop_started(self) -> datetime:
        """When this shop went up: the SSH server's launch over SSH, this app's locally."""
        return self.server_started or self.launched_at

    @property
    def can_remember(self) -> bool:
        """Remember me needs a file here, or an SSH key to bind to over SSH."""
        return bool(self.ssh_fingerprint) if self.over_ssh else True

    # -- screens ---------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        from buynow_tui.screens.shop import ShopScreen

        return ShopScreen()

    def on_mount(self) -> None:
        if self.gc_freeze_after is not None:
            import gc

            self.set_timer(self.gc_freeze_after, gc.freeze)
        run_store_call(
            self, self._read_session, (), done=self._session_restored, failed=self._session_failed
        )

    def navigate(self, path: str) -> None:
        """Open a screen by name or deep link; unknown paths show Not found."""
        target = resolve(path)
        if target is None:
            log.warning("not found: %r", path, extra={"user": self._log_name})
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
            self.notify(
                f"{target.route.name.title()} is not available yet.",
                severity="warning",
                markup=False,
            )
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

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

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
        if action == "accept_consent":
            return self.consent_needed and self._consent_offered_here()
        return True

    async def on_event(self, event: events.Event) -> None:
        """A paste loses its control characters before any text box gets it.

        Typed keys never put ESC into a box, but a paste does, and Textual's `Input`
        and `TextArea` draw their text as it is: a pasted `\\x1b[2J` would reach the
        terminal raw. Password boxes keep a paste as it is (they only ever show dots).
        """
        if (
            isinstance(event, events.Paste)
            and not event.is_forwarded
            and getattr(self.focused, "password", False) is not True
        ):
            from buynow_tui.widgets.safe import plain_text

            event.text = plain_text(event.text, multiline=True)
        await super().on_event(event)

    @on(events.DescendantFocus)
    def _no_blink(self, event: events.DescendantFocus) -> None:
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False  # type: ignore[attr-defined]

    # -- the logged-in user ----------------------------------------------------
    def require_login(self, then: Callable[[], object] | None = None) -> bool:
        """True if someone is logged in; otherwise open Log in and run `then` after."""
        if self.user is not None:
            return True
        from buynow_tui.screens.login import LoginScreen
        from buynow_tui.screens.register import RegisterScreen

        if isinstance(self.screen, (LoginScreen, RegisterScreen)):
            self.screen.after = then  # already asking: log in leads there now
            return False
        self.push_screen(LoginScreen(after=then))
        return False

    def sign_in(self, email: str, password: str, remember: bool) -> SignedIn:
        """Check the password and, with Remember me, keep the login for the next start
        (a token file locally, the SSH key over SSH). Runs in a worker.

        Remembering happens here, before the shopper sees they are logged in: done
        afterwards, a session closed right then (an SSH window shut at once) lost it.
        A login that cannot be remembered still logs in.
        """
        user = self.services.accounts.authenticate(email, password)
        if not (remember and self.can_remember):
            return SignedIn(user)
        try:
            return SignedIn(user, remembered=True, token=self._remember(user.id, self._token))
        except Exception as error:  # noqa: BLE001 - logging in matters more; logged
            log.warning("could not remember the login: %s", error, extra={"user": user.username})
            return SignedIn(user)

    def logged_in(self, user: UserView, *, remembered: bool = False, token: str | None = None) -> None:
        """Called by Log in and Register once the store has accepted the user."""
        if remembered:
            self._remembered(token)
        self.services.logins.begin(user.id, user.credentials_version)
        self.user = user
        self.refresh_badge()

    def log_out(
        self, *, message: str = "You are logged out.", severity: SeverityLevel = "information"
    ) -> None:
        """End the session: forget the user, revoke their Remember me, back to the Shop."""
        user = self.user
        if user is None:
            return
        token, self._token = self._token, None
        if not self.over_ssh:
            self.paths.token_file.unlink(missing_ok=True)
        self.services.logins.end(user.id)
        self.user = None
        self._to_base()
        accounts = self.services.accounts
        if self.over_ssh and self.ssh_fingerprint:
            run_store_call(self, accounts.forget_key, (self.ssh_fingerprint,), group="session")
        elif token:
            run_store_call(self, accounts.revoke_token, (token,), group="session")
        log.info("logged out", extra={"user": user.username})
        self.notify(message, severity=severity, markup=False)

    def session_ended(self, error: StoreError) -> None:
        """The store refused this session (its password was changed or reset elsewhere):
        log out with the store's message. The reset or change already revoked every
        Remember me token and SSH key binding in the store; the token file goes too."""
        if self.user is None:
            return
        log.warning("session ended: %s", error, extra={"user": self.user.username})
        self.log_out(message=str(error), severity="warning")

    def _check_session(self) -> None:
        """A screen is opening: is this session's login still current? (a thread)"""
        if self.user is not None:
            run_store_call(
                self,
                self.services.logins.verify,
                (self.user.id,),
                failed=lambda _error: None,  # only an ended session matters here
                group="session-check",
            )

    def logins_revoked(self) -> None:
        """After a password change the store revoked every Remember me: drop ours too."""
        self._token = None
        if not self.over_ssh:
            self.paths.token_file.unlink(missing_ok=True)

    def watch_user(self, user: UserView | None) -> None:
        current_user.set(user.username if user else "someone")
        if user is None:
            self.cart_count = 0
        self._update_consent()

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

    @property
    def _log_name(self) -> str:
        return self.user.username if self.user else "someone"

    # -- Remember me (runs in worker threads) ------------------------------------
    def _read_session(self) -> tuple[UserView | None, str | None, bool]:
        """Who was remembered, and whether consent was given here (a thread)."""
        accounts = self.services.accounts
        if self.over_ssh:
            user = accounts.resolve_key(self.ssh_fingerprint) if self.ssh_fingerprint else None
            return user, None, False
        consent = bool(self._read_settings().get("consent_accepted_at"))
        try:
            token = self.paths.token_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None, None, consent
        user = accounts.resolve_token(token) if token else None
        if user is None:
            self.paths.token_file.unlink(missing_ok=True)  # expired or revoked
            return None, None, consent
        return user, token, consent

    def _session_restored(self, restored: tuple[UserView | None, str | None, bool]) -> None:
        user, token, consent = restored
        self._anonymous_consent = self._anonymous_consent or consent
        if user is not None and self.user is None:
            self._token = token
            log.info("remembered login", extra={"user": user.username})
            self.logged_in(user)
        else:
            self._update_consent()
        if self.open_path:
            self.navigate(self.open_path)

    def _session_failed(self, error: Exception) -> None:
        self.notify(f"Could not restore your login: {error}", severity="warning", markup=False)
        self._session_restored((None, None, False))

    def _remember(self, user_id: int, replaces: str | None) -> str | None:
        accounts = self.services.accounts
        if self.over_ssh:
            accounts.remember_key(user_id, self.ssh_fingerprint)
            return None
        if replaces:
            accounts.revoke_token(replaces)  # one token file, one live token
        token = accounts.issue_token(user_id)
        _write_private(self.paths.token_file, token + "\n")
        return token

    def _remembered(self, token: str | None) -> None:
        self._token = token

    # -- consent -----------------------------------------------------------------
    def _update_consent(self) -> None:
        user = self.user
        self.consent_needed = user.consent_at is None if user else not self._anonymous_consent

    def watch_consent_needed(self) -> None:
        self.refresh_bindings()

    def _consent_offered_here(self) -> bool:
        from buynow_tui.screens.privacy import PrivacyScreen

        return isinstance(self.screen, PrivacyScreen) or bool(self.screen.query(ConsentNotice))

    def action_accept_consent(self) -> None:
        self.accept_consent()

    def accept_consent(self) -> None:
        """Remember that the consent notice was accepted (by this user, or on this machine)."""
        if not self.consent_needed:
            return
        self.consent_needed = False
        user = self.user
        if user is not None:
            run_store_call(
                self,
                self.services.accounts.accept_consent,
                (user.id,),
                done=self._consent_saved,
                failed=self._consent_failed,
                group="session",
            )
        else:
            self._save_anonymous_consent()
        self.notify(
            "Thank you. You can read the policy any time from the command palette.", markup=False
        )

    def _save_anonymous_consent(self) -> None:
        self._anonymous_consent = True
        if not self.over_ssh:  # one settings file serves every SSH shopper: never theirs
            stamp = self.now().astimezone(UTC).isoformat()
            run_store_call(
                self, self._write_settings, ({"consent_accepted_at": stamp},), group="session"
            )

    def _consent_saved(self, user: UserView) -> None:
        if self.user is not None and self.user.id == user.id:
            self.user = user

    def _consent_failed(self, error: Exception) -> None:
        self._update_consent()
        self.notify(str(error), severity="error", markup=False)

    @on(ConsentNotice.Accept)
    def _consent_accept_pressed(self) -> None:
        self.accept_consent()

    @on(ConsentNotice.ReadPolicy)
    def _consent_read_pressed(self) -> None:
        self.navigate("privacy")

    def registered(self, user: UserView) -> None:
        """Registering is agreeing to the policy, for the account and on this machine."""
        self._save_anonymous_consent()
        self.logged_in(user)

    def _read_settings(self) -> dict[str, Any]:
        try:
            data = json.loads(self.paths.settings_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_settings(self, changes: dict[str, Any]) -> None:
        settings = self._read_settings()
        settings.update(changes)
        _write_private(self.paths.settings_file, json.dumps(settings, indent=2) + "\n")


def _write_private(path: os.PathLike[str] | str, text: str) -> None:
    """Write a file only its owner can read: 0600 from the moment it exists, then
    moved into place whole, so a reader never sees half a token."""
    path = os.fspath(path)
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def _ssh_driver() -> type[Driver] | None:
    """Over SSH, the driver that reports mouse buttons but not every motion."""
    if sys.platform == "win32":  # pragma: no cover - the SSH server runs on POSIX
        return None
    from buynow_tui.drivers import SshDriver

    return SshDriver


def run(paths: Paths, *, open_path: str | None = None) -> None:
    """The shop in this terminal (the process's one app), its collector tuned for
    keystroke latency (`runtime.tune_gc`)."""
    from buynow_tui.bootstrap import open_store

    opened = open_store(paths)
    app = BuyNowApp(opened.services, paths, open_path=open_path)
    app.gc_freeze_after = tune_gc()
    app.run()  # type: ignore[arg-type]
