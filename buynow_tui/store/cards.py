"""Cards: the checks a card processor makes, and the cards a shopper saved.

A card as typed (`CardEntry`) lives only in memory, in the form and the gateway call:
its `repr` shows the last four digits only, it is never logged, and no table has a
column for its number or CVC. What may be kept (`SavedCard`) is what the gateway hands
back: a token, the brand, the last four digits and the expiry.

The checks: the number is 12 to 19 digits (spaces and hyphens between groups are fine)
and passes the Luhn check; the expiry is a month and year (MM/YY) not yet over; the CVC
is 3 digits, or 4 for American Express.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store.checkout_models import SavedCard
from buynow_tui.store.checkout_views import CardView
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.logins import Logins

log = get_logger("cards")

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


def _view(row: SavedCard) -> CardView:
    return CardView(row.id, row.brand, row.last4, row.exp_month, row.exp_year)


class SavedCards:
    """The cards a shopper kept: the gateway's token and what may be shown."""

    def __init__(self, logins: Logins | None = None, *, clock: Clock = system_clock) -> None:
        self.logins = logins if logins is not None else Logins()
        self.clock = clock

    def list(self, user_id: int) -> list[CardView]:
        """The shopper's cards, newest first (expired ones are still listed, and refused
        at payment)."""
        with connection():
            rows = SavedCard.select().where(SavedCard.user == user_id).order_by(SavedCard.id.desc())
            return [_view(row) for row in rows]

    def save(
        self, user_id: int, token: str, brand: str, last4: str, exp_month: int, exp_year: int
    ) -> CardView:
        """Keep a card the gateway tokenised (the same token twice is kept once)."""
        with write():
            self.logins.check(user_id, exclusive=True)
            existing = SavedCard.get_or_none(
                (SavedCard.user == user_id) & (SavedCard.token == token)
            )
            if existing is not None:
                return _view(existing)
            if SavedCard.select().where(SavedCard.user == user_id).count() >= MAX_CARDS:
                raise ValidationError(
                    f"You can keep at most {MAX_CARDS} cards; remove one first.", field="save_card"
                )
            row = SavedCard.create(
                user=user_id,
                token=token,
                brand=brand,
                last4=last4,
                exp_month=exp_month,
                exp_year=exp_year,
                created_at=self.clock(),
            )
            view = _view(row)
        log.info("card %d saved for account %d", view.id, user_id)
        return view

    def remove(self, user_id: int, card_id: int) -> None:
        with write():
            self.logins.check(user_id, exclusive=True)
            deleted = (
                SavedCard.delete()
                .where((SavedCard.id == card_id) & (SavedCard.user == user_id))
                .execute()
            )
            if deleted != 1:
                raise NotFound("That card is not among your saved cards.", field="card")
        log.info("card %d removed for account %d", card_id, user_id)

    def token(self, user_id: int, card_id: int) -> tuple[str, CardView]:
        """The gateway token of one of the shopper's cards (for a charge), and the card."""
        with connection():
            row = SavedCard.get_or_none((SavedCard.id == card_id) & (SavedCard.user == user_id))
            if row is None:
                raise NotFound("That card is not among your saved cards.", field="card")
            return row.token, _view(row)
