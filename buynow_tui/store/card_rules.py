"""A card as typed, and its checks (issue 15): plain Python, no database, so the Pay
step checks each field as it is typed with the very rules the store applies.

The number and the CVC live only in memory: `CardEntry` and `CheckedCard` show the last
four digits in their `repr`, never the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from buynow_tui.store.errors import ValidationError

#: Cards one shopper may keep.
MAX_CARDS = 5
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")


def card_digits(number: str) -> str:
    """The digits of a typed card number, or a `ValidationError` on the number field."""
    stripped = re.sub(r"[\s-]", "", number)
    if not stripped:
        raise ValidationError("Enter the card number.", field="card_number")
    if not stripped.isascii() or not stripped.isdigit():
        raise ValidationError("A card number holds digits only.", field="card_number")
    if not 12 <= len(stripped) <= 19:
        raise ValidationError("A card number has 12 to 19 digits.", field="card_number")
    if not luhn_ok(stripped):
        raise ValidationError(
            "That card number is not valid: check the digits.", field="card_number"
        )
    return stripped


def luhn_ok(digits: str) -> bool:
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = int(ch)
        if n % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def brand_of(digits: str) -> str:
    if digits.startswith("4"):
        return "Visa"
    two, four = int(digits[:2]), int(digits[:4])
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "Mastercard"
    if two in (34, 37):
        return "American Express"
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649:
        return "Discover"
    return "Card"


def check_expiry(text: str, now: datetime) -> tuple[int, int]:
    """(month, four-digit year) of an expiry typed as MM/YY; still valid during that month."""
    match = _EXPIRY.match(text)
    if not match:
        raise ValidationError("Enter the expiry as MM/YY, like 04/29.", field="expiry")
    month, year = int(match[1]), int(match[2])
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise ValidationError("The expiry month is 01 to 12.", field="expiry")
    if (year, month) < (now.year, now.month):
        raise ValidationError("That card has expired.", field="expiry")
    if year > now.year + 20:
        raise ValidationError("That expiry is too far ahead: check the year.", field="expiry")
    return month, year


def check_cvc(cvc: str, brand: str | None = None) -> str:
    cvc = cvc.strip()
    if not cvc.isascii() or not cvc.isdigit() or not 3 <= len(cvc) <= 4:
        raise ValidationError("The CVC is the 3 or 4 digits on the card.", field="cvc")
    if brand == "American Express" and len(cvc) != 4:
        raise ValidationError("An American Express CVC has 4 digits.", field="cvc")
    if brand not in (None, "American Express") and len(cvc) != 3:
        raise ValidationError("This card's CVC has 3 digits.", field="cvc")
    return cvc


@dataclass(frozen=True)
class CardEntry:
    """A card as the shopper typed it. Memory only: never stored, never logged."""

    number: str = field(repr=False)
    expiry: str = field(repr=False)
    cvc: str = field(repr=False)

    def __repr__(self) -> str:
        digits = re.sub(r"\D", "", self.number)
        return f"CardEntry(ending {digits[-4:] or '????'})"

    __str__ = __repr__


@dataclass(frozen=True)
class CheckedCard:
    """A card that passed every check; still memory only."""

    digits: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)
    brand: str

    @property
    def last4(self) -> str:
        return self.digits[-4:]

    def __repr__(self) -> str:
        return f"CheckedCard({self.brand} ending {self.last4})"

    __str__ = __repr__


def check_card(entry: CardEntry, now: datetime) -> CheckedCard:
    """Every check at once; the first field that fails raises."""
    digits = card_digits(entry.number)
    brand = brand_of(digits)
    month, year = check_expiry(entry.expiry, now)
    cvc = check_cvc(entry.cvc, brand)
    return CheckedCard(digits, month, year, cvc, brand)


def card_problems(entry: CardEntry, now: datetime) -> dict[str, str]:
    """Each field of the card that fails its check, with its message (for the form)."""
    found: dict[str, str] = {}
    brand: str | None = None
    try:
        brand = brand_of(card_digits(entry.number))
    except ValidationError as error:
        found["card_number"] = str(error)
    for name, check in (
        ("expiry", lambda: check_expiry(entry.expiry, now)),
        ("cvc", lambda: check_cvc(entry.cvc, brand)),
    ):
        try:
            check()
        except ValidationError as error:
            found[name] = str(error)
    return found
