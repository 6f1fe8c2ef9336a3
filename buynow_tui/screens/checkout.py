"""The checkout confirmation: where it ships, what it costs, then one order.

One `checkout_key` per confirmation: a second confirm (a double key press, a retry)
returns the order the first made, never a second one. While the store call runs the
confirm key and button are disabled. A shopper without an address types one here;
it is saved to their account before the order is placed.

What is confirmed is what is ordered: the store gets the figures this dialog shows (a
`Confirmation`: lines, total, address). If anything changed meanwhile (a price, a
line, the address) it refuses, naming each change; the dialog then reads the cart
and the account again and shows the new figures, to be confirmed afresh.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import uuid4

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static
from textual.worker import Worker

from buynow_tui.messages import UserChanged
from buynow_tui.screens.base import InContext
from buynow_tui.store.errors import CartChanged, StoreError
from buynow_tui.store.views import CartView, Confirmation, OrderDetail, UserView
from buynow_tui.widgets.footer import ShopFooter
from buynow_tui.widgets.totals import Totals


class AddressInput(Input):
    """The address box; its enter places the order, and the footer says so."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Place order", id="checkout-address-submit")
    ]


class CheckoutScreen(InContext, ModalScreen[OrderDetail | None]):
    """Dismisses with the placed order, or None if the shopper cancels."""

    DEFAULT_CSS = """
    CheckoutScreen {
        align: center middle;
        #dialog {
            width: 64;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: thick $primary;
            background: $surface;
            padding: 0 2;
        }
        #title { text-style: bold; margin-bottom: 1; }
        #ship-label { text-style: bold; }
        #address-shown { margin-bottom: 1; }
        #address-error { color: $error; }
        #count { margin-top: 1; }
        #totals { padding: 0; }
        #message { margin-top: 1; color: $error; }
        #message.-progress { color: $text-muted; }
        #buttons { height: auto; margin-top: 1; }
        #buttons Button { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Place order", id="checkout-confirm"),
        Binding("enter", "confirm", "Place order", id="checkout-confirm-enter", show=False),
        Binding("n,escape", "cancel", "Cancel", id="checkout-cancel"),
    ]

    def __init__(self, cart: CartView, shopper: UserView) -> None:
        super().__init__()
        self.cart = cart
        #: The account as this dialog last read it: its address is where the order ships.
        self.shopper = shopper
        self.checkout_key = uuid4().hex
        self.needs_address = not shopper.ship_address
        self.placing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Check out", id="title")
            yield Static("Ship to", id="ship-label")
            if self.needs_address:
                yield Static("Your account has no shipping address yet. Where should this go?")
                yield AddressInput(placeholder="Street, city, postcode, country", id="address")
                yield Static(id="address-error")
            else:
                yield Static(Content(self.shopper.ship_address or ""), id="address-shown")
            yield Static(self._count_text(), id="count")
            totals = Totals(id="totals")
            totals.show(self.cart.subtotal_cents, self.cart.shipping_cents, self.cart.total_cents)
            yield totals
            yield Static(id="message")
            with Horizontal(id="buttons"):
                yield Button("Place order (y)", id="confirm", variant="primary")
                yield Button("Cancel (n)", id="cancel")
        yield ShopFooter()

    def _count_text(self) -> str:
        items = f"{self.cart.count} item{'s' if self.cart.count != 1 else ''}"
        units = f"{self.cart.units} unit{'s' if self.cart.units != 1 else ''}"
        return f"{items}, {units}"

    def on_mount(self) -> None:
        self.query_one("#message").display = False
        if self.needs_address:
            self.query_one("#address", Input).focus()
        else:
            self.query_one("#confirm", Button).focus()

    # -- confirm --------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm", "cancel"):
            return None if self.placing else True
        return True

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted, "#address")
    def action_confirm(self) -> None:
        if self.placing:
            return
        if self.needs_address:
            address = self.query_one("#address", Input).value
            if not address.strip():
                self._address_error("Enter a shipping address.")
                return
            self._busy(True, "Saving your address…")
            self._save_address(self.shopper.id, address)
        else:
            self._place()

    @work(thread=True, group="checkout", exit_on_error=False)
    def _save_address(self, user_id: int, address: str) -> None:
        self.reply(self._address_saved, self.services.accounts.set_address(user_id, address))

    def _address_saved(self, user: UserView) -> None:
        self.shopper = user
        self.post_message(UserChanged(user))  # the account now has this address
        self.needs_address = False
        self.query_one("#address-error", Static).update("")
        self._place()

    def _place(self) -> None:
        self._busy(True, "Placing your order…")
        shown = Confirmation.of(self.cart, self.shopper.ship_address or "")
        self._checkout(self.shopper.id, self.checkout_key, shown)

    @work(thread=True, group="checkout", exit_on_error=False)
    def _checkout(self, user_id: int, key: str, shown: Confirmation) -> None:
        order = self.services.orders.checkout(user_id, checkout_key=key, expected=shown)
        self.reply(self.dismiss, order)

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        if isinstance(problem, CartChanged):
            self._reread(self.shopper.id, problem)
            return
        self._busy(False, str(problem), error=True)
        if problem.field == "address" and self.needs_address:
            self._address_error(str(problem))

    # -- the figures changed: show the new ones ---------------------------------------
    @work(thread=True, group="checkout", exit_on_error=False)
    def _reread(self, user_id: int, changed: CartChanged) -> None:
        services = self.services
        cart, user = services.cart.get(user_id), services.accounts.get(user_id)
        self.reply(self._show_new_figures, changed, cart, user)

    def _show_new_figures(self, changed: CartChanged, cart: CartView, user: UserView) -> None:
        if cart.is_empty:
            self.notify(str(changed), severity="warning", markup=False)
            self.dismiss(None)
            return
        self.cart, self.shopper = cart, user
        self.post_message(UserChanged(user))  # the account as the store has it now
        self.checkout_key = uuid4().hex  # new figures, a new confirmation
        if not self.needs_address:
            self.query_one("#address-shown", Static).update(Content(user.ship_address or ""))
        self.query_one("#count", Static).update(self._count_text())
        self.query_one("#totals", Totals).show(
            cart.subtotal_cents, cart.shipping_cents, cart.total_cents
        )
        self._busy(False, str(changed), error=True)

    def _address_error(self, text: str) -> None:
        self.query_one("#address-error", Static).update(Content(text))
        self.query_one("#address", Input).focus()

    def _busy(self, busy: bool, text: str, error: bool = False) -> None:
        self.placing = busy
        self.query_one("#confirm", Button).disabled = busy
        self.query_one("#cancel", Button).disabled = busy
        message = self.query_one("#message", Static)
        message.update(Content(text))
        message.set_class(not error, "-progress")
        message.display = bool(text)
        self.refresh_bindings()

    # -- cancel -----------------------------------------------------------------------
    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.placing:
            self.dismiss(None)
