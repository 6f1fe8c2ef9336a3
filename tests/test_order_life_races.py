"""Orders moved by racing processes, on SQLite and PostgreSQL (issue 14).

Each racer is a fresh interpreter (spawn) that opens the database itself, as an SSH
session or the admin CLI would. Whatever the interleaving: exactly one of two racing
moves wins, the stock ledger balances (stock + units on orders that hold stock =
initial stock, as no admin sets stock here), every order ends in one state, and its
events form one unbroken chain from placed to that state.
"""

from __future__ import annotations

import itertools
import multiprocessing
import random
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.store import product_named, register

pytestmark = pytest.mark.backends

ADDRESS = "1 Main Street\nSpringfield"
PRODUCTS = ("Smart Watch", "Portable Speakers", "Bluetooth Headphone")


def _mover(home: str, url: str, plan: list[tuple[Any, ...]], barrier: Any, results: Any) -> None:
    """One process: for each step (optionally waiting for the others first), one move."""
    from buynow_tui.logs import setup_logging
    from buynow_tui.store.db import init_db
    from buynow_tui.store.errors import StoreError
    from buynow_tui.store.lifecycle import By
    from buynow_tui.store.services import Services

    setup_logging(Path(home) / "logs")
    init_db(url)
    life = Services().lifecycle
    for step, (wait, action, order_id, user_id) in enumerate(plan):
        if wait:
            try:
                barrier.wait(timeout=60)
            except threading.BrokenBarrierError:
                return
        try:
            if action == "ship":
                life.ship(order_id, "ups", f"1Z{order_id:08d}")
            elif action == "deliver":
                life.deliver(order_id)
            elif action == "refund":
                life.refund(order_id)
            elif action == "cancel-mine":
                life.cancel(order_id, by=By.shopper(user_id))
            else:
                life.cancel(order_id)
            results.put((step, order_id, action, "done"))
        except StoreError as error:
            results.put((step, order_id, action, type(error).__name__))
        except Exception as error:
            results.put((step, order_id, action, f"raw {error!r}"))


def _start(home: Path, url: str, plans: list[list[tuple[Any, ...]]]) -> tuple[Any, Any, list[Any]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(plans) + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_mover, args=(str(home), url, plan, barrier, results)) for plan in plans
    ]
    for proc in procs:
        proc.start()
    return barrier, results, procs


def _stop(barrier: Any, procs: list[Any]) -> None:
    barrier.abort()
    for proc in procs:
        proc.join(timeout=60)
        if proc.is_alive():
            proc.kill()


def _orders(services: Any, count: int, shoppers: int) -> list[tuple[int, int]]:
    """`count` orders of one unit of a random product each, from `shoppers` shoppers."""
    users = [register(services, f"s{n}@example.com", f"s{n}") for n in range(shoppers)]
    products = [product_named(services, name) for name in PRODUCTS]
    for product in products:
        services.catalog.set_stock(product.sku, 5000)
    rng = random.Random(14)
    made = []
    for n in range(count):
        user = users[n % shoppers]
        services.cart.add(user.id, rng.choice(products).id, rng.randint(1, 3))
        made.append((services.orders.checkout(user.id, ship_address=ADDRESS).id, user.id))
    return made


def _ledger(services: Any) -> None:
    """stock + units on orders that still hold stock == the stock set (5000 each)."""
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import Order, OrderEvent, OrderLine, Product

    with connection():
        restocked = {
            e.order_id
            for e in OrderEvent.select(OrderEvent.order).where(
                (OrderEvent.to_status == "cancelled")
                | ((OrderEvent.to_status == "refunded") & (OrderEvent.from_status == "paid"))
            )
        }
        held: dict[int, int] = {}
        for line in OrderLine.select(OrderLine.order, OrderLine.product, OrderLine.quantity):
            if line.order_id not in restocked and line.product_id is not None:
                held[line.product_id] = held.get(line.product_id, 0) + line.quantity
        for name in PRODUCTS:
            product = Product.get(Product.name == name)
            assert product.stock + held.get(product.id, 0) == 5000, name
        # Every order's state is the end of one unbroken chain of events from placed.
        events: dict[int, list[tuple[str | None, str]]] = {}
        for e in OrderEvent.select().order_by(OrderEvent.id):
            events.setdefault(e.order_id, []).append((e.from_status, e.to_status))
        for order in Order.select(Order.id, Order.status):
            chain = events[order.id]
            assert chain[0] == (None, "placed"), order.id
            for (_, before), (after_from, _) in itertools.pairwise(chain):
                assert after_from == before, (order.id, chain)
            assert chain[-1][1] == order.status, (order.id, chain)


def _event_count() -> int:
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import OrderEvent

    with connection():
        return int(OrderEvent.select().count())


ROUNDS = 15


def test_a_shopper_cancelling_while_an_admin_ships_ends_in_exactly_one(
    services: Any, home: Path, database_url: str
) -> None:
    orders = _orders(services, ROUNDS, 3)
    shopper = [(True, "cancel-mine", order_id, user_id) for order_id, user_id in orders]
    admin = [(True, "ship", order_id, user_id) for order_id, user_id in orders]
    barrier, results, procs = _start(home, database_url, [shopper, admin])
    try:
        for round_, (order_id, user_id) in enumerate(orders):
            barrier.wait(timeout=120)
            got = sorted((results.get(timeout=60) for _ in procs), key=lambda r: r[2])
            outcomes = {action: outcome for _, _, action, outcome in got}
            assert sorted(outcomes.values()) == ["IllegalMove", "done"], (round_, got)
            final = services.orders.detail(user_id, order_id).status
            assert final == ("cancelled" if outcomes["cancel-mine"] == "done" else "shipped")
    finally:
        _stop(barrier, procs)
    _ledger(services)
    assert _event_count() == 3 * ROUNDS  # placed, paid, and the one move that won


PROCESSES = 8
ORDERS = 200
ACTIONS = ("ship", "cancel", "cancel", "ship", "deliver", "refund")


def test_eight_processes_moving_two_hundred_orders_at_random_keep_the_books(
    services: Any, home: Path, database_url: str
) -> None:
    orders = _orders(services, ORDERS, 10)
    rng = random.Random(2026)
    plans = []
    for _ in range(PROCESSES):
        mine = [(False, rng.choice(ACTIONS), order_id, user_id) for order_id, user_id in orders]
        rng.shuffle(mine)
        plans.append([(True, *mine[0][1:]), *mine[1:]])  # all start together
    barrier, results, procs = _start(home, database_url, plans)
    try:
        barrier.wait(timeout=120)
        got = [results.get(timeout=120) for _ in range(PROCESSES * ORDERS)]
    finally:
        _stop(barrier, procs)
    outcomes = {outcome for *_, outcome in got}
    assert outcomes <= {"done", "IllegalMove"}, outcomes
    done = sum(1 for *_, outcome in got if outcome == "done")
    assert done > ORDERS  # every order moved at least once, most more
    assert _event_count() == 2 * ORDERS + done  # one event per move made, none lost
    _ledger(services)
    finals = {o.status for o in services.orders.list_all(limit=ORDERS)}
    assert finals <= {"paid", "shipped", "delivered", "cancelled", "refunded"}
    assert len(services.orders.list_all(limit=ORDERS * 2)) == ORDERS
