"""Money follows the one state machine under races (issue 15 on issue 14), in concurrent
processes on SQLite and PostgreSQL.

For each paid, charged order one process refunds it (an admin) while another cancels it
(its shopper) and a third ships it (an admin): exactly one cancel-or-refund wins or the
ship does, every order ends in one state with one consistent history, the ledger holds
exactly one refund claim for each order whose money went back (the whole charge) and
none for the others, and the stock ledger balances.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.services import Services
from tests.support.checkout import card, shopper_with_cart, stock

ORDERS = 6
MOVES = ("refund", "cancel", "ship")


def _move_in_a_process(
    url: str, move: str, orders: list[tuple[int, int, int]], barrier: Any, results: Any
) -> None:
    from buynow_tui.store.db import init_db
    from buynow_tui.store.errors import IllegalMove
    from buynow_tui.store.lifecycle import By

    init_db(url)
    services = Services()
    barrier.wait(timeout=60)
    for order_id, user_id, _number in orders:
        try:
            if move == "refund":
                services.lifecycle.refund(order_id, "race", by=By.admin("race"))
            elif move == "cancel":
                services.lifecycle.cancel(order_id, "race", by=By.shopper(user_id))
            else:
                services.lifecycle.ship(order_id, "ups", f"1Z{order_id:016d}", by=By.admin())
            results.put((move, order_id, "won"))
        except IllegalMove:
            results.put((move, order_id, "refused"))
        except Exception as error:  # anything else is a failure of the test
            results.put((move, order_id, f"error {type(error).__name__}: {error}"))


@pytest.mark.backends
def test_refund_cancel_and_ship_racing_move_the_money_once(
    services: Services, backend: str, home: Path, database_url: str
) -> None:
    from buynow_tui.store.payments import ledger

    before = stock(services, "Smart Watch")
    placed: list[tuple[int, int, int]] = []
    for n in range(ORDERS):
        user, address = shopper_with_cart(
            services, ("Smart Watch", 1), email=f"racer{n}@example.com"
        )
        receipt = services.checkout.place(user.id, address_id=address.id, card=card())
        assert receipt.status == "paid"
        placed.append((receipt.order_id, user.id, receipt.number))
    assert stock(services, "Smart Watch") == before - ORDERS

    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(MOVES)), context.Queue()
    workers = [
        context.Process(
            target=_move_in_a_process, args=(database_url, move, placed, barrier, results)
        )
        for move in MOVES
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=120) for _ in range(len(MOVES) * ORDERS)]
    for worker in workers:
        worker.join(timeout=60)
    assert not [a for a in answers if a[2].startswith("error")], answers

    returned = 0
    for order_id, user_id, _ in placed:
        won = {move for move, order, outcome in answers if order == order_id and outcome == "won"}
        status = services.orders.detail(user_id, order_id).status
        events = services.lifecycle.events(order_id)
        trail = [(e.from_status, e.to_status) for e in events]
        assert trail[:2] == [(None, "placed"), ("placed", "paid")]
        claim = ledger.refund_of(order_id)
        if "ship" in won:
            # Shipped first: a cancel is refused; a refund may still follow (no restock).
            assert "cancel" not in won
            after = [("paid", "shipped")] + ([("shipped", "refunded")] if "refund" in won else [])
            assert trail[2:] == after
            assert status == ("refunded" if "refund" in won else "shipped")
        else:
            assert len(won & {"cancel", "refund"}) == 1, won  # exactly one of the two
            assert status in ("cancelled", "refunded")
            assert trail[2:] == [("paid", status)]
            returned += 1  # cancelled or refunded before shipping: back in stock
        money_back = status in ("cancelled", "refunded")
        assert (claim is not None) == money_back, (order_id, status)
        if claim is not None:
            assert claim.status == "refunded"  # sent through the gateway, once
            charge = ledger.approved_charge(order_id)
            assert charge is not None and claim.amount_cents == charge.amount_cents
            assert "refund of $180.00 to Visa •••• 4242" in events[-1].note
    # The stock ledger: units on orders that still hold stock + stock = what there was.
    assert stock(services, "Smart Watch") == before - ORDERS + returned
