"""Stored text on screen: always data, never markup, never a terminal escape.

`Content(text)` already keeps markup out, but it passes ESC and most other control
characters through to the terminal. `safe_text` strips them first (the store's own
`clean_text`), so a username holding `\\x1b[31m` cannot recolour, move or clear the
shopper's terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from buynow_tui.store.validation import clean_text

if TYPE_CHECKING:
    from textual import events
    from textual.widget import Widget


def plain_text(text: str, *, multiline: bool = False) -> str:
    """`text` without control characters (newlines kept when `multiline`)."""
    return clean_text(text, multiline=multiline)


def safe_text(text: str, *, multiline: bool = False) -> Content:
    """Content showing `text` exactly as typed, minus control characters."""
    return Content(plain_text(text, multiline=multiline))


def clean_paste(event: events.Paste, focused: Widget | None) -> None:
    """A paste loses its control characters before any text box gets it.

    Typed keys never put ESC into a box, but a paste does, and Textual's `Input` and
    `TextArea` draw their text as it is: a pasted `\\x1b[2J` would reach the terminal
    raw. Password boxes keep a paste as it is (they only ever show dots).
    """
    if not event.is_forwarded and getattr(focused, "password", False) is not True:
        event.text = plain_text(event.text, multiline=True)
