"""Stored text on screen: always data, never markup, never a terminal escape.

`Content(text)` already keeps markup out, but it passes ESC and most other control
characters through to the terminal. `safe_text` strips them first (the store's own
`clean_text`), so a username holding `\\x1b[31m` cannot recolour, move or clear the
shopper's terminal.
"""

from __future__ import annotations

from textual.content import Content

from buynow_tui.store.validation import clean_text


def plain_text(text: str, *, multiline: bool = False) -> str:
    """`text` without control characters (newlines kept when `multiline`)."""
    return clean_text(text, multiline=multiline)


def safe_text(text: str, *, multiline: bool = False) -> Content:
    """Content showing `text` exactly as typed, minus control characters."""
    return Content(plain_text(text, multiline=multiline))
