"""An address's fields and their rules (issue 15): plain Python, no database, so the
address form checks each field live with the very rules the store applies, and the
order's copy of an address (`format_address`) is made the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from buynow_tui.store.checkout_views import COUNTRIES, AddressFields, AddressView
from buynow_tui.store.errors import ValidationError
from buynow_tui.store.validation import clean_text

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
