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

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store.card_rules import (  # re-exported: the rules live there
    MAX_CARDS as MAX_CARDS,
)
from buynow_tui.store.card_rules import (
    CardEntry as CardEntry,
)
from buynow_tui.store.card_rules import (
    CheckedCard as CheckedCard,
)
from buynow_tui.store.card_rules import (
    brand_of as brand_of,
)
from buynow_tui.store.card_rules import (
    card_digits as card_digits,
)
from buynow_tui.store.card_rules import (
    card_problems as card_problems,
)
from buynow_tui.store.card_rules import (
    check_card as check_card,
)
from buynow_tui.store.card_rules import (
    check_cvc as check_cvc,
)
from buynow_tui.store.card_rules import (
    check_expiry as check_expiry,
)
from buynow_tui.store.card_rules import (
    luhn_ok as luhn_ok,
)
from buynow_tui.store.checkout_models import SavedCard
from buynow_tui.store.checkout_views import CardView
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.logins import Logins

log = get_logger("cards")


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
