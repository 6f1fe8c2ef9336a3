"""Paying for a placed order, and what happens when payment fails or never comes.

`OrderService.checkout` reserves the stock and writes the order `placed` (with its
placed event) in one transaction, then calls `settle_payment`: the charge goes to the
gateway through the ledger (one charge per order, keyed `order-<id>`), and then

- approved: the lifecycle moves the order to `paid` (an event by the shop, noted
  "Visa •••• 4242"); if it is no longer `placed` (the sweep or the shopper cancelled it
  while the gateway took its time) the charge is refunded and the shopper told so. The
  card is saved if the shopper asked; the receipt is queued for mail by the caller;
- declined, or the gateway did not answer: `cancel_unpaid` cancels the order through
  the lifecycle (an event by the shop, noted "card declined"; its stock back) and puts
  its lines back in the shopper's cart, in one transaction, and the shopper is told in
  words, with nothing charged.

A process killed between reserving and charging leaves an order `placed` with no
answer: `sweep_stranded` (run at every start and every minute by `buynow serve`)
settles each one older than `BUYNOW_STRANDED_MINUTES`: paid if the gateway did take
the money, otherwise cancelled through the lifecycle (noted "not paid"), stock back.
An order is only ever `placed` while its checkout charges it: without a payment plan
an order is placed and paid at once.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import cast

from buynow_tui.clock import Clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import delivery
from buynow_tui.store.cards import CheckedCard, SavedCards
from buynow_tui.store.cart import MAX_QUANTITY, lock_cart
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import IllegalMove, NotFound
from buynow_tui.store.lifecycle import By, Lifecycle, Moved
from buynow_tui.store.logins import Logins
from buynow_tui.store.models import CartLine, Order, OrderLine
from buynow_tui.store.order_reads import detail
from buynow_tui.store.payments import ledger
from buynow_tui.store.payments.gateway import (
    APPROVED,
    GatewayUnavailable,
    InFlight,
    PaymentDeclined,
    PaymentGateway,
)
from buynow_tui.store.states import CARD_DECLINED, NOT_PAID, Status
from buynow_tui.store.views import OrderDetail

log = get_logger("payments")
CURRENCY = "USD"
#: Test hook: with BUYNOW_TESTING=1, a path here makes checkout write that file once the
#: order is reserved and then wait, so a test can kill the process before the charge.
PAUSE_BEFORE_CHARGE = "BUYNOW_TEST_PAUSE_BEFORE_CHARGE"

#: Why the shop cancelled an order, in the shopper's words ("cancelled (card declined)").
CANCEL_WORDS = {CARD_DECLINED: "card declined", NOT_PAID: "not paid"}


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
    """Inside the checkout's transaction: the order's own copy of its delivery and card."""
    Order.update(
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


def card_words(brand: str, last4: str) -> str:
    """'Visa •••• 4242': how a card is named on an order's history."""
    return f"{brand} •••• {last4}"


def settle_payment(
    order: OrderDetail,
    plan: PaymentPlan,
    *,
    cards: SavedCards,
    logins: Logins,
    clock: Clock,
) -> OrderDetail:
    """Charge the placed `order`; cancel it (stock back, cart back) if that fails.

    Returns the order once paid; raises `PaymentDeclined` or `GatewayUnavailable`
    (nothing charged, nothing ordered) otherwise.
    """
    life = Lifecycle(logins, clock=clock, gateway=plan.gateway)
    if order.status != Status.PLACED:  # a repeated confirm of an order already settled
        if order.status == Status.CANCELLED:
            row = ledger.recorded(charge_key(order.id))
            raise PaymentDeclined(
                row.message if row is not None and row.message else "That order was cancelled."
            )
        return order
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
    except InFlight:
        raise  # another call is charging this order: it settles it, not this one
    except GatewayUnavailable:
        cancel_unpaid(life, order.id, CARD_DECLINED)
        raise
    if not result.approved:
        cancel_unpaid(life, order.id, CARD_DECLINED)
        raise PaymentDeclined(result.message or "Your card was declined.", status=result.status)
    if not mark_paid(life, order.id, card_words(plan.brand, plan.last4)):
        # Cancelled (swept, or by the shopper) while the gateway took its time: the
        # cancel claimed the refund if the approval was already written; claim it now
        # if not, and send it.
        with write():
            ledger.claim_refund(order.id, clock)
        ledger.send_refunds(plan.gateway, order.id)
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
    return detail(order.user_id, order.id)


def status_of(order_id: int) -> str | None:
    with connection():
        found = Order.select(Order.status).where(Order.id == order_id).scalar()
        return None if found is None else str(found)


def mark_paid(life: Lifecycle, order_id: int, note: str) -> bool:
    """Placed → paid by the shop; False if the order is no longer placed (the sweep or
    its shopper cancelled it)."""
    try:
        life.pay(order_id, note, by=By.system())
    except (IllegalMove, NotFound):
        return False
    return True


def cancel_unpaid(life: Lifecycle, order_id: int, note: str = CARD_DECLINED) -> bool:
    """Cancel an order nobody paid for, through the lifecycle (its event by the shop,
    noted `note`; its stock back), and put its lines back into the shopper's cart
    (within 99 of an item), in one transaction. False if it was no longer placed
    (paid meanwhile, or cancelled by someone else: nothing is done twice).

    The cart is locked first, as checkout locks it before the products, so this and a
    checkout of the same cart in another session never wait on each other.
    """
    with connection():
        user_id = Order.select(Order.user).where(Order.id == order_id).scalar()
    if user_id is None:
        return False
    try:
        with write():
            cart_id = lock_cart(int(user_id))
            status = Order.select(Order.status).where(Order.id == order_id).scalar()
            if status != Status.PLACED:
                return False
            moved = life.move_in_transaction(order_id, Status.CANCELLED, By.system(), note)
            _back_to_cart(order_id, cart_id, moved)
    except (IllegalMove, NotFound):
        return False
    life.logged(moved, By.system(), note)
    log.info("order %d cancelled (%s): stock returned, cart restored", order_id, note)
    return True


def _back_to_cart(order_id: int, cart_id: int, moved: Moved) -> None:
    lines = cast(
        "list[tuple[int, int]]",
        list(
            OrderLine.select(OrderLine.product, OrderLine.quantity)
            .where((OrderLine.order == order_id) & OrderLine.product.is_null(False))
            .order_by(OrderLine.product)
            .tuples()
        ),
    )
    now = moved.event.at
    for product_id, quantity in lines:
        line = CartLine.get_or_none((CartLine.cart == cart_id) & (CartLine.product == product_id))
        if line is None:
            CartLine.create(cart=cart_id, product=product_id, quantity=quantity, added_at=now)
        else:
            CartLine.update(quantity=min(MAX_QUANTITY, line.quantity + quantity)).where(
                CartLine.id == line.id
            ).execute()


def sweep_stranded(
    gateway: PaymentGateway, settings: Settings, clock: Clock, logins: Logins | None = None
) -> list[int]:
    """Settle every order left placed for longer than `settings.stranded_minutes`: paid
    if the gateway took the money, else cancelled (stock back). The ids it cancelled.
    Then send the refunds claimed and not yet answered."""
    life = Lifecycle(logins, clock=clock, gateway=gateway)
    cutoff = clock() - timedelta(minutes=settings.stranded_minutes)
    with connection():
        stale = [
            row.id
            for row in Order.select(Order.id)
            .where((Order.status == Status.PLACED) & (Order.created_at < cutoff))
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
            words = card_words(row.brand, row.last4) if row is not None else ""
            if mark_paid(life, order_id, words):
                log.info("order %d was paid before its process stopped: marked paid", order_id)
            continue
        if cancel_unpaid(life, order_id, NOT_PAID):
            log.warning("order %d was left unpaid: cancelled, stock returned", order_id)
            cancelled.append(order_id)
    ledger.send_refunds(gateway)
    return cancelled
