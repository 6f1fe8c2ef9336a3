"""Every screen's footer fits 80 columns (issue 13): no key cut off at 80x24.

Footer keys are laid out in one row; when they need more room than the window has,
the last ones are cut ("…Shop…Accoun"). Help lists every key, so the footer may leave
some out, never cut them.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Button, Footer
from textual.widgets._footer import FooterKey

from buynow_tui.app import BuyNowApp
from tests.support.app import make_app, press_key, settle, wait_for
from tests.support.store import product_named, register


def footer_room(app: BuyNowApp) -> tuple[int, int, list[str]]:
    """(cells the footer's keys need, cells it has, its keys)."""
    footer = app.screen.query_one(Footer)
    keys = [f"{key.key_display or key.key} {key.description}" for key in footer.query(FooterKey)]
    return footer.virtual_size.width, footer.size.width, keys


async def test_every_screens_footer_fits_80_columns(services: Any, home: Any) -> None:
    user = register(services)
    services.accounts.set_address(user.id, "1 Harbour Road")
    watch = product_named(services, "Smart Watch")
    services.cart.add(user.id, watch.id, 1)
    order = services.orders.checkout(user.id)
    services.cart.add(user.id, watch.id, 1)
    services.wishlist.add(user.id, product_named(services, "Digital Camera").id)
    app = make_app(services, home)
    seen: dict[str, tuple[int, int, list[str]]] = {}
    async with app.run_test(size=(80, 24)) as pilot:

        async def look(name: str, ready: Any = None) -> None:
            await settle(pilot)
            if ready is not None:
                await wait_for(pilot, ready)
            await pilot.pause(0.1)  # the footer rebuilds after the next refresh
            seen[name] = footer_room(app)

        await look(
            "Shop (search box)",
            lambda: (
                getattr(app.screen, "page", None) is not None and "^q Quit" in footer_room(app)[2]
            ),
        )
        await pilot.press("escape")
        await look("Shop (list)")
        await press_key(pilot, "5")
        await look("Log in")
        await pilot.press("ctrl+r")
        await look("Register")
        app.logged_in(user)
        for name in ("cart", "wishlist", "orders", "account", "about"):
            app.navigate(name)
            await look(name.title())
        app.navigate(f"product/{watch.id}")
        await look("Product", lambda: getattr(app.screen, "product", None) is not None)
        app.navigate(f"order/{order.id}")
        await look("Order detail", lambda: getattr(app.screen, "order", None) is not None)
        await pilot.press("question_mark")
        await look("Help")
    assert len(seen) == 12
    cut = {name: room for name, room in seen.items() if room[0] > room[1]}
    assert cut == {}, cut
    assert all(room[2] for room in seen.values())  # every footer shows keys
    assert "a Add" in seen["Shop (list)"][2] and "q Quit" in seen["Shop (list)"][2]
    assert "^q Quit" in seen["Shop (search box)"][2]


async def test_accounts_buttons_fit_one_row_from_60_to_79_columns(services: Any, home: Any) -> None:
    user = register(services)
    app = make_app(services, home)
    async with app.run_test(size=(80, 24)) as pilot:
        app.logged_in(user)
        app.navigate("account")
        await settle(pilot)
        for width in (60, 64, 70, 79):
            await pilot.resize_terminal(width, 24)
            await settle(pilot)
            await pilot.pause(0.05)
            buttons = list(app.screen.query("#account-actions Button").results(Button))
            assert len(buttons) == 4
            assert len({button.region.y for button in buttons}) == 1, width  # one row
            assert max(button.region.right for button in buttons) <= width, width
            for button in buttons:  # each label whole, never "Log"
                assert button.content_region.width >= len(str(button.label)), (width, button)
