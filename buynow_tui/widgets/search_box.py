"""The Shop's search box: focused whenever the Shop opens, so typing a word searches."""

from __future__ import annotations

from typing import ClassVar, Self

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
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
        Binding("down", "results", "To the list", id="search-results", key_display="↓"),
    ]

    class Left(Message):
        """The shopper pressed escape in the search box."""

    class ToResults(Message):
        """The shopper pressed down (or enter) in the search box."""

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """A repaint where Textual asks for a layout that cannot change anything.

        An Input's virtual size is its text's width, and a layout reactive: every key
        typed laid the whole screen out again (~20% of a keystroke's CPU). The box's own
        size is fixed by its style (the full width, three rows), so only its text, not
        the screen, needs drawing again.
        """
        if layout and not self.styles.auto_dimensions:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def action_leave(self) -> None:
        self.post_message(self.Left())

    def action_results(self) -> None:
        self.post_message(self.ToResults())

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and not self.has_focus:
            # Typed before the focus moved on (keys arriving together: "smart", down,
            # "a"): the key was routed here, but the shopper is in the list now. It is
            # not typed; it goes on up, where the bindings of the list take it.
            event.prevent_default()
        elif event.character == "/" and not self.value:
            event.stop()
            event.prevent_default()  # Input's own handler would type it

    def type_in(self, char: str) -> None:
        """Take the focus and type `char` after what is there: a letter typed elsewhere
        on the Shop starts the search with it (the keys after it land here too)."""
        self.select_on_focus = False  # focusing would select the text: the next key replaced it
        self.screen.set_focus(self)
        self.cursor_position = len(self.value)
        self.insert_text_at_cursor(char)
        self.call_later(setattr, self, "select_on_focus", True)  # after the Focus event
