"""The built-in test gateway: a card processor in test mode, on by default.

It checks nothing the shop has not (the card checks are `store.cards`) and decides by
the number, as processors' test modes do:

- 4000 0000 0000 0002 is declined ("Your card was declined."),
- 4000 0000 0000 9995 is declined for insufficient funds,
- every other valid number (4242 4242 4242 4242, say) is approved.

A token remembers only which of those a card is (`tok_test_<outcome>_<random>`), so a
saved card behaves as its number did. Idempotency keys are remembered for the life of
the process (the shop's ledger remembers them for ever). Nothing here stores or logs a
number or a CVC.
"""

from __future__ import annotations

import secrets
import threading

from buynow_tui.store.cards import CheckedCard
from buynow_tui.store.payments.gateway import (
    APPROVED,
    DECLINED,
    INSUFFICIENT_FUNDS,
    REFUNDED,
    CardToken,
    ChargeResult,
    RefundResult,
)

DECLINE_CARD = "4000000000000002"
INSUFFICIENT_FUNDS_CARD = "4000000000009995"
_MESSAGES = {
    DECLINED: "Your card was declined. Nothing was charged.",
    INSUFFICIENT_FUNDS: "Your card was declined: insufficient funds. Nothing was charged.",
}


def _outcome(digits: str) -> str:
    if digits == DECLINE_CARD:
        return DECLINED
    if digits == INSUFFICIENT_FUNDS_CARD:
        return INSUFFICIENT_FUNDS
    return APPROVED


class TestGateway:
    """Approves, declines or refuses for insufficient funds by the card's number."""

    __test__ = False  # not a pytest class
    name = "test"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._charges: dict[str, ChargeResult] = {}
        self._refunds: dict[str, RefundResult] = {}
        #: Charges that moved money (approved), in order: what tests count.
        self.approved: list[ChargeResult] = []
        #: Refunds that moved money back, in order.
        self.refunded: list[RefundResult] = []

    def tokenize(self, card: CheckedCard) -> CardToken:
        token = f"tok_test_{_outcome(card.digits)}_{secrets.token_hex(8)}"
        return CardToken(token, card.brand, card.last4, card.exp_month, card.exp_year)

    def charge(
        self,
        amount_cents: int,
        currency: str,
        source: str | CheckedCard,
        idempotency_key: str,
    ) -> ChargeResult:
        with self._lock:
            before = self._charges.get(idempotency_key)
            if before is not None:
                return before
            if isinstance(source, CheckedCard):
                outcome = _outcome(source.digits)
            elif source.startswith("tok_test_"):
                outcome = next(
                    (
                        o
                        for o in (INSUFFICIENT_FUNDS, DECLINED, APPROVED)
                        if source[9:].startswith(o)
                    ),
                    DECLINED,
                )
            else:
                outcome = DECLINED
            if amount_cents <= 0:
                outcome = DECLINED
            if outcome == APPROVED:
                result = ChargeResult(APPROVED, f"ch_test_{secrets.token_hex(8)}", amount_cents)
                self.approved.append(result)
            else:
                result = ChargeResult(outcome, None, amount_cents, _MESSAGES[outcome])
            self._charges[idempotency_key] = result
            return result

    def refund(self, charge_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        with self._lock:
            before = self._refunds.get(idempotency_key)
            if before is not None:
                return before
            if not charge_id.startswith("ch_test_") or amount_cents <= 0:
                result = RefundResult(
                    DECLINED, None, charge_id, amount_cents, "The gateway has no such charge."
                )
            else:
                result = RefundResult(
                    REFUNDED, f"re_test_{secrets.token_hex(8)}", charge_id, amount_cents
                )
            self._refunds[idempotency_key] = result
            if result.refunded:
                self.refunded.append(result)
            return result

    def lookup(self, idempotency_key: str) -> ChargeResult | None:
        with self._lock:
            return self._charges.get(idempotency_key)
