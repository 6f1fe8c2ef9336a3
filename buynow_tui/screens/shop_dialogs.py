"""The Shop's two small dialogs: pick a category (`c`) and go to a page (`g`).

Both are keyboard-first: the cursor starts in the text box, typing filters (or types
the page number), enter picks, escape closes without changing anything.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from buynow_tui.screens.base import DialogScreen

#: The picker's first entry: every category.
ALL = "All"


class CategoryPicker(DialogScreen):
    """ "All" first, then the categories; typing filters them, enter picks the
    highlighted one. Dismissed with the category, "" for All, None when closed."""

    DEFAULT_CSS = """
    CategoryPicker .dialog { width: 40; }
    CategoryPicker OptionList { height: auto; max-height: 14; border: none; padding: 0; }
    CategoryPicker .form-intro { padding: 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, id="picker-down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker-up"),
    ]

    def __init__(self, categories: list[str], current: str | None) -> None:
        super().__init__()
        self.categories = categories
        self.current = current

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Category"
            yield Input(placeholder="Type to filter", id="filter")
            yield OptionList(id="categories")
            yield Static("enter picks · escape closes", classes="form-intro", markup=False)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#filter", Input).focus()

    def _choices(self, text: str) -> list[str]:
        word = text.strip().casefold()
        names = [ALL, *self.categories]
        return [name for name in names if word in name.casefold()] if word else names

    def _fill(self, text: str) -> None:
        options = self.query_one("#categories", OptionList)
        options.clear_options()
        choices = self._choices(text)
        options.add_options([Option(Content(name), id=name) for name in choices])
        if not choices:
            options.add_option(Option(Content("No category matches"), id="", disabled=True))
            return
        here = ALL if self.current is None else self.current
        options.highlighted = choices.index(here) if here in choices and not text else 0

    @on(Input.Changed, "#filter")
    def _filtered(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, by: int) -> None:
        options = self.query_one("#categories", OptionList)
        if by > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(Input.Submitted, "#filter")
    def _enter(self) -> None:
        options = self.query_one("#categories", OptionList)
        if options.highlighted is None:
            return
        self._pick(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#categories")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, name: str | None) -> None:
        if not name:
            return  # "No category matches"
        self.dismiss("" if name == ALL else name)


class PageJump(DialogScreen):
    """Type a page number, enter goes there. Dismissed with the page, or None."""

    DEFAULT_CSS = """
    PageJump .dialog { width: 40; }
    PageJump .form-intro { padding: 0; }
    """

    def __init__(self, page: int, pages: int) -> None:
        super().__init__()
        self.page = page
        self.pages = pages

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Go to page"
            yield Input(placeholder=f"1 to {self.pages:,}", type="integer", id="page-number")
            yield Static(
                Content(f"Now on page {self.page:,} of {self.pages:,}."),
                id="page-message",
                classes="form-intro",
            )

    def on_mount(self) -> None:
        self.query_one("#page-number", Input).focus()

    @on(Input.Submitted, "#page-number")
    def _go(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        number = int(text) if text.isdigit() else 0
        if not 1 <= number <= self.pages:
            self.query_one("#page-message", Static).update(
                Content(f"Type a page from 1 to {self.pages:,}.")
            )
            return
        self.dismiss(number)
