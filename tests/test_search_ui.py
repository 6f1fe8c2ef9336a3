"""The Shop's search results: the true count, pages past the first 50, and the category
a search names, offered and taken."""

from __future__ import annotations

from typing import Any

from buynow_tui.screens.shop import ShopScreen
from tests.support.app import make_app, screen_text, wait_for, wait_for_text
from tests.support.shop import search, shop_ready


def shown_ids(shop: ShopScreen) -> list[int]:
    return [p.id for p in shop.table.products]


async def test_the_shop_pages_results_and_takes_the_category_they_name(
    services: Any, home: Any
) -> None:
    from buynow_tui.store.seed import generate

    generate(600)  # 75 more in Watches: two pages of "watches"
    total = services.catalog.search("watches").total
    assert 50 < total <= 100
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await shop_ready(pilot)
        shop = app.screen
        assert isinstance(shop, ShopScreen)
        await search(pilot, "watches")
        await wait_for_text(pilot, f"{total} results · page 1 of 2 · Category: Watches (ctrl+g)")
        assert shop.table.products[0].name == "Smart Watch"
        first = shown_ids(shop)
        assert len(first) == 50

        # Past the 50th result: the next page of the same search, then back again.
        await pilot.press("enter")  # from the box to the results
        await wait_for(pilot, lambda: app.focused is shop.table)
        for _ in range(30):
            if shop.found is not None and shop.found.offset == 50:
                break
            await pilot.press("pagedown")
            await pilot.pause(0.05)
        await wait_for_text(pilot, f"{total} results · page 2 of 2")
        second = shown_ids(shop)
        assert len(second) == total - 50 and not set(first) & set(second)
        assert shop.query_text == "watches"
        for _ in range(30):
            if shop.found is not None and shop.found.offset == 0:
                break
            await pilot.press("pageup")
            await pilot.pause(0.05)
        await wait_for_text(pilot, "page 1 of 2")
        assert shown_ids(shop) == first

        # Taking the offer: "watches" is the category's name, so the Shop browses it.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: shop.page is not None and not shop.query_text)
        assert shop.category == "Watches" and shop.search_box.value == ""
        assert all(p.category == "Watches" for p in shop.table.products)
        await wait_for_text(pilot, "Category: Watches (c)", f"{total:,} products")
        assert "(ctrl+g)" not in screen_text(app)


async def test_a_search_that_names_a_category_among_other_words_keeps_them(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await shop_ready(pilot)
        shop = app.screen
        assert isinstance(shop, ShopScreen)
        await search(pilot, "sony cameras")
        await wait_for_text(pilot, "1 result · Category: Cameras (ctrl+g)")
        await pilot.press("ctrl+g")  # works from the search box too
        await wait_for(pilot, lambda: shop.category == "Cameras" and not shop.reading)
        await wait_for_text(pilot, "1 result", "Category: Cameras (c)")
        assert shop.query_text == "sony cameras"
        assert [p.name for p in shop.table.products] == ["Full-Frame Mirrorless Body"]
        assert "(ctrl+g)" not in screen_text(app)


async def test_a_query_wider_than_the_box_scrolls_to_the_text_being_typed(
    services: Any, home: Any
) -> None:
    """The box repaints rather than relayouts as it fills (`SearchBox.refresh`); past
    its width it still scrolls, so the shopper sees what they are typing."""
    app = make_app(services, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_text(pilot, "Page 1 of")
        typed = "x" * 75 + "endoftyping"
        await pilot.press(*typed)
        await wait_for_text(pilot, "endoftyping", "No results")
        box_line = next(line for line in screen_text(app).splitlines() if "endoftyping" in line)
        assert "x" * 40 + "endoftyping" in box_line  # the end is in view, the start is not
        assert typed not in box_line
        await pilot.press("backspace", *"s")
        await wait_for_text(pilot, "endoftypins")
