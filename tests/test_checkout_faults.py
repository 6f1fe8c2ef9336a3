"""The checkout when things go wrong (issue 15), on SQLite and PostgreSQL: a process
killed between reserving and charging strands nothing; no card number or CVC is kept
anywhere; receipts reach a real SMTP server (aiosmtpd), also after it was down."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from buynow_tui.store.cards import CheckedCard
from buynow_tui.store.payments.gateway import ChargeResult, PaymentDeclined
from buynow_tui.store.payments.testgateway import TestGateway
from tests.support.checkout import (
    DECLINED_CARD,
    card,
    cart_lines,
    gateway_of,
    shopper_with_cart,
    stock,
)
from tests.support.store import product_named

ROOT = Path(__file__).resolve().parent.parent
AMEX = "3782 822463 10005"
AMEX_CVC = "8642"

_CHECKOUT_SCRIPT = """
import sys
from pathlib import Path
from buynow_tui.bootstrap import open_store
from buynow_tui.paths import Paths
from buynow_tui.store.cards import CardEntry
services = open_store(Paths(Path(sys.argv[1]))).services
services.checkout.place(
    int(sys.argv[2]), address_id=int(sys.argv[3]),
    card=CardEntry("4242 4242 4242 4242", "12/30", "739"),
)
print("paid")
"""


def _later(services: Any, minutes: int) -> Any:
    from buynow_tui.store.services import Services

    now = services.clock() + timedelta(minutes=minutes)
    return Services(services.settings, clock=lambda: now)


@pytest.mark.backends
def test_a_checkout_killed_before_the_charge_strands_no_stock(
    services: Any, backend: str, home: Path, database_url: str, tmp_path: Path
) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 3))
    before = stock(services, "Smart Watch")
    marker = tmp_path / "reserved"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        BUYNOW_TESTING="1",
        BUYNOW_TEST_PAUSE_BEFORE_CHARGE=str(marker),
        BUYNOW_DATABASE_URL=database_url if backend == "postgres" else "",
    )
    child = subprocess.Popen(
        [sys.executable, "-c", _CHECKOUT_SCRIPT, str(home), str(user.id), str(address.id)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), child.stderr.read().decode() if child.stderr else ""
        # Reserved and placed, not yet charged: stock is drawn, the cart is empty.
        assert stock(services, "Smart Watch") == before - 3
        assert services.cart.get(user.id).is_empty
        [order] = services.orders.history(user.id)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    # A checkout still within the grace period (it may be charging right now) is left alone.
    assert services.checkout.sweep() == []
    assert services.checkout.receipt(order.id).status == "placed"

    # At the next start, minutes later, the order is cancelled and its stock returned.
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths

    later = services.clock() + timedelta(minutes=services.settings.stranded_minutes + 1)
    reopened = open_store(Paths(home), clock=lambda: later).services
    stranded = reopened.checkout.receipt(order.id)
    assert stranded.status == "cancelled"
    assert stranded.notes == ("This order was cancelled (not paid).",)
    events = reopened.lifecycle.events(order.id)
    assert [(e.from_status, e.to_status, e.actor_kind, e.note) for e in events] == [
        (None, "placed", "system", ""),
        ("placed", "cancelled", "system", "not paid"),
    ]
    assert stock(reopened, "Smart Watch") == before
    assert cart_lines(reopened, user) == {"Smart Watch": 3}  # back in the cart
    assert gateway_of(reopened).approved == []
    assert _later(reopened, 60).checkout.sweep() == []  # done once, never twice


@pytest.mark.backends
def test_the_sweep_keeps_an_order_the_gateway_did_charge(services: Any, backend: str) -> None:
    """A process that died after the gateway took the money but before the order was
    marked paid: the sweep asks the gateway and marks it paid instead of cancelling."""
    from buynow_tui.store.payments import ledger, settle
    from buynow_tui.store.services import Services

    dying = _DiesAfterCharging()
    shop = Services(services.settings, clock=services.clock, gateway=dying)
    user, address = shopper_with_cart(shop, ("Smart Watch", 1))
    before = stock(shop, "Smart Watch")
    with pytest.raises(_Died):
        shop.checkout.place(user.id, address_id=address.id, card=card())
    [order] = shop.orders.history(user.id)
    assert order.status == "placed"
    claimed = ledger.recorded(settle.charge_key(order.id))
    assert claimed is not None and claimed.status == "pending"  # the answer never written
    later = _later(services, services.settings.stranded_minutes + 1)
    later.checkout.gateway = dying  # the gateway knows the charge by its key
    assert later.checkout.sweep() == []
    receipt = services.checkout.receipt(order.id)
    assert receipt.status == "paid" and stock(services, "Smart Watch") == before - 1
    assert services.lifecycle.events(order.id)[-1].note == "Visa •••• 4242"
    assert len(dying.approved) == 1  # charged once, never again


class _Died(BaseException):
    """The process stopping mid-call (no `except Exception` catches it)."""


class _DiesAfterCharging(TestGateway):
    """Takes the money, then the process dies before the answer is written down."""

    def charge(
        self, amount_cents: int, currency: str, source: str | CheckedCard, idempotency_key: str
    ) -> ChargeResult:
        super().charge(amount_cents, currency, source, idempotency_key)
        raise _Died()


def _all_database_text(services: Any, backend: str, home: Path) -> str:
    """Every value of every row of every table, as text (SQLite: the raw files too)."""
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import MODELS, database

    parts: list[str] = []
    with connection():
        for model in MODELS:
            table = model._meta.table_name
            cursor = database.execute_sql(f'SELECT * FROM "{table}"')
            parts += [" ".join(map(str, row)) for row in cursor.fetchall()]
    if backend == "sqlite":
        for path in home.glob("buynow.db*"):
            parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


@pytest.mark.backends
def test_no_card_number_or_cvc_anywhere_in_the_database_or_logs(
    services: Any, backend: str, home: Path
) -> None:
    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    services.checkout.place(
        user.id, address_id=address.id, card=card(AMEX, cvc=AMEX_CVC), save_card=True
    )
    services.cart.add(user.id, product_named(services, "Digital Camera").id, 1)
    services.checkout.place(user.id, address_id=address.id, card=card(), save_card=True)
    with pytest.raises(PaymentDeclined):
        services.cart.add(user.id, product_named(services, "Smart Watch").id, 1)
        services.checkout.place(user.id, address_id=address.id, card=card(DECLINED_CARD))
    assert len(services.cards.list(user.id)) == 2

    if backend == "sqlite":
        from buynow_tui.store.db import close_db

        close_db()  # checkpoint nothing away: the WAL and the file are both read
    text = _all_database_text(services, backend, home)
    logs = "\n".join(p.read_text() for p in (home / "logs").glob("*.log*"))
    assert "account" in logs  # the logs are there and were written by these checkouts
    for number in ("4242424242424242", "4000000000000002", "378282246310005"):
        for where, haystack in (("database", text), ("logs", logs)):
            spaced = re.sub(r"(\d{4})", r"\1 ", number).strip()
            assert number not in haystack and spaced not in haystack, (number, where)
    assert AMEX_CVC not in logs
    from buynow_tui.store.checkout_models import Payment, SavedCard
    from buynow_tui.store.db import connection

    with connection():
        rows: list[dict[str, Any]] = [
            *SavedCard.select().dicts(),
            *Payment.select().dicts(),
        ]
        stored = [str(value) for row in rows for value in row.values()]
    assert AMEX_CVC not in stored and "739" not in stored


# -- receipts by mail ------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp_port() -> int:
    return _free_port()


def _smtp(port: int) -> tuple[Controller, _Inbox]:
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


def _mailing_services(services: Any, port: int) -> Any:
    from dataclasses import replace

    from buynow_tui.store.services import Services

    settings = replace(services.settings, smtp_url=f"smtp://127.0.0.1:{port}", smtp_retry_seconds=1)
    return Services(settings)


def _wait(predicate: Callable[[], object], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


@pytest.fixture
def mail_server(smtp_port: int) -> Iterator[_Inbox]:
    controller, inbox = _smtp(smtp_port)
    yield inbox
    controller.stop()


@pytest.mark.backends
def test_the_receipt_arrives_at_the_smtp_server(
    services: Any, backend: str, smtp_port: int, mail_server: _Inbox
) -> None:
    from buynow_tui.store.outbox import pending_count

    shop = _mailing_services(services, smtp_port)
    user, address = shopper_with_cart(shop, ("Smart Watch", 1))
    receipt = shop.checkout.place(user.id, address_id=address.id, card=card())
    assert _wait(lambda: len(mail_server.messages) == 1)
    mail = mail_server.messages[0]
    assert mail["To"] == "ann@example.com"
    assert mail["Subject"] == f"Your BuyNow receipt: order #{receipt.number}"
    body = mail.get_payload(decode=True).decode()
    assert "Visa ending 4242" in body and "$180.00" in body and "12 Harbour Road" in body
    assert "4242424242424242" not in body
    assert _wait(lambda: pending_count() == 0)


@pytest.mark.backends
def test_with_the_server_down_checkout_succeeds_and_the_mail_goes_when_it_is_back(
    services: Any, backend: str, smtp_port: int, home: Path
) -> None:
    from buynow_tui.store.outbox import pending_count

    shop = _mailing_services(services, smtp_port)
    user, address = shopper_with_cart(shop, ("Smart Watch", 1))
    receipt = shop.checkout.place(user.id, address_id=address.id, card=card())  # nobody listens
    assert receipt.status == "paid"
    assert _wait(lambda: "not sent" in (home / "logs" / "warning.log").read_text())
    assert pending_count() == 1
    controller, inbox = _smtp(smtp_port)
    try:
        assert _wait(lambda: len(inbox.messages) == 1)  # the sender tried again by itself
        assert inbox.messages[0]["Subject"].endswith(f"#{receipt.number}")
        assert _wait(lambda: pending_count() == 0)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1  # once


def test_the_sender_never_logs_the_smtp_password(home: Path) -> None:
    from buynow_tui.store.outbox import smtp_target

    target = smtp_target("smtp://shop:s3cret-pw@mail.example.com:2525?starttls=1")
    assert (target.host, target.port, target.starttls, target.user) == (
        "mail.example.com",
        2525,
        True,
        "shop",
    )
    assert "s3cret" not in repr(target)
    from buynow_tui.config import Settings

    settings = Settings.from_env({"BUYNOW_SMTP_URL": "smtp://shop:s3cret-pw@mail.example.com"})
    assert "s3cret" not in repr(settings)


# -- the admin's receipt ---------------------------------------------------------------------
def test_buynow_orders_receipt_prints_it(services: Any, home: Path) -> None:
    from tests.support.cli import run_cli

    user, address = shopper_with_cart(services, ("Smart Watch", 1))
    receipt = services.checkout.place(
        user.id, address_id=address.id, delivery_option="express", card=card()
    )
    from buynow_tui.store.db import close_db

    close_db()
    shown = run_cli(home, "orders", "receipt", str(receipt.order_id))
    assert shown.returncode == 0, shown.stderr
    assert f"BuyNow receipt: order #{receipt.number}" in shown.stdout
    for expected in ("1 × Smart Watch", "Delivery (Express)", "$45.00", "$195.00"):
        assert expected in shown.stdout
    assert "Paid with Visa ending 4242" in shown.stdout and "Ann Lee" in shown.stdout
    missing = run_cli(home, "orders", "receipt", "999")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.strip() == "error: There is no order 999."
