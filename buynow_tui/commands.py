"""The command palette (ctrl+p): go to any screen, open a product by name, log out, theme.

Product names come from the catalog in a thread (`asyncio.to_thread`), so typing in
the palette never waits on the database. Prompts are built from plain text (not
`Matcher.highlight`, which parses its argument as markup) and help lines are escaped:
a product called `[bold]x` shows as typed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape
from textual.message import Message

from buynow_tui.messages import LoggedOut, LoginRequired, Navigate
from buynow_tui.store.views import dollars
from buynow_tui.themes import DEFAULT_THEME, HIGH_CONTRAST_THEME

if TYPE_CHECKING:
    from textual.app import App

    from buynow_tui.context import Context

#: Screens the palette offers, in the order it lists them.
SCREENS = (
    ("Shop", "shop", "The catalog"),
    ("Cart", "cart", "What you are about to buy"),
    ("Wishlist", "wishlist", "Things you saved for later"),
    ("Orders", "orders", "What you bought"),
    ("Account", "account", "Your details, address, password and log out"),
    ("About", "about", "When the shop was launched and how long it has been up"),
    ("Help", "help", "Every key of the current screen"),
    ("Privacy policy", "privacy", "What the shop keeps about you"),
)

PRODUCT_HITS = 8
#: Themes with a command of their own below, left out of the list of every theme.
NAMED_THEMES = frozenset({HIGH_CONTRAST_THEME, DEFAULT_THEME})


class ShopCommands(Provider):
    """BuyNow's own commands, next to Textual's system commands. A command posts a
    message to the App (or runs one of its Textual actions), as a key would."""

    @property
    def context(self) -> Context:
        return cast("Context", self.app)

    def _tell(self, message: Message) -> Callable[[], Any]:
        return partial(self.app.post_message, message)

    def _commands(self) -> Iterator[tuple[str, Callable[[], Any], str]]:
        app = self.app
        for title, route, help_text in SCREENS:
            if route == "help":
                yield f"Go to {title}", partial(app.run_action, "help"), help_text
            else:
                yield f"Go to {title}", self._tell(Navigate(route)), help_text
        if self.context.user is None:
            yield "Log in", self._tell(LoginRequired()), "Log in to your account"
        else:
            yield "Log out", self._tell(LoggedOut()), "End this session and forget Remember me"
        if app.theme != HIGH_CONTRAST_THEME:
            yield (
                "Theme: high contrast",
                partial(_set_theme, app, HIGH_CONTRAST_THEME),
                "Strong colours",
            )
        if app.theme != DEFAULT_THEME:
            yield (
                "Theme: default",
                partial(_set_theme, app, DEFAULT_THEME),
                "The shop's usual colours",
            )

    async def discover(self) -> Hits:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(Content(text), command, text=text, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, _highlight(matcher, text), command, text=text, help=escape(help_text)
                )
        for name in sorted(self.app.available_themes):
            if name in NAMED_THEMES:
                continue  # offered above by name ("Theme: high contrast"): one entry each
            text = f"Theme: {name}"
            score = matcher.match(text)
            if score > 0 and name != self.app.theme:
                yield Hit(
                    score * 0.5,
                    _highlight(matcher, text),
                    partial(_set_theme, self.app, name),
                    text=text,
                )
        query = query.strip()
        if len(query) < 2:
            return
        products = await asyncio.to_thread(
            self.context.services.catalog.search, query, limit=PRODUCT_HITS
        )
        for product in products:
            text = f"Open {product.name}"
            score = max(matcher.match(text), 0.2)
            yield Hit(
                score,
                _highlight(matcher, text),
                self._tell(Navigate(f"product/{product.id}")),
                text=text,
                help=escape(
                    f"{product.category} · {dollars(product.price_cents)} · {product.stock_words}"
                ),
            )


def _highlight(matcher: Matcher, text: str) -> Content:
    """The matched letters of `text` highlighted; `text` is never read as markup."""
    content = Content(text)
    plain = content.plain
    score, offsets = matcher.fuzzy_search.match(matcher.query, plain)
    if score:
        for offset in offsets:
            if not plain[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _set_theme(app: App[object], name: str) -> None:
    app.theme = name
