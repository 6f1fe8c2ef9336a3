"""Help: every key of the screen you were on, then the keys that work everywhere.

Read from the live bindings (the screen's own, its widgets', the focused widget's, and
the app's), filtered by each node's `check_action`, so Help never lists a key that
would do nothing there. A binding is listed when it is shown in the footer or carries
an `id` (every BuyNow binding does); Textual's own plumbing (focus, copy) is summed
up in the rows of `ALWAYS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rich.text import Text
from textual.actions import parse
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Static

from buynow_tui.screens.base import BaseScreen


@dataclass(frozen=True)
class KeyRow:
    keys: str
    does: str


#: Keys that are not bindings of ours but always work.
ALWAYS = (
    KeyRow("tab / shift+tab", "Next / previous field or button"),
    KeyRow("enter", "Open, press or submit"),
    KeyRow("ctrl+p", "Command palette: screens, products, log out, theme"),
)


def _enabled(node: DOMNode, binding: Binding) -> bool:
    namespace, action, parameters = parse(binding.action)
    if namespace:
        return True
    return node.check_action(action, parameters) is not False


def _listed(binding: Binding) -> bool:
    return bool(binding.description) and (binding.show or binding.id is not None)


def _rows(app: App[object], pairs: Iterable[tuple[DOMNode, Binding]]) -> Iterator[KeyRow]:
    """One row per description, its keys joined ("q / ^c  Quit"), in binding order."""
    keys_for: dict[str, list[str]] = {}
    for node, binding in pairs:
        if not _listed(binding) or not _enabled(node, binding):
            continue
        # The footer's label is short ("a Add"); Help says it whole (the tooltip).
        keys = keys_for.setdefault(binding.tooltip or binding.description, [])
        key = app.get_key_display(binding)
        if key not in keys:
            keys.append(key)
    for description, keys in keys_for.items():
        yield KeyRow(" / ".join(sorted(keys, key=lambda key: (len(key), key))), description)


def _shown(widget: DOMNode, screen: DOMNode) -> bool:
    """False for a widget hidden with `display: none` (itself or a container)."""
    node: DOMNode | None = widget
    while node is not None and node is not screen:
        if not node.display:
            return False
        node = node.parent
    return True


def screen_keys(screen: Screen[object]) -> list[KeyRow]:
    """The keys that belong to `screen`: its own, its widgets' and the focused chain's.

    Reads each node's `_bindings` (the merged BINDINGS of its class hierarchy): the
    public `active_bindings` drops keys a focused text box would swallow, and Help is
    about the screen, not about where the cursor happens to be.
    """
    pairs: list[tuple[DOMNode, Binding]] = [(screen, b) for _, b in screen._bindings]
    focused = screen.focused
    chain = list(focused.ancestors_with_self) if focused is not None else []
    for node in chain:
        if node is screen or node is screen.app:
            continue
        pairs.extend((node, b) for _, b in node._bindings)
    for widget in screen.walk_children(with_self=False):
        if widget not in chain and _shown(widget, screen):
            pairs.extend((widget, b) for _, b in widget._bindings)
    return list(_rows(screen.app, pairs))


def app_keys(screen: Screen[object]) -> list[KeyRow]:
    app = screen.app
    return list(_rows(app, ((app, b) for _, b in app._bindings))) + list(ALWAYS)


class HelpScreen(BaseScreen):
    SCREEN_TITLE = "Help"

    def __init__(self, about: Screen[object] | None = None) -> None:
        super().__init__()
        #: The screen whose keys are listed; the one below Help when not given.
        self.about = about

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="page", id="help"):
            yield Static("", id="help-title", classes="help-heading", markup=False)
            yield DataTable(id="screen-keys", cursor_type="none", zebra_stripes=True)
            yield Static("Everywhere", classes="help-heading", markup=False)
            yield DataTable(id="app-keys", cursor_type="none", zebra_stripes=True)
            yield Static("escape or ? closes Help.", classes="page-note", markup=False)

    def on_mount(self) -> None:
        about = self.about
        if about is None:
            stack = self.app.screen_stack
            index = stack.index(self) if self in stack else len(stack)
            about = stack[index - 1] if index > 0 else None
        title = getattr(about, "SCREEN_TITLE", "") or "this screen"
        self.query_one("#help-title", Static).update(f"On {title}")
        notes = [KeyRow(keys, does) for keys, does in getattr(about, "HELP_NOTES", ())]
        own = notes + (screen_keys(about) if about is not None else [])
        if not own:
            own = [KeyRow("", "No keys of its own: the ones below work here.")]
        self._fill("#screen-keys", own)
        self._fill("#app-keys", app_keys(about or self))
        self.query_one("#help", VerticalScroll).focus()

    def _fill(self, selector: str, rows: list[KeyRow]) -> None:
        table = self.query_one(selector, DataTable)
        table.add_columns("Key", "Does")
        for row in rows:
            table.add_row(Text(row.keys, style="bold"), Text(row.does))
