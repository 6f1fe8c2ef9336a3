"""Wishlist: saved products, newest first; `a` puts one in the cart, `x` removes it."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from buynow_tui.messages import CartChanged, Navigate
from buynow_tui.screens.actions import open_search
from buynow_tui.screens.base import ReloadingScreen, off_the_footer
from buynow_tui.store.views import WishlistItem, dollars, local_time
from buynow_tui.widgets.list_table import ListTable, right, text


class WishlistScreen(ReloadingScreen):
    SCREEN_TITLE = "Wishlist"
    AUTO_FOCUS = "#items"

    DEFAULT_CSS = """
    WishlistScreen {
        #heading { padding: 0 1; text-style: bold; }
        #items { height: 1fr; }
        #empty { padding: 1 2; display: none; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_to_cart", "Add to cart", id="wishlist-add"),
        Binding("x,delete", "remove", "Remove", id="wishlist-remove"),
        Binding("slash", "search", "Search", id="wishlist-search", key_display="/", show=False),
        *off_the_footer("back"),  # the footer fits 80 columns
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[WishlistItem] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Loading your wishlist…", id="heading")
        yield ListTable(
            [("Product", "product"), ("Price", "price"), ("Stock", "stock"), ("Saved", "saved")],
            id="items",
        )
        yield Static(
            "Your wishlist is empty. Press w on a product in the Shop (1) to save it here.",
            id="empty",
        )

    def reload(self) -> None:
        user = self.user
        if user is not None:
            self._read(user.id)

    @work(thread=True, group="wishlist", exclusive=True, exit_on_error=False)
    def _read(self, user_id: int) -> None:
        self.reply(self._show, self.services.wishlist.items(user_id))

    def _show(self, items: list[WishlistItem]) -> None:
        self.items = items
        table = self.query_one("#items", ListTable)
        key, row = table.selected_key, table.cursor_row
        table.clear()
        for item in items:
            product = item.product
            table.add_row(
                text(product.name),
                right(dollars(product.price_cents)),
                text(product.stock_words),
                text(local_time(item.added_at)),
                key=str(product.id),
            )
        table.select_key(key, row)
        count = len(items)
        self.query_one("#heading", Static).update(
            Content(f"Your wishlist · {count} item{'s' if count != 1 else ''}, newest first")
        )
        table.display = bool(items)
        self.query_one("#empty").display = not items
        self.refresh_bindings()

    def _selected(self) -> WishlistItem | None:
        key = self.query_one("#items", ListTable).selected_key
        if key is None or not self.items:
            return None
        return next((item for item in self.items if str(item.product.id) == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_to_cart", "remove"):
            return bool(self.items)  # hidden for an empty wishlist
        return True

    def action_add_to_cart(self) -> None:
        item, user = self._selected(), self.user
        if item is None or user is None:
            return
        self._add_to_cart(user.id, item.product.id, item.product.name)

    @work(thread=True, group="wishlist-write", exit_on_error=False)
    def _add_to_cart(self, user_id: int, product_id: int, name: str) -> None:
        self.services.wishlist.add_to_cart(user_id, product_id)
        self.reply(self._added, name)

    def _added(self, name: str) -> None:
        self.notify(f"Added {name} to your cart.", markup=False)
        self.post_message(CartChanged())

    def action_remove(self) -> None:
        item, user = self._selected(), self.user
        if item is None or user is None:
            return
        self._remove(user.id, item.product.id, item.product.name)

    @work(thread=True, group="wishlist-write", exit_on_error=False)
    def _remove(self, user_id: int, product_id: int, name: str) -> None:
        self.services.wishlist.remove(user_id, product_id)
        self.reply(self._removed, name)

    def _removed(self, name: str) -> None:
        self.notify(f"Removed {name} from your wishlist.", markup=False)
        self.reload()

    @on(DataTable.RowSelected, "#items")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(Navigate(f"product/{event.row_key.value}"))

    def action_search(self) -> None:
        open_search(self)
