"""Log in: email, password, Remember me, and the ways to Register and Reset password.

bcrypt runs in a worker thread: the button says what is happening and the screen
keeps answering keys. Once the store says yes, the App logs the shopper in, closes
this form and does what they were on their way to (`LoggedIn`). A wrong password and
an unknown email get the same message; a locked account is told until when.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Static
from textual.worker import Worker

from buynow_tui.messages import LoggedIn, Then
from buynow_tui.screens.base import BaseScreen
from buynow_tui.store.errors import StoreError
from buynow_tui.widgets.form import Field, FormStatus, TickBox

if TYPE_CHECKING:
    from buynow_tui.session import SignedIn

GENERIC_ERROR = "Email or password is incorrect."


class LoginScreen(BaseScreen):
    SCREEN_TITLE = "Log in"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "register", "Register", id="login-register"),
        Binding("ctrl+f", "reset", "Forgot password", id="login-reset"),
    ]

    def __init__(self, after: Then | None = None, *, email: str = "") -> None:
        super().__init__()
        #: What the shopper was on their way to; run once they are logged in.
        self.after = after
        #: Typed on Register before "Log in instead": kept.
        self.email = email

    def compose_body(self) -> ComposeResult:
        with (
            VerticalScroll(classes="form-page"),
            Vertical(classes="form", id="login-form") as form,
        ):
            form.border_title = "Log in"
            yield Static(
                "Log in to use your cart, wishlist, orders and account.",
                classes="form-intro",
                markup=False,
            )
            yield Field(
                "Email", Input(placeholder="name@example.com", id="email"), id="email-field"
            )
            yield Field("Password", Input(password=True, id="password"), id="password-field")
            yield self._remember_box()
            yield FormStatus(id="login-status")
            with Horizontal(classes="form-buttons"):
                yield Button("Log in", id="login", variant="primary")
                yield Button("Register (ctrl+r)", id="to-register")
                yield Button("Forgot password (ctrl+f)", id="to-reset")

    def _remember_box(self) -> TickBox:
        context = self.context
        if context.over_web:
            if context.can_remember:
                return TickBox("Remember me in this browser for 30 days", id="remember")
            return TickBox(
                "Remember me (needs cookies: allow them for this shop to use it)",
                id="remember",
                disabled=True,
            )
        if not context.over_ssh:
            return TickBox("Remember me on this computer for 30 days", id="remember")
        if context.can_remember:
            return TickBox("Remember me with this SSH key for 30 days", id="remember")
        return TickBox(
            "Remember me (needs an SSH key: connect with one to use it)",
            id="remember",
            disabled=True,
        )

    def on_mount(self) -> None:
        if self.email:
            self.query_one("#email", Input).value = self.email
            self.query_one("#password", Input).focus()
        else:
            self.query_one("#email", Input).focus()

    # -- actions -------------------------------------------------------------------
    def action_register(self) -> None:
        from buynow_tui.screens.register import RegisterScreen

        email = self.query_one("#email", Input).value
        self.app.switch_screen(RegisterScreen(after=self.after, email=email))

    def action_reset(self) -> None:
        from buynow_tui.screens.reset_password import ResetPasswordScreen

        self.app.push_screen(ResetPasswordScreen(email=self.query_one("#email", Input).value))

    @on(Button.Pressed, "#to-register")
    def _to_register(self) -> None:
        self.action_register()

    @on(Button.Pressed, "#to-reset")
    def _to_reset(self) -> None:
        self.action_reset()

    @on(Input.Submitted, "#email")
    def _email_entered(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(TickBox.Submitted, "#remember")
    @on(Button.Pressed, "#login")
    def submit(self) -> None:
        email = self.query_one("#email", Input).value.strip()
        password = self.query_one("#password", Input).value
        status = self.query_one(FormStatus)
        if not email or not password:
            status.say("Enter your email and your password.")
            self.query_one("#email" if not email else "#password", Input).focus()
            return
        button = self.query_one("#login", Button)
        if button.disabled:
            return  # already checking
        remember = self.query_one("#remember", Checkbox).value
        status.say("Checking your password…", "busy")
        button.label = "Logging in…"
        self.busy_while(self._sign_in(email, password, remember), button)

    @work(thread=True, group="login", exit_on_error=False, description="log in")
    def _sign_in(self, email: str, password: str, remember: bool) -> None:
        self.reply(self._logged_in, self.context.sign_in(email, password, remember))

    def _logged_in(self, signed_in: SignedIn) -> None:
        """The App logs the shopper in, closes this form and goes where they were going."""
        self.post_message(LoggedIn(signed_in, then=self.after))

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        self.query_one("#login", Button).label = "Log in"
        password = self.query_one("#password", Input)
        password.value = ""
        self.query_one(FormStatus).say(str(problem) or GENERIC_ERROR)
        password.focus()

    def prefill(self, email: str, message: str = "") -> None:
        """Used after a password reset: the email filled in, a word of what happened."""
        self.query_one("#email", Input).value = email
        if message:
            self.query_one(FormStatus).say(message, "ok")
        self.query_one("#password", Input).focus()
