"""Many shoppers over SSH at once: carts and checkouts racing through real terminals.

A real `buynow serve` on loopback, on a temp-file SQLite home with the demo catalog.
Sixteen shoppers, each with an account of their own (added with `buynow users add`, as
an admin would) and an SSH key of their own (remembered for that account, the binding
Remember me over SSH makes), connect at the same moment and shop with keystrokes.
Twelve race for a product with 5 units in stock; four buy two units each of other
products meanwhile. All sixteen confirm their checkout at once. Afterwards the CLI and
the store must agree with what the shoppers were shown: exactly the stock was sold,
every "Order placed" is an order of that shopper, every other racer was told the
product ran out (and kept their cart), no order is lost or empty, and no session's
app is left running.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import asyncssh
import pytest

from buynow_tui.store.services import Services
from tests.support.cli import run_cli
from tests.support.shop import BOOK_ADDRESS
from tests.support.ssh import (
    Server,
    Terminal,
    add_users,
    async_wait_for,
    checkout_to_confirm,
    connect,
    open_shop,
    start_server,
)

PASSWORD = "correct horse battery"
SCARCE = "Smart Watch"
SCARCE_STOCK = 5
RACERS = 12
OTHERS = ["Bluetooth Headphone", "Portable Speakers", "Digital Camera", "New Smart Phone"]
OTHER_STOCK = 50
OTHER_QUANTITY = 2
PLACED = re.compile(rb"Order #(\d+) placed")
OUT_OF_STOCK = f"Not enough stock for: {SCARCE}".encode()


@dataclass
class Shopper:
    email: str
    username: str
    key: asyncssh.SSHKey
    product: str
    product_id: int = 0
    user_id: int = 0
    quantity: int = 1


@dataclass
class Outcome:
    shopper: Shopper
    order: int | None  # the number on "Order #N placed", or None
    told_out_of_stock: bool


@contextmanager
def store_of(home: Path) -> Iterator[Services]:
    """The shop's own services on the server's database, from this test process."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    services = open_store(Paths(home)).services
    try:
        yield services
    finally:
        close_db()


def product_id(services: Services, name: str) -> int:
    return next(p.id for p in services.catalog.search(name) if p.name == name)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Server, list[Shopper], dict[str, int]]]:
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli(home, "seed").returncode == 0
    shoppers = [
        Shopper(f"racer{n}@example.com", f"racer{n}", asyncssh.generate_private_key("ssh-ed25519"),
                SCARCE)
        for n in range(RACERS)
    ] + [
        Shopper(f"buyer{n}@example.com", f"buyer{n}", asyncssh.generate_private_key("ssh-ed25519"),
                name, quantity=OTHER_QUANTITY)
        for n, name in enumerate(OTHERS)
    ]  # fmt: skip
    add_users(home, [(s.email, s.username) for s in shoppers], PASSWORD)
    starting: dict[str, int] = {}
    with store_of(home) as services:
        for name in [SCARCE, *OTHERS]:
            sku = services.catalog.get(product_id(services, name)).sku
            stock = SCARCE_STOCK if name == SCARCE else OTHER_STOCK
            assert run_cli(home, "stock", "set", sku, str(stock)).returncode == 0
            starting[name] = stock
        for shopper in shoppers:
            user = next(u for u in services.accounts.list_users() if u.email == shopper.email)
            shopper.user_id = user.id
            shopper.product_id = product_id(services, shopper.product)
            services.accounts.remember_key(user.id, shopper.key.get_fingerprint("sha256"))
            services.addresses.add(user.id, replace(BOOK_ADDRESS, line1=f"{user.id} Market Street"))
    server = start_server(
        home,
        "--max-sessions", "40",
        "--max-per-address", "40",
        "--connections-per-minute", "200",
        "--max-starting", str(len(shoppers)),
    )  # fmt: skip
    try:
        yield server, shoppers, starting
    finally:
        server.stop()
        server.kill_leftovers()


async def buy(port: int, shopper: Shopper, everyone_ready: asyncio.Barrier) -> Outcome:
    """Open the product, add it, go to the cart, check out; confirm when all are ready."""
    conn = await connect(port, shopper.key)
    try:
        term: Terminal = await open_shop(
            conn, cols=100, rows=30, command=f"product/{shopper.product_id}"
        )
        # The key is remembered: the session opens logged in, on the product's page.
        await term.read_until(
            lambda d: f"@{shopper.username}".encode() in d and shopper.product.encode() in d,
            timeout=90,
        )
        await term.quiet()
        for _ in range(shopper.quantity - 1):
            term.process.stdin.write(b"+")
            await term.quiet()
        term.set_mark()
        term.process.stdin.write(b"a")
        amount = f"{shopper.quantity} × " if shopper.quantity > 1 else ""
        await term.see(f"Added {amount}{shopper.product} to your cart".encode(), timeout=30)
        term.set_mark()
        term.process.stdin.write(b"2")
        await term.see("Your cart ·".encode(), timeout=30)
        await term.quiet()
        await checkout_to_confirm(term)  # Ship to, Delivery, Pay (4242...), to Confirm
        await asyncio.wait_for(everyone_ready.wait(), 120)
        term.set_mark()
        term.process.stdin.write(b"y")
        seen = await term.read_until(
            lambda d: PLACED.search(d) is not None or OUT_OF_STOCK in d, timeout=60
        )
        placed = PLACED.search(seen)
        return Outcome(shopper, int(placed.group(1)) if placed else None, OUT_OF_STOCK in seen)
    except BaseException:
        await everyone_ready.abort()  # the others stop waiting for this one
        raise
    finally:
        conn.close()


def test_sixteen_shoppers_check_out_at_once_and_sell_exactly_the_stock(
    shop: tuple[Server, list[Shopper], dict[str, int]],
) -> None:
    server, shoppers, starting = shop

    async def everyone() -> list[Outcome]:
        ready = asyncio.Barrier(len(shoppers))
        outcomes = await asyncio.gather(*(buy(server.port, s, ready) for s in shoppers))
        # Every connection is closed: every session's app goes, wherever it sat.
        await async_wait_for(lambda: not server.children(), 30, "no session apps left")
        return outcomes

    outcomes = asyncio.run(everyone())
    racers = [o for o in outcomes if o.shopper.product == SCARCE]
    others = [o for o in outcomes if o.shopper.product != SCARCE]

    # What the shoppers were shown.
    assert sum(o.order is not None for o in racers) == SCARCE_STOCK
    for outcome in racers:
        assert (outcome.order is None) == outcome.told_out_of_stock, (
            f"{outcome.shopper.email}: either an order or the out-of-stock message, never both "
            "nor neither"
        )
    assert all(o.order is not None for o in others), "the other products had stock to spare"
    # Orders are numbered per shopper (issue 14): "#N" is the shopper's own number.
    confirmed = {(o.shopper.email, o.order) for o in outcomes if o.order is not None}
    assert len(confirmed) == SCARCE_STOCK + len(OTHERS), "every order is a shopper's own"

    # What the admin sees: every confirmation is that shopper's order, and nothing else.
    listed = run_cli(server.home, "orders", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [(o["email"], o["number"], o["units"]) for o in json.loads(listed.stdout)]
    assert {(email, number) for email, number, _ in rows} == confirmed
    assert len(rows) == len(confirmed), "no order the shoppers were not told about"
    assert all(units > 0 for _, _, units in rows), "no order without lines"

    # What the store holds: the stock ledger balances, refused carts are untouched.
    with store_of(server.home) as services:
        sold: dict[str, int] = dict.fromkeys(starting, 0)
        for shopper in shoppers:
            for summary in services.orders.history(shopper.user_id):
                detail = services.orders.detail(shopper.user_id, summary.id)
                assert detail.lines, f"order {detail.id} has no lines"
                for line in detail.lines:
                    assert line.name == shopper.product and line.quantity == shopper.quantity
                    sold[line.name] += line.quantity
        for name, stock in starting.items():
            now = services.catalog.get(product_id(services, name)).stock
            assert now + sold[name] == stock, f"{name}: {now} left + {sold[name]} sold"
        assert sold[SCARCE] == SCARCE_STOCK
        assert sold == {SCARCE: SCARCE_STOCK, **dict.fromkeys(OTHERS, OTHER_QUANTITY)}
        for outcome in racers:
            cart = services.cart.get(outcome.shopper.user_id)
            kept = [(line.name, line.quantity) for line in cart.lines]
            assert kept == ([] if outcome.order else [(SCARCE, 1)]), outcome.shopper.email
