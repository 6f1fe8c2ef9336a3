"""The shop's ledger of gateway calls: one `payment` row per idempotency key.

A charge first claims its key with an INSERT (the key is unique, so of two processes
sending the same payment one claims it and the other finds the claim), then calls the
gateway outside any transaction (a network call never holds the database's write lock),
then writes the answer on the row. A key already answered returns that answer without
calling the gateway: the same key never charges twice, even across processes and
restarts. A key claimed but never answered (the process died mid-call) is asked of the
gateway with `lookup`; until the gateway knows it, it is "in flight" and is not sent
again.

A refund is claimed (`claim_refund`) in the transaction that cancels or refunds the
order, and sent after it commits (`send_refunds`), so the money always follows the
order's state: a gateway that is down delays the refund, it never loses it.
"""

from __future__ import annotations

from peewee import IntegrityError

from buynow_tui.clock import Clock
from buynow_tui.logs import get_logger
from buynow_tui.store.cards import CheckedCard
from buynow_tui.store.checkout_models import Payment
from buynow_tui.store.db import connection, write
from buynow_tui.store.payments.gateway import (
    APPROVED,
    ChargeResult,
    GatewayUnavailable,
    InFlight,
    PaymentGateway,
    RefundResult,
)

log = get_logger("payments")
PENDING = "pending"


def _as_charge(row: Payment) -> ChargeResult:
    return ChargeResult(row.status, row.charge_id, row.amount_cents, row.message)


def recorded(key: str) -> Payment | None:
    with connection():
        return Payment.get_or_none(Payment.idempotency_key == key)


def _claim(
    key: str,
    kind: str,
    order_id: int | None,
    amount: int,
    currency: str,
    brand: str,
    last4: str,
    clock: Clock,
) -> Payment | None:
    """The row this call now owns, or None if the key was claimed before."""
    try:
        with write():
            return Payment.create(
                idempotency_key=key,
                kind=kind,
                order=order_id,
                amount_cents=amount,
                currency=currency,
                status=PENDING,
                charge_id=None,
                brand=brand,
                last4=last4,
                message="",
                created_at=clock(),
            )
    except IntegrityError:
        return None


def _answer(row_id: int, status: str, charge_id: str | None, message: str) -> None:
    with write():
        Payment.update(status=status, charge_id=charge_id, message=message[:200]).where(
            (Payment.id == row_id) & (Payment.status == PENDING)
        ).execute()


def charge_once(
    gateway: PaymentGateway,
    *,
    key: str,
    order_id: int | None,
    amount_cents: int,
    currency: str,
    source: str | CheckedCard,
    brand: str,
    last4: str,
    clock: Clock,
) -> ChargeResult:
    row = _claim(key, "charge", order_id, amount_cents, currency, brand, last4, clock)
    if row is None:
        return settled_charge(gateway, key)
    try:
        result = gateway.charge(amount_cents, currency, source, key)
    except Exception as error:  # the gateway is unreachable: nothing charged, say so
        log.warning("gateway %s failed on %s: %s", gateway.name, key, type(error).__name__)
        _answer(row.id, "failed", None, "The payment service did not answer.")
        raise GatewayUnavailable(
            "The payment service did not answer; nothing was charged. Try again in a minute."
        ) from None
    _answer(row.id, result.status, result.charge_id, result.message)
    log.info("charge %s: %s, %d cents", key, result.status, amount_cents)
    return result


def settled_charge(gateway: PaymentGateway, key: str) -> ChargeResult:
    """The answer already had for `key` (from the ledger, or the gateway if the process
    that asked died before writing it down)."""
    row = recorded(key)
    assert row is not None, "a claimed key has its row"
    if row.status != PENDING:
        return _as_charge(row)
    known = gateway.lookup(key)
    if known is None:
        raise InFlight("That payment is still being processed; nothing new was charged.")
    _answer(row.id, known.status, known.charge_id, known.message)
    return known


def claim_refund(order_id: int, clock: Clock) -> Payment | None:
    """Inside the transaction that cancels or refunds an order: if the order was charged,
    claim its refund (key `refund-<order>`, the whole charge, "pending") and return the
    charge; None if nothing was charged. The order's row is locked by that transaction,
    so one claim per order; a claim already made is returned as it is.

    The money goes back after the commit (`send_refunds`): the order's state is what
    the shop decided, and the gateway's refund follows it, retried until it answers.
    """
    charge = _approved(order_id)
    if charge is None or not charge.charge_id:
        return None
    key = refund_key(order_id)
    if Payment.select(Payment.id).where(Payment.idempotency_key == key).exists():
        return charge
    Payment.insert(
        idempotency_key=key,
        kind="refund",
        order=order_id,
        amount_cents=charge.amount_cents,
        currency=charge.currency,
        status=PENDING,
        charge_id=None,
        brand=charge.brand,
        last4=charge.last4,
        message="",
        created_at=clock(),
    ).execute()
    return charge


def refund_key(order_id: int) -> str:
    return f"refund-{order_id}"


def send_refunds(gateway: PaymentGateway, order_id: int | None = None) -> list[RefundResult]:
    """Send the refunds claimed and not yet answered (of one order, or all): the
    gateway's idempotency key makes a refund sent twice (two processes, a retry) move
    the money once. A gateway that does not answer leaves the claim to try again
    (`buynow serve` does every minute); it is logged, not raised."""
    with connection():
        query = Payment.select().where((Payment.kind == "refund") & (Payment.status == PENDING))
        if order_id is not None:
            query = query.where(Payment.order == order_id)
        claims = list(query.order_by(Payment.id))
    sent: list[RefundResult] = []
    for claim in claims:
        with connection():
            charge = _approved(claim.order_id) if claim.order_id is not None else None  # type: ignore[attr-defined]
        if charge is None or not charge.charge_id:
            _answer(claim.id, "failed", None, "No approved charge to refund.")
            continue
        try:
            result = gateway.refund(charge.charge_id, claim.amount_cents, claim.idempotency_key)
        except Exception as error:
            log.warning(
                "gateway %s refund of %s failed (%s): tried again later",
                gateway.name,
                claim.idempotency_key,
                type(error).__name__,
            )
            continue
        _answer(claim.id, result.status, result.refund_id, result.message)
        log.info(
            "refund %s: %s, %d cents", claim.idempotency_key, result.status, result.amount_cents
        )
        sent.append(result)
    return sent


def refund_of(order_id: int) -> Payment | None:
    """The refund claimed for an order (pending, or as the gateway answered), if any."""
    with connection():
        found: Payment | None = Payment.get_or_none(Payment.idempotency_key == refund_key(order_id))
        return found


def _approved(order_id: int) -> Payment | None:
    found: Payment | None = (
        Payment.select()
        .where(
            (Payment.order == order_id) & (Payment.kind == "charge") & (Payment.status == APPROVED)
        )
        .first()
    )
    return found


def approved_charge(order_id: int) -> Payment | None:
    """The approved charge of an order, if any."""
    with connection():
        return _approved(order_id)
