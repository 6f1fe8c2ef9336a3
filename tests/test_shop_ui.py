"""Shop, search and Product: pilot tests of what a shopper does and sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from buynow_tui.app import BuyNowApp
from buynow_tui.screens.not_found import NotFoundScreen
from buynow_tui.screens.product import ProductScreen
from buynow_tui.screens.shop import ShopScreen
from buynow_tui.screens.shop_dialogs import CategoryPicker
from buynow_tui.screens.shop_keys import PAGE_SIZE
from buynow_tui.store.seed import generate
from buynow_tui.store.services import Services
from tests.support.app import (
    make_app,
    notices,
    screen_text,
    settle,
    wait_for,
    wait_for_screen,
    wait_for_text,
)
from tests.support.repo import CATALOG_SIZE
from tests.support.shop import log_in, search, shop_ready
from tests.support.store import product_named


def shop_screen(app: BuyNowApp) -> ShopScreen:
    """The Shop, which must be the screen on top."""
    screen = app.screen
    assert isinstance(screen, ShopScreen)
    return screen


def shown_names(app: Any) -> list[str]:
    return [p.name for p in app.screen.table.products]


def status(app: Any) -> str:
    return str(app.screen.query_one("#status").render())


async def select_row(pilot: Any, name: str) -> None:
    """Search for a product and put the cursor on its row, as a shopper would."""
    await search(pilot, name)
    await pilot.press("enter")  # from the search box to the results
    table = pilot.app.screen.table
    table.move_cursor(row=[p.name for p in table.products].index(name))
    await pilot.pause()


async def test_shop_opens_on_the_first_page_of_the_catalog(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await shop_ready(pilot)
        assert isinstance(app.screen, ShopScreen)
        assert app.screen.table.row_count == CATALOG_SIZE
        assert status(app) == f"Page 1 of 1 · {CATALOG_SIZE} products"
        await wait_for_text(pilot, "Stock")
        text = screen_text(app)
        for column in ("Name", "Category", "Price", "Stock"):
            assert column in text
        assert "$250.00" in text or "Bluetooth Headphone" not in text
        assert app.focused is app.screen.search_box  # typing a word searches


async def test_a_first_page_the_store_refuses_is_read_again_and_shown(
    services: Services, home: Path
) -> None:
    """The first page is read before the first frame; refused then (a busy database,
    say), the Shop reads it again as it reads every other page, and shows it."""
    from buynow_tui.store.errors import StoreError

    real_page = services.catalog.page
    asked: list[dict[str, Any]] = []

    def busy_once(**how: Any) -> Any:
        asked.append(how)
        if len(asked) == 1:
            raise StoreError("The shop is busy; please try again.")
        return real_page(**how)

    services.catalog.page = busy_once  # type: ignore[method-assign]
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await shop_ready(pilot)
        assert status(app) == f"Page 1 of 1 · {CATALOG_SIZE} products"
        assert shop_screen(app).table.row_count == CATALOG_SIZE
    assert len(asked) == 2


async def test_search_phone_finds_headphone_and_phone_not_camera(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await search(pilot, "phone")
        names = shown_names(app)
        assert "Bluetooth Headphone" in names
        assert "New Smart Phone" in names
        assert "Digital Camera" not in names
        await wait_for_text(pilot, "Bluetooth Headphone")


async def test_search_by_price_finds_smart_watch(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await search(pilot, "150")
        assert shown_names(app)[0] == "Smart Watch"


async def test_search_with_no_results_says_so_and_escape_clears_it(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await pilot.press("slash")
        shop_screen(app).search_box.insert_text_at_cursor("%_'\"*([/ 🙂 [b]qz")  # as if pasted
        await wait_for(pilot, lambda: shop_screen(app).query_text == "%_'\"*([/ 🙂 [b]qz")
        await wait_for_text(pilot, "No products match")
        await wait_for_text(pilot, "🙂 [b]qz")  # shown as typed, never read as markup
        assert shop_screen(app).table.row_count == 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: shop_screen(app).table.row_count == CATALOG_SIZE)
        assert shop_screen(app).search_box.value == ""
        assert app.focused is shop_screen(app).table


async def test_newest_search_wins(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        shop = shop_screen(app)
        shop.search_box.value = "camera"
        shop._search("phone")
        shop._search("camera")
        await wait_for(pilot, lambda: shop.query_text == "camera")
        await settle(pilot)
        names = shown_names(app)
        assert names[0] == "Digital Camera"
        assert "Bluetooth Headphone" not in names  # found by "phone" only


async def test_letter_keys_type_in_the_search_box(services: Services, home: Path) -> None:
    """Typing "a" or "w" in search types it; it never adds to the cart or wishlist."""
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        await pilot.press("slash", "a", "w", "c", "s", "q", "1", "slash")
        await wait_for(pilot, lambda: shop_screen(app).search_box.value == "awcsq1/")
        assert app.is_running
        assert shop_screen(app).search_box.value == "awcsq1/"
        assert services.cart.get(user.id).is_empty
        assert services.wishlist.items(user.id) == []
        assert shop_screen(app).category is None and shop_screen(app).sort == "name"


async def test_enter_moves_from_search_to_results_and_opens_the_product(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await search(pilot, "Smart Watch")
        await pilot.press("enter")
        assert app.focused is shop_screen(app).table
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(app.screen, "product", None) is not None)
        assert isinstance(app.screen, ProductScreen)
        assert app.screen.product is not None
        assert app.screen.product.name == "Smart Watch"
        await wait_for_text(pilot, "$150.00")
        text = screen_text(app)
        assert "$150.00" in text and "In stock" in text


async def test_add_to_cart_from_a_shop_row(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        await select_row(pilot, "Bluetooth Headphone")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.cart_count == 1)
        await wait_for_text(pilot, "Cart (1)")
        cart = services.cart.get(user.id)
        assert [(line.name, line.quantity) for line in cart.lines] == [("Bluetooth Headphone", 1)]
        assert app.cart_count == 1
        await wait_for_text(pilot, "Cart (1)")
        assert "Added Bluetooth Headphone to your cart." in notices(app)


async def test_wishlist_from_a_shop_row_refuses_a_duplicate(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        await select_row(pilot, "Digital Camera")
        await pilot.press("w")
        await wait_for(pilot, lambda: "Saved Digital Camera to your wishlist." in notices(app))
        await pilot.press("w")
        await wait_for(pilot, lambda: "Digital Camera is already in your wishlist." in notices(app))
        assert [i.product.name for i in services.wishlist.items(user.id)] == ["Digital Camera"]


async def test_add_when_logged_out_logs_in_first_then_adds(services: Services, home: Path) -> None:
    """`a` sends an anonymous shopper to Log in; once they are in, the add happens."""
    from buynow_tui.screens.login import LoginScreen
    from tests.support.store import register

    user = register(services)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await select_row(pilot, "Smart Watch")
        await pilot.press("a")
        await wait_for_screen(pilot, LoginScreen)
        await pilot.click("#email")
        await pilot.press(*"ann@example.com")
        await pilot.click("#password")
        await pilot.press(*"correct horse", "enter")
        await wait_for(pilot, lambda: app.cart_count == 1)
        assert [line.name for line in services.cart.get(user.id).lines] == ["Smart Watch"]
        assert app.user is not None and app.user.id == user.id


def register_and_log_in(app: Any, services: Any) -> Any:
    from tests.support.store import register

    user = register(services)
    app.logged_in(user)
    return user


async def test_category_and_sort_keys(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        shop = shop_screen(app)
        await wait_for(pilot, lambda: bool(shop.categories))
        await pilot.press("down")  # into the list, where the letter keys act
        await pilot.press("c")  # the category picker: type to filter, enter picks
        await wait_for(pilot, lambda: isinstance(app.screen, CategoryPicker))
        await pilot.press(*"wat", "enter")
        await wait_for(pilot, lambda: app.screen is shop)
        assert shop.category == "Watches"
        await wait_for(pilot, lambda: {p.category for p in shop.table.products} == {"Watches"})
        await pilot.press("C")  # shift+c: one category back
        before = shop.categories[shop.categories.index("Watches") - 1]
        await wait_for(pilot, lambda: {p.category for p in shop.table.products} == {before})
        assert shop.category == before
        await pilot.press("s")
        await wait_for(pilot, lambda: not shop.reading)
        prices = [p.price_cents for p in shop.table.products]
        assert prices == sorted(prices)
        await pilot.press("s")
        await wait_for(pilot, lambda: not shop.reading)
        prices = [p.price_cents for p in shop.table.products]
        assert prices == sorted(prices, reverse=True)
        await wait_for_text(pilot, "highest price")


async def test_shop_pages_forward_and_back_through_a_big_catalog(
    services: Services, home: Path
) -> None:
    generate(5000)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        shop = shop_screen(app)
        table = shop.table
        assert table.row_count == PAGE_SIZE
        assert status(app) == f"Page 1 of 101 · {CATALOG_SIZE + 5000:,} products"
        first_page = shown_names(app)
        await pilot.press("down")  # from the search box into the list
        assert app.focused is table and table.cursor_row == 0

        table.move_cursor(row=PAGE_SIZE - 1)
        await pilot.press("down")  # past the last row: the next page
        await wait_for(pilot, lambda: status(app).startswith("Page 2 of 101"))
        second_page = shown_names(app)
        assert second_page[0] > first_page[-1]
        assert table.cursor_row == 0

        presses = 0
        while not status(app).startswith("Page 3 of 101") and presses < 10:
            await pilot.press("pagedown")  # a screenful at a time, then the next page
            await wait_for(pilot, lambda: not shop.reading)
            presses += 1
            assert table.row_count == PAGE_SIZE
        assert status(app).startswith("Page 3 of 101")
        assert table.cursor_row == 0

        table.move_cursor(row=0)
        await pilot.press("pageup")  # at the first row: the previous page
        await wait_for(pilot, lambda: status(app).startswith("Page 2 of 101"))
        assert shown_names(app) == second_page
        assert table.cursor_row == PAGE_SIZE - 1

        table.move_cursor(row=0)
        await pilot.press("up")
        await wait_for(pilot, lambda: status(app).startswith("Page 1 of 101"))
        assert shown_names(app) == first_page
        await pilot.press("up", "k")  # nothing before the first page
        await wait_for(pilot, lambda: not shop.reading)
        assert status(app).startswith("Page 1 of 101")
        assert table.cursor_row == PAGE_SIZE - 3


@pytest.mark.slow
async def test_shop_opens_and_pages_with_100000_products(services: Services, home: Path) -> None:
    generate(100_000)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        assert shop_screen(app).table.row_count == PAGE_SIZE
        assert status(app) == f"Page 1 of 2,001 · {CATALOG_SIZE + 100_000:,} products"
        await pilot.press("down")  # into the list
        for page in (2, 3, 4):
            shop_screen(app).table.move_cursor(row=PAGE_SIZE - 1)
            await pilot.press("pagedown")
            # mypy cannot infer a lambda with a default; the default binds this loop's page
            await wait_for(pilot, lambda page=page: status(app).startswith(f"Page {page} of 2,001"))  # type: ignore[misc]
        await pilot.press("s")
        await wait_for(pilot, lambda: status(app).startswith("Page 1 of 2,001"))


async def test_product_shows_details_and_adds_the_chosen_quantity(
    services: Services, home: Path
) -> None:
    watch = product_named(services, "Smart Watch")
    app = make_app(services, home, open_path=f"product/{watch.id}")
    async with app.run_test() as pilot:
        user = log_in(app, services)
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None)
        await wait_for_text(pilot, "Specifications")
        text = screen_text(app)
        assert "Smart Watch" in text and "$150.00" in text and "In stock" in text
        assert "Specifications" in text
        await pilot.press("plus", "plus", "minus", "plus")
        assert screen.quantity == 3
        await pilot.press("a")
        await wait_for(pilot, lambda: app.cart_count == 1)
        assert [(line.name, line.quantity) for line in services.cart.get(user.id).lines] == [
            ("Smart Watch", 3)
        ]
        assert "Added 3 × Smart Watch to your cart." in notices(app)
        assert app.cart_count == 1


async def test_product_quantity_stops_at_the_stock(services: Services, home: Path) -> None:
    services.catalog.set_stock(product_named(services, "Smart Watch").sku, 2)
    watch = product_named(services, "Smart Watch")
    app = make_app(services, home, open_path=f"product/{watch.id}")
    async with app.run_test() as pilot:
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None)
        await pilot.press("minus", "plus", "plus", "plus", "plus")
        assert isinstance(app.screen, ProductScreen)
        assert app.screen.quantity == 2
        await wait_for_text(pilot, "Only 2 left")


async def test_out_of_stock_product_cannot_be_added_and_says_why(
    services: Services, home: Path
) -> None:
    gone = next(p for p in services.catalog.page(limit=100).items if p.stock == 0)
    app = make_app(services, home, open_path=f"product/{gone.id}")
    async with app.run_test(size=(100, 30)) as pilot:
        user = log_in(app, services)
        await wait_for_text(pilot, "Out of stock", "cannot be added to the cart")
        text = screen_text(app)
        assert "Out of stock" in text
        assert "cannot be added to the cart" in text
        assert app.screen.query_one("#add").disabled
        await pilot.press("a")
        await settle(pilot)
        assert services.cart.get(user.id).is_empty
        await pilot.press("w")
        await wait_for(pilot, lambda: any("Saved" in n for n in notices(app)))
        assert [i.product.id for i in services.wishlist.items(user.id)] == [gone.id]


async def test_unknown_product_is_not_found(services: Services, home: Path) -> None:
    app = make_app(services, home, open_path="product/99999")
    async with app.run_test() as pilot:
        await wait_for_screen(pilot, NotFoundScreen)
        await wait_for_text(pilot, "product/99999")


async def test_slash_from_another_screen_goes_to_the_shop_search(
    services: Services, home: Path
) -> None:
    watch = product_named(services, "Smart Watch")
    app = make_app(services, home, open_path=f"product/{watch.id}")
    async with app.run_test() as pilot:
        screen = await wait_for_screen(pilot, ProductScreen)
        await wait_for(pilot, lambda: screen.product is not None)
        await pilot.press("slash")
        await wait_for_screen(pilot, ShopScreen)
        await wait_for(pilot, lambda: app.focused is shop_screen(app).search_box)
