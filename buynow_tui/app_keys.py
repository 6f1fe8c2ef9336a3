"""The App's handling of keys, pastes and toasts, kept apart from its screens and
session (`app.py`): what reaches a text box and in which order, pastes cleaned of
control characters, at most a few toasts at once, and no blinking cursor where a test
or a remote terminal asks for none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.notifications import Notify
from textual.widgets import Input, TextArea

from buynow_tui.widgets.safe import clean_paste

if TYPE_CHECKING:
    from textual.app import App

    _App = App[None]
else:
    _App = object

#: Toasts shown at once: the newest ones (two toasts of two lines cover at most a
#: quarter of the list at 80x24).
MAX_TOASTS = 2


def no_blinking_cursors() -> None:
    """Text cursors in this process start without blinking (a process that runs one
    app: `app.run` over SSH and in browsers, where a blink is a repaint sent down the
    connection twice a second by every idle session).

    The app's `_no_blink` cannot do it alone: the Shop focuses its search box while
    mounting, and that first focus never reaches the app's handler, so the box went on
    blinking. The fields' own default is what every field starts from.
    """
    for field in (Input, TextArea):
        field.cursor_blink._default = False


class KeyOrder(_App):
    """Mixed into `BuyNowApp` (before Textual's App, so these handlers run first)."""

    cursor_blink: bool

    def _on_notify(self, event: Notify) -> None:
        """Only the newest MAX_TOASTS toasts stay: they never pile up over the list."""
        super()._on_notify(event)
        shown = list(self._notifications)
        for old in shown[:-MAX_TOASTS]:
            self._unnotify(old, refresh=False)
        if len(shown) > MAX_TOASTS:
            self._refresh_notifications()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Paste):
            clean_paste(event, self.focused)
        elif (
            isinstance(event, events.Key) and not event.is_forwarded and await self._in_turn(event)
        ):
            return
        await super().on_event(event)

    async def _in_turn(self, event: events.Key) -> bool:
        """A text box's own key (ctrl+u, backspace, enter...) runs in turn with the
        characters typed around it.

        Textual runs a binding once its key has bubbled back up to the App, while the
        box types characters as soon as it reads them: with keys arriving together,
        ctrl+u ran after the characters typed after it and deleted them too. Here the
        binding waits in the box's own queue, behind the keys sent to it before, and
        ahead of those after. True when the key is taken care of so.
        """
        box = self.focused
        if not isinstance(box, (Input, TextArea)) or event.key not in box._bindings.key_to_bindings:
            return False
        if await self._check_bindings(event.key, priority=True):
            return True  # quit, tab...: at once, as always
        self.app_focus = True
        box.call_later(self._check_bindings, event.key)
        return True

    @on(events.DescendantFocus)
    def _no_blink(self, event: events.DescendantFocus) -> None:
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False
