"""A shopper's addresses: several, one the default; add, edit, remove, pick at checkout.

Every field has its rule (`check_*` below, which the forms run live too) and its
message names the field. The first address a shopper adds is their default; making
another the default takes the mark from the old one in the same transaction, and
removing the default passes it to the oldest address left, so a shopper with addresses
always has exactly one default. Each write checks the session's login and locks the
user's row (`Logins.check(exclusive=True)`), so two sessions changing one shopper's
addresses take turns on PostgreSQL as they do on SQLite.

An order keeps its own copy (`format_address`), so editing or removing an address
never changes where a past order went.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store.checkout_models import Address
from buynow_tui.store.checkout_views import COUNTRIES, AddressFields, AddressView
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.logins import Logins
from buynow_tui.store.validation import clean_text

log = get_logger("addresses")

#: Addresses one shopper may keep.
MAX_ADDRESSES = 10
_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
_PHONE = re.compile(r"^\+?[0-9 ().-]+$")


def _text(value: str, field: str, label: str, most: int, *, required: bool = True) -> str:
    cleaned = " ".join(clean_text(value).split())
    if required and not cleaned:
        raise ValidationError(f"Enter the {label}.", field=field)
    if len(cleaned) > most:
        raise ValidationError(f"The {label} is at most {most} characters.", field=field)
    return cleaned


def check_name(value: str) -> str:
    return _text(value, "name", "name of who receives it", 50)


def check_line1(value: str) -> str:
    return _text(value, "line1", "street and number", 60)


def check_line2(value: str) -> str:
    return _text(value, "line2", "second address line", 60, required=False)


def check_city(value: str) -> str:
    return _text(value, "city", "city or town", 40)


def check_region(value: str) -> str:
    return _text(value, "region", "state, county or region", 30, required=False)


def check_postal_code(value: str) -> str:
    cleaned = _text(value, "postal_code", "postal code", 10)
    if not _POSTAL.match(cleaned) or not any(ch.isdigit() or ch.isalpha() for ch in cleaned):
        raise ValidationError(
            "A postal code holds letters, digits, spaces and hyphens only.", field="postal_code"
        )
    return cleaned.upper()


def check_country(value: str) -> str:
    code = clean_text(value).strip().upper()
    if code not in COUNTRIES:
        raise ValidationError("Choose a country from the list.", field="country")
    return code


def check_phone(value: str) -> str:
    cleaned = _text(value, "phone", "phone number (the carrier may call)", 20)
    digits = sum(ch.isdigit() for ch in cleaned)
    if not _PHONE.match(cleaned) or not 6 <= digits <= 15:
        raise ValidationError(
            "A phone number has 6 to 15 digits (a leading +, spaces, dots, hyphens and "
            "brackets are fine).",
            field="phone",
        )
    return cleaned


#: Each field's rule, in the order a form shows them.
RULES: dict[str, Callable[[str], str]] = {
    "name": check_name,
    "line1": check_line1,
    "line2": check_line2,
    "city": check_city,
    "region": check_region,
    "postal_code": check_postal_code,
    "country": check_country,
    "phone": check_phone,
}


def check_fields(fields: AddressFields) -> AddressFields:
    """Every field cleaned, or a `ValidationError` for the first field that breaks its rule."""
    return AddressFields(**{name: rule(getattr(fields, name)) for name, rule in RULES.items()})


def problems(fields: AddressFields) -> dict[str, str]:
    """Every field that breaks its rule, with its message (for a form to show at once)."""
    found: dict[str, str] = {}
    for name, rule in RULES.items():
        try:
            rule(getattr(fields, name))
        except ValidationError as error:
            found[name] = str(error)
    return found


def format_address(address: AddressView | AddressFields) -> str:
    """The order's copy: who, the street lines, city/region/postcode, country, phone.

    Every field at its longest still fits `validation.ADDRESS_MAX` (a test says so).
    """
    town = " ".join(p for p in (address.city, address.region, address.postal_code) if p)
    lines = (
        address.name,
        address.line1,
        address.line2,
        town,
        COUNTRIES.get(address.country, address.country),
        f"Phone {address.phone}",
    )
    return "\n".join(line for line in lines if line)


def _view(row: Address) -> AddressView:
    return AddressView(
        id=row.id,
        name=row.name,
        line1=row.line1,
        line2=row.line2,
        city=row.city,
        region=row.region,
        postal_code=row.postal_code,
        country=row.country,
        phone=row.phone,
        is_default=bool(row.is_default),
    )


class AddressService:
    def __init__(self, logins: Logins | None = None, *, clock: Clock = system_clock) -> None:
        self.logins = logins if logins is not None else Logins()
        self.clock = clock

    def list(self, user_id: int) -> list[AddressView]:
        """The shopper's addresses, the default first, then oldest first."""
        with connection():
            rows = (
                Address.select()
                .where(Address.user == user_id)
                .order_by(Address.is_default.desc(), Address.id)
            )
            return [_view(row) for row in rows]

    def get(self, user_id: int, address_id: int) -> AddressView:
        with connection():
            return _view(self._own(user_id, address_id))

    def default(self, user_id: int) -> AddressView | None:
        found = self.list(user_id)
        return found[0] if found and found[0].is_default else None

    def add(
        self, user_id: int, fields: AddressFields, *, make_default: bool = False
    ) -> AddressView:
        cleaned = check_fields(fields)
        with write():
            self.logins.check(user_id, exclusive=True)
            count = Address.select().where(Address.user == user_id).count()
            if count >= MAX_ADDRESSES:
                raise ValidationError(
                    f"You can keep at most {MAX_ADDRESSES} addresses; remove one first."
                )
            default = make_default or count == 0
            if default:
                self._clear_default(user_id)
            row = Address.create(
                user=user_id,
                is_default=default,
                created_at=self.clock(),
                **cleaned.__dict__,
            )
            view = _view(row)
        log.info("address %d added for account %d", view.id, user_id)
        return view

    def update(
        self, user_id: int, address_id: int, fields: AddressFields, *, make_default: bool = False
    ) -> AddressView:
        cleaned = check_fields(fields)
        with write():
            self.logins.check(user_id, exclusive=True)
            self._own(user_id, address_id)
            if make_default:
                self._clear_default(user_id)
            changes: dict[str, object] = dict(cleaned.__dict__)
            if make_default:
                changes["is_default"] = True
            Address.update(**changes).where(Address.id == address_id).execute()
            view = _view(self._own(user_id, address_id))
        log.info("address %d changed for account %d", address_id, user_id)
        return view

    def set_default(self, user_id: int, address_id: int) -> AddressView:
        with write():
            self.logins.check(user_id, exclusive=True)
            self._own(user_id, address_id)
            self._clear_default(user_id)
            Address.update(is_default=True).where(Address.id == address_id).execute()
            return _view(self._own(user_id, address_id))

    def remove(self, user_id: int, address_id: int) -> None:
        """Remove one; if it was the default, the oldest one left becomes the default."""
        with write():
            self.logins.check(user_id, exclusive=True)
            row = self._own(user_id, address_id)
            Address.delete().where(Address.id == address_id).execute()
            if row.is_default:
                oldest = (
                    Address.select(Address.id)
                    .where(Address.user == user_id)
                    .order_by(Address.id)
                    .first()
                )
                if oldest is not None:
                    Address.update(is_default=True).where(Address.id == oldest.id).execute()
        log.info("address %d removed for account %d", address_id, user_id)

    # -- inside a transaction -----------------------------------------------------------
    def _own(self, user_id: int, address_id: int) -> Address:
        row = Address.get_or_none((Address.id == address_id) & (Address.user == user_id))
        if row is None:
            raise NotFound("That address is not in your address book.", field="address")
        return row

    def _clear_default(self, user_id: int) -> None:
        Address.update(is_default=False).where(
            (Address.user == user_id) & (Address.is_default == True)  # noqa: E712
        ).execute()
