"""The Shop's preview pane, a part of `ShopScreen`: from `PREVIEW_FROM` columns the
highlighted product shows beside the table (its row at once, the rest read by one
worker at a time and kept for the last `PREVIEW_CACHE` products)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, work

from buynow_tui.widgets.preview import PreviewPane

if TYPE_CHECKING:
    from textual.worker import Worker

    from buynow_tui.screens.base import BaseScreen
    from buynow_tui.store.views import Picture, ProductView
    from buynow_tui.widgets.product_table import ProductTable

    _Screen = BaseScreen
else:
    _Screen = object

#: From this many columns the Shop shows the highlighted product beside the table.
PREVIEW_FROM = 140
#: Products whose whole view (and picture) the preview keeps, newest last.
PREVIEW_CACHE = 64


class ShopPreview(_Screen):
    """The preview pane's reads; the screen has the table and the pane (`#preview`) and
    calls `_preview` when a row is highlighted (an `@on` handler here would not be seen:
    this mixin is not a message pump)."""

    @property
    def table(self) -> ProductTable:
        raise NotImplementedError

    def init_preview(self) -> None:
        # The preview reads one product at a time, then the newest highlighted.
        self._previewing: Worker[None] | None = None
        self._preview_due: int | None = None
        self._previews: dict[int, tuple[ProductView, Picture | None]] = {}

    @property
    def previewing(self) -> bool:
        return self.size.width >= PREVIEW_FROM

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(self.previewing, "-preview")
        if self.previewing and self.is_mounted:
            self._preview(self.table.selected)

    def _preview(self, product: ProductView | None) -> None:
        """Show `product` in the pane: its row at once, the rest from the cache or read
        by one worker at a time (keys held down read only the last row they reach)."""
        if not self.previewing:
            return
        # Shown before it is filled: the Shop's first page (and so its first preview)
        # can come before its first resize, and a picture mounted into a hidden pane
        # keeps the no height it was given there.
        self.set_class(True, "-preview")
        pane = self.query_one("#preview", PreviewPane)
        pane.show_row(product)
        if product is None:
            return
        cached = self._previews.get(product.id)
        if cached is not None:
            pane.show(*cached)
            return
        self._preview_due = product.id
        if self._previewing is None:
            self._read_preview()

    def _read_preview(self) -> None:
        due, self._preview_due = self._preview_due, None
        if due is None:
            return
        cached = self._previews.get(due)  # asked for again while it was being read
        if cached is not None:
            self.query_one("#preview", PreviewPane).show(*cached)
        else:
            self._previewing = self._fetch_preview(due)

    @work(thread=True, group="preview", exit_on_error=False)
    def _fetch_preview(self, product_id: int) -> None:
        product = self.services.catalog.get(product_id)
        picture = self.services.pictures.get(product_id)
        self.reply(self._show_preview, product, picture)

    def _show_preview(self, product: ProductView, picture: Picture | None) -> None:
        self._previews[product.id] = (product, picture)
        while len(self._previews) > PREVIEW_CACHE:
            del self._previews[next(iter(self._previews))]
        self.query_one("#preview", PreviewPane).show(product, picture)
        self._preview_settled()

    def _preview_settled(self) -> None:
        self._previewing = None
        self._read_preview()
