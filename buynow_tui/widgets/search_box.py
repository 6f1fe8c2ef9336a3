"""The Shop's search box: focused whenever the Shop opens, so typing a word searches."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class SearchBox(Input):
    """The search input, focused whenever the Shop opens, so typing a word searches.

    escape clears it and hands focus to the results; down (like enter) moves into
    them with the first result highlighted. A "/" typed into the empty box is the
    shopper's habit of "/ to search" (the cursor is already here), not text.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave search", id="search-leave"),
        Binding("down", "results", "To the results", id="search-results", show=False),
    ]

    class Left(Message):
        """The shopper pressed escape in the search box."""

    class ToResults(Message):
        """The shopper pressed down (or enter) in the search box."""

    def action_leave(self) -> None:
        self.post_message(self.Left())

    def action_results(self) -> None:
        self.post_message(self.ToResults())

    async def _on_key(self, event: events.Key) -> None:
        if event.character == "/" and not self.value:
            event.stop()
            event.prevent_default()  # Input's own handler would type it
