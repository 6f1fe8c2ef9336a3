"""The App's side of the login session: the bridge from Textual to `session.Session`.

The Session is headless. `SessionBridge` (a part of `BuyNowApp`, kept here so the App
itself stays about routes and keys) turns the screens' messages about logging in and
out, the account and the consent notice into Session calls, runs the Session's slow
half (bcrypt, the store, files) in worker threads, and mirrors its state in reactives
the widgets watch (`user`, `consent_needed`; `cart_count` for the badge).
"""

from __future__ import annotations

import os
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from textual import work
from textual.reactive import reactive
from textual.worker import Worker

from buynow_tui import messages as m
from buynow_tui.logs import set_process_user
from buynow_tui.screens.base import BaseScreen, StoreWorkers
from buynow_tui.session import Job, Recalled, Session, SignedIn, write_private
from buynow_tui.store.states import CARD_DECLINED, news
from buynow_tui.widgets.safe import plain_text

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel

    from buynow_tui.paths import Paths
    from buynow_tui.store.errors import StoreError
    from buynow_tui.store.feed import FeedWatcher
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import OrderEventView, UserView

    _App = App[None]
else:
    _App = object

#: Worker groups whose failures the shopper is not told of (nothing was changed).
QUIET_GROUPS = frozenset({"badge", "session-check"})


class SessionBridge(StoreWorkers, _App):
    """Message handlers by name (`on_logged_in`...): `@on` needs a Textual class, and
    this mixin is one only through the App."""

    #: The session's state, mirrored for the widgets that watch it (`_sync`).
    user: reactive[UserView | None] = reactive(None, init=False)
    cart_count: reactive[int] = reactive(0, init=False)
    consent_needed: reactive[bool] = reactive(False, init=False)

    if TYPE_CHECKING:  # the App's
        session: Session
        services: Services
        paths: Paths
        open_path: str | None
        over_ssh: bool

        def navigate(self, path: str) -> None: ...
        def _to_base(self) -> None: ...
        def remembered_theme(self, theme: str | None) -> None: ...

    @property
    def can_remember(self) -> bool:
        return self.session.can_remember

    def sign_in(self, email: str, password: str, remember: bool) -> SignedIn:
        """Check a password, remembering the login if asked (a worker thread)."""
        return self.session.sign_in(email, password, remember)

    # -- logging in and out --------------------------------------------------------------
    def on_login_required(self, message: m.LoginRequired) -> None:
        self.require_login(message.then)

    def require_login(self, then: m.Then | None = None) -> bool:
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

    def on_logged_in(self, message: m.LoggedIn) -> None:
        """Log in or Register has the store's yes: in, the form closed, then onwards."""
        from buynow_tui.screens.login import LoginScreen
        from buynow_tui.screens.register import RegisterScreen

        signed_in, user = message.signed_in, message.signed_in.user
        if message.registered:
            self._run_job(self.session.registered(user))
            self._logged_in_now()
        else:
            self.logged_in(user, remembered=signed_in.remembered, token=signed_in.token)
        if isinstance(self.screen, (LoginScreen, RegisterScreen)):
            self.screen.dismiss()
        if message.then is not None:
            message.then()
        else:
            welcome = "Welcome to BuyNow" if message.registered else "Welcome back"
            self.notify(plain_text(f"{welcome}, {user.username}."), markup=False)

    def logged_in(
        self, user: UserView, *, remembered: bool = False, token: str | None = None
    ) -> None:
        """The store has accepted `user` (Log in, a remembered login, a test)."""
        self.session.begin(user, remembered=remembered, token=token)
        self._logged_in_now()

    def _logged_in_now(self) -> None:
        self._sync()
        self.refresh_badge()
        self._watch_orders()

    # -- live order news (store.feed) ------------------------------------------------------
    _order_watcher: FeedWatcher | None = None

    def _watch_orders(self) -> None:
        """Watch the logged-in shopper's orders: a toast when one moves elsewhere.

        A thread of this process (in an SSH session, the session's own process); it
        hands new events to the event loop, which ignores them once nobody, or
        somebody else, is logged in.
        """
        self._stop_watching_orders()
        user = self.user
        if user is None:
            return
        user_id = user.id

        def arrived(events: list[OrderEventView]) -> None:
            with suppress(RuntimeError):  # the app is closing
                self.call_from_thread(self._orders_moved, user_id, events)

        self._order_watcher = self.services.feed.watch(user_id, arrived)

    def _stop_watching_orders(self) -> None:
        watcher, self._order_watcher = self._order_watcher, None
        if watcher is not None:
            watcher.stop()

    def _orders_moved(self, user_id: int, events: list[OrderEventView]) -> None:
        if self.user is None or self.user.id != user_id:
            return
        for event in events:
            # What the shopper did here, placing an order, and a checkout's own decline
            # (the Confirm step says it in words), they know of already.
            if (
                event.actor_kind != "shopper"
                and event.to_status not in ("placed", "paid")
                and not (event.to_status == "cancelled" and event.note == CARD_DECLINED)
            ):
                self.notify(news(event.number, event.to_status) + ".", markup=False)
        self.screen.post_message(m.OrdersMoved(events))

    def on_unmount(self) -> None:
        self._stop_watching_orders()
        set_process_user(None)  # the file stays for the server, which deletes it

    def on_logged_out(self) -> None:
        self.log_out()

    def log_out(
        self, *, message: str = "You are logged out.", severity: SeverityLevel = "information"
    ) -> None:
        """End the session: forget the user, revoke their Remember me, back to the Shop."""
        revoke = self.session.end()
        if revoke is not None:  # someone was logged in
            self._stop_watching_orders()
            self._sync()
            self._to_base()
            self._run_job(revoke)
            self.notify(message, severity=severity, markup=False)

    def on_session_refused(self, message: m.SessionRefused) -> None:
        self.session_ended(message.error)

    def session_ended(self, error: StoreError) -> None:
        """The store refused this session's login: log out with the store's message."""
        if self.session.ended(error):
            self.log_out(message=str(error), severity="warning")

    def on_logins_revoked(self) -> None:
        self.session.logins_revoked()

    def on_user_changed(self, message: m.UserChanged) -> None:
        self._account_now(message.user)

    def _account_now(self, user: UserView) -> None:
        self.session.update(user)
        self._sync()

    def _check_session(self) -> None:
        """A screen is opening: is this session's login still current? (a thread)"""
        if self.user is not None:
            self._verify(self.user.id)

    @work(thread=True, group="session-check", exit_on_error=False)
    def _verify(self, user_id: int) -> None:
        self.services.logins.verify(user_id)

    def watch_user(self, user: UserView | None) -> None:
        set_process_user(user.username if user else None)
        self._tell_the_server(user)
        if user is None:
            self.cart_count = 0
        if user is not self.session.user:  # set on the App itself (a test): the session follows
            self.session.show(user)
            self.consent_needed = self.session.consent_needed

    def _tell_the_server(self, user: UserView | None) -> None:
        """Over SSH, who is logged in, for the server's disconnect line (a tiny file)."""
        if not self.over_ssh:
            return
        path = self.paths.session_user_file(os.getpid())
        try:
            if user is None:
                path.unlink(missing_ok=True)
            else:
                write_private(path, plain_text(user.username) + "\n")
        except OSError:
            pass  # the line will say "someone": not worth bothering the shopper

    def on_cart_changed(self) -> None:
        self.refresh_badge()

    def refresh_badge(self) -> None:
        """Re-read the cart badge (distinct items) in a worker."""
        if self.user is None:
            self.cart_count = 0
        else:
            self._count_cart(self.user.id)

    @work(thread=True, group="badge", exclusive=True, exit_on_error=False)
    def _count_cart(self, user_id: int) -> None:
        self.reply(setattr, self, "cart_count", self.services.cart.count(user_id))

    def _sync(self) -> None:
        """Show what the session now says (the header, the notice and Account watch it)."""
        self.user = self.session.user
        self.consent_needed = self.session.consent_needed

    # -- the session's slow half, in threads ---------------------------------------------
    @work(thread=True, group="session", exit_on_error=False)
    def _restore(self) -> None:
        self.reply(self._restored, self.session.recall())

    def _restored(self, recalled: Recalled) -> None:
        self.remembered_theme(recalled.theme)
        user = self.session.resume(recalled)
        if user is not None:
            self.logged_in(user)
        else:
            self._sync()
        if self.open_path:
            self.navigate(self.open_path)

    def _run_job(self, job: Job | None) -> None:
        if job is not None:
            self._job(job)

    @work(thread=True, group="session", exit_on_error=False)
    def _job(self, job: Job) -> None:
        user = job()
        if user is not None:
            self.reply(self._account_now, user)

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        if worker.name == "_restore":
            text = f"Could not restore your login: {problem}"
            self.notify(text, severity="warning", markup=False)
            self._restored(Recalled())
        elif worker.group not in QUIET_GROUPS:
            if worker.name == "_job":  # the consent notice shows again if still needed
                self.session.consent_failed()
                self._sync()
            super().store_refused(worker, problem)

    # -- consent ---------------------------------------------------------------------------
    def _consent_offered_here(self) -> bool:
        # Not an isinstance check: that would import the Privacy screen (and Textual's
        # Markdown, markdown-it, Pygments: ~15 ms) at every start-up.
        from buynow_tui.widgets.consent import ConsentNotice

        screen = self.screen
        offers = isinstance(screen, BaseScreen) and screen.OFFERS_CONSENT
        return offers or bool(screen.query(ConsentNotice))

    def action_accept_consent(self) -> None:
        self.accept_consent()

    def on_consent_accepted(self) -> None:
        self.accept_consent()

    def accept_consent(self) -> None:
        """Remember that the consent notice was accepted (by this user, or on this machine)."""
        if self.consent_needed:
            self._run_job(self.session.accept_consent())
            self._sync()
            thanks = "Thank you. You can read the policy any time from the command palette."
            self.notify(thanks, markup=False)
