"""Pay: a saved card, or a card typed here (number, expiry, CVC), optionally saved.

The card lives in this form and in the checkout's memory only; the store's own card
checks run as the shopper types (the same rules the store applies on payment).
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from buynow_tui.screens.checkout.step import STEP_CSS, CheckoutStep
from buynow_tui.store import card_rules as cards
from buynow_tui.store.card_rules import CardEntry
from buynow_tui.store.checkout_views import CardView
from buynow_tui.widgets.form import Field, FormStatus, StoreRule, TickBox

NEW = "new"


class PayStep(CheckoutStep):
    STEP = "Pay"
    HELP_NOTES = (("enter", "Pay with the highlighted saved card, or go on with the card typed"),)
    DEFAULT_CSS = (
        "PayStep {"
        + STEP_CSS
        + """
        #saved-cards { height: auto; max-height: 6; }
        #card-form { height: auto; }
        .pair { height: auto; }
        .pair Field { width: 1fr; }
        #pay-buttons { height: auto; }
        #pay-buttons Button { margin-right: 2; }
    }"""
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "next", "Continue", id="pay-next", show=False),
    ]

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self.saved: list[CardView] | None = None

    def compose_step(self) -> ComposeResult:
        yield Static("Pay by card", id="step-title")
        yield OptionList(id="saved-cards")
        now = self.context.now()
        entry = self.state.card
        yield Field(
            "Card number",
            Input(
                value=entry.number if entry else "",
                placeholder="4242 4242 4242 4242",
                id="card-number",
                validators=[StoreRule(cards.card_digits)],
                validate_on=["changed", "blur"],
            ),
            id="field-card_number",
        )
        with Horizontal(classes="pair"):
            yield Field(
                "Expiry (MM/YY)",
                Input(
                    value=entry.expiry if entry else "",
                    placeholder="04/29",
                    id="card-expiry",
                    validators=[StoreRule(partial(cards.check_expiry, now=now))],
                    validate_on=["blur"],
                ),
                id="field-expiry",
            )
            yield Field(
                "CVC",
                Input(
                    value=entry.cvc if entry else "",
                    placeholder="123",
                    password=True,
                    id="card-cvc",
                    validators=[StoreRule(cards.check_cvc)],
                    validate_on=["blur"],
                ),
                id="field-cvc",
            )
        yield TickBox("Save this card for next time", self.state.save_card, id="save-card")
        yield FormStatus(id="pay-status")
        with Horizontal(id="pay-buttons"):
            yield Button("Continue (enter)", id="pay-next", variant="primary")
            yield Button("Back (esc)", id="pay-back")

    def on_mount(self) -> None:
        user = self.user
        if user is not None:
            self._load(user.id)
        self.query_one("#card-number", Input).focus()

    @work(thread=True, group="pay", exit_on_error=False)
    def _load(self, user_id: int) -> None:
        self.reply(self._show, self.services.cards.list(user_id))

    def _show(self, saved: list[CardView]) -> None:
        self.saved = saved
        options = self.query_one("#saved-cards", OptionList)
        options.display = bool(saved)
        options.clear_options()
        for card in saved:
            options.add_option(Option(Content(f"Pay with {card.label}"), id=str(card.id)))
        options.add_option(Option("Use a new card (below)", id=NEW))
        if saved:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#saved-cards")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        card = next((c for c in self.saved or [] if str(c.id) == event.option.id), None)
        if card is None:
            self.query_one("#card-number", Input).focus()
            return
        self.state.saved_card, self.state.card, self.state.save_card = card, None, False
        self._confirm()

    def _entry(self) -> CardEntry:
        return CardEntry(
            self.query_one("#card-number", Input).value,
            self.query_one("#card-expiry", Input).value,
            self.query_one("#card-cvc", Input).value,
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#pay-next")
    def action_next(self) -> None:
        entry = self._entry()
        found = cards.card_problems(entry, self.context.now())
        for name in ("card_number", "expiry", "cvc"):
            self.query_one(f"#field-{name}", Field).show_problem(found.get(name))
        if found:
            first = {"card_number": "#card-number", "expiry": "#card-expiry", "cvc": "#card-cvc"}
            self.query_one(first[next(iter(found))]).focus()
            self.query_one(FormStatus).say("Check the card details marked above.")
            return
        self.query_one(FormStatus).clear()
        self.state.card, self.state.saved_card = entry, None
        self.state.save_card = self.query_one("#save-card", TickBox).value
        self._confirm()

    def _confirm(self) -> None:
        from buynow_tui.screens.checkout.confirm import CheckoutScreen

        self.go_on(CheckoutScreen(self.state))

    def show_decline(self, text: str) -> None:
        """The card was refused at Confirm: say so here, under the number."""
        self.query_one("#field-card_number", Field).show_problem(text)
        self.query_one(FormStatus).say(text)

    @on(Button.Pressed, "#pay-back")
    def _back(self) -> None:
        self.action_back()
