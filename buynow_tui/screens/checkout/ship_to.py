"""Ship to: pick one of the shopper's addresses (the default first) or add one."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from buynow_tui.screens.base import DialogScreen
from buynow_tui.screens.checkout.step import STEP_CSS, CheckoutStep
from buynow_tui.store import address_rules as rules
from buynow_tui.store.checkout_views import COUNTRIES, AddressFields, AddressView
from buynow_tui.store.errors import StoreError
from buynow_tui.widgets.form import Field, FormStatus, StoreRule
from buynow_tui.widgets.safe import plain_text

NEW = "new"
#: The address form's fields: name, label, placeholder.
FIELDS = (
    ("name", "Full name", "Ann Lee"),
    ("line1", "Street and number", "12 Harbour Road"),
    ("line2", "Flat, floor (optional)", ""),
    ("city", "City or town", ""),
    ("region", "State or region (optional)", ""),
    ("postal_code", "Postal code", ""),
    ("phone", "Phone (for the carrier)", "+1 555 0100"),
)


class AddressForm(DialogScreen):
    """Add or edit an address; every field has its own message. Dismisses with the
    saved address."""

    SCREEN_TITLE = "Address"
    #: Typing starts in the first field (over SSH there is no mouse to pick one).
    AUTO_FOCUS = "#address-name"
    HELP_NOTES = (("enter", "Save (from any field)"),)

    DEFAULT_CSS = """
    AddressForm {
        align: center middle;
        #address-form {
            width: 76; max-width: 100%; height: auto; max-height: 100%;
            border: thick $primary; background: $surface; padding: 0 1;
        }
        #address-form Input, #address-form Select { width: 1fr; }
        .pair { height: auto; }
        .pair Field { width: 1fr; }
        #address-buttons { height: auto; }
        #address-buttons Button { margin-right: 2; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="address-back"),
        Binding("ctrl+s", "save", "Save", id="address-save"),
    ]

    def __init__(self, editing: AddressView | None = None) -> None:
        super().__init__()
        self.editing = editing
        self.saving = False

    def _input(self, name: str, placeholder: str) -> Field:
        value = getattr(self.editing.fields, name) if self.editing else ""
        control = Input(
            value=value,
            placeholder=placeholder,
            id=f"address-{name}",
            validators=[StoreRule(rules.RULES[name])],
            validate_on=["changed", "blur"],
        )
        label = dict((n, lab) for n, lab, _ in FIELDS)[name]
        return Field(label, control, id=f"field-{name}")

    def compose_body(self) -> ComposeResult:
        ph = {n: p for n, _, p in FIELDS}
        with VerticalScroll(id="address-form"):
            yield Static("Edit address" if self.editing else "New address", id="step-title")
            yield self._input("name", ph["name"])
            yield self._input("line1", ph["line1"])
            yield self._input("line2", ph["line2"])
            with Horizontal(classes="pair"):
                yield self._input("city", ph["city"])
                yield self._input("region", ph["region"])
            with Horizontal(classes="pair"):
                yield self._input("postal_code", ph["postal_code"])
                country = Select(
                    [(name, code) for code, name in sorted(COUNTRIES.items(), key=lambda i: i[1])],
                    prompt="Choose…",
                    value=self.editing.country if self.editing else Select.NULL,
                    id="address-country",
                )
                yield Field("Country", country, id="field-country")
            yield self._input("phone", ph["phone"])
            yield FormStatus(id="address-status")
            with Horizontal(id="address-buttons"):
                yield Button("Save (enter)", id="address-save", variant="primary")
                yield Button("Back (esc)", id="address-cancel")

    def fields(self) -> AddressFields:
        country = self.query_one("#address-country", Select).value
        values = {name: self.query_one(f"#address-{name}", Input).value for name, _, _ in FIELDS}
        return AddressFields(country="" if country is Select.NULL else str(country), **values)

    @on(Input.Submitted)
    @on(Button.Pressed, "#address-save")
    def action_save(self) -> None:
        if self.saving:
            return
        fields = self.fields()
        found = rules.problems(fields)
        for name in rules.RULES:
            self.query_one(f"#field-{name}", Field).show_problem(found.get(name))
        if found:
            first = next(iter(found))
            self.query_one(f"#address-{first}").focus()
            self.query_one(FormStatus).say("Check the fields marked above.")
            return
        user = self.user
        if user is None:
            return
        self.saving = True
        self.query_one(FormStatus).say("Saving…", "busy")
        self._save(user.id, fields)

    @work(thread=True, group="address", exit_on_error=False)
    def _save(self, user_id: int, fields: AddressFields) -> None:
        book = self.services.addresses
        if self.editing is not None:
            saved = book.update(user_id, self.editing.id, fields)
        else:
            saved = book.add(user_id, fields)
        self.reply(self.dismiss, saved)

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        self.saving = False
        if problem.field in rules.RULES:
            self.query_one(f"#field-{problem.field}", Field).show_problem(str(problem))
        self.query_one(FormStatus).say(str(problem))

    @on(Button.Pressed, "#address-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ShipToStep(CheckoutStep):
    STEP = "Ship to"
    HELP_NOTES = (("enter", "Ship to the highlighted address (or add a new one)"),)
    DEFAULT_CSS = "ShipToStep {" + STEP_CSS + "#addresses { height: auto; max-height: 12; } }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "New address", id="shipto-add"),
        Binding("e", "edit", "Edit", id="shipto-edit"),
    ]

    def __init__(self, state: Any) -> None:
        super().__init__(state)
        self.addresses: list[AddressView] | None = None

    def compose_step(self) -> ComposeResult:
        yield Static("Where should this go?", id="step-title")
        yield OptionList(id="addresses")
        yield Static(
            "enter ships here · a new address · e edit · esc back to the Cart", id="step-hint"
        )
        yield Static("", id="step-message", classes="-empty")

    def on_mount(self) -> None:
        self._read()

    def _read(self, select: int | None = None) -> None:
        user = self.user
        if user is not None:
            self._load(user.id, select)

    @work(thread=True, group="shipto", exit_on_error=False)
    def _load(self, user_id: int, select: int | None) -> None:
        self.reply(self._show, self.services.addresses.list(user_id), select)

    def _show(self, found: list[AddressView], select: int | None) -> None:
        self.addresses = found
        options = self.query_one("#addresses", OptionList)
        options.clear_options()
        for address in found:
            label = plain_text(address.one_line) + (" (default)" if address.is_default else "")
            options.add_option(Option(Content(label), id=str(address.id)))
        options.add_option(Option("+ Add a new address", id=NEW))
        wanted = (
            select
            if select is not None
            else (self.state.address.id if self.state.address else None)
        )
        index = next((n for n, a in enumerate(found) if a.id == wanted), 0)
        options.highlighted = index
        options.focus()

    @on(OptionList.OptionSelected, "#addresses")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == NEW:
            self.action_add()
            return
        chosen = next((a for a in self.addresses or [] if str(a.id) == event.option.id), None)
        if chosen is None:
            return
        from buynow_tui.screens.checkout.delivery import DeliveryStep
        from buynow_tui.store.address_rules import format_address

        self.state.address = chosen
        self.state.ship_to = format_address(chosen)
        self.go_on(DeliveryStep(self.state))

    def action_add(self) -> None:
        self.app.push_screen(AddressForm(), self._added)

    def action_edit(self) -> None:
        options = self.query_one("#addresses", OptionList)
        index = options.highlighted
        if self.addresses and index is not None and index < len(self.addresses):
            self.app.push_screen(AddressForm(self.addresses[index]), self._added)

    def _added(self, saved: Any) -> None:
        if isinstance(saved, AddressView):
            self._read(select=saved.id)
