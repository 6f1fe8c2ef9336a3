"""Form pieces shared by the account screens: a labelled field with its own message.

The rules are the store's own `check_*` functions (`StoreRule`), run live as the
shopper types or leaves a field; the store runs them again on submit and never
trusts the form. Messages are plain text (never markup).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static

from buynow_tui.store import validation as rules
from buynow_tui.store.errors import StoreError

PASSWORD_HINT = (
    f"At least {rules.PASSWORD_MIN_CHARS} characters and at most {rules.PASSWORD_MAX_BYTES} bytes "
    "(72 plain letters; accented letters and emoji take more)."
)


class StoreRule(Validator):
    """One of the store's pure `check_*` functions as a Textual validator."""

    def __init__(self, check: Callable[[str], object]) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except StoreError as error:
            return self.failure(str(error))
        return self.success()


def password_rule(field: str = "password") -> StoreRule:
    """The store's password rule; `field` names the form field its refusal is for."""
    return StoreRule(partial(rules.check_password, field=field))


class Field(Vertical):
    """A label, a control (Input or Select) and a line for the hint or the problem."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > .field-label { padding: 0 1; }
    Field > .field-message { padding: 0 1; color: $text-muted; height: auto; }
    Field > .field-message.-error { color: $text-error; text-style: bold; }
    Field > .field-message.-empty { display: none; }
    """

    def __init__(
        self, label: str, control: Widget, *, hint: str = "", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.label = label
        self.control = control
        self.hint = hint
        self.problem: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(Content(self.label), classes="field-label")
        yield self.control
        message = Static(Content(self.hint), classes="field-message")
        message.set_class(not self.hint, "-empty")
        yield message

    def show_problem(self, problem: str | None) -> None:
        """Show `problem` under the field, or the hint again when `None`."""
        self.problem = problem
        message = self.query_one(".field-message", Static)
        text = problem if problem is not None else self.hint
        message.update(Content(text))
        message.set_class(problem is not None, "-error")
        message.set_class(not text, "-empty")

    def check(self) -> bool:
        """Validate now (as on submit); True when the field is fine."""
        if isinstance(self.control, Input):
            result = self.control.validate(self.control.value)
            self._show_result(result)
        return self.problem is None

    def _show_result(self, result: ValidationResult | None) -> None:
        if result is None:
            return
        self.show_problem(None if result.is_valid else result.failure_descriptions[0])

    @on(Input.Changed)
    @on(Input.Blurred)
    def _validated(self, event: Input.Changed | Input.Blurred) -> None:
        if event.input is self.control:
            self._show_result(event.validation_result)

    @on(Select.Changed)
    def _selected(self, event: Select.Changed) -> None:
        if event.select is self.control and not event.select.is_blank():
            self.show_problem(None)


class FormStatus(Static):
    """One line under a form: what is happening, or what went wrong (in words)."""

    DEFAULT_CSS = """
    FormStatus { padding: 0 1; height: auto; }
    FormStatus.-empty { display: none; }
    FormStatus.-error { color: $text-error; text-style: bold; }
    FormStatus.-busy { color: $text-muted; text-style: italic; }
    FormStatus.-ok { color: $text-success; }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__("", id=id, classes="-empty", markup=False)

    def say(self, text: str, kind: str = "error") -> None:
        self.update(Content(text))
        for name in ("error", "busy", "ok"):
            self.set_class(name == kind, f"-{name}")
        self.set_class(not text, "-empty")

    def clear(self) -> None:
        self.say("", "")


class TickBox(Checkbox):
    """A form's checkbox: space ticks it, enter submits the form (`Submitted`), as in
    any other field; its state shows as a mark, not by colour alone (NO_COLOR).

    Textual's Checkbox ticks on enter too: a shopper who ticked Remember me and pressed
    enter to log in found it unticked and was not logged in.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "Tick", show=False, id="tick"),
        Binding("enter", "submit", "Submit", show=False, id="tick-submit"),
    ]

    class Submitted(Message):
        """Enter on the box: the form it belongs to is submitted."""

        def __init__(self, box: TickBox) -> None:
            super().__init__()
            self.box = box

        @property
        def control(self) -> TickBox:
            return self.box

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "X" if self.value else " "
