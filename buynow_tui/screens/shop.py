"""Shop: the catalog a page at a time, search as you type, filter and sort.

The table holds one keyset page (`PAGE_SIZE` rows) and asks for the next or previous
page when the cursor moves past its edge, so 100,000 products cost what 50 do. Search
results are paged the same way (by offset, best first), under their true count; when
the text names a category ("cameras"), the status line offers it: ctrl+g (or a click)
shows that category (just browsing it if the text was only its name). Catalog
reads are exclusive workers of one group: whatever the shopper asked for last is what
is shown, however the worker threads finish.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static
from textual.worker import Worker, get_current_worker

from buynow_tui.messages import Navigate
from buynow_tui.screens.actions import add_to_cart, add_to_wishlist, when_logged_in
from buynow_tui.screens.base import BaseScreen
from buynow_tui.screens.shop_keys import PAGE_SIZE, ShopKeys, no_match_words, page_words
from buynow_tui.screens.shop_preview import ShopPreview
from buynow_tui.store.errors import StoreError
from buynow_tui.store.views import ProductPage, SearchResults
from buynow_tui.widgets.consent import ConsentNotice
from buynow_tui.widgets.preview import PreviewPane
from buynow_tui.widgets.product_table import ProductTable
from buynow_tui.widgets.search_box import SearchBox

SLOW_READ = 0.3  # seconds a catalog read may take before the screen shows it is loading
#: Best matches shown for a search: a page's worth, so each key redraws at most that many
#: rows (100 cost ~8 ms more per key at p95 in bench/keystroke.py); refine to narrow.
SEARCH_LIMIT = PAGE_SIZE
SORTS = ("name", "price", "price_desc")
SORT_LABELS = {"name": "name", "price": "lowest price", "price_desc": "highest price"}


class ShopScreen(ShopKeys, ShopPreview, BaseScreen):
    SCREEN_TITLE = "Shop"
    AUTO_FOCUS = "#search"

    DEFAULT_CSS = """
    ShopScreen {
        #search { margin: 0 1; }
        #filters { height: 1; padding: 0 1; }
        #status { height: 1; padding: 0 1; color: $text-muted; }
        #browse { height: 1fr; }
        #products { height: 1fr; width: 1fr; }
        #empty { height: 1fr; padding: 1 2; display: none; }
        #preview { display: none; }
        &.-preview #products { width: auto; max-width: 50%; }
        &.-preview #preview { display: block; width: 1fr; height: 1fr; }
    }
    """

    # The letter keys act on the list: they work once the shopper is in it (down or
    # enter from the search box, or escape), never while a word is being typed.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="shop-search", key_display="/", show=False),
        Binding("a", "add_to_cart", "Add", id="shop-add", tooltip="Add to cart (in the list)"),
        Binding(
            "w", "add_to_wishlist", "Save", id="shop-wish", tooltip="Save to wishlist (in the list)"
        ),
        Binding("c", "pick_category", "Category", id="shop-category", tooltip="Pick a category"),
        Binding(
            "C",
            "previous_category",
            "Previous category",
            id="shop-category-back",
            key_display="C",
            show=False,
        ),
        Binding("s", "next_sort", "Sort", id="shop-sort"),
        Binding("g", "jump", "Go to page", id="shop-jump", show=False),
        Binding("ctrl+g", "take_category", "Suggested category", id="shop-suggested", show=False),
    ]

    #: Help's first rows on the Shop: what typing does.
    HELP_NOTES = (
        ("letters, digits", "Search as you type: the search box has the cursor on opening"),
        ("↓ / enter", "From the search box into the list, its first row highlighted"),
        ("escape", "Out of the search box (clears it); then 1-5, q and the list keys"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.category: str | None = None
        self.sort = "name"
        self.categories: list[str] = []
        self.page: ProductPage | None = None
        self.page_number = 1
        self.query_text = ""  # the search being shown; "" when browsing
        self.found: SearchResults | None = None  # the page of results being shown
        #: A catalog read is on its way (the screen's `loading` overlay is shown only
        #: once one has taken SLOW_READ: a flash of it on every key cost a full redraw).
        self.reading = False
        self._read_worker: Worker[None] | None = None  # the newest catalog read
        self._slow: Timer | None = None
        # Search as you type, one search at a time: a key starts one at once unless one
        # is running; then the newest text is searched when it is done, and the keys
        # typed meanwhile cost nothing. No waiting for a pause in the typing.
        self._typed_search: Worker[None] | None = None
        self._search_due = False
        self._page_args: dict[str, Any] = {}
        self._search_offset = 0
        self._had_rows: bool | None = None  # for the keys' state: changed only when this does
        #: Row keys pressed while a read was on its way: run on the rows it shows, the
        #: ones the shopper sees (never on the rows that were there before a re-sort).
        self._pending: list[Callable[[], object]] = []
        self.init_preview()

    # -- layout ------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        yield SearchBox(placeholder="Search by name or price  ( / )", id="search")
        yield Static(id="filters")
        with Horizontal(id="browse"):
            yield ProductTable(id="products")
            yield PreviewPane(picture_mode=self.context.picture_mode, id="preview")
        yield Static(id="empty")
        yield Static("Loading…", id="status")
        yield ConsentNotice()

    @property
    def table(self) -> ProductTable:
        return self.query_one("#products", ProductTable)

    @property
    def search_box(self) -> SearchBox:
        return self.query_one("#search", SearchBox)

    def on_mount(self) -> None:
        self._show_filters()
        self._read_categories()
        self._load_page(now=True)

    @work(thread=True, group="categories", exit_on_error=False)
    def _read_categories(self) -> None:
        names = [category.name for category in self.services.catalog.categories()]
        self.reply(setattr, self, "categories", names)

    # -- catalog reads: the newest request wins ----------------------------------
    # Every catalog read is an exclusive worker of one group: starting one cancels the
    # one before, whose answer is then dropped (`reply`), so what the shopper asked for
    # last is what is shown, however the threads finish.
    def _reading(self, worker: Worker[None]) -> None:
        """`worker` is the newest catalog read: show the loading overlay if it takes
        SLOW_READ."""
        self._read_worker = worker
        self.reading = True
        if self._slow is not None:
            self._slow.stop()
        self._slow = self.set_timer(SLOW_READ, self._slow_read)

    def _slow_read(self) -> None:
        if self.reading:
            self.loading = True

    def _read_over(self) -> None:
        if self._slow is not None:
            self._slow.stop()
        self.reading = False
        self.loading = False

    def _load_page(
        self,
        *,
        after: Any = None,
        before: Any = None,
        number: int = 1,
        at_end: bool = False,
        row: int | None = None,
        offset: int = 0,
        now: bool = False,
    ) -> None:
        """Read a page in a worker and show it. `now` (the Shop's first page): on the
        event loop, so that the first frame has it, not "Loading…" then a second frame
        (~35 ms sooner); refused, a worker reads it again and says why, as any read."""
        self._page_args = {
            "after": after,
            "before": before,
            "number": number,
            "at_end": at_end,
            "offset": offset,
        }
        if now:
            with suppress(Exception):  # the worker below meets it again, and reports it
                page = self.services.catalog.page(
                    category=self.category, sort=self.sort, limit=PAGE_SIZE
                )
                return self._show_page(page, number, at_end, row)
        worker = self._fetch_page(
            self.category, self.sort, after, before, offset, number, at_end, row
        )
        self._reading(worker)
        if self.page is not None and not self.query_text:  # the counter follows at once
            self._show_status(page_words(number, self.page.total))

    @work(thread=True, group="catalog", exclusive=True, exit_on_error=False)
    def _fetch_page(
        self,
        category: str | None,
        sort: str,
        after: Any,
        before: Any,
        offset: int,
        number: int,
        at_end: bool,
        row: int | None,
    ) -> None:
        if get_current_worker().is_cancelled:
            return  # a newer read made this one moot before it began
        page = self.services.catalog.page(
            category=category,
            sort=sort,
            after=after,
            before=before,
            offset=offset,
            limit=PAGE_SIZE,
        )
        self.reply(self._show_page, page, number, at_end, row)

    def _show_page(self, page: ProductPage, number: int, at_end: bool, row: int | None) -> None:
        self._read_over()
        self.page = page
        self.page_number = number
        self.query_text = ""
        table = self.table
        table.has_next = page.next_cursor is not None
        table.has_prev = page.prev_cursor is not None
        table.show_page(page.items, cursor_at_end=at_end, row=row)
        self._after_rows()

    def _search(
        self,
        text: str,
        row: int | None = None,
        *,
        typed: bool = False,
        offset: int = 0,
        at_end: bool = False,
    ) -> Worker[None]:
        """Search the catalog for `text` (the page of results from `offset`); `typed`
        for the search as you type."""
        self._search_offset = offset  # what coming back to the Shop asks for again
        worker = self._find(text, self.category, self.sort, row, typed, offset, at_end)
        self._reading(worker)
        return worker

    @work(thread=True, group="catalog", exclusive=True, exit_on_error=False)
    def _find(
        self,
        text: str,
        category: str | None,
        sort: str,
        row: int | None,
        typed: bool,
        offset: int,
        at_end: bool,
    ) -> None:
        worker = get_current_worker()
        if worker.is_cancelled:
            return  # a newer read made this one moot before it began
        found = self.services.catalog.search(
            text, offset=offset, limit=SEARCH_LIMIT, category=category
        )
        if sort != "name":  # a sort by price orders each page of results
            items = sorted(found.items, key=lambda p: (p.price_cents, p.id))
            found = replace(found, items=tuple(items[::-1] if sort == "price_desc" else items))
        self.reply(self._show_found, worker, text, found, row, typed, at_end)

    def _show_found(
        self,
        worker: Worker[None],
        text: str,
        found: SearchResults,
        row: int | None,
        typed: bool,
        at_end: bool = False,
    ) -> None:
        if typed:
            self._search_settled()  # the text typed meanwhile goes now, and wins if it does
            if self._read_worker is not worker:
                return
        self._read_over()
        self.page = None
        self.query_text = text
        self.found = found
        table = self.table
        table.has_next = found.offset + len(found.items) < found.total
        table.has_prev = found.offset > 0
        table.show_page(found.items, cursor_at_end=at_end, row=row)
        self._after_rows()

    def worker_over(self, worker: Worker[Any]) -> None:
        if worker is self._typed_search:  # failed or cancelled before it could answer
            self._search_settled()
        elif worker is self._previewing:  # a product removed meanwhile, say
            self._preview_settled()

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        if worker.group == "preview":
            return  # the pane keeps the row's part; the product opens with its own words
        if worker.group != "catalog":
            super().store_refused(worker, problem)
        elif worker is self._read_worker:  # else a newer read is on its way
            self._read_over()
            self._pending.clear()  # the keys pressed meanwhile had no rows to act on
            self.query_one("#status", Static).update(Content(str(problem)))
            self.notify(str(problem), severity="error", markup=False)

    def on_screen_resume(self) -> None:
        """Back from a product or a checkout: the same rows again, with fresh stock words."""
        if not self.is_mounted:
            return  # opening: the mount loads the first page
        row = self.table.cursor_row
        if self.query_text:  # the page last asked for (a page jump's, say), not the last shown
            self._search(self.query_text, row=row, offset=self._search_offset)
        elif self.page is not None:
            self._load_page(**self._page_args, row=row)

    def _reload(self) -> None:
        """Show the first page (or the current search) again after a filter change."""
        text = self.search_box.value.strip()
        if text:
            self._search(text)
        else:
            self._load_page()

    def _after_rows(self) -> None:
        table = self.table
        empty = self.query_one("#empty", Static)
        has_rows = table.row_count > 0
        table.display = has_rows
        self.query_one("#browse").display = has_rows
        empty.display = not has_rows
        status: str | Content
        if self.query_text:
            found = self.found
            total = found.total if found else 0
            offer = self._suggestion()
            if total == 0:
                status = Content("No results") + offer
                empty.update(no_match_words(self.query_text, self.category))
            else:
                plural = "s" if total != 1 else ""
                status = Content(f"{total:,} result{plural}")
                if total > SEARCH_LIMIT:
                    offset = found.offset if found else 0
                    pages = -(-total // SEARCH_LIMIT)
                    status += Content(f" · page {offset // SEARCH_LIMIT + 1:,} of {pages:,}")
                status += offer
        else:
            total = self.page.total if self.page else 0
            status = page_words(self.page_number, total)
            if total == 0:
                empty.update(
                    Content("There are no products here yet. Press c to pick another category.")
                )
        self._show_status(status)
        if not has_rows and self.focused is table:
            self.search_box.focus()
        if has_rows != self._had_rows:
            # Add to cart and Wishlist depend on there being a row. Only then: every
            # refresh rebuilds the footer's keys (~10 ms), once per key typed in search.
            self._had_rows = has_rows
            self.refresh_bindings()
        pending, self._pending = self._pending, []
        for action in pending:  # row keys pressed while these rows were on their way
            action()

    def _show_status(self, status: str | Content) -> None:
        # layout=False: one row high whatever it says (`SearchBox.refresh`: why).
        self.query_one("#status", Static).update(
            status if isinstance(status, Content) else Content(status), layout=False
        )

    def _show_filters(self) -> None:
        category = self.category or "All"
        self.query_one("#filters", Static).update(
            Content(f"Category: {category} (c) · Sort: {SORT_LABELS[self.sort]} (s)")
        )

    @on(DataTable.RowHighlighted, "#products")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview(self.table.selected)

    # -- paging ------------------------------------------------------------------
    @on(ProductTable.PageRequested)
    def _turn_page(self, event: ProductTable.PageRequested) -> None:
        event.stop()
        page = self.page
        if self.reading:
            return  # a page is on its way; a held key does not pile up requests
        found = self.found
        if self.query_text and found is not None:
            if event.direction > 0 and found.offset + len(found.items) < found.total:
                self._search(self.query_text, offset=found.offset + SEARCH_LIMIT)
            elif event.direction < 0 and found.offset > 0:
                back = max(0, found.offset - SEARCH_LIMIT)
                self._search(self.query_text, offset=back, at_end=True)
            return
        if page is None or self.query_text:
            return
        if event.direction > 0 and page.next_cursor is not None:
            self._load_page(after=page.next_cursor, number=self.page_number + 1)
        elif event.direction < 0 and page.prev_cursor is not None:
            self._load_page(before=page.prev_cursor, number=self.page_number - 1, at_end=True)

    # -- search ------------------------------------------------------------------
    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._search_due = True
        if self._typed_search is None:
            self._run_search()

    def _run_search(self) -> None:
        if not self._search_due:
            return
        self._search_due = False
        text = self.search_box.value.strip()
        if text:
            self._typed_search = self._search(text, typed=True)
        elif self.query_text or self.page is None:
            self._load_page()

    def _search_settled(self) -> None:
        self._typed_search = None
        self._run_search()  # the text typed while that search ran, if any

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._in_list():  # a second enter that left the box before the first moved on
            self._on_the_rows(self._open_selected)
        else:
            self.into_results()

    @on(SearchBox.Left)
    def _left_search(self, event: SearchBox.Left) -> None:
        event.stop()
        if self.search_box.value:
            self.search_box.value = ""
        self.set_focus(self.table)  # at once: the keys after escape are for the list

    def focus_search(self) -> None:
        self.search_box.focus()

    def action_search(self) -> None:
        self.focus_search()

    # -- filter and sort -----------------------------------------------------------
    def action_next_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_filters()
        self._reload()

    # -- row actions -----------------------------------------------------------------
    def _has_selection(self) -> bool:
        try:
            return self.table.selected is not None
        except Exception:  # asked before the table is mounted
            return False

    @on(DataTable.RowSelected, "#products")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._on_the_rows(self._open_selected)

    def _open_selected(self) -> None:
        product = self.table.selected
        if product is not None:
            self.post_message(Navigate(f"product/{product.id}"))

    def action_add_to_cart(self) -> None:
        self._on_the_rows(self._add_selected)

    def _add_selected(self) -> None:
        product = self.table.selected
        if product is not None:
            when_logged_in(self, partial(add_to_cart, self, product))

    def action_add_to_wishlist(self) -> None:
        self._on_the_rows(self._wish_selected)

    def _wish_selected(self) -> None:
        product = self.table.selected
        if product is not None:
            when_logged_in(self, partial(add_to_wishlist, self, product))
