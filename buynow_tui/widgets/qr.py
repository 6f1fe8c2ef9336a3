"""A QR code drawn in a terminal: two rows of modules per line in half-block characters.

Each character cell holds two modules, one above the other: `█` both dark, `▀` the
upper, `▄` the lower, a space neither. The code is drawn dark on light (black on
white, whatever the theme), as phone cameras expect, with a quiet zone of
`QUIET` modules all round (the widget's own white padding widens it further).

`segno` makes the smallest code that holds the text at low error correction, so a
tracking URL of up to 100 characters (`store.tracking.MAX_URL`) is at most version 5,
37 modules: 41 with the quiet zone, 41 columns by 21 lines, which fits 80x24.
"""

from __future__ import annotations

import segno
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

QUIET = 2
_CELLS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
#: Dark modules are the foreground.
INK = Style(color="#000000", bgcolor="#ffffff")


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of `text`'s QR code (True is dark), quiet zone included."""
    code = segno.make_qr(text, error="l", boost_error=False)
    return [[bool(module) for module in row] for row in code.matrix_iter(border=QUIET)]


def qr_lines(text: str) -> list[str]:
    """`text`'s QR code as lines of half blocks (two module rows per line)."""
    matrix = qr_matrix(text)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    return [
        "".join(_CELLS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(matrix[0::2], matrix[1::2], strict=True)
    ]


def qr_size(text: str) -> tuple[int, int]:
    """(columns, lines) the code of `text` takes."""
    lines = qr_lines(text)
    return len(lines[0]), len(lines)


class QrCode(Widget):
    """The QR code of a text (a URL), black on white, at its natural size."""

    DEFAULT_CSS = """
    QrCode {
        width: auto;
        height: auto;
        background: #ffffff;
        color: #000000;
    }
    """

    def __init__(
        self,
        text: str,
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text
        self._lines = qr_lines(text)

    def get_content_width(self, container: object, viewport: object) -> int:
        return len(self._lines[0])

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        if y >= len(self._lines):
            return Strip.blank(self.size.width, INK)
        line = self._lines[y]
        strip = Strip([Segment(line, INK)], len(line))
        return strip.extend_cell_length(self.size.width, INK)
