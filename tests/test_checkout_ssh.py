"""The checkout over SSH (issue 15): a real server, a real SSH client, keys typed into a
real terminal. A new account (no address yet) adds its address in the app, picks
express, pays with 4242..., reads the receipt, and Orders shows the order paid; then
4000 0000 0000 0002 is declined in words and the cart is as it was."""

from __future__ import annotations

from pathlib import Path

import asyncssh

from buynow_tui.store.services import Services
from tests.support.ssh import async_wait_for, checkout_to_confirm, connect, open_shop, start_server
from tests.support.store import product_named


def _new_shopper(home: Path, fingerprint: str) -> tuple[int, int]:
    """A new account, its key remembered, two Smart Watches in the cart: (user, stock)."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    services = open_store(Paths(home)).services
    try:
        user = services.accounts.register(
            email="kim@example.com",
            username="kim",
            password="correct horse",
            question="pet",
            answer="Rex",
            agreed=True,
        )
        services.accounts.remember_key(user.id, fingerprint)
        watch = product_named(services, "Smart Watch")
        services.cart.add(user.id, watch.id, 2)
        return user.id, watch.stock
    finally:
        close_db()


def _store(home: Path) -> Services:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths

    return open_store(Paths(home)).services


async def test_new_account_address_express_good_card_receipt_orders_paid_then_a_decline(
    home: Path,
) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    user_id, stock = _new_shopper(home, str(key.get_fingerprint("sha256")))
    server = start_server(home)
    try:
        async with await connect(server.port, key) as conn:
            term = await open_shop(conn, cols=100, rows=34, command="cart")
            await term.see(b"Smart Watch", timeout=60)
            await term.quiet()
            send = term.process.stdin.write

            # Ship to: no address yet, so the only choice is a new one.
            term.set_mark()
            send(b"b")
            await term.see(b"+ Add a new address", timeout=30)
            await term.quiet()
            term.set_mark()
            send(b"\r")
            await term.see(b"New address", timeout=30)
            await term.quiet()
            # Name, street, (flat), city, (region), postcode: tab between the fields.
            send(b"Kim Lee\t12 Harbour Road\t\tPort Town\t\t4021\t")
            await term.quiet()
            send(b"\r")  # the country list opens; Australia comes first
            await term.quiet()
            send(b"\x1b[B\r")
            await term.quiet()
            send(b"\t+61 2 5550 1234")
            await term.quiet()
            term.set_mark()
            send(b"\x13")  # ctrl+s saves
            await term.see(b"(default)", timeout=30)
            await term.quiet()

            # Delivery: express; Pay: the good test card; Confirm shows both.
            term.set_mark()
            send(b"\r")
            await term.see(b"How fast?", timeout=30)
            await term.quiet()
            term.set_mark()
            send(b"\x1b[B\r")
            await term.see(b"Pay by card", timeout=30)
            await term.quiet()
            term.set_mark()
            send(b"4242424242424242\t12/30\t739")
            await term.quiet()
            send(b"\r")
            await term.see(b"Pay $345.00 (y)", timeout=30)  # 2 x $150 + $45 express
            await term.quiet()
            term.set_mark()
            send(b"y")
            await term.see(b"Paid with Visa ending 4242", timeout=60)
            await term.quiet()
            receipt = term.data[term.mark :]
            assert b"placed and paid" in receipt and b"Delivery (Express)" in receipt

            # Any key: Orders, where it shows paid.
            term.set_mark()
            send(b" ")
            await term.see(b"Paid", timeout=30)
            await term.quiet()

            services = _store(home)
            [order] = services.orders.history(user_id)
            assert (order.status, order.total_cents) == ("paid", 34_500)
            detail = services.orders.detail(user_id, order.id)
            assert "12 Harbour Road" in detail.ship_address and detail.shipping_cents == 4500
            assert product_named(services, "Smart Watch").stock == stock - 2

            # The same again with the declined card: said in words, the cart unchanged.
            services.cart.add(user_id, product_named(services, "Smart Watch").id, 1)
            term.set_mark()
            send(b"2")
            await term.see(b"Smart Watch", timeout=30)
            await term.quiet()
            await checkout_to_confirm(term, card=b"4000000000000002")
            term.set_mark()
            send(b"y")
            await term.see(b"Your card was declined. Nothing was charged.", timeout=60)
            await term.quiet()
            await async_wait_for(
                lambda: (
                    [o.status for o in services.orders.history(user_id)] == ["cancelled", "paid"]
                ),
                30,
                "the declined order cancelled",
            )
            assert {line.name: line.quantity for line in services.cart.get(user_id).lines} == {
                "Smart Watch": 1
            }
            assert product_named(services, "Smart Watch").stock == stock - 2
            declined = services.orders.history(user_id)[0]
            notes = [e.note for e in services.lifecycle.events(declined.id)]
            assert notes == ["", "card declined"]
    finally:
        server.stop()
        server.kill_leftovers()
