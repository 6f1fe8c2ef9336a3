"""The Shop's keys never surprise (issue 13): typing searches, the list keys act on
what the shopper sees, Home/End/`g` page, `c` picks a category and `C` steps back."""

from __future__ import annotations

from typing import Any

from textual import events

from buynow_tui.app import BuyNowApp
from buynow_tui.screens.product import ProductScreen
from buynow_tui.screens.shop import ShopScreen
from buynow_tui.screens.shop_dialogs import CategoryPicker, PageJump
from buynow_tui.store.seed import generate
from tests.support.app import make_app, settle, wait_for, wait_for_screen
from tests.support.shop import log_in, shop_ready


def burst(app: BuyNowApp, *keys: str) -> None:
    """Send keys the way a fast typist or a paste-like burst does: all queued at once,
    none waiting for the one before to be handled."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)


def shop(app: BuyNowApp) -> ShopScreen:
    screen = app.screen
    assert isinstance(screen, ShopScreen)
    return screen


def status(app: BuyNowApp) -> str:
    return str(shop(app).query_one("#status").render())


async def test_typing_smart_on_a_fresh_shop_searches_and_changes_no_cart(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        await pilot.press(*"smart")
        await wait_for(pilot, lambda: shop(app).query_text == "smart")
        assert shop(app).search_box.value == "smart"
        assert shop(app).sort == "name" and shop(app).category is None
        assert "Smart Watch" in [p.name for p in shop(app).table.products]
        assert services.cart.get(user.id).is_empty
        assert app.cart_count == 0


async def test_typing_smart_with_the_keys_arriving_together_searches_too(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        burst(app, *"smart")
        await wait_for(pilot, lambda: shop(app).query_text == "smart")
        await settle(pilot)
        assert shop(app).search_box.value == "smart"
        assert shop(app).sort == "name"
        assert services.cart.get(user.id).is_empty
        assert services.wishlist.items(user.id) == []


async def test_down_from_search_highlights_the_first_result_and_enter_opens_it(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await pilot.press(*"watch")
        await wait_for(pilot, lambda: shop(app).query_text == "watch")
        first = shop(app).table.products[0]
        await pilot.press("down")
        table = shop(app).table
        assert app.focused is table
        assert table.cursor_row == 0 and table.selected == first
        await pilot.press("enter")  # once
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None)
        assert screen.product is not None and screen.product.id == first.id


async def test_a_search_typed_and_entered_in_one_burst_opens_its_first_result(
    services: Any, home: Any
) -> None:
    """Enter, enter arriving with the word: the product opened is the first result of
    that word, not the row that was highlighted before the search came back."""
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        burst(app, *"digital camera", "enter", "enter")
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None)
        assert screen.product is not None and screen.product.name == "Digital Camera"


async def test_sort_then_add_arriving_together_adds_the_product_shown_first(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        await pilot.press("down")  # into the list
        by_name_first = shop(app).table.selected
        burst(app, "s", "a")  # re-sort by lowest price, and add at once
        await wait_for(pilot, lambda: app.cart_count == 1)
        cheapest = services.catalog.page(sort="price", limit=1).items[0]
        assert cheapest != by_name_first
        assert [line.product_id for line in services.cart.get(user.id).lines] == [cheapest.id]
        assert shop(app).table.selected == cheapest


async def test_a_letter_typed_on_a_consent_button_starts_a_search(services: Any, home: Any) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        shop(app).query_one("#consent-accept").focus()
        await pilot.press("s", "o")
        await wait_for(pilot, lambda: shop(app).query_text == "so")
        assert shop(app).sort == "name"
        assert app.focused is shop(app).search_box


async def test_home_end_and_g_go_to_the_first_last_and_any_page(services: Any, home: Any) -> None:
    generate(500)  # 548 products: 11 pages
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await pilot.press("down")
        await pilot.press("end")
        await wait_for(
            pilot, lambda: status(app).startswith("Page 11 of 11") and not shop(app).reading
        )
        table = shop(app).table
        assert table.row_count == 48 and table.cursor_row == 47
        last = services.catalog.page(offset=500, limit=50).items[-1]
        assert table.selected == last
        await pilot.press("home")
        await wait_for(
            pilot, lambda: status(app).startswith("Page 1 of 11") and not shop(app).reading
        )
        assert table.cursor_row == 0
        await pilot.press("g")
        await wait_for_screen(pilot, PageJump)
        await pilot.press("9", "9", "enter")  # no page 99: the dialog says so, stays
        assert isinstance(app.screen, PageJump)
        await pilot.press("backspace", "backspace", "5", "enter")
        await wait_for(
            pilot, lambda: status(app).startswith("Page 5 of 11") and not shop(app).reading
        )
        assert shop(app).table.products[0] == services.catalog.page(limit=500).items[200]
        # The counter follows PageDown at once, and paging on from a jump still works.
        table.move_cursor(row=table.row_count - 1)
        await pilot.press("pagedown")
        assert status(app).startswith("Page 6 of 11")
        await wait_for(pilot, lambda: not shop(app).reading)
        assert shop(app).table.products[0] == services.catalog.page(limit=500).items[250]


async def test_home_end_and_g_page_a_searchs_results_too(services: Any, home: Any) -> None:
    generate(500)  # each says "A generated ...": 500 results, 10 pages of them
    expected = services.catalog.search("generated", offset=0, limit=500)
    assert expected.total == 500
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await pilot.press(*"generated")
        await wait_for(pilot, lambda: status(app).startswith("500 results · page 1 of 10"))
        await pilot.press("down", "end")
        await wait_for(pilot, lambda: status(app).startswith("500 results · page 10 of 10"))
        await wait_for(pilot, lambda: not shop(app).reading)
        table = shop(app).table
        assert table.cursor_row == table.row_count - 1
        assert table.selected == expected.items[-1]
        await pilot.press("home")
        await wait_for(pilot, lambda: status(app).startswith("500 results · page 1 of 10"))
        await wait_for(pilot, lambda: not shop(app).reading)
        assert table.cursor_row == 0 and table.selected == expected.items[0]
        await pilot.press("g")
        jump = await wait_for_screen(pilot, PageJump)
        assert (jump.page, jump.pages) == (1, 10)
        await pilot.press("4", "enter")
        await wait_for(pilot, lambda: status(app).startswith("500 results · page 4 of 10"))
        await wait_for(pilot, lambda: not shop(app).reading)
        assert shop(app).table.products[0] == expected.items[150]
        assert shop(app).query_text == "generated"  # still the search, not the catalog


async def test_the_category_picker_lists_all_first_and_filters_as_you_type(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await wait_for(pilot, lambda: bool(shop(app).categories))
        await pilot.press("down", "c")
        picker = await wait_for_screen(pilot, CategoryPicker)
        from textual.widgets import OptionList

        options = picker.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).id) for i in range(options.option_count)]
        assert labels[0] == "All" and labels[1:] == shop_categories(services)
        await pilot.press(*"cam")
        assert options.option_count == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShopScreen) and not shop(app).reading)
        assert shop(app).category == "Cameras"
        await pilot.press("c")
        await wait_for_screen(pilot, CategoryPicker)
        await pilot.press(*"all", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ShopScreen) and not shop(app).reading)
        assert shop(app).category is None
        await pilot.press("C")  # back from All: the last category
        await wait_for(pilot, lambda: shop(app).category == shop_categories(services)[-1])


def shop_categories(services: Any) -> list[str]:
    return [category.name for category in services.catalog.categories()]
