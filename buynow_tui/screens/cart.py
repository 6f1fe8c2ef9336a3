"""Cart: lines with unit price, quantity and line total; totals from the store.

Every change is saved at once. Cart calls (reads, changes, `b`) are workers of one
group, and each waits on the event loop for the ones asked before it to be over before
it runs its store call in a thread, so they run one at a time in the order pressed; a
change is a step the store works out from the cart as it is then
(`CartService.change_quantity`). So `+` pressed twice quickly really adds two,
whatever order the worker threads would have finished in, and `b` opens the
confirmation only once every change pressed before it is saved and shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Button, DataTable, Static
from textual.worker import Worker

from buynow_tui.messages import CartChanged, Navigate
from buynow_tui.screens.actions import open_search
from buynow_tui.screens.base import ReloadingScreen, finished, off_the_footer
from buynow_tui.store.checkout_views import Receipt
from buynow_tui.store.errors import StoreError
from buynow_tui.store.views import CartLineView, CartView, dollars, stock_words
from buynow_tui.widgets.list_table import ListTable, right, text
from buynow_tui.widgets.totals import Totals

#: Seconds a removed line can be put back with `u` (its toast shows that long).
UNDO_SECONDS = 10


class CartScreen(ReloadingScreen):
    SCREEN_TITLE = "Cart"
    AUTO_FOCUS = "#lines"

    DEFAULT_CSS = """
    CartScreen {
        #heading { padding: 0 1; text-style: bold; }
        #lines { height: auto; max-height: 1fr; }
        #summary { height: auto; margin-top: 1; }
        #lines, #summary, #empty { display: none; }
        #hint { width: 1fr; padding: 0 1; color: $text-muted; }
        #empty { padding: 1 2; height: auto; }
        #empty Button { margin-top: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus", "more", "More", id="cart-more", key_display="+"),
        Binding("minus", "less", "Less", id="cart-less", key_display="-"),
        Binding("x,delete", "remove", "Remove", id="cart-remove"),
        Binding("b", "checkout", "Buy now", id="cart-checkout"),
        Binding("u", "undo", "Undo", id="cart-undo"),
        *off_the_footer("back"),  # the footer fits 80 columns
        Binding("slash", "search", "Search", id="cart-search", key_display="/", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cart: CartView | None = None
        #: The line removed last, while `u` can still put it back (UNDO_SECONDS).
        self.undoable: CartLineView | None = None
        self._undo_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Loading your cart…", id="heading")
        yield ListTable(
            [
                ("Product", "product"),
                ("Unit price", "unit"),
                ("Qty", "qty"),
                ("Line total", "total"),
                ("Stock", "stock"),
            ],
            id="lines",
        )
        with Horizontal(id="summary"):
            yield Static("+/- quantity · x remove · b buy now", id="hint")
            yield Totals(id="totals")
        with Vertical(id="empty"):  # hidden, like the table and totals, until the cart is read
            yield Static("Your cart is empty.", id="empty-text")
            yield Static("Press 1 to go to the Shop, or use the button.")
            yield Button("Go to the Shop", id="to-shop")

    # -- cart calls, one at a time in the order asked -----------------------------------
    # Each is a worker of the "cart" group that first waits, on the event loop, for the
    # cart calls asked before it, then runs its store call in a thread.
    def _turn(self) -> list[Worker[Any]]:
        """The cart calls still running, for the next one to wait for."""
        return [
            w for w in self.workers if w.node is self and w.group == "cart" and not w.is_finished
        ]

    @property
    def saving(self) -> bool:
        """A cart call is still on its way."""
        return bool(self._turn())

    def reload(self) -> None:
        user = self.user
        if user is not None:
            self._read(user.id, self._turn())

    @work(group="cart", exit_on_error=False)
    async def _read(self, user_id: int, earlier: list[Worker[Any]]) -> None:
        await finished(earlier)
        self._saved(await asyncio.to_thread(self.services.cart.get, user_id))

    @work(group="cart", exit_on_error=False)
    async def _write(
        self,
        change: Callable[[], CartView],
        earlier: list[Worker[Any]],
        gone: int | None = None,
    ) -> None:
        """Save `change`; if it took the line of product `gone` out, offer an undo."""
        await finished(earlier)
        before = self.cart
        cart = await asyncio.to_thread(change)
        self._saved(cart)
        if gone is None or before is None or not self._still_here():
            return
        held = {line.product_id: line for line in before.lines}
        if gone in held and all(line.product_id != gone for line in cart.lines):
            self._offer_undo(held[gone])

    def _saved(self, cart: CartView) -> None:
        if not self._still_here():
            return  # closed meanwhile: nobody is waiting for this answer
        changed = self.cart is not None and self.cart != cart
        self._show(cart)
        if changed:
            self.post_message(CartChanged())

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        self.notify(str(problem), severity="error", markup=False)
        if worker.name == "_write":
            self.reload()  # show the cart as the store has it after the refusal

    def _change(self, by: int | None) -> None:
        """Change the selected line's quantity by `by` (None: remove it), worked out by
        the store from the cart as it is when this change's turn comes. A line that
        goes (`x`, or `-` at 1) can be put back with `u` for a while."""
        user, product_id = self.user, self._selected_id()
        if user is None or product_id is None:
            return
        cart = self.services.cart
        if by is None:
            change = partial(cart.remove, user.id, product_id)
        else:
            change = partial(cart.change_quantity, user.id, product_id, by)
        self._write(change, self._turn(), gone=product_id)

    def _offer_undo(self, line: CartLineView) -> None:
        """The line is out of the cart: say so, and let `u` put it back for a while."""
        self.undoable = line
        if self._undo_timer is not None:
            self._undo_timer.stop()
        self._undo_timer = self.set_timer(UNDO_SECONDS, self._undo_over)
        self.notify(f"Removed {line.name} — u to undo", timeout=UNDO_SECONDS, markup=False)
        self.refresh_bindings()

    def _undo_over(self) -> None:
        self.undoable = None
        self.refresh_bindings()

    def action_undo(self) -> None:
        """Put the line removed last back: the same quantity, in its place."""
        user, line = self.user, self.undoable
        if user is None or line is None:
            return
        self._undo_over()
        if self._undo_timer is not None:
            self._undo_timer.stop()
        self._write(partial(self.services.cart.put_back, user.id, line), self._turn())
        self.notify(f"Put {line.name} back in your cart.", markup=False)

    # -- showing it ----------------------------------------------------------------------
    def _show(self, cart: CartView) -> None:
        self.cart = cart
        table = self.query_one("#lines", ListTable)
        key, row = table.selected_key, table.cursor_row
        table.clear()
        for line in cart.lines:
            table.add_row(
                text(line.name),
                right(dollars(line.unit_price_cents)),
                right(str(line.quantity)),
                right(dollars(line.line_total_cents)),
                text(stock_words(line.stock)),
                key=str(line.product_id),
            )
        table.select_key(key, row)
        self.query_one("#totals", Totals).show(
            cart.subtotal_cents, cart.shipping_cents, cart.total_cents
        )
        items = f"{cart.count} item{'s' if cart.count != 1 else ''}"
        units = f"{cart.units} unit{'s' if cart.units != 1 else ''}"
        self.query_one("#heading", Static).update(Content(f"Your cart · {items}, {units}"))
        self._set_visible(cart)
        self.refresh_bindings()

    def _set_visible(self, cart: CartView | None) -> None:
        filled = cart is not None and not cart.is_empty
        for selector in ("#heading", "#lines", "#summary"):
            self.query_one(selector).display = filled or (cart is None and selector == "#heading")
        self.query_one("#empty").display = cart is not None and cart.is_empty
        if cart is not None and cart.is_empty:
            self.query_one("#to-shop", Button).focus()
        elif filled and not isinstance(self.focused, DataTable):
            self.query_one("#lines", ListTable).focus()

    def _selected_id(self) -> int | None:
        key = self.query_one("#lines", ListTable).selected_key
        return int(key) if key is not None else None

    # -- keys ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("more", "less", "remove", "checkout"):
            return self.cart is not None and not self.cart.is_empty  # hidden for an empty cart
        if action == "undo":
            return self.undoable is not None  # only while there is something to put back
        return True

    def action_more(self) -> None:
        self._change(+1)

    def action_less(self) -> None:
        self._change(-1)

    def action_remove(self) -> None:
        self._change(None)

    @on(DataTable.RowSelected, "#lines")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(Navigate(f"product/{event.row_key.value}"))

    @on(Button.Pressed, "#to-shop")
    def _to_shop(self) -> None:
        self.post_message(Navigate("shop"))

    def action_search(self) -> None:
        open_search(self)

    # -- check out -------------------------------------------------------------------------
    def action_checkout(self) -> None:
        """Open the confirmation once every change pressed before `b` is saved."""
        self._checkout_in_turn(self._turn())

    @work(group="cart", exit_on_error=False)
    async def _checkout_in_turn(self, earlier: list[Worker[Any]]) -> None:
        await finished(earlier)
        if self._still_here():
            self._open_checkout()

    def _open_checkout(self) -> None:
        """The checkout's first step, Ship to (issue 15: Ship to → Delivery → Pay →
        Confirm)."""
        from buynow_tui.screens.checkout import CheckoutState
        from buynow_tui.screens.checkout.ship_to import ShipToStep

        cart, user = self.cart, self.user
        if cart is None or user is None or self.app.screen is not self:
            return
        if cart.is_empty:
            self.notify("Your cart is empty: add something from the Shop first.", markup=False)
            return
        self.app.push_screen(ShipToStep(CheckoutState(cart, user)), self._checked_out)

    def _checked_out(self, receipt: Any) -> None:
        if isinstance(receipt, Receipt):
            from buynow_tui.screens.order_placed import OrderPlacedScreen

            self.cart = None
            self.post_message(CartChanged())
            self.app.push_screen(OrderPlacedScreen(receipt))
        # went back: the resume that follows the steps reads the cart again
