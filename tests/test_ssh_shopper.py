"""The shoppers' commands over SSH without a PTY (issue 16), with the real OpenSSH client:
a remembered key reads its own orders, cart, wishlist and account; any other key the
catalog only; shell syntax and anything else is refused in one line; output carries no
escape bytes. Plus the rules themselves (`policy.parse_command`, `refusal`)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from buynow_tui.ssh.policy import (
    MSG_NO_COMMANDS,
    MSG_NO_PTY,
    MSG_NOT_LINKED,
    Request,
    RequestKind,
    ShopperCommand,
    parse_command,
    refusal,
)
from tests.support.cli import run_cli, subprocess_env
from tests.support.hostile import CONTROL
from tests.support.ssh import Server, ssh_argv, start_server, write_key

needs_openssh = pytest.mark.skipif(shutil.which("ssh") is None, reason="no OpenSSH client")


@dataclass
class Shop:
    server: Server
    kim_key: Path  # remembered: linked to Kim's account
    stranger_key: Path  # a key linked to nobody
    kim_orders: list[int]
    lee_order: int
    hostile_id: int


def fingerprint(key: asyncssh.SSHKey) -> str:
    return str(key.get_fingerprint("sha256"))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    # (Many connections from one address in a minute: the rate limit is tested below.)
    server = start_server(
        tmp_path_factory.mktemp("shopper-home"), "--connections-per-minute", "1000"
    )
    keys = tmp_path_factory.mktemp("keys")
    kim_key = asyncssh.generate_private_key("ssh-ed25519")
    try:
        services = open_store(Paths(server.home)).services
        try:
            users = {
                name: services.accounts.register(
                    email=f"{name}@example.com",
                    username=name,
                    password="correct horse",
                    question="pet",
                    answer="Rex",
                    agreed=True,
                )
                for name in ("kim", "lee")
            }
            watch = services.catalog.get_by_sku("BN-WAT-001")
            kim_orders = []
            for quantity in (1, 2):
                services.cart.add(users["kim"].id, watch.id, quantity)
                kim_orders.append(
                    services.orders.checkout(users["kim"].id, ship_address="1 Main St").id
                )
            services.cart.add(users["lee"].id, watch.id, 3)
            lee_order = services.orders.checkout(users["lee"].id, ship_address="2 Side St").id
            services.cart.add(users["kim"].id, watch.id, 1)
            services.wishlist.add(users["kim"].id, watch.id)
            # What "Remember me" does when Kim logs in over SSH with this key.
            services.accounts.remember_key(users["kim"].id, fingerprint(kim_key))
            hostile_id = services.catalog.get_by_sku("BN-CAM-001").id
        finally:
            close_db()
        # A name with raw escapes (the store strips them on the way in; an older or
        # hand-edited database might not have): straight into the file.
        conn = sqlite3.connect(server.home / "buynow.db")
        with conn:
            conn.execute(
                "UPDATE product SET name = ?, description = ? WHERE id = ?",
                (
                    "Evil \x1b[2J\x1b]0;pwned\x07Cam\x9b31m\u202e",
                    "line\x1b[1A\rover",
                    hostile_id,
                ),
            )
        conn.close()
        # What the admin of a hand-edited database runs so that search finds it.
        assert run_cli(server.home, "db", "reindex").returncode == 0
        yield Shop(
            server,
            write_key(kim_key, keys / "kim"),
            write_key(asyncssh.generate_private_key("ssh-ed25519"), keys / "stranger"),
            kim_orders,
            lee_order,
            hostile_id,
        )
    finally:
        server.stop()
        server.kill_leftovers()


def ssh(shop: Shop, key: Path | None, command: str) -> subprocess.CompletedProcess[bytes]:
    """`ssh host COMMAND` from a script: no PTY, stdin not a terminal."""
    return subprocess.run(
        ssh_argv(shop.server.port, key, "127.0.0.1", command),
        check=False,
        capture_output=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(),
    )


@needs_openssh
def test_a_remembered_key_lists_that_shoppers_orders_only(shop: Shop) -> None:
    done = ssh(shop, shop.kim_key, "orders --json")
    assert done.returncode == 0, done.stderr
    orders = json.loads(done.stdout)
    assert sorted(o["order"] for o in orders) == sorted(shop.kim_orders)
    assert shop.lee_order not in [o["order"] for o in orders]
    assert {o["units"] for o in orders} == {1, 2}
    assert all(o["placed_at"].endswith("Z") and isinstance(o["total_cents"], int) for o in orders)

    table = ssh(shop, shop.kim_key, "orders")
    assert table.returncode == 0 and table.stdout.splitlines()[0].split() == [
        b"ORDER",
        b"PLACED",
        b"STATUS",
        b"UNITS",
        b"TOTAL",
    ]
    assert len(table.stdout.splitlines()) == 3


@needs_openssh
def test_a_remembered_key_reads_one_order_its_cart_wishlist_and_account(shop: Shop) -> None:
    mine = json.loads(ssh(shop, shop.kim_key, f"order {shop.kim_orders[0]} --json").stdout)
    assert mine["order"] == shop.kim_orders[0] and mine["ship_address"] == "1 Main St"
    assert [(line["sku"], line["quantity"]) for line in mine["lines"]] == [("BN-WAT-001", 1)]

    theirs = ssh(shop, shop.kim_key, f"order {shop.lee_order}")
    assert theirs.returncode == 1 and theirs.stdout == b""
    assert theirs.stderr.decode().splitlines() == [f"There is no order #{shop.lee_order}."]

    cart = json.loads(ssh(shop, shop.kim_key, "cart --json").stdout)
    assert cart["units"] == 1 and cart["lines"][0]["name"] == "Smart Watch"
    assert cart["total_cents"] == cart["subtotal_cents"] + cart["shipping_cents"]
    wishlist = json.loads(ssh(shop, shop.kim_key, "wishlist --json").stdout)
    assert [w["sku"] for w in wishlist] == ["BN-WAT-001"]
    whoami = json.loads(ssh(shop, shop.kim_key, "whoami --json").stdout)
    assert (whoami["email"], whoami["username"]) == ("kim@example.com", "kim")
    csv_cart = ssh(shop, shop.kim_key, "cart --format csv")
    assert csv_cart.returncode == 0 and csv_cart.stdout.startswith(b"items,units,subtotal_cents")


@needs_openssh
def test_any_other_key_gets_the_catalog_and_one_line_for_the_rest(shop: Shop) -> None:
    for key in (shop.stranger_key, None):  # a key linked to nobody, and no key at all
        for command in ("orders", "orders --json", "cart", "wishlist", "whoami", "order 1"):
            done = ssh(shop, key, command)
            assert done.returncode == 1, (key, command)
            assert done.stdout == b""
            assert done.stderr.decode().splitlines() == [MSG_NOT_LINKED], done.stderr

    found = ssh(shop, shop.stranger_key, "search watch")
    assert found.returncode == 0, found.stderr
    assert b"Smart Watch" in found.stdout and found.stdout.startswith(b"ID ")
    found_json = json.loads(ssh(shop, None, "search watch --json").stdout)
    assert "Smart Watch" in [p["name"] for p in found_json]
    product = json.loads(
        ssh(shop, shop.stranger_key, f"product {found_json[0]['id']} --json").stdout
    )
    assert product["id"] == found_json[0]["id"] and isinstance(product["specs"], list)
    missing = ssh(shop, None, "product 999999")
    assert missing.returncode == 1 and missing.stderr == b"There is no product 999999.\n"


@needs_openssh
def test_commands_a_shell_would_run_are_refused_with_one_line(shop: Shop) -> None:
    for command in ("rm -rf /", "orders; id", "orders && id", "search $(id)", "cart | sh", "id"):
        done = ssh(shop, shop.kim_key, command)
        assert done.returncode == 1, command
        assert done.stdout == b"", command
        assert done.stderr.decode().splitlines() == [MSG_NO_COMMANDS], (command, done.stderr)
    usage = ssh(shop, shop.kim_key, "order twelve")
    assert usage.returncode == 1
    assert usage.stderr == b"Order needs a number. Usage: ssh HOST order N [--json].\n"
    no_pty = ssh(shop, shop.kim_key, "about")  # a page, but pages need a terminal
    assert no_pty.returncode == 1 and no_pty.stderr.decode().strip() == MSG_NO_PTY
    assert shop.server.children() == []


@needs_openssh
def test_a_hostile_product_name_prints_without_raw_escape_bytes(shop: Shop) -> None:
    for command in ("search evil", "search evil --json", "search evil --format csv"):
        done = ssh(shop, None, command)
        assert done.returncode == 0, (command, done.stderr)
        text = done.stdout.decode()
        assert "Evil" in text and "Cam" in text, command
        assert not CONTROL.search(text.replace("\n", "")), (command, text)
    shown = ssh(shop, None, f"product {shop.hostile_id}")
    assert shown.returncode == 0 and b"\x1b" not in shown.stdout and b"\x07" not in shown.stdout
    assert "\\x1b[2J" in shown.stdout.decode()  # shown escaped, as text
    exact = json.loads(ssh(shop, None, f"product {shop.hostile_id} --json").stdout)
    assert exact["name"] == "Evil \x1b[2J\x1b]0;pwned\x07Cam\x9b31m\u202e"  # JSON keeps it


@needs_openssh
def test_commands_count_against_the_same_limits(tmp_path: Path) -> None:
    server = start_server(tmp_path / "home", "--connections-per-minute", "2")
    try:
        argv = ssh_argv(server.port, None, "127.0.0.1", "search watch")
        runs = [
            subprocess.run(argv, check=False, capture_output=True, timeout=30, env=subprocess_env())
            for _ in range(3)
        ]
    finally:
        server.stop()
        server.kill_leftovers()
    assert [r.returncode for r in runs] == [0, 0, 1]
    assert runs[2].stderr == b"BuyNow is busy right now; please try again in a minute.\n"


# -- the rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "parsed"),
    [
        ("orders", ShopperCommand("orders")),
        ("  orders   --json ", ShopperCommand("orders", None, "json")),
        ("order 12", ShopperCommand("order", "12")),
        ("order #12 --format csv", ShopperCommand("order", "12", "csv")),
        ("order --format=json 7", ShopperCommand("order", "7", "json")),
        ("search smart watch --json", ShopperCommand("search", "smart watch", "json")),
        ("search men's", ShopperCommand("search", "men's")),
        ("product 3", ShopperCommand("product", "3")),
        ("whoami", ShopperCommand("whoami")),
        ("cart", ShopperCommand("cart")),
        ("wishlist", ShopperCommand("wishlist")),
    ],
)
def test_shopper_commands_are_read_exactly(command: str, parsed: ShopperCommand) -> None:
    assert parse_command(command) == parsed
    assert refusal(Request(RequestKind.EXEC, command)) is None  # no PTY needed
    assert Request(RequestKind.EXEC, command).shopper_command == parsed


@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("orders; id", MSG_NO_COMMANDS),
        ("orders\nid", MSG_NO_COMMANDS),
        ("search a`id`", MSG_NO_COMMANDS),
        ("search x > /tmp/f", MSG_NO_COMMANDS),
        ("search " + "x" * 300, MSG_NO_COMMANDS),
        ("rm -rf /", MSG_NO_COMMANDS),
        ("order", "Order needs a number. Usage: ssh HOST order N [--json]."),
        ("order 0", "Order needs a number. Usage: ssh HOST order N [--json]."),
        ("order ١٢", "Order needs a number. Usage: ssh HOST order N [--json]."),
        ("product 1 2", "Product needs a number. Usage: ssh HOST product ID [--json]."),
        ("search", "Search for 1 to 100 characters. Usage: ssh HOST search TEXT [--json]."),
        ("cart now", "Cart takes no arguments. Usage: ssh HOST cart [--json]."),
        ("orders --all", "Unknown option --all. Usage: ssh HOST orders [--json]."),
        (
            "orders --format xml",
            "--format takes one of table, json, csv. Usage: ssh HOST orders [--json].",
        ),
    ],
)
def test_anything_else_is_refused_with_its_line(command: str, line: str) -> None:
    assert refusal(Request(RequestKind.EXEC, command)) == line
    assert refusal(Request(RequestKind.EXEC, command, term_type="xterm")) == line
    assert Request(RequestKind.EXEC, command).shopper_command is None


def test_with_a_pty_a_deep_link_still_opens_the_app_and_other_commands_run() -> None:
    for page in ("cart", "orders", "wishlist"):
        with_pty = Request(RequestKind.EXEC, page, term_type="xterm")
        assert refusal(with_pty) is None and with_pty.shopper_command is None
        assert with_pty.open_path == page
        assert Request(RequestKind.EXEC, page).shopper_command == ShopperCommand(page)
    run = Request(RequestKind.EXEC, "orders --json", term_type="xterm")
    assert run.shopper_command == ShopperCommand("orders", None, "json")
    assert refusal(Request(RequestKind.EXEC, "about")) == MSG_NO_PTY
    assert refusal(Request(RequestKind.SHELL)) == MSG_NO_PTY
