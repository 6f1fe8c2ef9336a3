"""The payment gateway interface: what the shop asks of a card processor.

Amounts are integer cents with an ISO currency code; every call that moves money
carries an idempotency key, and a gateway given the same key twice answers the first
call's result again without charging (or refunding) again, as real processors do. The
shop's own ledger (`ledger.py`) never sends one key for two different payments.

A real provider plugs in as a class with these methods (see the README, "Payments"):
`tokenize` turns a checked card into the provider's token (the shop keeps only that,
the brand, the last four digits and the expiry), `charge` takes a token or a checked
card, `refund` gives back all or part of a charge, and `lookup` tells what became of a
charge whose answer the shop never got (a crash mid-call).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from buynow_tui.store.cards import CheckedCard
from buynow_tui.store.errors import StoreError

APPROVED = "approved"
DECLINED = "declined"
INSUFFICIENT_FUNDS = "insufficient_funds"
REFUNDED = "refunded"


@dataclass(frozen=True)
class CardToken:
    """What a gateway gives back for a card: safe to store."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class ChargeResult:
    status: str  # APPROVED, DECLINED or INSUFFICIENT_FUNDS
    charge_id: str | None
    amount_cents: int
    message: str = ""

    @property
    def approved(self) -> bool:
        return self.status == APPROVED


@dataclass(frozen=True)
class RefundResult:
    status: str  # REFUNDED, or DECLINED with a message
    refund_id: str | None
    charge_id: str
    amount_cents: int
    message: str = ""

    @property
    def refunded(self) -> bool:
        return self.status == REFUNDED


class PaymentDeclined(StoreError):
    """The card was refused; nothing was charged and nothing was ordered."""

    def __init__(self, message: str, *, status: str = DECLINED) -> None:
        super().__init__(message, field="card_number")
        self.status = status


class GatewayUnavailable(StoreError):
    """The gateway could not be reached or gave no answer; nothing was charged."""


class InFlight(GatewayUnavailable):
    """Another call is charging this key and its answer is not known yet."""


@runtime_checkable
class PaymentGateway(Protocol):
    """A card processor. Implementations must never log or keep a card number or CVC."""

    name: str

    def tokenize(self, card: CheckedCard) -> CardToken: ...

    def charge(
        self,
        amount_cents: int,
        currency: str,
        source: str | CheckedCard,
        idempotency_key: str,
    ) -> ChargeResult:
        """Charge a token (str) or a card; the same key again returns the same result."""
        ...

    def refund(self, charge_id: str, amount_cents: int, idempotency_key: str) -> RefundResult: ...

    def lookup(self, idempotency_key: str) -> ChargeResult | None:
        """What the charge sent with this key became (None: the gateway never had it)."""
        ...
