"""The Shop's preview pane (wide terminals): the highlighted product at a glance.

It shows what the table's row already has at once (name, price, stock, category) and
the rest (picture, description, specs) when the screen hands it the whole product;
it never reads the store itself.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from buynow_tui.store.views import Picture, ProductView, dollars
from buynow_tui.widgets.picture import no_picture, picture_widget

#: Cells across the pane's picture (96x72 demo pictures show 24x18 of their pixels).
PICTURE_CELLS = 24


class PreviewPane(VerticalScroll):
    """Picture, name, price and stock, description and specs of one product."""

    DEFAULT_CSS = """
    PreviewPane {
        padding: 0 1;
        border-left: vkey $border-blurred;
        #preview-name { text-style: bold; color: $accent; }
        #preview-meta { color: $text-muted; }
        #preview-price { text-style: bold; margin-top: 1; }
        #preview-description { margin-top: 1; }
        #preview-specs { margin-top: 1; color: $text-muted; }
        .picture { margin-bottom: 1; }
    }
    """

    def __init__(self, *, picture_mode: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.can_focus = False
        self.picture_mode = picture_mode
        self.product: ProductView | None = None
        self._picture_of: int | None = None  # whose picture is mounted

    def compose(self) -> ComposeResult:
        yield no_picture()
        yield Static(id="preview-name")
        yield Static(id="preview-meta")
        yield Static(id="preview-price")
        yield Static(id="preview-description")
        yield Static(id="preview-specs")

    def show_row(self, product: ProductView | None) -> None:
        """The highlighted row, at once: what the row knows; the rest waits for `show`."""
        self.product = product
        if product is None:
            for part in ("name", "meta", "price", "description", "specs"):
                self.query_one(f"#preview-{part}", Static).update("")
            self._set_picture(None, None)
            return
        self.query_one("#preview-name", Static).update(Content(product.name))
        self.query_one("#preview-meta", Static).update(
            Content(f"{product.category} · SKU {product.sku}")
        )
        self.query_one("#preview-price", Static).update(
            Content(f"{dollars(product.price_cents)}  ·  {product.stock_words}")
        )
        if self._picture_of != product.id:
            self.query_one("#preview-description", Static).update("")
            self.query_one("#preview-specs", Static).update("")
            self._set_picture(None, None)

    def show(self, product: ProductView, picture: Picture | None) -> None:
        """The whole product (read by the screen), if it is still the highlighted one."""
        if self.product is None or self.product.id != product.id:
            return
        self.show_row(product)
        self.query_one("#preview-description", Static).update(
            Content(product.description or "No description yet.")
        )
        if product.specs:
            width = max(len(key) for key, _ in product.specs)
            lines = "\n".join(f"{key:<{width}}  {value}" for key, value in product.specs)
            self.query_one("#preview-specs", Static).update(Content(lines))
        else:
            self.query_one("#preview-specs", Static).update(Content("No specifications listed."))
        self._set_picture(product.id, picture)

    def _set_picture(self, product_id: int | None, picture: Picture | None) -> None:
        if product_id == self._picture_of and product_id is not None:
            return
        self._picture_of = product_id
        shown = None
        if picture is not None:
            width = min(PICTURE_CELLS, self.content_region.width or PICTURE_CELLS)
            shown = picture_widget(picture, self.picture_mode, width=width)
        self.query(".picture").remove()
        self.mount(shown or no_picture(), before=0)
