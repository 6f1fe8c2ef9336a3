"""Reset password: email, then the security question, then answer and new password.

The question shown for an unknown email is a stable decoy (the store's), and a wrong
answer gets one generic message, so the form never tells who has an account. The
same lockout as Log in applies, and the question step is throttled the same way: too
many look-ups of one email and step 1 says until when, for any email alike. Success
revokes every Remember me and leads back to Log in with the email filled in.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Static
from textual.worker import Worker

from buynow_tui.screens.base import BaseScreen
from buynow_tui.store import validation as rules
from buynow_tui.store.errors import StoreError
from buynow_tui.widgets.form import PASSWORD_HINT, Field, FormStatus, password_rule

DONE_MESSAGE = "Your password has been changed. Log in with the new one."


class ResetPasswordScreen(BaseScreen):
    SCREEN_TITLE = "Reset password"

    def __init__(self, email: str = "") -> None:
        super().__init__()
        self.email = email.strip()

    def compose_body(self) -> ComposeResult:
        with (
            VerticalScroll(classes="form-page"),
            Vertical(classes="form", id="reset-form") as form,
        ):
            form.border_title = "Reset password"
            with Vertical(id="step-email"):
                yield Static(
                    "Step 1 of 2: the email you registered with.",
                    classes="form-intro",
                    markup=False,
                )
                yield Field(
                    "Email",
                    Input(self.email, placeholder="name@example.com", id="email"),
                    id="email-field",
                )
                with Horizontal(classes="form-buttons"):
                    yield Button("Continue", id="continue", variant="primary")
            with Vertical(id="step-answer"):
                yield Static(
                    "Step 2 of 2: answer your security question and choose a new password.",
                    classes="form-intro",
                    markup=False,
                )
                yield Static("", id="question", markup=False)
                yield Field("Answer", Input(id="answer"), id="answer-field")
                yield Field(
                    "New password",
                    Input(
                        password=True,
                        id="new_password",
                        validators=[password_rule("new_password")],
                    ),
                    hint=PASSWORD_HINT,
                    id="new-password-field",
                )
                with Horizontal(classes="form-buttons"):
                    yield Button("Change password", id="change", variant="primary")
                    yield Button("Back to step 1", id="back-to-email")
            yield FormStatus(id="reset-status")

    def on_mount(self) -> None:
        self._step("email")

    def _step(self, name: str) -> None:
        self.query_one("#step-email").display = name == "email"
        self.query_one("#step-answer").display = name == "answer"
        self.query_one("#email" if name == "email" else "#answer", Input).focus()

    # -- step 1 --------------------------------------------------------------------
    @on(Input.Submitted, "#email")
    @on(Button.Pressed, "#continue")
    def ask_question(self) -> None:
        email = self.query_one("#email", Input).value.strip()
        field = self.query_one("#email-field", Field)
        try:
            rules.check_email(email)
        except StoreError as error:
            field.show_problem(str(error))
            return
        field.show_problem(None)
        self.email = email
        self.query_one(FormStatus).say("Looking up your question…", "busy")
        self.busy_while(self._ask(email), self.query_one("#continue", Button))

    @work(thread=True, group="reset", exit_on_error=False)
    def _ask(self, email: str) -> None:
        self.reply(self._show_question, self.services.accounts.question_for(email))

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        if worker.name == "_ask":
            self.query_one(FormStatus).say(str(problem))
            self.query_one("#email", Input).focus()
        else:
            self._refused(problem)

    def _show_question(self, question: str) -> None:
        self.query_one("#question", Static).update(Content(question))
        self.query_one(FormStatus).clear()
        self._step("answer")

    @on(Button.Pressed, "#back-to-email")
    def _back_to_email(self) -> None:
        self.query_one(FormStatus).clear()
        self._step("email")

    # -- step 2 --------------------------------------------------------------------
    @on(Input.Submitted, "#answer")
    def _answer_entered(self) -> None:
        self.query_one("#new_password", Input).focus()

    @on(Input.Submitted, "#new_password")
    @on(Button.Pressed, "#change")
    def change_password(self) -> None:
        answer = self.query_one("#answer", Input).value
        status = self.query_one(FormStatus)
        if not answer.strip():
            self.query_one("#answer-field", Field).show_problem(
                "Enter the answer to your question."
            )
            self.query_one("#answer", Input).focus()
            return
        self.query_one("#answer-field", Field).show_problem(None)
        password_field = self.query_one("#new-password-field", Field)
        if not password_field.check():
            password_field.control.focus()
            return
        button = self.query_one("#change", Button)
        if button.disabled:
            return
        status.say("Checking your answer…", "busy")
        new_password = self.query_one("#new_password", Input).value
        self.busy_while(self._reset(self.email, answer, new_password), button)

    @work(thread=True, group="reset", exit_on_error=False, description="reset a password")
    def _reset(self, email: str, answer: str, new_password: str) -> None:
        self.services.accounts.reset_password(email, answer, new_password)
        self.reply(self._changed)

    def _changed(self) -> None:
        from buynow_tui.screens.login import LoginScreen

        email = self.email
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        if isinstance(below, LoginScreen):
            self.dismiss()
            below.prefill(email, DONE_MESSAGE)
        else:
            login = LoginScreen()
            self.app.switch_screen(login)
            self.app.call_after_refresh(login.prefill, email, DONE_MESSAGE)

    def _refused(self, error: StoreError) -> None:
        status = self.query_one(FormStatus)
        if error.field == "new_password":
            self.query_one("#new-password-field", Field).show_problem(str(error))
            status.clear()
            return
        self.query_one("#answer", Input).value = ""
        status.say(str(error))
        self.query_one("#answer", Input).focus()
