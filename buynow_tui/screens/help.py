"""Help: every key of the screen you were on, then the keys that work everywhere.

Read from the live bindings (the screen's own, its widgets' shown ones, the focused
widget's, and the app's), filtered by each node's `check_action`, so Help never
lists a key that would do nothing there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rich.text import Text
from textual.actions import parse
from textual.app import ComposeResult
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
    KeyRow("ctrl+p", "Command palette: any screen, a product by name, log out, theme"),
)


def _enabled(node: DOMNode, binding: Binding) -> bool:
    namespace, action, parameters = parse(binding.action)
    if namespace:
        return True
    return node.check_action(action, parameters) is not False


def _rows(app: DOMNode, pairs: Iterable[tuple[DOMNode, Binding]]) -> Iterator[KeyRow]:
    seen: dict[str, str] = {}
    order: list[str] = []
    for node, binding in pairs:
        if not binding.description or not _enabled(node, binding):
            continue
        key = app.app.get_key_display(binding)
        if binding.description in seen:
            if key not in seen[binding.description].split(" / "):
                seen[binding.description] += f" / {key}"
            continue
        seen[binding.description] = key
        order.append(binding.description)
    for description in order:
        yield KeyRow(seen[description], description)


def screen_keys(screen: Screen[object]) -> list[KeyRow]:
    """The keys that belong to `screen`: its own, its widgets' (shown) and the focused chain's."""
    pairs: list[tuple[DOMNode, Binding]] = [(screen, b) for _, b in screen._bindings]
    focused = screen.focused
    chain = list(focused.ancestors_with_self) if focused is not None else []
    for node in chain:
        if node is screen or node is screen.app:
            continue
        pairs.extend((node, b) for _, b in node._bindings)
    for widget in screen.walk_children():
        if widget in chain:
            continue
        pairs.extend((widget, b) for _, b in widget._bindings if b.show)
    return list(_rows(screen, pairs))


def app_keys(screen: Screen[object]) -> list[KeyRow]:
    app = screen.app
    return list(_rows(screen, ((app, b) for _, b in app._bindings))) + list(ALWAYS)


class HelpScreen(BaseScreen):
    SCREEN_TITLE = "Help"

    def __init__(self, about: Screen[object] | None = None) -> None:
        super().__init__()
        #: The screen whose keys are listed; the one below Help when not given.
        self.about = about

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="page", id="help"):
            yield Static("", id="help-title", markup=False)
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True, show_cursor=False)
            yield Static("escape or ? closes Help.", classes="page-note", markup=False)

    def on_mount(self) -> None:
        about = self.about
        if about is None:
            stack = self.app.screen_stack
            index = stack.index(self) if self in stack else len(stack)
            about = stack[index - 1] if index > 0 else None
        title = getattr(about, "SCREEN_TITLE", "") or "this screen"
        self.query_one("#help-title", Static).update(f"Keys on {title}")
        table = self.query_one("#help-keys", DataTable)
        table.add_columns("Key", "Does", "Where")
        own = screen_keys(about) if about is not None else []
        for row in own:
            table.add_row(Text(row.keys), Text(row.does), Text(title))
        for row in app_keys(about or self):
            table.add_row(Text(row.keys), Text(row.does), Text("Everywhere"))
        table.focus()
