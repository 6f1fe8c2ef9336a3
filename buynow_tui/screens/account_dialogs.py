"""The Account screen's dialogs: shipping address, password, security question.

Each is a small modal form; the store checks everything again and the dialog shows
its refusal under the right field. `escape` closes without changing anything. A wrong
current password counts towards the account's lockout as at Log in: after five, the
dialog says until when the account is locked.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static, TextArea
from textual.worker import Worker

from buynow_tui.messages import LoginsRevoked, UserChanged
from buynow_tui.screens.base import DialogScreen
from buynow_tui.store import validation as rules
from buynow_tui.store.errors import StoreError
from buynow_tui.store.views import UserView
from buynow_tui.widgets.form import PASSWORD_HINT, Field, FormStatus, StoreRule, password_rule


class AccountDialog(DialogScreen):
    """The frame of the three dialogs: a titled box, its fields, Save and Cancel."""

    DIALOG_TITLE = ""
    SAVE = "Save"
    #: The input whose enter saves; enter in any other input moves to the next field.
    LAST_INPUT = ""

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self.DIALOG_TITLE
            yield from self.compose_fields()
            yield FormStatus()
            with Horizontal(classes="form-buttons"):
                yield Button(self.SAVE, id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def compose_fields(self) -> ComposeResult:
        yield from ()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.save()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        if event.input.id == self.LAST_INPUT:
            self.save()
        else:
            self.focus_next()

    def save(self) -> None:
        raise NotImplementedError

    def store_refused(self, worker: Worker[Any], error: StoreError) -> None:
        fields = {field.control.id: field for field in self.query(Field)}
        field = fields.get(error.field or "")
        if field is not None:
            field.show_problem(str(error))
            field.control.focus()
            self.query_one(FormStatus).clear()
        else:
            self.query_one(FormStatus).say(str(error))

    def _user_id(self) -> int | None:
        user = self.user
        return user.id if user else None

    def _saved(self, user: UserView, message: str) -> None:
        """The account as the store has it now; close, and say what changed."""
        self.post_message(UserChanged(user))
        self.dismiss(user)
        self.app.notify(message, markup=False)


class AddressDialog(AccountDialog):
    DIALOG_TITLE = "Shipping address"

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def compose_fields(self) -> ComposeResult:
        yield Static(
            "Where your orders ship.",
            classes="form-intro",
            markup=False,
        )
        area = TextArea(self.address, id="address", soft_wrap=True, show_line_numbers=False)
        yield Field(
            "Address (several lines are fine)",
            area,
            hint=f"At most {rules.ADDRESS_MAX} characters.",
        )

    def on_mount(self) -> None:
        self.query_one("#address", TextArea).focus()

    def save(self) -> None:
        user_id = self._user_id()
        if user_id is None:
            return
        text = self.query_one("#address", TextArea).text
        self.query_one(FormStatus).say("Saving…", "busy")
        self.busy_while(self._save(user_id, text), self.query_one("#save", Button))

    @work(thread=True, group="account", exit_on_error=False)
    def _save(self, user_id: int, address: str) -> None:
        user = self.services.accounts.set_address(user_id, address)
        self.reply(self._saved, user, "Shipping address saved.")


class PasswordDialog(AccountDialog):
    LAST_INPUT = "repeat_password"
    DIALOG_TITLE = "Change password"
    SAVE = "Change password"

    def compose_fields(self) -> ComposeResult:
        yield Field("Current password", Input(password=True, id="current_password"))
        yield Field(
            "New password",
            Input(password=True, id="new_password", validators=[password_rule("new_password")]),
            hint=PASSWORD_HINT,
        )
        yield Field("New password again", Input(password=True, id="repeat_password"))
        yield Static(
            "Changing it logs out every remembered device.", classes="form-intro", markup=False
        )

    def on_mount(self) -> None:
        self.query_one("#current_password", Input).focus()

    def save(self) -> None:
        user_id = self._user_id()
        if user_id is None:
            return
        current = self.query_one("#current_password", Input).value
        new_field = self.query_one("#new_password", Input).parent
        assert isinstance(new_field, Field)
        if not new_field.check():
            new_field.control.focus()
            return
        new = self.query_one("#new_password", Input).value
        repeat_field = self.query_one("#repeat_password", Input).parent
        assert isinstance(repeat_field, Field)
        if self.query_one("#repeat_password", Input).value != new:
            repeat_field.show_problem("The two new passwords are not the same.")
            repeat_field.control.focus()
            return
        repeat_field.show_problem(None)
        self.query_one(FormStatus).say("Changing your password…", "busy")
        self.busy_while(self._change(user_id, current, new), self.query_one("#save", Button))

    @work(thread=True, group="account", exit_on_error=False, description="change a password")
    def _change(self, user_id: int, current: str, new: str) -> None:
        self.services.accounts.change_password(user_id, current, new)
        self.reply(self._changed)

    def _changed(self) -> None:
        self.post_message(LoginsRevoked())
        self.dismiss(True)
        self.app.notify("Password changed. Remembered logins were signed out.", markup=False)


class QuestionDialog(AccountDialog):
    LAST_INPUT = "current_password"
    DIALOG_TITLE = "Change security question"
    SAVE = "Change question"

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose_fields(self) -> ComposeResult:
        options = [(text, key) for key, text in rules.QUESTIONS.items()]
        value = self.question if self.question in rules.QUESTIONS else Select.NULL
        yield Field(
            "Security question", Select(options, value=value, allow_blank=False, id="question")
        )
        yield Field("Answer", Input(id="answer", validators=[StoreRule(rules.check_answer)]))
        yield Field(
            "Your password",
            Input(password=True, id="current_password"),
            hint="To confirm it is you.",
        )

    def on_mount(self) -> None:
        self.query_one("#question", Select).focus()

    def save(self) -> None:
        user_id = self._user_id()
        if user_id is None:
            return
        answer_field = self.query_one("#answer", Input).parent
        assert isinstance(answer_field, Field)
        if not answer_field.check():
            answer_field.control.focus()
            return
        self.query_one(FormStatus).say("Saving your question…", "busy")
        worker = self._change(
            user_id,
            self.query_one("#current_password", Input).value,
            str(self.query_one("#question", Select).value),
            self.query_one("#answer", Input).value,
        )
        self.busy_while(worker, self.query_one("#save", Button))

    @work(thread=True, group="account", exit_on_error=False, description="change a question")
    def _change(self, user_id: int, password: str, question: str, answer: str) -> None:
        user = self.services.accounts.change_question(user_id, password, question, answer)
        self.reply(self._saved, user, "Security question changed.")
