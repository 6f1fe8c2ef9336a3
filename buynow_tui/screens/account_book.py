"""The Account screen's address book and saved cards (issue 15).

Addresses: the shopper's addresses, the default first; `a` adds one (the checkout's
own address form, every field with its message), `enter` edits the highlighted one,
`d` makes it the default, `x` (or delete) removes it. Cards: the cards saved at
checkout (brand, last four, expiry: all the shop keeps); `x` removes the highlighted
one. Each list's keys work while it has the focus and are listed on Help.

Removing asks nothing: an address or a saved card is quickly added again, and no order
changes (each keeps its own copy of where it went and what paid for it). The notice
says what went.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from buynow_tui.screens.base import InContext
from buynow_tui.store.checkout_views import AddressView, CardView
from buynow_tui.widgets.safe import plain_text

NO_ADDRESSES = "No addresses yet: press a to add one (the checkout asks for one too)."
NO_CARDS = "No saved cards: tick “Save this card” when you pay to keep one here."


class AddressList(OptionList):
    """The addresses, one per line; its keys act on the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "make_default", "Make default", id="book-default"),
        Binding("x,delete", "remove", "Remove address", id="book-remove"),
    ]

    def _book(self) -> AccountBook:
        return self.query_ancestor(AccountBook)

    def action_make_default(self) -> None:
        self._book().make_default()

    def action_remove(self) -> None:
        self._book().remove_address()


class CardList(OptionList):
    """The saved cards; `x` removes the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x,delete", "remove", "Remove card", id="book-remove-card"),
    ]

    def action_remove(self) -> None:
        self.query_ancestor(AccountBook).remove_card()


class AccountBook(InContext, Vertical):
    """Both lists, read from the store in workers and kept fresh after every change."""

    DEFAULT_CSS = """
    AccountBook {
        height: auto;
        .book-heading { text-style: bold; margin-top: 1; }
        .book-note { color: $text-muted; }
        OptionList { height: auto; max-height: 8; }
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.addresses: list[AddressView] | None = None
        self.cards: list[CardView] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Addresses", classes="book-heading")
        yield Static(
            "a new · enter edit · d make default · x remove",
            classes="book-note",
            id="book-addresses-keys",
        )
        yield AddressList(id="book-addresses")
        yield Static("Saved cards", classes="book-heading")
        yield CardList(id="book-cards")

    def on_mount(self) -> None:
        self.reload()

    def reload(self, select: int | None = None) -> None:
        user = self.user
        if user is not None:
            self._load(user.id, select)

    @work(thread=True, group="book", exit_on_error=False)
    def _load(self, user_id: int, select: int | None) -> None:
        services = self.services
        found = services.addresses.list(user_id), services.cards.list(user_id)
        self.reply(self._show, *found, select)

    def _show(
        self, addresses: list[AddressView], cards: list[CardView], select: int | None
    ) -> None:
        self.addresses, self.cards = addresses, cards
        listed = self.query_one(AddressList)
        was = listed.highlighted
        listed.clear_options()
        if not addresses:
            listed.add_option(Option(Content(NO_ADDRESSES), id="none", disabled=True))
        for address in addresses:
            label = plain_text(address.one_line) + (" (default)" if address.is_default else "")
            listed.add_option(Option(Content(label), id=str(address.id)))
        at = next((n for n, a in enumerate(addresses) if a.id == select), None)
        if addresses:
            listed.highlighted = at if at is not None else min(was or 0, len(addresses) - 1)
        saved = self.query_one(CardList)
        saved.clear_options()
        if not cards:
            saved.add_option(Option(Content(NO_CARDS), id="none", disabled=True))
        for card in cards:
            saved.add_option(Option(Content(plain_text(card.label)), id=str(card.id)))
        if cards:
            saved.highlighted = min(saved.highlighted or 0, len(cards) - 1)

    # -- what the keys do ----------------------------------------------------------------
    def _highlighted_address(self) -> AddressView | None:
        index = self.query_one(AddressList).highlighted
        found = self.addresses or []
        return found[index] if index is not None and index < len(found) else None

    def add_address(self) -> None:
        from buynow_tui.screens.checkout.ship_to import AddressForm

        self.app.push_screen(AddressForm(), self._saved)

    @on(OptionList.OptionSelected, "#book-addresses")
    def _edit(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        from buynow_tui.screens.checkout.ship_to import AddressForm

        address = self._highlighted_address()
        if address is not None:
            self.app.push_screen(AddressForm(address), self._saved)

    def _saved(self, saved: Any) -> None:
        if isinstance(saved, AddressView):
            self.notify("Address saved.", markup=False)
            self.reload(select=saved.id)

    def make_default(self) -> None:
        address, user = self._highlighted_address(), self.user
        if address is not None and user is not None and not address.is_default:
            self._make_default(user.id, address.id)

    @work(thread=True, group="book", exit_on_error=False)
    def _make_default(self, user_id: int, address_id: int) -> None:
        made = self.services.addresses.set_default(user_id, address_id)
        self.reply(self._done, "Orders now ship here by default.", made.id)

    def remove_address(self) -> None:
        address, user = self._highlighted_address(), self.user
        if address is not None and user is not None:
            self._remove_address(user.id, address)

    @work(thread=True, group="book", exit_on_error=False)
    def _remove_address(self, user_id: int, address: AddressView) -> None:
        self.services.addresses.remove(user_id, address.id)
        self.reply(self._done, f"Removed the address {address.one_line}.", None)

    def remove_card(self) -> None:
        index = self.query_one(CardList).highlighted
        cards, user = self.cards or [], self.user
        if index is not None and index < len(cards) and user is not None:
            self._remove_card(user.id, cards[index])

    @work(thread=True, group="book", exit_on_error=False)
    def _remove_card(self, user_id: int, card: CardView) -> None:
        self.services.cards.remove(user_id, card.id)
        self.reply(self._done, f"Removed the {card.brand} card ending {card.last4}.", None)

    def _done(self, words: str, select: int | None) -> None:
        self.notify(words, markup=False)
        self.reload(select)
