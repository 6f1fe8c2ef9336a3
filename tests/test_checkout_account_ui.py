"""The Account screen's addresses and saved cards (issue 15), and Help on the checkout's
steps: add (every field's message), edit, make default, remove, remove a card; at 80x24."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select

from buynow_tui.screens.account import AccountScreen
from buynow_tui.screens.account_book import (
    NO_ADDRESSES,
    NO_CARDS,
    AccountBook,
    AddressList,
    CardList,
)
from buynow_tui.screens.checkout.ship_to import AddressForm, ShipToStep
from buynow_tui.screens.help import HelpScreen
from buynow_tui.store.services import Services
from buynow_tui.widgets.form import Field
from tests.support.app import make_app, press_key, screen_text, settle, wait_for, wait_for_screen
from tests.support.checkout import HOME_ADDRESS
from tests.support.shop import log_in, to_checkout


async def open_account(pilot: Pilot[Any]) -> AccountBook:
    await press_key(pilot, "5")
    account = await wait_for_screen(pilot, AccountScreen)
    book = account.query_one(AccountBook)
    await wait_for(pilot, lambda: book.addresses is not None and book.cards is not None)
    await settle(pilot)
    return book


def problem(app: Any, name: str) -> str | None:
    found: str | None = app.screen.query_one(f"#field-{name}", Field).problem
    return found


async def test_addresses_and_cards_on_the_account_screen_at_80x24(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        book = await open_account(pilot)
        assert book.addresses == [] and book.cards == []
        book.query_one("#book-addresses").scroll_visible(animate=False)
        await settle(pilot)
        assert NO_ADDRESSES in screen_text(app)

        # a: a new address; saving it empty puts a message on each required field.
        await pilot.press("a")
        form = await wait_for_screen(pilot, AddressForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        for name in ("name", "line1", "city", "postal_code", "country", "phone"):
            assert problem(app, name), name
        assert problem(app, "line2") is None and problem(app, "region") is None
        assert services.addresses.list(user.id) == []
        for name in ("name", "line1", "line2", "city", "region", "postal_code", "phone"):
            form.query_one(f"#address-{name}", Input).value = getattr(HOME_ADDRESS, name)
        form.query_one("#address-country", Select).value = HOME_ADDRESS.country
        form.query_one("#address-postal_code", Input).value = "#?"  # a bad postcode, typed
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert problem(app, "postal_code") is not None and app.screen is form
        form.query_one("#address-postal_code", Input).value = HOME_ADDRESS.postal_code
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, AccountScreen)
        await wait_for(pilot, lambda: bool(book.addresses))
        [home_address] = services.addresses.list(user.id)
        assert home_address.is_default and home_address.line1 == "12 Harbour Road"

        # A second one, then d makes it the default.
        work = services.addresses.add(
            user.id,
            HOME_ADDRESS.__class__(
                **{**HOME_ADDRESS.__dict__, "line1": "1 Office Park", "line2": ""}
            ),
        )
        book.reload()
        await wait_for(pilot, lambda: len(book.addresses or []) == 2)
        listed = book.query_one("#book-addresses", AddressList)
        listed.focus()
        listed.highlighted = 1
        await pilot.press("d")
        await wait_for(pilot, lambda: services.addresses.list(user.id)[0].id == work.id)
        await wait_for(pilot, lambda: [a.id for a in book.addresses or []][:1] == [work.id])

        # enter edits the highlighted one (the form holds its fields).
        listed.highlighted = [a.id for a in book.addresses or []].index(home_address.id)
        await pilot.press("enter")
        form = await wait_for_screen(pilot, AddressForm)
        city = form.query_one("#address-city", Input)
        assert city.value == "Port Town"
        city.value = "Bay Town"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, AccountScreen)
        await wait_for(
            pilot, lambda: services.addresses.get(user.id, home_address.id).city == "Bay Town"
        )

        # x removes the highlighted one; the other stays the default.
        await wait_for(pilot, lambda: any(a.city == "Bay Town" for a in book.addresses or []))
        listed.focus()
        listed.highlighted = [a.id for a in book.addresses or []].index(home_address.id)
        await pilot.press("x")
        await wait_for(pilot, lambda: len(services.addresses.list(user.id)) == 1)
        assert [(a.id, a.is_default) for a in services.addresses.list(user.id)] == [(work.id, True)]

        # A saved card is listed (brand, last four, expiry) and x removes it.
        services.cards.save(user.id, "tok_test_approved_1", "Visa", "4242", 12, 2030)
        book.reload()
        await wait_for(pilot, lambda: bool(book.cards))
        cards = book.query_one("#book-cards", CardList)
        cards.focus()
        cards.scroll_visible(animate=False)
        await settle(pilot)
        assert "Visa ending 4242, expires 12/30" in screen_text(app)
        await pilot.press("x")
        await wait_for(pilot, lambda: services.cards.list(user.id) == [])
        await wait_for(pilot, lambda: book.cards == [])
        await settle(pilot)
        assert NO_CARDS in screen_text(app)

        # Help lists the book's keys.
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        await settle(pilot)
        text = screen_text(app)
        assert "Remove card" in text or "Remove address" in text
        assert "New address" in text


async def test_help_on_a_checkout_step_lists_its_keys(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        user = log_in(app, services)
        services.addresses.add(user.id, HOME_ADDRESS)
        services.cart.add(user.id, services.catalog.search("Smart Watch")[0].id, 1)
        await to_checkout(pilot)
        await pilot.press("question_mark")
        await wait_for_screen(pilot, HelpScreen)
        await settle(pilot)
        text = screen_text(app)
        assert "On Checkout: Ship to" in text
        for does in ("Ship to the highlighted address", "New address", "Edit", "Back"):
            assert does in text, does
        await pilot.press("escape")
        await wait_for_screen(pilot, ShipToStep)
