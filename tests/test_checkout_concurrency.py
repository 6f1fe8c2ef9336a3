"""Real processes on one SQLite file: racing buyers never oversell; a killed checkout
leaves no partial order.

Children are started with the spawn context (a fresh interpreter each, as separate SSH
sessions would be) and each opens the database itself with `init_db`.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sqlite3
import time
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.services import Services
from tests.support.store import product_named, register

ADDRESS = "1 Main Street\nSpringfield"
BUYERS = 8
LAST_UNITS = 5


def _open(home: str, url: str | None = None) -> Services:
    from buynow_tui.logs import setup_logging
    from buynow_tui.store.db import init_db
    from buynow_tui.store.migrate import upgrade
    from buynow_tui.store.services import Services

    setup_logging(Path(home) / "logs")
    init_db(url or f"sqlite:///{Path(home) / 'buynow.db'}")
    upgrade()
    return Services()


def _buyer(
    home: str, url: str, user_id: int, barrier: Barrier, results: Queue[tuple[str, int, object]]
) -> None:
    """One shopper in their own process: wait for the others, then press Buy."""
    from buynow_tui.store.errors import OutOfStock

    services = _open(home, url)
    barrier.wait(timeout=30)
    try:
        order = services.orders.checkout(user_id, ship_address=ADDRESS)
        results.put(("ordered", user_id, order.id))
    except OutOfStock as error:
        results.put(("out of stock", user_id, str(error)))
    except Exception as error:
        results.put(("error", user_id, repr(error)))


def _shopper_loop(
    home: str, user_id: int, wanted: list[tuple[int, int]], done: Synchronized[int]
) -> None:
    """Fill the cart and check out, forever (until killed)."""
    services = _open(home)
    services.cart.clear(user_id)
    while True:
        for product_id, quantity in wanted:
            services.cart.add(user_id, product_id, quantity)
        services.orders.checkout(user_id, ship_address=ADDRESS)
        with done.get_lock():
            done.value += 1


def _sql(home: Path, query: str, *args: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(home / "buynow.db", timeout=10)
    try:
        return conn.execute(query, args).fetchall()
    finally:
        conn.close()


def _sold(home: Path, product_id: int) -> int:
    return int(
        _sql(
            home,
            "SELECT COALESCE(SUM(quantity), 0) FROM order_line WHERE product_id = ?",
            product_id,
        )[0][0]
    )


def _sold_via_store(product_id: int) -> int:
    from peewee import fn

    from buynow_tui.store.db import connection
    from buynow_tui.store.models import OrderLine, Product

    with connection():
        assert Product.select(fn.MIN(Product.stock)).scalar() >= 0
        return int(
            OrderLine.select(fn.COALESCE(fn.SUM(OrderLine.quantity), 0))
            .where(OrderLine.product == product_id)
            .scalar()
        )


@pytest.mark.backends
def test_eight_processes_racing_for_the_last_five_units_buy_exactly_five(
    services: Services, home: Path, database_url: str
) -> None:
    plenty = product_named(
        services, "Portable Speakers"
    )  # lower id: drawn first, rolled back for losers
    scarce = product_named(services, "Smart Watch")
    assert plenty.id < scarce.id
    services.catalog.set_stock(scarce.sku, LAST_UNITS)
    users = [
        register(services, email=f"buyer{n}@example.com", username=f"buyer{n}")
        for n in range(BUYERS)
    ]
    for user in users:
        services.cart.add(user.id, plenty.id, 1)
        services.cart.add(user.id, scarce.id, 1)

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(BUYERS)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_buyer, args=(str(home), database_url, u.id, barrier, results))
        for u in users
    ]
    for proc in procs:
        proc.start()
    try:
        outcomes = [results.get(timeout=60) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()

    assert [o for o in outcomes if o[0] == "error"] == []
    winners = [o for o in outcomes if o[0] == "ordered"]
    losers = [o for o in outcomes if o[0] == "out of stock"]
    assert len(winners) == LAST_UNITS
    assert len(losers) == BUYERS - LAST_UNITS
    assert all("Smart Watch" in message for _, _, message in losers)

    assert product_named(services, "Smart Watch").stock == 0
    assert _sold_via_store(scarce.id) == LAST_UNITS
    assert product_named(services, "Portable Speakers").stock == plenty.stock - LAST_UNITS
    assert _sold_via_store(plenty.id) == LAST_UNITS
    # Each loser still has the full cart, so they can try again later.
    for _, user_id, _ in losers:
        assert services.cart.count(user_id) == 2
    for _, user_id, order_id in winners:
        assert services.cart.count(user_id) == 0
        assert len(services.orders.detail(user_id, order_id).lines) == 2


def _check_no_partial_orders(home: Path, start: dict[int, int]) -> int:
    assert _sql(home, "PRAGMA integrity_check") == [("ok",)]
    orphans = _sql(
        home,
        "SELECT id FROM orders o"
        " WHERE NOT EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id)",
    )
    assert orphans == [], "an order without lines"
    wrong = _sql(
        home,
        "SELECT o.id FROM orders o WHERE o.subtotal_cents != "
        "(SELECT SUM(l.unit_price_cents * l.quantity) FROM order_line l WHERE l.order_id = o.id) "
        "OR o.total_cents != o.subtotal_cents + o.shipping_cents "
        "OR (SELECT COUNT(*) FROM order_line l WHERE l.order_id = o.id) != 2",
    )
    assert wrong == [], "an order whose lines and totals disagree"
    for product_id, stock in start.items():
        now = _sql(home, "SELECT stock FROM product WHERE id = ?", product_id)[0][0]
        assert now + _sold(home, product_id) == stock, "stock and sales disagree"
    return int(_sql(home, "SELECT COUNT(*) FROM orders")[0][0])


KILL_ROUNDS = 20  # each a fresh process killed at a random moment mid-checkouts


def test_a_process_killed_during_checkout_leaves_no_partial_order(
    services: Services, home: Path
) -> None:
    user = register(services)
    first = product_named(services, "Portable Speakers")
    second = product_named(services, "Smart Watch")
    for product in (first, second):
        services.catalog.set_stock(product.sku, 100_000)
    start = {first.id: 100_000, second.id: 100_000}
    wanted = [(first.id, 1), (second.id, 2)]

    ctx = multiprocessing.get_context("spawn")
    done = ctx.Value("i", 0)
    rng = random.Random(2)
    orders_seen = 0
    for _ in range(KILL_ROUNDS):
        before = done.value
        proc = ctx.Process(target=_shopper_loop, args=(str(home), user.id, wanted, done))
        proc.start()
        try:
            deadline = time.monotonic() + 30
            while done.value == before:  # let it get going: at least one checkout this round
                assert proc.is_alive(), "the shopper process died by itself"
                assert time.monotonic() < deadline, "the shopper process never checked out"
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
            assert proc.pid is not None
            os.kill(proc.pid, signal.SIGKILL)
            proc.join(timeout=10)
        finally:
            if proc.is_alive():
                proc.kill()
        assert proc.exitcode == -signal.SIGKILL
        orders_now = _check_no_partial_orders(home, start)
        assert orders_now > orders_seen
        orders_seen = orders_now

    assert orders_seen >= done.value  # every counted checkout is a real order
    # The shop still works after all that.
    services.cart.clear(user.id)
    for product_id, quantity in wanted:
        services.cart.add(user.id, product_id, quantity)
    assert services.orders.checkout(user.id, ship_address=ADDRESS).units == 3
    _check_no_partial_orders(home, start)
