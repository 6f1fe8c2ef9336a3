"""Register: every field of PRODUCT.md, each with its own message as you type or leave it.

The rules are the store's (`validation.check_*`), run live here and again by the
store on submit. Registering logs the shopper in and counts as accepting the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Select, Static
from textual.worker import Worker

from buynow_tui.messages import LoggedIn, Then
from buynow_tui.screens.base import BaseScreen
from buynow_tui.session import SignedIn
from buynow_tui.store import validation as rules
from buynow_tui.store.errors import StoreError
from buynow_tui.store.views import UserView
from buynow_tui.widgets.form import (
    PASSWORD_HINT,
    Field,
    FormStatus,
    StoreRule,
    TickBox,
    password_rule,
)

AGREE_LABEL = (
    "I agree to the privacy policy and to this shop keeping a login token "
    "for me if I choose Remember me"
)
AGREE_PROBLEM = "Tick the box to agree to the privacy policy."


class RegisterScreen(BaseScreen):
    SCREEN_TITLE = "Register"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "policy", "Privacy policy", id="register-policy"),
        Binding("ctrl+l", "login", "Log in instead", id="register-login"),
    ]

    def __init__(self, after: Then | None = None, *, email: str = "") -> None:
        super().__init__()
        self.after = after
        #: Typed on Log in before "Register": kept, and kept again for "Log in instead".
        self.email = email

    def compose_body(self) -> ComposeResult:
        questions = [(text, key) for key, text in rules.QUESTIONS.items()]
        with (
            VerticalScroll(classes="form-page"),
            Vertical(classes="form", id="register-form") as form,
        ):
            form.border_title = "Register"
            yield Field(
                "Email",
                Input(
                    placeholder="name@example.com",
                    id="email",
                    validators=[StoreRule(rules.check_email)],
                ),
                hint="You log in with it; it is never shown to others.",
                id="email-field",
            )
            yield Field(
                "Username",
                Input(id="username", validators=[StoreRule(rules.check_username)]),
                hint=f"What the shop calls you: 1 to {rules.USERNAME_MAX} characters.",
                id="username-field",
            )
            yield Field(
                "Password",
                Input(password=True, id="password", validators=[password_rule()]),
                hint=PASSWORD_HINT,
                id="password-field",
            )
            yield Field(
                "Password again",
                Input(password=True, id="password2"),
                hint="The same password once more, to be sure of it.",
                id="password2-field",
            )
            yield TickBox("Show the password", id="show-password")
            yield Field(
                "Security question",
                Select(questions, prompt="Choose a question", id="question"),
                hint="Asked if you ever forget your password.",
                id="question-field",
            )
            yield Field(
                "Answer",
                Input(id="answer", validators=[StoreRule(rules.check_answer)]),
                hint="Capitals and spaces around it do not matter.",
                id="answer-field",
            )
            yield Static(AGREE_LABEL, classes="agree-text", markup=False)
            yield TickBox("I agree", id="agree")
            yield Static("", id="agree-message", classes="field-message -empty", markup=False)
            yield FormStatus(id="register-status")
            with Horizontal(classes="form-buttons"):
                yield Button("Register", id="register", variant="primary")
                yield Button("Read the policy (ctrl+o)", id="read-policy")
                yield Button("Log in instead (ctrl+l)", id="to-login")

    def on_mount(self) -> None:
        email = self.query_one("#email", Input)
        if self.email:
            email.value = self.email
            self.query_one("#username", Input).focus()
        else:
            email.focus()

    # -- navigation -----------------------------------------------------------------
    def action_policy(self) -> None:
        self.app.push_screen(_privacy())

    def action_login(self) -> None:
        from buynow_tui.screens.login import LoginScreen

        email = self.query_one("#email", Input).value
        self.app.switch_screen(LoginScreen(after=self.after, email=email))

    @on(Button.Pressed, "#read-policy")
    def _read_policy(self) -> None:
        self.action_policy()

    @on(Button.Pressed, "#to-login")
    def _to_login(self) -> None:
        self.action_login()

    # -- the form -------------------------------------------------------------------
    @on(Checkbox.Changed, "#agree")
    def _agreed(self, event: Checkbox.Changed) -> None:
        if event.value:
            self._agree_problem(None)
        self._settle_status()

    @on(Checkbox.Changed, "#show-password")
    def _show_password(self, event: Checkbox.Changed) -> None:
        for box in ("#password", "#password2"):
            self.query_one(box, Input).password = not event.value

    @on(Input.Changed, "#password, #password2")
    def _passwords_typed(self) -> None:
        """Once the second password has been typed, say at once whether they match."""
        again = self.query_one("#password2", Input).value
        if again:
            self._check_repeat()
        else:
            self.query_one("#password2-field", Field).show_problem(None)

    def _check_repeat(self) -> bool:
        field = self.query_one("#password2-field", Field)
        same = self.query_one("#password2", Input).value == self.query_one("#password", Input).value
        field.show_problem(None if same else "The two passwords are not the same.")
        return same

    @on(TickBox.Submitted)
    def _enter_on_a_box(self) -> None:
        """Enter on a checkbox ("I agree", Show the password) submits, as in a field."""
        self.submit()

    @on(Input.Changed)
    @on(Select.Changed)
    def _settle_status(self) -> None:
        """Once every marked problem is fixed, the "please fix" line goes too."""
        status = self.query_one(FormStatus)
        if not status.has_class("-error"):
            return
        fixed = all(field.problem is None for field in self.query(Field))
        if fixed and not self.query_one("#agree-message").has_class("-error"):
            status.clear()

    def _agree_problem(self, problem: str | None) -> None:
        message = self.query_one("#agree-message", Static)
        message.update(problem or "")
        message.set_class(problem is not None, "-error")
        message.set_class(problem is None, "-empty")

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == "answer":
            self.submit()
        else:
            self.focus_next()

    @on(Button.Pressed, "#register")
    def submit(self) -> None:
        fields = list(self.query(Field))
        problems = [field for field in fields if not field.check()]
        repeat = self.query_one("#password2-field", Field)
        if repeat not in problems and not self._check_repeat():
            problems.append(repeat)
            problems.sort(key=fields.index)
        question = self.query_one("#question", Select)
        if question.is_blank():
            field = self.query_one("#question-field", Field)
            field.show_problem("Choose a security question.")
            problems.append(field)
            problems.sort(key=fields.index)
        agreed = self.query_one("#agree", Checkbox).value
        if not agreed:
            self._agree_problem(AGREE_PROBLEM)
        status = self.query_one(FormStatus)
        if problems or not agreed:
            status.say("Please fix the fields marked above.")
            if problems:
                problems[0].control.focus()
            else:
                self.query_one("#agree", Checkbox).focus()
            return
        button = self.query_one("#register", Button)
        if button.disabled:
            return
        status.say("Creating your account…", "busy")
        register = partial(
            self.services.accounts.register,
            email=self.query_one("#email", Input).value,
            username=self.query_one("#username", Input).value,
            password=self.query_one("#password", Input).value,
            question=str(question.value),
            answer=self.query_one("#answer", Input).value,
            agreed=agreed,
        )
        self.busy_while(self._register(register), button)

    @work(thread=True, group="register", exit_on_error=False, description="register")
    def _register(self, register: Callable[[], UserView]) -> None:
        self.reply(self._registered, register())

    def _registered(self, user: UserView) -> None:
        """The App logs the new shopper in, closes this form and goes where they were going."""
        self.post_message(LoggedIn(SignedIn(user), registered=True, then=self.after))

    def store_refused(self, worker: Worker[Any], error: StoreError) -> None:
        status = self.query_one(FormStatus)
        if error.field == "agree":
            self._agree_problem(str(error))
            status.say("Please fix the fields marked above.")
            return
        fields = {field.control.id: field for field in self.query(Field)}
        field = fields.get(error.field or "")
        if field is None:
            status.say(str(error))
            return
        field.show_problem(str(error))
        status.say("Please fix the fields marked above.")
        field.control.focus()


def _privacy() -> BaseScreen:
    from buynow_tui.screens.privacy import PrivacyScreen

    return PrivacyScreen()
