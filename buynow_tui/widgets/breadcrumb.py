"""The checkout's breadcrumb: Cart > Ship to > Delivery > Pay > Confirm.

The step the shopper is on is bold and in brackets (so it reads without colour, as
under NO_COLOR); the steps behind are marked done with a tick.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

STEPS = ("Cart", "Ship to", "Delivery", "Pay", "Confirm")


def crumbs(current: str) -> Content:
    at = STEPS.index(current)
    parts: list[Content] = []
    for n, step in enumerate(STEPS):
        if n < at:
            parts.append(Content(f"{step} ✓"))
        elif n == at:
            parts.append(Content(f"[{step}]").stylize("bold"))
        else:
            parts.append(Content(step).stylize("dim"))
    return Content(" > ").join(parts)


class Breadcrumb(Static):
    DEFAULT_CSS = """
    Breadcrumb { height: 1; margin-bottom: 1; }
    """

    def __init__(self, current: str) -> None:
        super().__init__(crumbs(current), id="breadcrumb")
        self.current = current
