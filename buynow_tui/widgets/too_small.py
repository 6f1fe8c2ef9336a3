"""The "terminal too small" notice: covers the screen below 60x20 and goes when it grows.

Every BaseScreen (and every dialog) carries one. While it shows it holds the focus and
swallows keys, so nothing is typed into a form the shopper cannot see; `q` and `ctrl+c`
still quit. When the window grows it hands the focus back.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

MIN_WIDTH = 60
MIN_HEIGHT = 20


def is_too_small(size: Size) -> bool:
    return size.width < MIN_WIDTH or size.height < MIN_HEIGHT


class TooSmall(Static, can_focus=True):
    DEFAULT_CSS = """
    TooSmall {
        display: none;
        layer: toosmall;
        dock: top;
        width: 100%;
        height: 100%;
        content-align: center middle;
        text-align: center;
        background: $background;
        color: $foreground;
        padding: 1 2;
    }
    TooSmall:focus { background-tint: transparent; }
    """

    def __init__(self) -> None:
        super().__init__(id="too-small")
        self._focus_before: Widget | None = None
        self.can_focus = False  # only while it shows

    @property
    def showing(self) -> bool:
        return self.display

    def fit(self, size: Size) -> None:
        """Show the notice if `size` is below the minimum; hide it (and refocus) if not."""
        small = is_too_small(size)
        if small:
            self.update(
                Content(
                    "The terminal is too small for BuyNow.\n\n"
                    f"Make the window at least {MIN_WIDTH}x{MIN_HEIGHT} "
                    f"(it is {size.width}x{size.height} now).\n\n"
                    "Press q to quit."
                )
            )
        if small == self.display:
            return
        self.display = small
        self.can_focus = small
        if small:
            focused = self.screen.focused
            self._focus_before = focused if focused is not self else None
            self.focus()
        else:
            self._give_back_focus()

    def _give_back_focus(self) -> None:
        before, self._focus_before = self._focus_before, None
        if before is not None and before.is_attached and before.focusable:
            before.focus()
        elif self.has_focus or self.screen.focused is self:
            self.screen.set_focus(None)

    def on_key(self, event: events.Key) -> None:
        """Keys do nothing while the notice shows, except quitting."""
        if event.key == "q" or not self.display:
            return
        event.stop()
        event.prevent_default()
