"""The Shop's keys, so that they never surprise: a part of `ShopScreen`.

- The search box has focus whenever the Shop opens: typing a word searches, however
  fast the keys arrive (they all reach the box). A letter typed anywhere on the Shop
  but the list starts a search with it too.
- down or enter moves from the box into the list, its first row highlighted; there
  the letter keys act on the row (`LIST_KEYS`: add, save, category, sort), one key
  each. Outside the list they are listed on Help but never run.
- A row key pressed while a read is on its way (`s` then `a`, arriving together)
  acts on the rows that read shows, the ones the shopper sees, never on the rows that
  were there before.
- Home / End go to the first / last page (of the catalog or of a search's results),
  `g` to any page, `c` picks a category from
  a small list and `C` (shift+c) steps back one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.content import Content

from buynow_tui.widgets.product_table import ProductTable
from buynow_tui.widgets.search_box import SearchBox

if TYPE_CHECKING:
    from textual.widget import Widget
    from textual.worker import Worker

    from buynow_tui.screens.base import BaseScreen
    from buynow_tui.store.views import ProductPage, SearchResults

    _Screen = BaseScreen
else:
    _Screen = object

#: Rows in one page of the catalog.
PAGE_SIZE = 50


def pages_for(total: int) -> int:
    """Pages of PAGE_SIZE for `total` products (at least one, even when empty)."""
    return max(1, -(-total // PAGE_SIZE))


def page_words(number: int, total: int) -> str:
    """The status line while browsing: "Page 3 of 11 · 548 products"."""
    plural = "s" if total != 1 else ""
    return f"Page {number:,} of {pages_for(total):,} · {total:,} product{plural}"


def no_match_words(text: str, category: str | None) -> Content:
    """What the Shop says where its rows would be when a search finds nothing."""
    where = f" in {category}" if category else ""
    return Content(f"No products match “{text}”{where}.\n\n") + Content(
        "Try another word or a price"
        + (", press c for other categories" if category else "")
        + ", or press escape to clear the search."
    )


class ShopKeys(_Screen):
    """What the Shop's keys do; the screen keeps its rows, reads and BINDINGS."""

    #: Keys that act on the list: run (and shown in the footer) only while the
    #: shopper is in it.
    LIST_KEYS = frozenset(
        {"add_to_cart", "add_to_wishlist", "pick_category", "previous_category", "next_sort"}
    )

    # What the screen has (shop.py):
    page: ProductPage | None
    found: SearchResults | None
    page_number: int
    query_text: str
    reading: bool
    category: str | None
    categories: list[str]
    _pending: list[Callable[[], object]]

    @property
    def table(self) -> ProductTable:
        raise NotImplementedError

    @property
    def search_box(self) -> SearchBox:
        raise NotImplementedError

    def _load_page(
        self,
        *,
        after: Any = None,
        before: Any = None,
        number: int = 1,
        at_end: bool = False,
        row: int | None = None,
        offset: int = 0,
    ) -> None:
        raise NotImplementedError

    def _reload(self) -> None:
        raise NotImplementedError

    def _search(
        self,
        text: str,
        row: int | None = None,
        *,
        typed: bool = False,
        offset: int = 0,
        at_end: bool = False,
    ) -> Worker[None]:
        raise NotImplementedError

    def _show_filters(self) -> None:
        raise NotImplementedError

    def _has_selection(self) -> bool:
        raise NotImplementedError

    # -- where the keys go ---------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.LIST_KEYS and not self._in_list():
            return None  # on Help, dimmed; a letter goes on to start a search
        if action in ("add_to_cart", "add_to_wishlist"):
            return True if self._has_selection() or self.reading else None
        return True

    def _in_list(self) -> bool:
        try:
            focused: Widget | None = self.focused
            return focused is not None and focused is self.table
        except Exception:  # asked before the table is mounted
            return False

    def on_key(self, event: events.Key) -> None:
        """A letter typed anywhere on the Shop but the list and the box (a button of
        the consent notice, say) starts a search with it. `q` still quits."""
        char = event.character
        if char is None or not char.isalpha() or event.key == "q" or self._in_list():
            return
        box = self.search_box
        if self.focused is box:
            return
        event.stop()
        event.prevent_default()
        box.type_in(char)

    def _on_the_rows(self, action: Callable[[], object]) -> None:
        """Run `action` on the rows the shopper sees: now, or once the read on its way
        has shown its rows (`s` then `a` arriving together adds the first product of
        the new order)."""
        if self.reading:
            self._pending.append(action)
        else:
            action()

    # -- from the search box into the list -------------------------------------------
    def on_search_box_to_results(self, event: SearchBox.ToResults) -> None:
        event.stop()
        self.into_results()

    def into_results(self) -> None:
        """From the search box into the list, its first row highlighted (the one enter
        then opens). With no rows (and none on the way) the cursor stays in the box."""
        table = self.table
        if table.row_count == 0 and not self.reading:
            return
        self.set_focus(table)  # now, not after a refresh: the next key of a burst is for it
        if table.row_count:
            table.move_cursor(row=0)

    # -- pages -------------------------------------------------------------------------
    def _pages(self) -> tuple[int, int]:
        """(this page, the last page) of what is shown: the catalog as browsed now or,
        in a search, its results (paged the same way)."""
        found = self.found
        if self.query_text and found is not None:
            return found.offset // PAGE_SIZE + 1, pages_for(found.total)
        total = self.page.total if self.page is not None else 0
        return self.page_number, pages_for(total)

    def on_product_table_edge_requested(self, event: ProductTable.EdgeRequested) -> None:
        """Home / End: the first or last page (of the catalog, or of a search's results)."""
        event.stop()
        if event.last:
            self.go_to_page(self._pages()[1], at_end=True)
        else:
            self.go_to_page(1)

    def go_to_page(self, number: int, *, at_end: bool = False) -> None:
        """Show page `number` (1 to the last) of what is shown."""
        current, last_page = self._pages()
        number = min(max(1, number), last_page)
        if number == current and not self.reading:
            last = self.table.row_count - 1
            self.table.move_cursor(row=max(0, last) if at_end else 0)
            return
        offset = (number - 1) * PAGE_SIZE
        if self.query_text:
            self._search(self.query_text, offset=offset, at_end=at_end)
        else:
            self._load_page(number=number, offset=offset, at_end=at_end)

    def action_jump(self) -> None:
        """`g`: a small dialog asks which page."""
        from buynow_tui.screens.shop_dialogs import PageJump

        if self.page is None and self.found is None:
            return  # the first rows are on their way
        self.app.push_screen(PageJump(*self._pages()), self._jumped)

    def _jumped(self, number: int | None) -> None:
        if number is not None:
            self.go_to_page(number)
            self.table.focus()

    # -- the category a search names ----------------------------------------------------
    def _suggestion(self) -> Content:
        """ " · Category: Cameras (ctrl+g)" when the results name a category; clickable."""
        named = self.found.category if self.found else None
        if not named:
            return Content("")
        return Content.from_markup(
            " · [@click=screen.take_category]Category: $name[/] (ctrl+g)", name=named
        )

    def action_take_category(self) -> None:
        """Show the category the search names: just browse it if the search was its
        name ("cameras"), else search within it ("sony cameras")."""
        found = self.found
        if not self.query_text or found is None or not found.category:
            return
        self.category = found.category
        self._show_filters()
        if found.whole:
            self.search_box.value = ""  # an emptied box shows the category's first page
        else:
            self._reload()

    # -- categories ----------------------------------------------------------------
    def action_pick_category(self) -> None:
        """`c`: a small list of the categories ("All" first); typing filters it."""
        from buynow_tui.screens.shop_dialogs import CategoryPicker

        self.app.push_screen(CategoryPicker(self.categories, self.category), self._picked)

    def _picked(self, choice: str | None) -> None:
        if choice is None:
            return  # closed without choosing
        self.set_category(choice or None)
        self.table.focus()

    def action_previous_category(self) -> None:
        """`C` (shift+c): the category before this one ("All" before the first)."""
        choices: list[str | None] = [None, *self.categories]
        index = choices.index(self.category) if self.category in choices else 0
        self.set_category(choices[(index - 1) % len(choices)])

    def set_category(self, category: str | None) -> None:
        self.category = category
        self._show_filters()
        self._reload()
