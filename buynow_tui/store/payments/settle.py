"""Paying for a placed order, and what happens when payment fails or never comes.

`OrderService.checkout` reserves the stock and writes the order as `placed` (payment
state "pending") in one transaction, then calls `settle_payment`: the charge goes to
the gateway through the ledger (one charge per order, keyed `order-<id>`), and then

- approved: the order is marked paid (a conditional UPDATE from "pending", so a sweep
  that cancelled it meanwhile wins and the charge is refunded), the card is saved if
  the shopper asked, and the receipt is queued for mailing;
- declined, or the gateway did not answer: `cancel_unpaid` cancels the order at once,
  returns its stock and puts its lines back in the shopper's cart, and the shopper is
  told in words, with nothing charged.

A process killed between reserving and charging leaves an order "pending" with no
answer: `sweep_stranded` (run at every start and every minute by `buynow serve`)
settles each one older than `BUYNOW_STRANDED_MINUTES`: paid if the gateway did take
the money, otherwise cancelled with its stock returned.

The order lifecycle (placed → paid → shipped …, with its event table) is another
module; when the two meet, `cancel_unpaid` and `mark_paid` are where the lifecycle's
own cancel and pay transitions are called, so cancelling an unpaid order also records
its event there.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from buynow_tui.clock import Clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import delivery
from buynow_tui.store.cards import CheckedCard, SavedCards
from buynow_tui.store.cart import MAX_QUANTITY, lock_cart
from buynow_tui.store.db import connection, write
from buynow_tui.store.models import CartLine, Order, OrderLine, Product
from buynow_tui.store.payments import ledger
from buynow_tui.store.payments.gateway import (
    APPROVED,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentGateway,
)
from buynow_tui.store.views import OrderDetail

log = get_logger("payments")
CURRENCY = "USD"
#: Test hook: with BUYNOW_TESTING=1, a path here makes checkout write that file once the
#: order is reserved and then wait, so a test can kill the process before the charge.
PAUSE_BEFORE_CHARGE = "BUYNOW_TEST_PAUSE_BEFORE_CHARGE"

PENDING, PAID, DECLINED, STRANDED, REFUNDED, NONE = (
    "pending",
    "paid",
    "declined",
    "stranded",
    "refunded",
    "none",
)
#: How each payment state reads to a shopper.
STATE_WORDS = {
    NONE: "placed",
    PENDING: "placed",
    PAID: "paid",
    DECLINED: "cancelled (card declined)",
    STRANDED: "cancelled (not paid)",
    REFUNDED: "refunded",
}


@dataclass(frozen=True)
class PaymentPlan:
    """How a checkout delivers and pays: what `OrderService.checkout` is handed.

    `card` (typed now) or `saved_card` (an id of the shopper's saved cards) pays;
    `save_card` keeps a typed card for next time. Memory only, like the card.
    """

    gateway: PaymentGateway
    delivery_option: str = delivery.STANDARD
    card: CheckedCard | None = field(default=None, repr=False)
    saved_card: int | None = None
    save_card: bool = False
    #: Filled by `prepare`: the token and what may be shown of the card.
    token: str | None = field(default=None, repr=False)
    brand: str = ""
    last4: str = ""

    def delivery_cents(self, settings: Settings, subtotal_cents: int) -> int:
        return delivery.price_cents(settings, self.delivery_option, subtotal_cents)


def prepare(plan: PaymentPlan, user_id: int, cards: SavedCards) -> PaymentPlan:
    """Before anything is reserved: the saved card's token, or a typed card tokenised
    if it is to be saved; a plan with neither card is refused."""
    from dataclasses import replace

    delivery.check_option(plan.delivery_option)
    if plan.saved_card is not None:
        token, card = cards.token(user_id, plan.saved_card)
        return replace(plan, token=token, brand=card.brand, last4=card.last4)
    if plan.card is None:
        raise PaymentDeclined("Enter a card, or choose one of your saved cards.")
    if plan.save_card:
        made = plan.gateway.tokenize(plan.card)
        return replace(plan, token=made.token, brand=made.brand, last4=made.last4)
    return replace(plan, brand=plan.card.brand, last4=plan.card.last4)


def record_plan(order_id: int, plan: PaymentPlan) -> None:
    """Inside the checkout's transaction: the order's own copy of its delivery and card,
    and its payment state "pending" (placed, not yet paid)."""
    Order.update(
        payment_state=PENDING,
        delivery_option=plan.delivery_option,
        card_brand=plan.brand,
        card_last4=plan.last4,
    ).where(Order.id == order_id).execute()


def _pause_for_tests() -> None:
    marker = os.environ.get(PAUSE_BEFORE_CHARGE)
    if marker and os.environ.get("BUYNOW_TESTING") == "1":
        Path(marker).write_text(str(os.getpid()))
        while True:  # killed here by the test
            time.sleep(0.05)


def charge_key(order_id: int) -> str:
    return f"order-{order_id}"


def settle_payment(
    order: OrderDetail,
    plan: PaymentPlan,
    *,
    cards: SavedCards,
    clock: Clock,
    on_paid: list[object] | None = None,
) -> OrderDetail:
    """Charge the placed `order`; cancel it (stock back, cart back) if that fails.

    Returns the order once paid; raises `PaymentDeclined` or `GatewayUnavailable`
    (nothing charged, nothing ordered) otherwise.
    """
    state = payment_state(order.id)
    if state in (PAID, REFUNDED, NONE):
        return order  # a repeated confirm of an order already settled
    if state in (DECLINED, STRANDED):
        row = ledger.recorded(charge_key(order.id))
        raise PaymentDeclined(
            row.message if row is not None and row.message else "That order was cancelled."
        )
    _pause_for_tests()
    source: str | CheckedCard | None = plan.token or plan.card
    assert source is not None, "prepare() gives every plan a card or a token"
    try:
        result = ledger.charge_once(
            plan.gateway,
            key=charge_key(order.id),
            order_id=order.id,
            amount_cents=order.total_cents,
            currency=CURRENCY,
            source=source,
            brand=plan.brand,
            last4=plan.last4,
            clock=clock,
        )
    except GatewayUnavailable:
        cancel_unpaid(order.id, DECLINED)
        raise
    if not result.approved:
        cancel_unpaid(order.id, DECLINED)
        raise PaymentDeclined(result.message or "Your card was declined.", status=result.status)
    if not mark_paid(order.id):
        # Swept as stranded while the gateway took its time: give the money back.
        refund_order(order.id, plan.gateway, clock=clock, cancelled=True)
        raise PaymentDeclined("The payment took too long and was refunded; nothing was ordered.")
    if plan.save_card and plan.token and plan.card is not None:
        try:
            cards.save(
                order.user_id,
                plan.token,
                plan.brand,
                plan.last4,
                plan.card.exp_month,
                plan.card.exp_year,
            )
        except Exception as error:  # the order is paid: not saving the card must not undo it
            log.warning("card not saved after order %d: %s", order.id, error)
    return order


def payment_state(order_id: int) -> str:
    with connection():
        state = Order.select(Order.payment_state).where(Order.id == order_id).scalar()
        return str(state) if state is not None else NONE


def mark_paid(order_id: int) -> bool:
    """Pending → paid; False if the order is no longer pending (the sweep cancelled it)."""
    with write():
        return bool(
            Order.update(payment_state=PAID)
            .where((Order.id == order_id) & (Order.payment_state == PENDING))
            .execute()
            == 1
        )


def cancel_unpaid(order_id: int, state: str = DECLINED) -> bool:
    """Cancel an order nobody paid for: its stock goes back, its lines go back into the
    shopper's cart (within 99 of an item), in one transaction. False if it was not
    pending (already paid, or already cancelled by someone else: nothing is done twice).

    When the order lifecycle arrives, the lead routes this through its cancel (which
    returns stock and records the event); this function then keeps the cart part.
    """
    with write():
        order = Order.get_or_none(Order.id == order_id)
        if order is None:
            return False
        cancelled = (
            Order.update(payment_state=state)
            .where((Order.id == order_id) & (Order.payment_state == PENDING))
            .execute()
        )
        if cancelled != 1:
            return False
        lines: list[tuple[int, int]] = [
            (int(row.product_id), int(row.quantity))  # type: ignore[attr-defined]
            for row in OrderLine.select(OrderLine.product, OrderLine.quantity)
            .where((OrderLine.order == order_id) & OrderLine.product.is_null(False))
            .order_by(OrderLine.product)
        ]
        for product_id, quantity in lines:
            Product.update(stock=Product.stock + quantity).where(Product.id == product_id).execute()
        cart_id = lock_cart(int(order.user_id))  # type: ignore[attr-defined]
        now = order.created_at
        for product_id, quantity in lines:
            line = CartLine.get_or_none(
                (CartLine.cart == cart_id) & (CartLine.product == product_id)
            )
            if line is None:
                CartLine.create(cart=cart_id, product=product_id, quantity=quantity, added_at=now)
            else:
                CartLine.update(quantity=min(MAX_QUANTITY, line.quantity + quantity)).where(
                    CartLine.id == line.id
                ).execute()
    log.info("order %d cancelled (%s): stock returned, cart restored", order_id, state)
    return True


def sweep_stranded(gateway: PaymentGateway, settings: Settings, clock: Clock) -> list[int]:
    """Settle every order left pending for longer than `settings.stranded_minutes`: paid
    if the gateway took the money, else cancelled (stock back). The ids it cancelled."""
    cutoff = clock() - timedelta(minutes=settings.stranded_minutes)
    with connection():
        stale = [
            row.id
            for row in Order.select(Order.id)
            .where((Order.payment_state == PENDING) & (Order.created_at < cutoff))
            .order_by(Order.id)
        ]
    cancelled: list[int] = []
    for order_id in stale:
        key = charge_key(order_id)
        row = ledger.recorded(key)
        status = row.status if row is not None else None
        if status == ledger.PENDING:
            known = gateway.lookup(key)
            status = known.status if known is not None else None
        if status == APPROVED:
            if mark_paid(order_id):
                log.info("order %d was paid before its process stopped: marked paid", order_id)
            continue
        if cancel_unpaid(order_id, STRANDED):
            log.warning("order %d was left unpaid: cancelled, stock returned", order_id)
            cancelled.append(order_id)
    return cancelled


def refund_order(
    order_id: int,
    gateway: PaymentGateway,
    *,
    clock: Clock,
    amount_cents: int | None = None,
    key: str | None = None,
    cancelled: bool = False,
) -> int:
    """Refund a paid order through the gateway (all of it unless `amount_cents`); the
    cents refunded. One refund per key (by default `refund-<order>`: a full refund, so
    asking twice refunds once). The order becomes "refunded" unless it was `cancelled`
    meanwhile (then the money just goes back)."""
    from buynow_tui.store.errors import NotFound, ValidationError
    from buynow_tui.store.views import dollars

    charge = ledger.approved_charge(order_id)
    if charge is None or not charge.charge_id:
        raise NotFound(f"Order #{order_id} has no payment to refund.")
    amount = charge.amount_cents if amount_cents is None else amount_cents
    if not 0 < amount <= charge.amount_cents:
        raise ValidationError(
            f"A refund of order #{order_id} is $0.01 to {dollars(charge.amount_cents)}."
        )
    result = ledger.refund_once(
        gateway,
        key=key or f"refund-{order_id}",
        order_id=order_id,
        charge_id=charge.charge_id,
        amount_cents=amount,
        currency=charge.currency,
        clock=clock,
    )
    if not result.refunded:
        raise PaymentDeclined(result.message or "The refund was refused.")
    if not cancelled:
        with write():
            Order.update(payment_state=REFUNDED).where(
                (Order.id == order_id) & (Order.payment_state == PAID)
            ).execute()
    log.info("order %d refunded: %d cents", order_id, result.amount_cents)
    return result.amount_cents
