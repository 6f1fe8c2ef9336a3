"""`buynow orders …` (issue 14): list, show, ship, deliver, cancel, refund; good and bad
input, on SQLite and PostgreSQL (Typer's CliRunner in-process, and real processes on a
pseudo-terminal for the confirmation prompt)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.support.store import product_named, register

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def shop(services: Any) -> tuple[Any, list[int]]:
    """Two orders of ann's (her #1 and #2) after one of bob's: global ids 1, 2, 3."""
    bob = register(services, "bob@example.com", "bob")
    ann = register(services)
    ids = []
    for user, quantity in ((bob, 1), (ann, 2), (ann, 3)):
        services.cart.add(user.id, product_named(services, "Smart Watch").id, quantity)
        ids.append(services.orders.checkout(user.id, ship_address="1 Main St\nTown").id)
    return services, ids


def cli(home: Path, *args: str, stdin: str | None = None) -> Result:
    from buynow_tui.cli import app

    return CliRunner().invoke(app, ["--home", str(home), *args], input=stdin)


def rows(result: Result) -> list[list[str]]:
    return [line.split() for line in result.stdout.splitlines()[1:]]


def status(services: Any, order_id: int) -> str:
    order, _ = services.orders.admin_detail(order_id)
    return str(order.status)


def stock(services: Any) -> int:
    return int(product_named(services, "Smart Watch").stock)


@pytest.mark.backends
def test_ship_deliver_and_show_and_list_by_status(
    shop: tuple[Any, list[int]], home: Path, backend: str
) -> None:
    services, (bobs, first, second) = shop
    shipped = cli(home, "orders", "ship", str(first), "--carrier", "UPS", "--tracking", "1z0001")
    assert shipped.exit_code == 0, shipped.output
    assert shipped.stdout == f"Order {first} shipped (UPS 1Z0001).\n"

    listed = cli(home, "orders", "list", "--status", "shipped")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0].split() == [
        "ORDER", "EMAIL", "#", "PLACED", "STATUS", "UNITS", "TOTAL", "CARRIER", "TRACKING",
    ]  # fmt: skip
    assert [(r[0], r[1], r[2], r[5], r[-2], r[-1]) for r in rows(listed)] == [
        (str(first), "ann@example.com", "1", "shipped", "UPS", "1Z0001")
    ]
    everyone = cli(home, "orders", "list")
    assert [r[0] for r in rows(everyone)] == [str(second), str(first), str(bobs)]
    mine = cli(home, "orders", "list", "--user", "ANN@example.com", "--status", "paid")
    assert [(r[0], r[2], r[5]) for r in rows(mine)] == [(str(second), "2", "paid")]

    shown = cli(home, "orders", "show", str(first))
    assert shown.exit_code == 0, shown.output
    shown_fields = (
        ("order", str(first)),
        ("shopper", "ann@example.com"),
        ("their #", "1"),
        ("status", "shipped"),
        ("carrier", "UPS"),
        ("tracking", "1Z0001"),
        ("tracking url", "https://www.ups.com/track?tracknum=1Z0001"),
    )
    for label, value in shown_fields:
        assert any(
            line.startswith(label) and line[len(label) :].strip() == value
            for line in shown.stdout.splitlines()
        ), (label, shown.stdout)
    as_json = cli(home, "orders", "show", str(first), "--json")
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert (data["order"], data["email"], data["number"], data["status"]) == (
        first, "ann@example.com", 1, "shipped",
    )  # fmt: skip
    assert (data["carrier"], data["tracking_number"], data["tracking_url"]) == (
        "UPS", "1Z0001", "https://www.ups.com/track?tracknum=1Z0001",
    )  # fmt: skip
    assert ", ".join(data["ship_address"].splitlines()) == "1 Main St, Town"
    assert [(line["quantity"], line["name"]) for line in data["lines"]] == [(2, "Smart Watch")]
    assert data["total_cents"] > 0 and data["total"].startswith("$")
    assert [e["to_status"] for e in data["events"]] == ["placed", "paid", "shipped"]
    assert data["events"][-1]["by"].startswith("admin cli") and data["events"][-1]["note"] == (
        "UPS 1Z0001"
    )

    delivered = cli(home, "orders", "deliver", str(first))
    assert (delivered.exit_code, delivered.stdout) == (0, f"Order {first} delivered.\n")
    assert status(services, first) == "delivered"


@pytest.mark.backends
def test_cancel_and_refund_with_yes_restock_and_say_so(
    shop: tuple[Any, list[int]], home: Path, backend: str
) -> None:
    services, (bobs, first, second) = shop
    before = stock(services)
    cancelled = cli(home, "orders", "cancel", str(first), "--reason", "asked by phone", "--yes")
    assert cancelled.exit_code == 0, cancelled.output
    assert cancelled.stdout == f"Order {first} cancelled; its units are back in stock.\n"
    assert stock(services) == before + 2
    assert services.orders.admin_detail(first)[0].events[-1].note == "asked by phone"

    cli(home, "orders", "ship", str(second), "--carrier", "dhl", "--tracking", "JD0001")
    refunded = cli(home, "orders", "refund", str(second), "--yes")
    assert (refunded.exit_code, refunded.stdout) == (0, f"Order {second} refunded.\n")
    assert stock(services) == before + 2  # shipped: the goods are with the shopper
    unshipped = cli(home, "orders", "refund", str(bobs), "--yes")
    assert unshipped.stdout == f"Order {bobs} refunded; its units are back in stock.\n"


SHIP = ["orders", "ship", "{first}"]
BAD = [
    (["orders", "show", "99"], "error: There is no order 99."),
    (["orders", "ship", "99", "--carrier", "ups", "--tracking", "1Z0001"], "no order"),
    (["orders", "deliver", "99"], "error: There is no order 99."),
    (["orders", "cancel", "99", "--yes"], "error: There is no order 99."),
    (["orders", "cancel", "99"], "error: There is no order 99."),
    (["orders", "refund", "99", "--yes"], "error: There is no order 99."),
    ([*SHIP, "--carrier", "ups", "--tracking", ""], "tracking number is empty"),
    ([*SHIP, "--carrier", "ups", "--tracking", "a b c"], "4 to 40 letters"),
    ([*SHIP, "--carrier", "", "--tracking", "1Z0001"], "carrier is empty"),
    ([*SHIP, "--carrier", "x", "--tracking", "1Z0001", "--url", "javascript:x"], "https://"),
    (["orders", "deliver", "{first}"], "Order {first} is paid: it cannot be delivered."),
    (["orders", "refund", "{cancelled}", "--yes"], "is cancelled: there is nothing to refund"),
    (["orders", "cancel", "{cancelled}", "--yes"], "was already cancelled"),
    (["orders", "cancel", "{first}"], "not confirmed, nothing was changed (give --yes"),
    (["orders", "refund", "{first}"], "not confirmed, nothing was changed (give --yes"),
    (["orders", "cancel", "{first}", "--yes", "--reason", "x" * 201], "at most 200"),
    (["orders", "list", "--status", "lost"], "There is no status 'lost'"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "words"), BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_input_is_one_line_exit_1_and_changes_nothing(
    shop: tuple[Any, list[int]], home: Path, args: list[str], words: str
) -> None:
    services, (cancelled, first, _) = shop
    services.lifecycle.cancel(cancelled)
    names = {"first": str(first), "cancelled": str(cancelled)}
    before = [(o.id, o.status) for o in services.orders.list_all()], stock(services)
    result = cli(home, *[a.format(**names) for a in args])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words.format(**names) in lines[0]
    assert "Traceback" not in result.output
    assert ([(o.id, o.status) for o in services.orders.list_all()], stock(services)) == before


# -- on a terminal: the prompt ------------------------------------------------------------


def on_a_terminal(home: Path, *args: str, answer: str) -> tuple[int, str]:
    """Run `buynow …` with a pseudo-terminal as its stdin; type `answer` at the prompt."""
    env = dict(os.environ, PYTHONPATH=str(REPO), BUYNOW_HOME=str(home))
    env.pop("BUYNOW_DATABASE_URL", None)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "buynow_tui", *args],
        cwd=REPO,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(leader, answer.encode() + b"\r")
            answered = True
        if proc.poll() is not None and not ready:
            break
    os.close(leader)
    return proc.wait(timeout=30), seen.decode(errors="replace")


def test_on_a_terminal_cancel_asks_and_only_y_cancels(
    shop: tuple[Any, list[int]], home: Path
) -> None:
    services, (_, first, _) = shop
    code, said = on_a_terminal(home, "orders", "cancel", str(first), answer="n")
    assert f"Cancel order {first} (ann@example.com's #1, $" in said and "[y/N]" in said
    assert code == 1 and "error: nothing was changed" in said
    assert status(services, first) == "paid"
    code, said = on_a_terminal(home, "orders", "refund", str(first), answer="y")
    assert code == 0, said
    assert f"Order {first} refunded; its units are back in stock." in said
    assert status(services, first) == "refunded"
