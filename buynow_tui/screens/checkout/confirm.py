"""Confirm: where it ships, how, the card, what it costs; then one order, paid.

One `checkout_key` per confirmation: a second confirm (a double key press, a retry)
returns the order the first made, never a second one. While the store call runs the
confirm key and button are disabled.

What is confirmed is what is ordered: the store gets the figures this step shows (a
`Confirmation`: lines, total with the delivery chosen, address). If anything changed
meanwhile (a price, a line) it refuses, naming each change; the step then reads the
cart again and shows the new figures, to be confirmed afresh. A declined card is said
in words here (nothing charged, the cart as it was); `escape` goes back to Pay to use
another card, and the next confirm is a new confirmation.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import uuid4

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Static
from textual.worker import Worker

from buynow_tui.screens.checkout.state import CheckoutState
from buynow_tui.screens.checkout.step import STEP_CSS, TO_CART, CheckoutStep
from buynow_tui.store.errors import CartChanged, StoreError
from buynow_tui.store.views import CartView, Confirmation, dollars
from buynow_tui.widgets.safe import safe_text
from buynow_tui.widgets.totals import Totals


class CheckoutScreen(CheckoutStep):
    """The last step; dismisses with the receipt of the paid order."""

    STEP = "Confirm"
    HELP_NOTES = ()
    DEFAULT_CSS = (
        "CheckoutScreen {"
        + STEP_CSS
        + """
        .label { text-style: bold; }
        #address-shown { height: auto; }
        #totals { padding: 0; }
        #message { margin-top: 1; color: $text-error; text-style: bold; }
        #message.-progress { color: $text-muted; text-style: none; }
        #buttons { height: auto; margin-top: 1; }
        #buttons Button { margin-right: 2; }
    }"""
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Place order", id="checkout-confirm"),
        Binding("enter", "confirm", "Place order", id="checkout-confirm-enter", show=False),
        Binding("n", "back", "Back", id="checkout-cancel", show=False),
    ]

    def __init__(self, state: CheckoutState) -> None:
        super().__init__(state)
        self.placing = False

    @property
    def checkout_key(self) -> str:
        return self.state.checkout_key

    @property
    def cart(self) -> CartView:
        return self.state.cart

    def compose_step(self) -> ComposeResult:
        state = self.state
        yield Static("Ship to", classes="label")
        yield Static(safe_text(state.ship_to.replace("\n", ", ")), id="address-shown")
        delivery = state.delivery.label if state.delivery else "Standard"
        yield Static(Content(f"Delivery: {delivery} · Pay with: {state.card_label}"), id="how")
        yield Static(self._count_text(), id="count")
        totals = Totals(id="totals")
        totals.show(state.cart.subtotal_cents, state.delivery_cents, state.total_cents)
        yield totals
        yield Static(id="message")
        with Horizontal(id="buttons"):
            yield Button(f"Pay {dollars(state.total_cents)} (y)", id="confirm", variant="primary")
            yield Button("Back (esc)", id="cancel")

    def _count_text(self) -> str:
        cart = self.state.cart
        items = f"{cart.count} item{'s' if cart.count != 1 else ''}"
        units = f"{cart.units} unit{'s' if cart.units != 1 else ''}"
        return f"{items}, {units}"

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        self.query_one("#confirm", Button).focus()

    # -- confirm --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm", "back"):
            return None if self.placing else True
        return True

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        if self.placing or self.user is None or self.state.address is None:
            return
        self._busy(True, "Placing your order and charging your card…")
        state = self.state
        shown = Confirmation(
            Confirmation.of(state.cart, state.ship_to).lines, state.total_cents, state.ship_to
        )
        self._place(self.user.id, state, shown)

    @work(thread=True, group="checkout", exit_on_error=False)
    def _place(self, user_id: int, state: CheckoutState, shown: Confirmation) -> None:
        assert state.address is not None
        receipt = self.services.checkout.place(
            user_id,
            address_id=state.address.id,
            delivery_option=state.delivery.option if state.delivery else "standard",
            card=state.card,
            saved_card=state.saved_card.id if state.saved_card else None,
            save_card=state.save_card,
            checkout_key=state.checkout_key,
            expected=shown,
        )
        self.reply(self.dismiss, receipt)

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        if isinstance(problem, CartChanged):
            self._reread(self.state.shopper.id, problem)
            return
        if problem.field in ("card_number", "expiry", "cvc"):
            self.state.checkout_key = uuid4().hex  # the next try is a new confirmation
            text = f"{problem} Press escape to use another card."
            self._busy(False, text, error=True)
            return
        self._busy(False, str(problem), error=True)

    # -- the figures changed: show the new ones ---------------------------------------
    @work(thread=True, group="checkout", exit_on_error=False)
    def _reread(self, user_id: int, changed: CartChanged) -> None:
        services = self.services
        cart = services.cart.get(user_id)
        quotes = services.checkout.delivery_quotes(cart.subtotal_cents)
        address = self.state.address
        ship_to = (
            services.checkout.ship_to_text(user_id, address.id) if address else self.state.ship_to
        )
        self.reply(self._show_new_figures, changed, cart, quotes, ship_to)

    def _show_new_figures(
        self, changed: CartChanged, cart: CartView, quotes: list[Any], ship_to: str
    ) -> None:
        if cart.is_empty:
            self.notify(str(changed), severity="warning", markup=False)
            self.dismiss(TO_CART)  # nothing left to buy: back to the Cart, past every step
            return
        state = self.state
        state.cart = cart
        if state.delivery is not None:
            state.delivery = next(q for q in quotes if q.option == state.delivery.option)
        state.checkout_key = uuid4().hex  # new figures, a new confirmation
        state.ship_to = ship_to  # edited in another session: shown before ordering to it
        self.query_one("#address-shown", Static).update(safe_text(ship_to.replace("\n", ", ")))
        self.query_one("#count", Static).update(self._count_text())
        self.query_one("#totals", Totals).show(
            cart.subtotal_cents, state.delivery_cents, state.total_cents
        )
        self.query_one("#confirm", Button).label = f"Pay {dollars(state.total_cents)} (y)"
        self._busy(False, str(changed), error=True)

    def _busy(self, busy: bool, text: str, error: bool = False) -> None:
        self.placing = busy
        self.query_one("#confirm", Button).disabled = busy
        self.query_one("#cancel", Button).disabled = busy
        message = self.query_one("#message", Static)
        message.update(Content(text))
        message.set_class(not error, "-progress")
        message.display = bool(text)
        self.refresh_bindings()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        if not self.placing:
            self.action_back()

    def action_back(self) -> None:
        if not self.placing:
            self.dismiss(None)
