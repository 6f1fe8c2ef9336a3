"""Hostile text: what a shopper might type or paste, or an admin pass to the CLI, to
break the screen, the terminal or the logs. Shared by `test_hostile_text.py`.

Every string but the last fits every field (at most 32 characters once cleaned, and a
valid password: 8+ characters, at most 72 bytes), so each is either shown exactly as
`shown` (markup as literal text, control characters gone) or, for the 10,000
characters, refused with the field's own message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Hostile:
    id: str
    text: str
    #: What a one-line field shows once the store has it (None: refused as too long).
    shown: str | None
    #: What a one-line text box holds after a paste (only its first line is kept).
    pasted: str | None = None
    #: What a multi-line field (the address dialog) stores.
    lines: str | None = None

    @property
    def in_box(self) -> str | None:
        return self.pasted if self.pasted is not None else self.shown

    @property
    def multiline(self) -> str | None:
        return self.lines if self.lines is not None else self.shown

    @property
    def too_long(self) -> bool:
        return self.shown is None

    @property
    def password(self) -> str:
        """A password box keeps a paste as it is (it never shows it), first line only."""
        return self.text.split("\n")[0]


def _same(case: str, text: str) -> Hostile:
    return Hostile(case, text, text)


HOSTILE: list[Hostile] = [
    # An action link, and a stray closing tag (markup parsing would raise on it).
    _same("click-quit", "[@click=app.quit]Free gift[/][/"),
    _same("link-style", "[bold][link=https://x.io]Go[/]"),
    # Colour and clear screen (CSI), set the window title (OSC ... BEL), an 8-bit CSI,
    # a right-to-left override.
    Hostile(
        "escapes",
        "\x1b[31mred\x1b[2J\x1b]0;pwned\x07\x9b2J\u202eevil",
        "[31mred[2J]0;pwned2Jevil",
    ),
    Hostile(
        "newline",
        "first line\nINFO | forged",
        "first lineINFO | forged",
        pasted="first line",
        lines="first line\nINFO | forged",
    ),
    _same("emoji", "📱 Phone 🎧"),
    Hostile("10k", "x" * 10_000, None, pasted="x" * 10_000),
]

#: The ones carrying control characters: the CLI's usage errors are checked with these.
WITH_CONTROLS = [h for h in HOSTILE if h.id in ("escapes", "newline")]

#: What must never reach a terminal or a log: C0 and C1 controls (ESC, BEL, CR, LF...),
#: DEL, zero-width and bidirectional formatting characters, line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
