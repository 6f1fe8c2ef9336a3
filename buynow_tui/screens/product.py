"""Product: everything about one product, a quantity, add to cart or wishlist.

The product loads in a worker; an unknown id replaces this screen with Not found.
Out of stock, the add key and button are disabled and the screen says why.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Button, Static
from textual.worker import Worker

from buynow_tui.messages import CartChanged
from buynow_tui.screens.actions import add_to_cart, add_to_wishlist, open_search, when_logged_in
from buynow_tui.screens.base import BaseScreen
from buynow_tui.store.errors import NotFound, StoreError
from buynow_tui.store.views import (
    MAX_PER_ITEM,
    Picture,
    ProductView,
    dollars,
    more_words,
    room_for,
)
from buynow_tui.widgets.picture import picture_widget

if TYPE_CHECKING:
    from textual.widget import Widget

#: The picture shows from this many columns on (the wide layout), this many across.
PICTURE_FROM = 100
PICTURE_CELLS = 24


class ProductScreen(BaseScreen):
    SCREEN_TITLE = "Product"
    AUTO_FOCUS = ""  # the add button takes focus once the product has loaded
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 - typed by Screen

    DEFAULT_CSS = """
    ProductScreen {
        #product { padding: 0 2; }
        #name { text-style: bold; color: $accent; margin-top: 1; }
        #meta { color: $text-muted; }
        #price { text-style: bold; margin-top: 1; }
        #why { color: $warning; }
        #columns { height: auto; margin-top: 1; }
        #about, #specs { height: auto; width: 1fr; }
        #specs { margin-top: 1; }
        #quantity-row { height: 1; margin-top: 1; }
        #quantity-row > Static { width: auto; }
        #quantity { padding: 0 1; text-style: bold; }
        #quantity-row Button { min-width: 3; width: 3; }
        #limits { color: $text-muted; padding-left: 1; }
        #actions { height: auto; margin-top: 1; }
        #actions Button { margin-right: 1; }
        &.-wide #columns { layout: horizontal; }
        &.-wide #about { width: 3fr; padding-right: 2; }
        &.-wide #specs { width: 2fr; margin-top: 0; }
        &.-wide #columns > .picture { margin-right: 2; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus", "more", "More", id="product-more", key_display="+"),
        Binding("minus", "less", "Less", id="product-less", key_display="-"),
        Binding("a", "add_to_cart", "Add to cart", id="product-add"),
        Binding("w", "add_to_wishlist", "Save", id="product-wish", tooltip="Save to wishlist"),
        Binding("slash", "search", "Search", id="product-search", key_display="/", show=False),
    ]

    quantity: reactive[int] = reactive(1, init=False)

    def __init__(self, product_id: int) -> None:
        super().__init__()
        self.product_id = product_id
        self.product: ProductView | None = None
        #: How many the shopper's cart holds already: the quantity offered is the rest.
        self.held = 0

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="product"):
            yield Static("Loading…", id="loading")

    def on_mount(self) -> None:
        self._load(self.product_id)

    @work(thread=True, group="product", exclusive=True, exit_on_error=False)
    def _load(self, product_id: int) -> None:
        product = self.services.catalog.get(product_id)
        user = self.user
        held = self.services.cart.held(user.id, product_id) if user is not None else 0
        picture = self.services.pictures.get(product_id)
        self.reply(self.call_later, self._show, product, held, picture)

    @on(CartChanged)
    def _cart_changed(self) -> None:
        """Added from here (or logged in meanwhile): what may still be added changed.
        The message goes on to the App (the badge)."""
        user = self.user
        if user is not None and self.product is not None:
            self._read_held(user.id, self.product.id)

    @work(thread=True, group="product-held", exclusive=True, exit_on_error=False)
    def _read_held(self, user_id: int, product_id: int) -> None:
        self.reply(self._show_held, self.services.cart.held(user_id, product_id))

    def _show_held(self, held: int) -> None:
        self.held = held
        self.quantity = max(1, min(self.quantity, self.room or 1))
        self._show_quantity()
        self.refresh_bindings()

    @property
    def room(self) -> int:
        """How many more the cart may take (stock and 99, counting what it holds)."""
        return room_for(self.product, self.held) if self.product is not None else 0

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        if worker.group == "cart-add":  # the cart changed elsewhere: offer what is left
            super().store_refused(worker, problem)
            self._cart_changed()
        elif worker.name != "_load":
            super().store_refused(worker, problem)
        elif isinstance(problem, NotFound):
            from buynow_tui.screens.not_found import NotFoundScreen

            self.app.switch_screen(NotFoundScreen(f"product/{self.product_id}"))
        else:
            self.query_one("#loading", Static).update(Content(str(problem)))

    async def _show(
        self, product: ProductView, held: int = 0, picture: Picture | None = None
    ) -> None:
        self.product = product
        self.held = held
        body = self.query_one("#product", VerticalScroll)
        await body.remove_children()
        in_stock = product.max_quantity > 0
        await body.mount_all(
            [
                Static(Content(product.name), id="name"),
                Static(Content(f"{product.category} · SKU {product.sku}"), id="meta"),
                Static(
                    Content(f"{dollars(product.price_cents)}  ·  {product.stock_words}"), id="price"
                ),
                Static(_why(product), id="why"),
                _columns(product, self._picture(picture)),
                *_buy_rows(in_stock),
            ]
        )
        self.query_one("#why").display = not in_stock
        self.quantity = 1
        self._show_quantity()
        self.refresh_bindings()
        add, wish = self.query_one("#add", Button), self.query_one("#wish", Button)
        (add if self._can_add else wish).focus()

    def _picture(self, picture: Picture | None) -> Widget | None:
        """The picture, in the wide layout only: at 80x24 the words and buttons need
        the rows (and it would not fit beside them)."""
        if picture is None or self.app.size.width < PICTURE_FROM:
            return None
        return picture_widget(picture, self.context.picture_mode, width=PICTURE_CELLS)

    @property
    def _in_stock(self) -> bool:
        return self.product is not None and self.product.max_quantity > 0

    @property
    def _can_add(self) -> bool:
        return self._in_stock and self.room > 0

    # -- quantity ------------------------------------------------------------------
    def watch_quantity(self) -> None:
        self._show_quantity()

    def _show_quantity(self) -> None:
        product = self.product
        if product is None:
            return
        held = f"; {self.held} in your cart" if self.held else ""
        if self._can_add:
            quantity, limits = str(self.quantity), f"(1 to {self.room}{held})"
        elif self._in_stock:
            quantity, limits = "—", f"(all you can add: {self.held} in your cart)"
        else:
            quantity, limits = "—", "(none in stock)"
        self.query_one("#quantity", Static).update(Content(quantity))
        self.query_one("#limits", Static).update(Content(limits))
        self.query_one("#less", Button).disabled = self.quantity <= 1 or not self._can_add
        self.query_one("#more", Button).disabled = not self._can_add or self.quantity >= self.room
        self.query_one("#add", Button).disabled = not self._can_add

    def action_more(self) -> None:
        product = self.product
        if product is None or not self._in_stock:
            return
        if self.quantity >= self.room:
            if self.held:
                words = more_words(self.room, self.held)
            elif product.max_quantity == MAX_PER_ITEM:
                words = f"That is the most you can add: {MAX_PER_ITEM} per order."
            else:
                words = f"That is the most you can add: {product.stock} in stock."
            self.notify(words, severity="warning", markup=False)
            return
        self.quantity += 1
        self.refresh_bindings()

    def action_less(self) -> None:
        if self.quantity > 1:
            self.quantity -= 1
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.product is None and action in ("more", "less", "add_to_cart", "add_to_wishlist"):
            return None
        if action == "add_to_cart":
            return True if self._can_add else None
        if action == "more":  # at the limit too: + then says what the limit is
            return True if self._can_add else None
        if action == "less":
            return True if self.quantity > 1 else None
        return True

    # -- actions -------------------------------------------------------------------
    @on(Button.Pressed, "#add")
    def action_add_to_cart(self) -> None:
        product = self.product
        if product is None or not self._can_add:
            return
        when_logged_in(self, partial(add_to_cart, self, product, self.quantity))

    @on(Button.Pressed, "#wish")
    def action_add_to_wishlist(self) -> None:
        product = self.product
        if product is None:
            return
        when_logged_in(self, partial(add_to_wishlist, self, product))

    @on(Button.Pressed, "#more")
    def _more_pressed(self) -> None:
        self.action_more()

    @on(Button.Pressed, "#less")
    def _less_pressed(self) -> None:
        self.action_less()

    def action_search(self) -> None:
        open_search(self)


def _columns(product: ProductView, picture: Widget | None = None) -> Vertical:
    about = Vertical(
        Static(Content(product.description or "No description yet."), id="description"),
        id="about",
    )
    if product.specs:
        width = max(len(key) for key, _ in product.specs)
        lines = "\n".join(f"{key:<{width}}  {value}" for key, value in product.specs)
        specs = Static(Content("Specifications\n") + Content(lines), id="specs")
    else:
        specs = Static(Content("No specifications listed."), id="specs")
    parts = [picture, about, specs] if picture is not None else [about, specs]
    return Vertical(*parts, id="columns")


def _buy_rows(in_stock: bool) -> list[Horizontal]:
    less = Button("-", id="less", compact=True)
    more = Button("+", id="more", compact=True)
    for button in (less, more):
        button.can_focus = False  # the +/- keys do this; the buttons are for the mouse
    quantity_row = Horizontal(
        Static("Quantity "),
        less,
        Static(id="quantity"),
        more,
        Static(id="limits"),
        id="quantity-row",
    )
    add = Button("Add to cart (a)", id="add", variant="primary", disabled=not in_stock)
    wish = Button("Save to wishlist (w)", id="wish")
    return [quantity_row, Horizontal(add, wish, id="actions")]


def _why(_product: ProductView) -> Content:
    return Content(
        "This product cannot be added to the cart: none are left until it is restocked. "
        "Press w to save it on your wishlist."
    )
