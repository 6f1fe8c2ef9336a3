"""What every checkout step shares: the dialog frame, the breadcrumb, back and on."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from buynow_tui.screens.base import FitsWindow, InContext
from buynow_tui.screens.checkout.state import CheckoutState
from buynow_tui.store.checkout_views import Receipt
from buynow_tui.widgets.breadcrumb import Breadcrumb
from buynow_tui.widgets.footer import ShopFooter
from buynow_tui.widgets.too_small import TooSmall

STEP_CSS = """
#step {
    width: 76;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: thick $primary;
    background: $surface;
    padding: 0 1;
}
#step-title { text-style: bold; }
#step-message { color: $text-error; text-style: bold; height: auto; }
#step-message.-empty { display: none; }
"""


#: What a step dismisses with to leave the checkout altogether, back to the Cart (the
#: cart was emptied meanwhile: there is nothing left to check out).
TO_CART = "cart"


class CheckoutStep(InContext, FitsWindow, ModalScreen[Receipt | str | None]):
    """A step of the checkout: dismisses with the receipt once the order is placed (from
    a later step), `TO_CART` to leave the checkout, or None when the shopper goes back
    one step."""

    STEP = ""
    DEFAULT_CSS = ""
    #: Keys of the step that are not bindings (the lists' and forms' enter), for Help.
    HELP_NOTES: ClassVar[tuple[tuple[str, str], ...]] = (("enter", "Go on to the next step"),)

    @property
    def SCREEN_TITLE(self) -> str:
        return f"Checkout: {self.STEP}"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="checkout-back"),
        # A modal screen keeps the app's keys from it: Help is the step's own key here.
        Binding("question_mark", "app.help", "Help", id="checkout-help", key_display="?"),
    ]

    def __init__(self, state: CheckoutState) -> None:
        super().__init__()
        self.state = state
        self.styles.align = ("center", "middle")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="step"):
            yield Breadcrumb(self.STEP)
            yield from self.compose_step()
        yield ShopFooter()
        yield TooSmall()

    def compose_step(self) -> ComposeResult:
        yield from ()

    def action_back(self) -> None:
        self.dismiss(None)

    def go_on(self, step: CheckoutStep) -> None:
        self.app.push_screen(step, self._came_back)

    def _came_back(self, result: Any) -> None:
        if isinstance(result, Receipt) or result == TO_CART:
            self.dismiss(result)  # placed, or nothing left to buy: down the steps to the Cart
