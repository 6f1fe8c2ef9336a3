"""Cart: lines with unit price, quantity and line total; totals from the store.

Every change is saved at once. Changes run one at a time, in the order pressed, and
each is worked out from the cart as the store last returned it — so `+` pressed twice
quickly really adds two, whatever order the worker threads would have finished in.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DataTable, Static

from buynow_tui.screens.base import ReloadingScreen
from buynow_tui.screens.shop import open_search
from buynow_tui.store.errors import StoreError
from buynow_tui.store.views import CartView, OrderDetail, dollars, stock_words
from buynow_tui.widgets.list_table import ListTable, right, text
from buynow_tui.widgets.totals import Totals

#: A queued cart change: given the latest cart, the store call to make (or None to skip).
CartOp = Callable[[CartView | None], Callable[[], CartView] | None]


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
        Binding("slash", "search", "Search", id="cart-search", key_display="/", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cart: CartView | None = None
        self._ops: deque[tuple[CartOp, bool]] = deque()
        self._busy = False

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

    # -- the queue of store calls --------------------------------------------------
    def reload(self) -> None:
        user = self.user
        if user is None:
            return
        cart_service = self.services.cart
        self._enqueue(lambda _cart: lambda: cart_service.get(user.id), read=True)

    def _enqueue(self, op: CartOp, *, read: bool = False) -> None:
        self._ops.append((op, read))
        self._pump()

    def _pump(self) -> None:
        while not self._busy and self._ops:
            op, read = self._ops.popleft()
            call = op(self.cart)
            if call is not None:
                self._busy = True
                self.call_store(call, done=self._saved, failed=partial(self._refused, read=read))

    def _saved(self, cart: CartView) -> None:
        self._busy = False
        changed = self.cart is not None and self.cart != cart
        self._show(cart)
        if changed:
            self.shop.refresh_badge()
        self._pump()

    def _refused(self, error: StoreError, *, read: bool) -> None:
        self._busy = False
        self.notify(str(error), severity="error", markup=False)
        if read:
            self._pump()
        else:
            self.reload()  # show the cart as the store has it after the refusal

    def _change(self, quantity_of: Callable[[int], int]) -> None:
        """Queue a new quantity for the selected line, worked out when its turn comes."""
        user, product_id = self.user, self._selected_id()
        if user is None or product_id is None:
            return
        cart_service = self.services.cart

        def op(cart: CartView | None) -> Callable[[], CartView] | None:
            line = (
                next((l for l in cart.lines if l.product_id == product_id), None) if cart else None
            )
            if line is None:
                return None
            quantity = max(0, quantity_of(line.quantity))
            return lambda: cart_service.set_quantity(user.id, product_id, quantity)

        self._enqueue(op)

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
        return True

    def action_more(self) -> None:
        self._change(lambda quantity: quantity + 1)

    def action_less(self) -> None:
        self._change(lambda quantity: quantity - 1)

    def action_remove(self) -> None:
        self._change(lambda _quantity: 0)

    @on(DataTable.RowSelected, "#lines")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.shop.navigate(f"product/{event.row_key.value}")

    @on(Button.Pressed, "#to-shop")
    def _to_shop(self) -> None:
        self.shop.navigate("shop")

    def action_search(self) -> None:
        open_search(self.shop)

    # -- check out -------------------------------------------------------------------------
    def action_checkout(self) -> None:
        """Open the confirmation once every change pressed before `b` is saved."""

        def op(cart: CartView | None) -> None:
            self._open_checkout(cart)

        self._enqueue(op)

    def _open_checkout(self, cart: CartView | None) -> None:
        from buynow_tui.screens.checkout import CheckoutScreen

        if cart is None or self.user is None or self.app.screen is not self:
            return
        if cart.is_empty:
            self.notify("Your cart is empty: add something from the Shop first.", markup=False)
            return
        self.app.push_screen(CheckoutScreen(self, cart), self._checked_out)

    def _checked_out(self, order: Any) -> None:
        if isinstance(order, OrderDetail):
            from buynow_tui.screens.order_placed import OrderPlacedScreen

            self.cart = None
            self.shop.refresh_badge()
            self.app.push_screen(OrderPlacedScreen(order))
        # cancelled: the resume that follows the modal reads the cart again
