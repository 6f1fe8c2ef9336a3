"""Delivery: standard or express, priced by the store for this cart."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from buynow_tui.screens.checkout.step import STEP_CSS, CheckoutStep
from buynow_tui.store.checkout_views import DeliveryQuote
from buynow_tui.store.views import dollars


def quote_label(quote: DeliveryQuote) -> str:
    price = "free" if quote.price_cents == 0 else dollars(quote.price_cents)
    note = ""
    if quote.free_from_cents is not None and quote.price_cents:
        note = f" (free from {dollars(quote.free_from_cents)})"
    return f"{quote.label}, {quote.days}: {price}{note}"


class DeliveryStep(CheckoutStep):
    STEP = "Delivery"
    HELP_NOTES = (("enter", "Choose the highlighted option"),)
    DEFAULT_CSS = "DeliveryStep {" + STEP_CSS + "#options { height: auto; } }"

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self.quotes: list[DeliveryQuote] | None = None

    def compose_step(self) -> ComposeResult:
        yield Static("How fast?", id="step-title")
        yield OptionList(id="options")
        yield Static("enter chooses · esc back to Ship to", id="step-hint")

    def on_mount(self) -> None:
        self._load(self.state.cart.subtotal_cents)

    @work(thread=True, group="delivery", exit_on_error=False)
    def _load(self, subtotal: int) -> None:
        self.reply(self._show, self.services.checkout.delivery_quotes(subtotal))

    def _show(self, quotes: list[DeliveryQuote]) -> None:
        self.quotes = quotes
        options = self.query_one("#options", OptionList)
        options.clear_options()
        for quote in quotes:
            options.add_option(Option(Content(quote_label(quote)), id=quote.option))
        chosen = self.state.delivery.option if self.state.delivery else quotes[0].option
        options.highlighted = next(n for n, q in enumerate(quotes) if q.option == chosen)
        options.focus()

    @on(OptionList.OptionSelected, "#options")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        quote = next((q for q in self.quotes or [] if q.option == event.option.id), None)
        if quote is None:
            return
        from buynow_tui.screens.checkout.pay import PayStep

        self.state.delivery = quote
        self.go_on(PayStep(self.state))
