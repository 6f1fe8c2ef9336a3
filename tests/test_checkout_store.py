"""The checkout of issue 15 in the store, on SQLite and PostgreSQL: addresses, delivery
prices, the test gateway's answers, declines that order nothing, refunds, one charge
per idempotency key, saved cards, receipts."""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.config import Settings
from buynow_tui.store import addresses as rules
from buynow_tui.store.cards import card_problems, check_card
from buynow_tui.store.checkout_views import COUNTRIES, AddressFields
from buynow_tui.store.errors import IllegalMove, NotFound, ValidationError
from buynow_tui.store.lifecycle import By
from buynow_tui.store.payments import ledger
from buynow_tui.store.payments.gateway import PaymentDeclined
from buynow_tui.store.payments.testgateway import TestGateway
from buynow_tui.store.receipts import receipt_text
from buynow_tui.store.validation import ADDRESS_MAX
from tests.support.checkout import (
    CVC,
    DECLINED_CARD,
    HOME_ADDRESS,
    NO_FUNDS_CARD,
    card,
    cart_lines,
    shopper_with_cart,
    stock,
)
from tests.support.store import FIXED_NOW, product_named, register

NOW = datetime(2026, 11, 25, 12, 0)


# -- addresses --------------------------------------------------------------------------
@pytest.mark.backends
def test_addresses_add_edit_default_and_remove(services: Any, backend: str) -> None:
    user = register(services)
    first = services.addresses.add(user.id, HOME_ADDRESS)
    assert first.is_default  # the first one is the default
    work = services.addresses.add(
        user.id,
        AddressFields(
            "Ann Lee", "1 Office Park", "", "Springfield", "IL", "62701", "US", "555 0100"
        ),
    )
    assert not work.is_default
    assert [a.id for a in services.addresses.list(user.id)] == [first.id, work.id]

    services.addresses.set_default(user.id, work.id)
    listed = services.addresses.list(user.id)
    assert [(a.id, a.is_default) for a in listed] == [(work.id, True), (first.id, False)]

    edited = services.addresses.update(
        user.id, first.id, AddressFields(**{**HOME_ADDRESS.__dict__, "line2": ""})
    )
    assert edited.line2 == "" and edited.postal_code == "PT4 021"  # cleaned, upper-cased
    assert not edited.is_default

    services.addresses.remove(user.id, work.id)  # the default goes: the oldest left takes it
    assert [(a.id, a.is_default) for a in services.addresses.list(user.id)] == [(first.id, True)]

    other = register(services, email="bob@example.com", username="bob")
    with pytest.raises(NotFound):
        services.addresses.get(other.id, first.id)  # never someone else's
    with pytest.raises(NotFound):
        services.addresses.remove(other.id, first.id)
    assert len(services.addresses.list(user.id)) == 1


@pytest.mark.backends
def test_every_address_field_is_checked_with_its_own_message(services: Any, backend: str) -> None:
    user = register(services)
    bad = AddressFields(
        name=" ",
        line1="x" * 61,
        line2="y" * 61,
        city="",
        region="r" * 31,
        postal_code="12#45",
        country="XX",
        phone="call me",
    )
    found = rules.problems(bad)
    assert set(found) == set(rules.RULES)  # every field has a problem, named for it
    assert found["name"] == "Enter the name of who receives it."
    assert found["postal_code"].startswith("A postal code holds letters")
    assert found["country"] == "Choose a country from the list."
    assert found["phone"].startswith("A phone number has 6 to 15 digits")
    with pytest.raises(ValidationError) as refused:
        services.addresses.add(user.id, bad)
    assert refused.value.field == "name"
    assert services.addresses.list(user.id) == []  # nothing half-written
    # Control characters never reach the store.
    sneaky = services.addresses.add(
        user.id, AddressFields(**{**HOME_ADDRESS.__dict__, "name": "Ann\x1b[31m Lee"})
    )
    assert sneaky.name == "Ann[31m Lee"


def test_the_longest_address_fits_the_order_copy() -> None:
    longest = AddressFields(
        "n" * 50,
        "a" * 60,
        "b" * 60,
        "c" * 40,
        "r" * 30,
        "P" * 10,
        max(COUNTRIES, key=lambda code: len(COUNTRIES[code])),
        "1" * 20,
    )
    rules.check_fields(AddressFields(**{**longest.__dict__, "phone": "1" * 15}))
    assert len(rules.format_address(longest)) <= ADDRESS_MAX


# -- delivery ---------------------------------------------------------------------------
@pytest.mark.backends
def test_delivery_prices_come_from_configuration_with_a_free_threshold(
    services: Any, backend: str
) -> None:
    from buynow_tui.store.services import Services

    default = services.checkout.delivery_quotes(10_000)
    assert [(q.option, q.price_cents) for q in default] == [("standard", 3000), ("express", 4500)]

    settings = Settings.from_env(
        {
            "BUYNOW_SHIPPING_CENTS": "500",
            "BUYNOW_EXPRESS_CENTS": "1500",
            "BUYNOW_FREE_DELIVERY_FROM_CENTS": "30000",
        }
    )
    shop = Services(settings)
    user, address = shopper_with_cart(shop, ("Smart Watch", 1))  # $150: under the threshold
    assert shop.cart.get(user.id).shipping_cents == 500
    shop.cart.add(user.id, product_named(shop, "Smart Watch").id, 1)  # $300: standard is free
    assert shop.cart.get(user.id).shipping_cents == 0
    quotes = {q.option: q.price_cents for q in shop.checkout.delivery_quotes(30_000)}
    assert quotes == {"standard": 0, "express": 1500}  # express is never free

    receipt = shop.checkout.place(
        user.id, address_id=address.id, delivery_option="express", card=card()
    )
    assert (receipt.delivery_option, receipt.delivery_cents) == ("express", 1500)
    assert receipt.total_cents == 30_000 + 1500
    detail = shop.orders.detail(user.id, receipt.order_id)
    assert detail.shipping_cents == 1500  # copied onto the order


# -- the gateway's answers -------------------------------------------------------------------
@pytest.mark.backends
def test_an_approved_card_pays_the_order_and_keeps_only_brand_and_last4(
    services: Any, backend: str
) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 2))
    before = stock(services, "Smart Watch")
    receipt = services.checkout.place(user.id, address_id=address.id, card=card())
    assert receipt.status == "paid"
    assert (receipt.card_brand, receipt.card_last4) == ("Visa", "4242")
    # One state machine: placed (the reserve), then paid by the shop once approved.
    events = services.lifecycle.events(receipt.order_id)
    assert [(e.from_status, e.to_status, e.actor_kind, e.note) for e in events] == [
        (None, "placed", "system", ""),
        ("placed", "paid", "system", "Visa •••• 4242"),
    ]
    assert receipt.total_cents == 2 * 15_000 + 3000
    assert (
        "Ann Lee\n12 Harbour Road\nFlat 3\nPort Town Harbourshire PT4 021" in receipt.ship_address
    )
    assert stock(services, "Smart Watch") == before - 2
    assert services.cart.get(user.id).is_empty
    charges = services.checkout.gateway.approved
    assert [c.amount_cents for c in charges] == [33_000]
    text = receipt_text(receipt)
    assert f"order #{receipt.number}" in text and "Paid with Visa ending 4242" in text
    assert "2 × Smart Watch" in text and "$330.00" in text
    assert max(len(line) for line in text.splitlines()) <= 60


@pytest.mark.backends
@pytest.mark.parametrize(
    ("number", "status", "words"),
    [
        (DECLINED_CARD, "declined", "Your card was declined. Nothing was charged."),
        (NO_FUNDS_CARD, "insufficient_funds", "insufficient funds"),
    ],
)
def test_a_refused_card_orders_nothing_and_returns_stock_and_cart(
    services: Any, backend: str, number: str, status: str, words: str
) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 2), ("Digital Camera", 1))
    stocks = {n: stock(services, n) for n in ("Smart Watch", "Digital Camera")}
    with pytest.raises(PaymentDeclined) as declined:
        services.checkout.place(user.id, address_id=address.id, card=card(number))
    assert words in str(declined.value) and declined.value.status == status
    assert {n: stock(services, n) for n in stocks} == stocks  # returned at once
    assert cart_lines(services, user) == {"Smart Watch": 2, "Digital Camera": 1}  # intact
    assert services.checkout.gateway.approved == []  # nothing charged
    [order] = services.orders.history(user.id)
    assert order.status == "cancelled"  # through the lifecycle's cancel, by the shop
    events = services.lifecycle.events(order.id)
    assert [(e.from_status, e.to_status, e.actor_kind, e.note) for e in events] == [
        (None, "placed", "system", ""),
        ("placed", "cancelled", "system", "card declined"),
    ]
    declined_receipt = services.checkout.receipt(order.id, user.id)
    assert declined_receipt.notes == ("This order was cancelled (card declined).",)
    # The shopper tries again with a good card: the same cart is ordered once.
    receipt = services.checkout.place(user.id, address_id=address.id, card=card())
    assert receipt.status == "paid" and receipt.order_id != order.id
    assert receipt.number == order.number + 1  # the declined one keeps its number


def test_card_checks_name_the_field() -> None:
    assert card_problems(card("4242 4242 4242 4241"), NOW) == {
        "card_number": "That card number is not valid: check the digits."
    }
    assert card_problems(card("4242"), NOW) == {"card_number": "A card number has 12 to 19 digits."}
    assert (
        card_problems(card("4242 abcd"), NOW)["card_number"] == "A card number holds digits only."
    )
    assert card_problems(card(expiry="10/26"), NOW) == {"expiry": "That card has expired."}
    assert card_problems(card(expiry="13/30"), NOW) == {"expiry": "The expiry month is 01 to 12."}
    assert card_problems(card(expiry="1230"), NOW)["expiry"].startswith("Enter the expiry as MM/YY")
    assert card_problems(card(cvc="12"), NOW) == {
        "cvc": "The CVC is the 3 or 4 digits on the card."
    }
    assert card_problems(card(cvc="1234"), NOW) == {"cvc": "This card's CVC has 3 digits."}
    assert check_card(card(expiry="11/26"), NOW).exp_year == 2026  # good through its month
    amex = check_card(card("3782 822463 10005", cvc="8642"), NOW)
    assert (amex.brand, amex.last4) == ("American Express", "0005")
    assert "4242424242424242" not in repr(card()) and CVC not in repr(card())
    assert "4242424242424242" not in repr(check_card(card(), NOW))


@pytest.mark.backends
def test_a_bad_card_is_refused_before_anything_is_reserved(services: Any, backend: str) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    before = stock(services, "Smart Watch")
    with pytest.raises(ValidationError) as refused:
        services.checkout.place(user.id, address_id=address.id, card=card(expiry="01/20"))
    assert refused.value.field == "expiry"
    assert stock(services, "Smart Watch") == before
    assert services.orders.history(user.id) == []
    assert cart_lines(services, user) == {"Smart Watch": 1}


# -- refunds, idempotency, saved cards ----------------------------------------------------------
@pytest.mark.backends
def test_a_refund_goes_through_the_gateway_once(services: Any, backend: str) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    receipt = services.checkout.place(user.id, address_id=address.id, card=card())
    moved = services.lifecycle.refund(receipt.order_id, "damaged", by=By.admin("ops"))
    assert moved.refund_cents == receipt.total_cents
    assert moved.event.note == "damaged; refund of $180.00 to Visa •••• 4242"
    with pytest.raises(IllegalMove, match="already refunded"):  # asked twice: refused
        services.lifecycle.refund(receipt.order_id, by=By.admin())
    assert [r.amount_cents for r in services.checkout.gateway.refunded] == [receipt.total_cents]
    assert services.checkout.receipt(receipt.order_id).status == "refunded"
    row = ledger.refund_of(receipt.order_id)
    assert row is not None and row.status == "refunded" and row.charge_id
    # An order placed without the gateway (the admin CLI) refunds with no money to move.
    unpaid_user, _ = shopper_with_cart(services, email="cy@example.com")
    placed = services.orders.checkout(unpaid_user.id, ship_address="1 Main St")  # no gateway
    assert services.lifecycle.refund(placed.id, by=By.admin()).refund_cents == 0
    assert len(services.checkout.gateway.refunded) == 1 and ledger.refund_of(placed.id) is None


@pytest.mark.backends
def test_cancelling_a_paid_order_gives_the_money_back(services: Any, backend: str) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    before = stock(services, "Smart Watch")
    receipt = services.checkout.place(user.id, address_id=address.id, card=card())
    moved = services.lifecycle.cancel_mine(user.id, receipt.number, "changed my mind")
    assert moved.refund_cents == receipt.total_cents
    assert moved.event.note == "changed my mind; refund of $180.00 to Visa •••• 4242"
    assert [r.amount_cents for r in services.checkout.gateway.refunded] == [receipt.total_cents]
    assert stock(services, "Smart Watch") == before


@pytest.mark.backends
def test_a_refund_the_gateway_did_not_take_is_sent_again_later(services: Any, backend: str) -> None:
    gateway = services.checkout.gateway
    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    receipt = services.checkout.place(user.id, address_id=address.id, card=card())
    real_refund = gateway.refund
    gateway.refund = _unreachable  # the gateway is down for the refund
    try:
        moved = services.lifecycle.refund(receipt.order_id, by=By.admin())
    finally:
        gateway.refund = real_refund
    assert moved.refund_cents == receipt.total_cents  # the order is refunded, the money owed
    assert services.checkout.receipt(receipt.order_id).status == "refunded"
    row = ledger.refund_of(receipt.order_id)
    assert row is not None and row.status == "pending" and gateway.refunded == []
    services.checkout.housekeeping()  # what buynow serve runs every minute
    row = ledger.refund_of(receipt.order_id)
    assert row is not None and row.status == "refunded"
    assert [r.amount_cents for r in gateway.refunded] == [receipt.total_cents]
    services.checkout.housekeeping()  # sent once
    assert len(gateway.refunded) == 1


def _unreachable(charge_id: str, amount_cents: int, idempotency_key: str) -> Any:
    raise ConnectionError("the gateway is down")


@pytest.mark.backends
def test_one_idempotency_key_never_charges_twice(services: Any, backend: str) -> None:
    gateway = services.checkout.gateway
    checked = check_card(card(), FIXED_NOW)
    results = [
        ledger.charge_once(
            gateway,
            key="order-test-1",
            order_id=None,
            amount_cents=1234,
            currency="USD",
            source=checked,
            brand="Visa",
            last4="4242",
            clock=services.clock,
        )
        for _ in range(3)
    ]
    assert len({r.charge_id for r in results}) == 1 and results[0].approved
    assert len(gateway.approved) == 1
    # A fresh gateway (another process, a restart) is never asked again for that key.
    other = TestGateway()
    again = ledger.charge_once(
        other,
        key="order-test-1",
        order_id=None,
        amount_cents=1234,
        currency="USD",
        source=checked,
        brand="Visa",
        last4="4242",
        clock=services.clock,
    )
    assert again.charge_id == results[0].charge_id and other.approved == []


def _charge_in_a_process(home: str, url: str, barrier: Any, results: Any) -> None:
    from buynow_tui.store.db import init_db
    from buynow_tui.store.payments.testgateway import TestGateway as Gateway

    init_db(url)
    gateway = Gateway()
    barrier.wait(timeout=30)
    try:
        result = ledger.charge_once(
            gateway,
            key="order-race",
            order_id=None,
            amount_cents=500,
            currency="USD",
            source="tok_test_approved_race",
            brand="Visa",
            last4="4242",
            clock=lambda: FIXED_NOW,
        )
        results.put(("answer", result.charge_id, len(gateway.approved)))
    except Exception as error:
        results.put(("refused", type(error).__name__, len(gateway.approved)))


@pytest.mark.backends
def test_processes_racing_with_one_key_charge_once(
    services: Any, backend: str, home: Path, database_url: str
) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(4), context.Queue()
    workers = [
        context.Process(
            target=_charge_in_a_process, args=(str(home), database_url, barrier, results)
        )
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sum(charged for _, _, charged in answers) == 1  # one process charged, once
    ids = {charge_id for kind, charge_id, _ in answers if kind == "answer"}
    assert len(ids) == 1
    refused = {name for kind, name, _ in answers if kind == "refused"}
    assert refused <= {"InFlight"}  # "still being processed", never a second charge


@pytest.mark.backends
def test_a_saved_card_pays_next_time_and_can_be_removed(services: Any, backend: str) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    services.checkout.place(user.id, address_id=address.id, card=card(), save_card=True)
    [saved] = services.cards.list(user.id)
    assert (saved.brand, saved.last4, saved.exp_month, saved.exp_year) == ("Visa", "4242", 12, 2030)
    services.cart.add(user.id, product_named(services, "Digital Camera").id, 1)
    receipt = services.checkout.place(user.id, address_id=address.id, saved_card=saved.id)
    assert receipt.status == "paid" and receipt.card_last4 == "4242"
    other = register(services, email="bob@example.com", username="bob")
    with pytest.raises(NotFound):
        services.cards.remove(other.id, saved.id)
    services.cards.remove(user.id, saved.id)
    assert services.cards.list(user.id) == []

    # A saved card that declines behaves as its number did.
    services.cart.add(user.id, product_named(services, "Digital Camera").id, 1)
    with pytest.raises(PaymentDeclined):
        services.checkout.place(
            user.id, address_id=address.id, card=card(DECLINED_CARD), save_card=True
        )
    assert services.cards.list(user.id) == []  # a declined card is not kept


@pytest.mark.backends
def test_a_repeated_confirm_returns_the_paid_order_without_charging_again(
    services: Any, backend: str
) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    first = services.checkout.place(user.id, address_id=address.id, card=card(), checkout_key="k1")
    again = services.checkout.place(user.id, address_id=address.id, card=card(), checkout_key="k1")
    assert again.order_id == first.order_id
    assert len(services.checkout.gateway.approved) == 1
