"""The admin CLI for scripts (issue 16): every listing command in every format, full
values, tables cut only on a terminal, quiet pipes, confirmations, completion, exit
codes, and the small things an admin met. Real `python -m buynow_tui` processes on a
temp home (the store set up in-process first, on the same file)."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hostile import CONTROL

REPO = Path(__file__).resolve().parent.parent
LONG_NAME = "Ultra " + "W" * 188 + " 📱 end"  # 200 characters, an emoji among them
LONG_EMAIL = "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "com"  # 254 characters
LIST_COMMANDS = {
    "products list": ["products", "list"],
    "users list": ["users", "list"],
    "orders list": ["orders", "list"],
    "db current": ["db", "current"],
    "paths": ["paths"],
}


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), BUYNOW_HOME=str(home))
    for name in ("BUYNOW_DATABASE_URL", "COLUMNS", "LINES", "_BUYNOW_COMPLETE"):
        env.pop(name, None)
    return env | extra


def cli(
    home: Path, *args: str, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "buynow_tui", *args],
        cwd=REPO,
        env=env_for(home, **extra),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )


def dump(home: Path) -> list[str]:
    conn = sqlite3.connect(home / "buynow.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo catalog plus a 200-character product name, a 254-character email, and
    an order of that user's whose cart lines keep one product in a cart."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.catalog import ProductInput
    from buynow_tui.store.db import close_db

    home = tmp_path_factory.mktemp("scripting")
    services = open_store(Paths(home)).services
    try:
        long = services.catalog.add(
            ProductInput.build(
                sku="LONG-1", name=LONG_NAME, category="Audio", price="12.50", stock="5"
            )
        )
        user = services.accounts.register(
            email=LONG_EMAIL,
            username="longmail",
            password="correct horse",
            question="pet",
            answer="Rex",
            agreed=True,
        )
        services.cart.add(user.id, long.id, 2)
        services.orders.checkout(user.id, ship_address="1 Main St")
        watch = services.catalog.get_by_sku("BN-WAT-001")
        services.cart.add(user.id, watch.id, 1)  # stays in the cart: an open cart holds it
    finally:
        close_db()
    yield home


# -- every format of every listing command ----------------------------------------------------


@pytest.mark.parametrize("command", sorted(LIST_COMMANDS))
def test_every_listing_command_prints_json_csv_and_a_table(shop: Path, command: str) -> None:
    args = LIST_COMMANDS[command]
    as_json = cli(shop, *args, "--json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)  # one document, nothing else on stdout
    assert json.loads(cli(shop, *args, "--format", "json").stdout) == data
    as_csv = cli(shop, *args, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    table = cli(shop, *args, "--format", "table")
    assert table.returncode == 0 and table.stdout == cli(shop, *args).stdout
    if isinstance(data, list):
        assert len(rows) == len(data) >= 1
        assert set(rows[0]) == set(data[0])  # the same keys
        assert {k: v for k, v in rows[0].items() if v} == {
            k: str(v) for k, v in data[0].items() if v is not None
        }
        assert len(table.stdout.splitlines()) == len(data) + 1  # a header and a row each
    else:
        assert len(rows) == 1 and set(rows[0]) == set(data)


def test_json_holds_full_values_money_in_cents_and_utc_times(shop: Path) -> None:
    products = json.loads(cli(shop, "products", "list", "--json").stdout)
    long = next(p for p in products if p["sku"] == "LONG-1")
    assert long["name"] == LONG_NAME and len(LONG_NAME) == 200
    assert (long["price_cents"], long["price"], long["stock"]) == (1250, "$12.50", 3)
    assert set(long) == {"id", "sku", "name", "category", "price_cents", "price", "stock"}

    users = json.loads(cli(shop, "users", "list", "--json").stdout)
    assert [u["email"] for u in users] == [LONG_EMAIL] and len(LONG_EMAIL) == 254
    assert users[0]["joined_at"].endswith("Z") and users[0]["orders"] == 1

    orders = json.loads(cli(shop, "orders", "list", "--json").stdout)
    assert len(orders) == 1
    order = orders[0]
    assert order["email"] == LONG_EMAIL and order["units"] == 2
    assert isinstance(order["total_cents"], int) and order["total_cents"] >= 2500
    assert order["total"] == f"${order['total_cents'] // 100:,}.{order['total_cents'] % 100:02d}"
    assert order["placed_at"][10] == "T" and order["placed_at"].endswith("Z")

    current = json.loads(cli(shop, "db", "current", "--json").stdout)
    assert current["pending"] == [] and current["current"] == current["applied"][-1]
    where = json.loads(cli(shop, "paths", "--json").stdout)
    assert where["home"] == str(shop) and where["host_key_fingerprint"] is None


def test_uptime_in_json_says_not_running_and_exits_1(shop: Path) -> None:
    done = cli(shop, "uptime", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["running"] is False
    assert cli(shop, "uptime", "--format", "csv").stdout.startswith("running,started_at,")


def test_a_piped_table_cuts_nothing(shop: Path) -> None:
    listed = cli(shop, "products", "list", "--category", "Audio")
    users = cli(shop, "users", "list")
    assert LONG_NAME in listed.stdout and "…" not in listed.stdout
    assert LONG_EMAIL in users.stdout and "…" not in users.stdout


def run_on_terminal(home: Path, *args: str, cols: int = 80) -> str:
    """The command with stdout on a terminal `cols` wide; what it printed there."""
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "buynow_tui", *args],
        cwd=REPO,
        env=env_for(home),
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out.decode()


def test_a_table_on_a_terminal_is_cut_to_its_width_with_an_ellipsis(shop: Path) -> None:
    from rich.cells import cell_len

    shown = run_on_terminal(shop, "products", "list", "--category", "Audio", cols=80)
    lines = shown.replace("\r\n", "\n").splitlines()
    long = next(line for line in lines if line.startswith("LONG-1"))
    assert "…" in long and "$12.50" in long and cell_len(long) <= 80
    assert all(cell_len(line) <= 80 for line in lines)
    assert not CONTROL.search(shown.replace("\r\n", ""))


@pytest.mark.parametrize("form", ["--json", "--format=table", "--format=csv"])
def test_a_reader_that_goes_away_ends_the_command_quietly(shop: Path, form: str) -> None:
    done = subprocess.run(
        f"{sys.executable} -m buynow_tui products list --limit 3000 {form} | head -1",
        shell=True,
        cwd=REPO,
        env=env_for(shop),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 1
    assert done.stderr == "", done.stderr


def test_json_and_another_format_together_are_a_usage_error(shop: Path) -> None:
    done = cli(shop, "users", "list", "--json", "--format", "csv")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: --json and --format csv ask for different formats; give one"
    ]
    bad = cli(shop, "users", "list", "--format", "xml")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "xml" in bad.stderr


# -- confirmations ----------------------------------------------------------------------------


def test_removing_a_product_without_a_terminal_needs_yes_and_dry_run_changes_nothing(
    shop: Path,
) -> None:
    before = dump(shop)
    refused = cli(shop, "products", "remove", "bn-wat-001")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "error: remove BN-WAT-001 (Smart Watch), which 1 open cart holds: not confirmed, "
        "nothing was changed (give --yes to do it without asking)"
    ]
    dry = cli(shop, "products", "remove", "BN-WAT-001", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == (
        "Would remove BN-WAT-001 (Smart Watch), which 1 open cart holds; nothing was changed.\n"
    )
    assert dump(shop) == before


def test_stock_set_to_zero_asks_only_when_open_carts_hold_the_product(shop: Path) -> None:
    before = dump(shop)
    refused = cli(shop, "stock", "set", "BN-WAT-001", "0")
    assert refused.returncode == 1
    assert "set the stock of BN-WAT-001 from 35 to 0 (1 open cart hold it)" in refused.stderr
    assert "--yes" in refused.stderr and refused.stderr.count("\n") == 1
    assert dump(shop) == before
    dry = cli(shop, "stock", "set", "BN-WAT-002", "7", "--dry-run")
    assert dry.stdout.startswith("Would set the stock of BN-WAT-002 from ") and dump(shop) == before
    # Nobody holds BN-WAT-002: no question; any other figure never asks either.
    assert cli(shop, "stock", "set", "BN-WAT-002", "0").returncode == 0
    assert cli(shop, "stock", "set", "BN-WAT-001", "34").returncode == 0
    done = cli(shop, "stock", "set", "BN-WAT-001", "0", "--yes")
    assert done.returncode == 0 and done.stdout == "BN-WAT-001 stock is now 0.\n"
    for sku, stock in (("BN-WAT-001", "35"), ("BN-WAT-002", "30")):
        assert cli(shop, "stock", "set", sku, stock).returncode == 0


def test_on_a_terminal_removing_asks_and_n_keeps_the_product(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "seed").returncode == 0
    for answer, code in ((b"n\n", 1), (b"y\n", 0)):
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "buynow_tui", "products", "remove", "BN-CAM-001"],
            cwd=REPO,
            env=env_for(home),
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(slave)
        os.write(master, answer)
        out, err = proc.communicate(timeout=60)
        os.close(master)
        assert proc.returncode == code, err
        assert err.startswith("Remove BN-CAM-001 (") and "? [y/N]" in err
    assert out == "Removed BN-CAM-001.\n"
    assert cli(home, "products", "remove", "BN-CAM-001", "--yes").returncode == 1  # gone


def test_db_downgrade_dry_run_says_what_it_would_drop_and_changes_nothing(shop: Path) -> None:
    before = dump(shop)
    dry = cli(shop, "db", "downgrade", "--steps", "99", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Would revert m00") and "user (1 row)" in dry.stdout
    assert dump(shop) == before


# -- completion -----------------------------------------------------------------------------------


def complete(home: Path, words: str) -> list[str]:
    done = cli(
        home,
        stdin=None,
        _BUYNOW_COMPLETE="complete_bash",
        COMP_WORDS=words,
        COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout.split()


def test_completion_shows_subcommands_skus_and_categories(shop: Path, tmp_path: Path) -> None:
    script = cli(shop, "--show-completion", "bash")
    assert script.returncode == 0 and "_BUYNOW_COMPLETE=complete_bash" in script.stdout
    assert {"seed", "products", "stock", "users", "orders", "db", "paths", "serve"} <= set(
        complete(shop, "buynow ")
    )
    assert complete(shop, "buynow pro") == ["products"]
    assert set(complete(shop, "buynow products ")) >= {"list", "add", "update", "remove"}
    assert complete(shop, "buynow stock set BN-WAT-00") == [f"BN-WAT-00{n}" for n in range(1, 7)]
    assert complete(shop, "buynow products remove long") == ["long-1"]  # as typed
    assert complete(shop, "buynow products list --category wat") == ["watches"]
    # A home with no database completes nothing and makes none.
    empty = tmp_path / "nothing"
    assert complete(empty, "buynow stock set B") == []
    assert not empty.exists()


# -- the small things -----------------------------------------------------------------------------


def test_a_group_alone_prints_its_help_once_and_no_flag_says_bool(shop: Path) -> None:
    for group in ("products", "stock", "users", "orders", "db"):
        shown = cli(shop, group)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.count("Usage:") == 1, shown.stdout
    for args in (["--help"], ["db", "downgrade", "--help"], ["products", "remove", "--help"]):
        assert "<bool>" not in cli(shop, *args).stdout


def test_users_add_lists_every_question_key_in_help_and_when_one_is_wrong(shop: Path) -> None:
    from buynow_tui.store.validation import QUESTIONS

    assert len(QUESTIONS) == 7
    helped = " ".join(cli(shop, "users", "add", "--help").stdout.split())
    assert all(key in helped for key in QUESTIONS), helped
    before = dump(shop)
    wrong = cli(
        shop,
        *("users", "add", "--email", "q@example.com", "--username", "q"),
        *("--question", "colour", "--answer", "Red", "--password-stdin"),
        stdin="a fine password\n",
    )
    assert wrong.returncode == 1
    assert wrong.stderr.splitlines() == [
        "error: unknown --question 'colour': use one of " + ", ".join(QUESTIONS)
    ]
    assert dump(shop) == before


def test_seed_generate_refuses_before_saying_anything(shop: Path, tmp_path: Path) -> None:
    before = dump(shop)
    huge = cli(shop, "seed", "--generate", "99999999999")
    assert huge.returncode == 2 and huge.stdout == "" and "Generating" not in huge.stderr
    assert huge.stderr.count("\n") == 1 and "--generate" in huge.stderr
    file = tmp_path / "more.csv"
    file.write_text("sku,name,category,price,stock\nX-1,Thing,Audio,1,1\n", encoding="utf-8")
    with_file = cli(shop, "seed", "--generate", "10", str(file))
    assert with_file.returncode == 2 and with_file.stdout == ""
    assert with_file.stderr.splitlines() == [
        "error: --generate makes new products: give it no FILE, --update or --reset-stock"
    ]
    assert dump(shop) == before


def test_a_list_cut_by_its_limit_says_so_on_stderr(shop: Path) -> None:
    cut = cli(shop, "products", "list", "--limit", "5", "--json")
    assert len(json.loads(cut.stdout)) == 5
    assert cut.stderr == "Showing 5 of 49 products; --limit shows more.\n"
    whole = cli(shop, "products", "list")
    assert whole.stderr == "" and len(whole.stdout.splitlines()) == 50
    every = json.loads(cli(shop, "products", "list", "--search", "phone", "--json").stdout)
    searched = cli(shop, "products", "list", "--search", "phone", "--limit", "1")
    assert searched.stderr == f"Showing 1 of {len(every)} matches; --limit shows more.\n"


def test_search_lists_every_match_past_500(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "seed", "--generate", "10000").returncode == 0  # ~625 "Ultra ..." each
    done = cli(home, "products", "list", "--search", "ultra", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert len(found) > 500 and done.stderr == ""
    assert all("Ultra" in p["name"] for p in found)
    assert len({p["sku"] for p in found}) == len(found)


def test_orders_list_for_an_unknown_user_says_so(shop: Path) -> None:
    done = cli(shop, "orders", "list", "--user", "nobody@x.com")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: unknown user 'nobody@x.com': no account has that email"
    ]
    mine = cli(shop, "orders", "list", "--user", LONG_EMAIL.upper(), "--json")
    assert len(json.loads(mine.stdout)) == 1


# -- the store's part, on both backends -------------------------------------------------------


@pytest.mark.backends
def test_carts_holding_and_the_completion_look_ups(services: object) -> None:
    from buynow_tui.store import lookups
    from buynow_tui.store.services import Services

    assert isinstance(services, Services)
    watch = services.catalog.get_by_sku("BN-WAT-001")
    assert services.cart.carts_holding(watch.id) == 0
    ann, bob = (
        services.accounts.register(
            email=f"{name}@example.com",
            username=name,
            password="correct horse",
            question="pet",
            answer="Rex",
            agreed=True,
        )
        for name in ("ann", "bob")
    )
    for user in (ann, bob):
        services.cart.add(user.id, watch.id, 2)
    assert services.cart.carts_holding(watch.id) == 2
    services.orders.checkout(ann.id, ship_address="1 Main St")
    assert services.cart.carts_holding(watch.id) == 1

    assert lookups.skus_starting("bn-wat-00") == [f"BN-WAT-00{n}" for n in range(1, 7)]
    assert lookups.skus_starting("%") == [] and lookups.skus_starting("BN_") == []
    assert lookups.categories_starting("WA") == ["Watches"]
    [order] = services.orders.history(ann.id)
    assert lookups.order_numbers_starting(str(order.id)) == [str(order.id)]
    assert lookups.order_numbers_starting("x") == []
