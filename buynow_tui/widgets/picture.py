"""A product's picture on screen, as well as the terminal can show it (textual-image).

Modes: "tgp" (the Kitty graphics protocol) or "sixel" where the terminal answers that
it has them, "halfcell" (two coloured pixels per cell, "▀") anywhere else, "none"
with NO_COLOR (a picture is nothing but colour). A picture that would not fit the
space it is given (`MIN_CELLS`) is left out rather than squashed.

textual-image finds out what a terminal can do by asking it (an escape sequence, then
reading the answer from stdin) when it is first imported, which only works before
Textual starts reading the keyboard, and would ask whatever terminal the importing
process has. So it is imported only through `prepare` and `load_quietly`:

- locally (`app.run`), with "detect", before the app starts: it asks the shopper's
  own terminal (only a terminal whose environment says it may draw pictures);
- anywhere else, with "halfcell", when the first picture is drawn (`load_quietly`):
  it asks nothing. The fork server loads it once, for its sessions to share. Over SSH
  the terminal is at the far end of the connection (the fork server, which imports the
  app before any shopper connects, has none, and a session's app would have to read
  the answer through the shopper's keystrokes), and in a browser xterm.js shows no
  graphics; half blocks work in both.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from buynow_tui.store.views import Picture

MODES = ("none", "halfcell", "sixel", "tgp")
#: A picture needs at least this many cells across to be worth showing.
MIN_CELLS = 8
#: The cell size assumed where the terminal is not asked (textual-image's own default).
ASSUMED_CELL = (10, 20)

_prepared: str | None = None


#: Terminals that say in their environment that they may draw Kitty graphics or Sixel.
#: Only these are asked (`prepare`): asking costs up to 0.3 s at start-up in a terminal
#: that never answers (three queries, 0.1 s each), which most terminals are for at
#: least one of them; every other terminal gets half blocks at once.
GRAPHICS_TERMS = ("kitty", "ghostty", "wezterm", "foot", "mlterm", "contour", "sixel")
GRAPHICS_PROGRAMS = ("wezterm", "ghostty", "iterm.app", "kitty", "konsole")


def choose_mode(*, no_color: bool, remote: bool, environ: Mapping[str, str] | None = None) -> str:
    """The mode for an app: "none" with NO_COLOR, "halfcell" when the terminal is not
    this process's own (SSH, a browser) or does not say it can draw pictures, else
    "detect" (ask it, `prepare`)."""
    if no_color:
        return "none"
    if remote:
        return "halfcell"
    env = os.environ if environ is None else environ
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    if (
        "KITTY_WINDOW_ID" in env
        or any(name in term for name in GRAPHICS_TERMS)
        or program in GRAPHICS_PROGRAMS
    ):
        return "detect"
    return "halfcell"


def prepare(mode: str) -> str:
    """The mode to use from now on for `mode` ("detect" asks this process's terminal,
    so only before Textual starts). Only "detect" loads textual-image here; half
    blocks load it (`load_quietly`) when the first picture is drawn, which most
    sessions never do (pictures show on a product page and in the wide Shop's preview):
    its import costs ~90 ms of CPU, most of it numpy for its Sixel encoder."""
    global _prepared
    detected = None
    if mode == "detect" and sys.__stdout__ is not None and sys.__stdout__.isatty():
        detected = _detect()
    if detected is not None:
        mode = detected
    elif mode not in MODES:
        mode = "halfcell"
    _prepared = mode
    return mode


def load_quietly() -> None:
    """Import textual-image without asking any terminal anything (its import-time
    checks look at `sys.__stdout__`, hidden meanwhile; the cell size is assumed) and
    without numpy, which it uses only to encode Sixel, never drawn where this is called:
    half blocks, and the fork server, whose sessions draw half blocks. numpy stays
    importable afterwards."""
    if "textual_image.widget" in sys.modules:
        return
    from textual_image import _terminal

    if not hasattr(_terminal.get_cell_size, "_result"):
        _terminal.get_cell_size._result = _terminal.CellSize(*ASSUMED_CELL)  # type: ignore[attr-defined]
    real = sys.__stdout__
    hide_numpy = "numpy" not in sys.modules
    # Its import-time checks ask no terminal: a stdout that is not one, and no None
    # (`get_cell_size` refuses a closed stdout even with its answer cached).
    sys.__stdout__ = io.StringIO()  # type: ignore[misc,assignment]
    if hide_numpy:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # "import numpy" fails
    try:
        import textual_image.renderable
        import textual_image.widget  # noqa: F401
    finally:
        sys.__stdout__ = real  # type: ignore[misc]
        if hide_numpy:
            del sys.modules["numpy"]


def _detect() -> str | None:
    """Ask this terminal what it can show (textual-image's import does); None if the
    asking failed (a terminal of no size, say: textual-image divides by it)."""
    try:
        from textual_image import _terminal

        _terminal.get_cell_size()  # asked now and kept: it cannot be asked later
        import textual_image.renderable as auto
        from textual_image.renderable import sixel, tgp
    except Exception:  # its detection is best effort; half blocks always work
        return None
    found = auto.Image
    return "sixel" if found is sixel.Image else "tgp" if found is tgp.Image else "halfcell"


def picture_widget(picture: Picture, mode: str, *, width: int) -> Widget | None:
    """A widget showing `picture` `width` cells wide (its height to keep its shape), or
    None with mode "none" or too little room."""
    if mode == "none" or width < MIN_CELLS:
        return None
    if _prepared is None or mode == "detect":
        mode = prepare(mode if mode != "detect" else "halfcell")
    if mode == "halfcell":
        load_quietly()
    from PIL import Image as PILImage
    from textual_image._geometry import ImageSize
    from textual_image._terminal import get_cell_size
    from textual_image.widget import HalfcellImage, SixelImage, TGPImage

    kind = {"sixel": SixelImage, "tgp": TGPImage}.get(mode, HalfcellImage)
    image = PILImage.open(io.BytesIO(picture.data))
    image.load()
    widget: Widget = kind(image, classes="picture")
    # Its height in rows, worked out here as textual-image would for "auto": it works
    # "auto" out from the width it had at its last layout, none at its first, and kept
    # no height at all when nothing laid the screen out again (a preview on the Shop's
    # first frame).
    _, rows = ImageSize(image.width, image.height, width=width, height="auto").get_cell_size(
        width, 2**32, get_cell_size()
    )
    widget.styles.width = width
    widget.styles.height = max(rows, 1)
    return widget


def no_picture() -> Static:
    """What stands where a picture would: nothing, taking no room."""
    blank = Static("", classes="picture")
    blank.display = False
    return blank
