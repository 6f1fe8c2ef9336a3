"""Snapshots of screens that use the space: the Shop at 120x40 (no preview pane) and
160x45 (the pane beside the table), and a product picture in half blocks."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from buynow_tui.screens.shop import ShopScreen
from buynow_tui.widgets.preview import PreviewPane
from tests.support.app import make_app, no_blink, settle, wait_for_text

REPO_PICTURES = __import__("pathlib").Path(__file__).resolve().parent.parent / "data" / "pictures"


def give_picture(services: Any, sku: str, name: str) -> None:
    """A shipped demo picture for the product `sku` (as the demo catalog gives it)."""
    from buynow_tui.store.pictures import read_file

    services.catalog.update(sku, picture=read_file(REPO_PICTURES / f"{name}.png"))


def first_product(services: Any) -> Any:
    return services.catalog.get(services.catalog.page(limit=1).items[0].id)


async def ready(pilot: Any, *texts: str) -> None:
    await wait_for_text(pilot, *texts)
    await settle(pilot)
    no_blink(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize(
    "size", [pytest.param((120, 40), id="120x40"), pytest.param((160, 45), id="160x45")]
)
def test_shop_preview(
    snap_compare: Any, services: Any, home: Any, frozen_clock: Any, size: Any
) -> None:
    first = first_product(services)
    give_picture(services, first.sku, "tablets")
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        await ready(pilot, "Page 1 of 1")
        if size[0] >= 160:
            await ready(pilot, first.description[:30])

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_product_picture_in_half_blocks(
    snap_compare: Any, services: Any, home: Any, frozen_clock: Any
) -> None:
    watch = next(p for p in services.catalog.search("Smart Watch") if p.name == "Smart Watch")
    give_picture(services, watch.sku, "watches")
    app = make_app(services, home, open_path=f"product/{watch.id}")

    async def run_before(pilot: Any) -> None:
        await ready(pilot, "Add to cart (a)")

    assert app.picture_mode == "halfcell"
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


# -- the pane follows the cursor, cheaply ------------------------------------------------
async def test_the_preview_follows_the_cursor_and_reads_each_product_once(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    reads: list[int] = []
    real_get = services.catalog.get

    def counting_get(product_id: int) -> Any:
        reads.append(product_id)
        return real_get(product_id)

    services.catalog.get = counting_get
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot)
            shop = app.screen
            assert isinstance(shop, ShopScreen)
            pane = shop.query_one("#preview", PreviewPane)
            assert pane.display and shop.previewing
            rows = shop.table.products
            await pilot.press("down")  # from the search box into the list: the first row
            await pilot.press("down", "down", "down")
            await settle(pilot)
            assert pane.product is not None and pane.product.id == rows[3].id
            assert rows[3].name in str(pane.query_one("#preview-name").render())
            await pilot.press("up", "up", "up", "down", "up")
            await settle(pilot)
            assert pane.product is not None and pane.product.id == rows[0].id
            assert len(reads) == len(set(reads)), "a product seen before is not read again"
            assert len(reads) <= 4
        narrow = make_app(services, home)
        async with narrow.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            assert not narrow.screen.query_one("#preview", PreviewPane).display
    finally:
        services.catalog.get = real_get


def test_no_color_shows_no_picture(services: Any, home: Any, monkeypatch: Any) -> None:
    from buynow_tui.store.views import Picture
    from buynow_tui.widgets.picture import choose_mode, picture_widget

    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="PNG")
    picture = Picture(out.getvalue(), 10, 10)
    assert choose_mode(no_color=True, remote=False) == "none"
    assert choose_mode(no_color=False, remote=True) == "halfcell"
    # Locally only a terminal that says it may draw pictures is asked (asking costs
    # up to 0.3 s in one that never answers).
    assert choose_mode(no_color=False, remote=False, environ={"TERM": "xterm-256color"}) == (
        "halfcell"
    )
    assert choose_mode(no_color=False, remote=False, environ={"TERM": "xterm-kitty"}) == "detect"
    assert choose_mode(no_color=False, remote=False, environ={"TERM_PROGRAM": "WezTerm"}) == (
        "detect"
    )
    assert picture_widget(picture, "none", width=24) is None
    assert picture_widget(picture, "halfcell", width=4) is None, "too narrow to be worth it"
    assert picture_widget(picture, "halfcell", width=24) is not None
    assert make_app(services, home, no_color=True).picture_mode == "none"
