"""Account: who you are, where orders ship, and the ways to change it or log out.

Below the details: the address book and saved cards of the checkout (issue 15,
`account_book`): `a` adds an address from anywhere on the screen; the lists' own keys
(enter edit, d default, x remove) work while one has the focus.

Never shows the security answer (the store does not have it, only its hash). The
changes open small dialogs (`account_dialogs`), so the keys here are plain letters.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Label, Static

from buynow_tui.messages import LoggedOut
from buynow_tui.screens.account_book import AccountBook
from buynow_tui.screens.base import BaseScreen, off_the_footer
from buynow_tui.store.views import UserView
from buynow_tui.widgets.safe import safe_text

NO_ADDRESS = "Not set yet (e); the checkout uses your addresses."


def local_date(user: UserView) -> str:
    return user.created_at.astimezone().strftime("%d %B %Y")


class AccountScreen(BaseScreen):
    SCREEN_TITLE = "Account"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_address", "Address", id="account-address"),
        Binding("p", "change_password", "Password", id="account-password"),
        Binding("c", "change_question", "Question", id="account-question"),
        Binding("l", "log_out", "Log out", id="account-logout"),
        Binding("a", "add_address", "New address", id="account-add-address", show=False),
        *off_the_footer("back", "search"),  # the footer fits 80 columns
    ]

    #: Help's first row on Account: the address book's enter (not a binding).
    HELP_NOTES = (("enter", "Edit the highlighted address (in Addresses)"),)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="page", id="account"):
            with Grid(id="account-details") as details:
                details.border_title = "Your account"
                for key, label in (
                    ("id", "User id"),
                    ("username", "Username"),
                    ("email", "Email"),
                    ("question", "Security question"),
                    ("since", "Member since"),
                    ("address", "Ships to"),
                ):
                    yield Label(label, classes="detail-label")
                    yield Static("", id=f"detail-{key}", classes="detail-value", markup=False)
            with Horizontal(classes="form-buttons", id="account-actions"):
                # Short labels, so that the four fit in a row from 60 columns.
                yield Button("Address (e)", id="edit-address")
                yield Button("Password (p)", id="change-password")
                yield Button("Question (c)", id="change-question")
                yield Button("Log out (l)", id="log-out", variant="error")
            yield AccountBook(id="account-book")

    def on_mount(self) -> None:
        self.watch(self.app, "user", self._show)

    def _show(self, user: UserView | None) -> None:
        if user is None:
            return
        values = {
            "id": str(user.id),
            "username": user.username,
            "email": user.email,
            "question": user.question_text,
            "since": local_date(user),
            "address": user.ship_address or NO_ADDRESS,
        }
        for key, value in values.items():
            self.query_one(f"#detail-{key}", Static).update(
                safe_text(value, multiline=key == "address")
            )

    # -- actions -------------------------------------------------------------------
    def action_edit_address(self) -> None:
        from buynow_tui.screens.account_dialogs import AddressDialog

        if self.user is not None:
            self.app.push_screen(AddressDialog(self.user.ship_address or ""))

    def action_add_address(self) -> None:
        self.query_one(AccountBook).add_address()

    def action_change_password(self) -> None:
        from buynow_tui.screens.account_dialogs import PasswordDialog

        self.app.push_screen(PasswordDialog())

    def action_change_question(self) -> None:
        from buynow_tui.screens.account_dialogs import QuestionDialog

        if self.user is not None:
            self.app.push_screen(QuestionDialog(self.user.question))

    def action_log_out(self) -> None:
        self.post_message(LoggedOut())

    @on(Button.Pressed, "#edit-address")
    def _edit_address(self) -> None:
        self.action_edit_address()

    @on(Button.Pressed, "#change-password")
    def _change_password(self) -> None:
        self.action_change_password()

    @on(Button.Pressed, "#change-question")
    def _change_question(self) -> None:
        self.action_change_question()

    @on(Button.Pressed, "#log-out")
    def _log_out(self) -> None:
        self.action_log_out()
