"""The admin CLI as an admin runs it: real `python -m buynow_tui` processes on a temp home,
plus Typer's CliRunner where a process per call would be slow."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.cli import run_cli
from tests.support.repo import CATALOG_SIZE

REPO = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = "admin secret 1"


def dump(home: Path) -> list[str]:
    """Every row of every table: to prove a refused command changed nothing."""
    conn = sqlite3.connect(home / "buynow.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def product_count(home: Path) -> int:
    conn = sqlite3.connect(home / "buynow.db")
    try:
        return int(conn.execute("SELECT COUNT(*) FROM product").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded shop with one user, shared by the read-only and refused-command tests."""
    home = tmp_path_factory.mktemp("shop")
    assert run_cli(home, "seed").returncode == 0
    added = run_cli(
        home,
        "users",
        "add",
        "--email",
        "ann@example.com",
        "--username",
        "ann",
        "--password-stdin",
        "--answer",
        "Rex",
        stdin=ADMIN_PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    return home


# -- what an admin sees ---------------------------------------------------------------------


def test_seed_then_products_list_shows_the_catalog_and_the_four_logs_exist(home: Path) -> None:
    seeded = run_cli(home, "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert "Seeded" in seeded.stdout

    listed = run_cli(home, "products", "list")
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if "Bluetooth Headphone" in row)
    assert "250.00" in line
    assert sum(1 for row in listed.stdout.splitlines()[1:] if row.strip()) == CATALOG_SIZE

    for name in ("all.log", "info.log", "warning.log", "error.log"):
        assert (home / "logs" / name).is_file(), name
    assert (home / "buynow.db").is_file()


def test_seeding_twice_adds_nothing_new(home: Path) -> None:
    run_cli(home, "seed")
    again = run_cli(home, "seed")
    assert again.returncode == 0
    assert "0 added" in again.stdout and f"{CATALOG_SIZE} skipped" in again.stdout
    assert product_count(home) == CATALOG_SIZE


def test_products_list_filters_by_category_and_search(shop: Path) -> None:
    watches = run_cli(shop, "products", "list", "--category", "Watches")
    rows = watches.stdout.splitlines()[1:]
    assert len(rows) == 6 and all("Watches" in row for row in rows)
    found = run_cli(shop, "products", "list", "--search", "150")
    assert "Smart Watch" in found.stdout.splitlines()[1]


def test_seed_generate_adds_that_many_products(home: Path) -> None:
    run_cli(home, "seed")
    before = product_count(home)
    generated = run_cli(home, "seed", "--generate", "1000")
    assert generated.returncode == 0, generated.stderr
    assert "1,000" in generated.stdout
    assert product_count(home) == before + 1000
    again = run_cli(home, "seed", "--generate", "1000")  # fresh SKUs each time
    assert again.returncode == 0, again.stderr
    assert product_count(home) == before + 2000


def test_seed_from_csv_and_json_files_is_idempotent_by_sku(home: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "extra.csv"
    csv_file.write_text(
        "sku,name,category,price,stock,description\n"
        "CSV-1,Retro Radio,Audio,49.99,5,A radio\n"
        'CSV-2,"Cable, braided",Accessories,$1,299.00,3,\n'.replace("$1,299.00", '"$1,299.00"'),
        encoding="utf-8",
    )
    json_file = tmp_path / "extra.json"
    json_file.write_text(
        json.dumps(
            [{"sku": "JS-1", "name": "Jukebox", "category": "Audio", "price": "10", "stock": 2}]
        ),
        encoding="utf-8",
    )
    run_cli(home, "seed")
    first = run_cli(home, "seed", str(csv_file))
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout
    assert "2 skipped" in run_cli(home, "seed", str(csv_file)).stdout
    assert run_cli(home, "seed", str(json_file)).returncode == 0
    listed = run_cli(home, "products", "list", "--search", "cable braided").stdout
    assert "1,299.00" in listed
    assert product_count(home) == CATALOG_SIZE + 3


def test_products_add_update_remove_and_stock_set(home: Path) -> None:
    run_cli(home, "seed")
    added = run_cli(
        home,
        "products",
        "add",
        "--sku",
        "NEW-1",
        "--name",
        "Tiny Radio",
        "--price",
        "12.50",
        "--stock",
        "4",
        "--category",
        "Audio",
    )
    assert added.returncode == 0, added.stderr
    assert "12.50" in added.stdout
    updated = run_cli(home, "products", "update", "NEW-1", "--price", "9.99")
    assert updated.returncode == 0 and "9.99" in updated.stdout
    stocked = run_cli(home, "stock", "set", "NEW-1", "0")
    assert stocked.returncode == 0 and "stock is now 0" in stocked.stdout
    line = next(
        r
        for r in run_cli(home, "products", "list", "--search", "tiny").stdout.splitlines()
        if "NEW-1" in r
    )
    assert "9.99" in line and line.split()[-1] == "0"
    assert run_cli(home, "products", "remove", "NEW-1", "--yes").returncode == 0
    assert "NEW-1" not in run_cli(home, "products", "list").stdout


def test_help_lists_every_command(home: Path) -> None:
    shown = run_cli(home, "--help")
    assert shown.returncode == 0, shown.stderr
    for command in (
        "seed",
        "products",
        "stock",
        "users",
        "orders",
        "db",
        "paths",
        "serve",
        "uptime",
    ):
        assert command in shown.stdout
    assert "Traceback" not in shown.stdout + shown.stderr


def test_uptime_says_not_running(home: Path) -> None:
    shown = run_cli(home, "uptime")
    assert shown.returncode == 1
    assert shown.stdout.strip() == "not running"


def test_serve_with_a_bad_port_is_one_line_and_no_traceback(home: Path) -> None:
    shown = run_cli(home, "serve", "--port", "70000")
    assert shown.returncode != 0
    assert "Traceback" not in shown.stderr
    assert shown.stderr.count("\n") == 1 and shown.stderr.startswith("error:")
    assert "--port" in shown.stderr and "65535" in shown.stderr


def test_usage_mistakes_are_one_line_too(home: Path) -> None:
    for args in (("nosuch",), ("stock", "set", "X")):
        shown = run_cli(home, *args)
        assert shown.returncode == 2
        assert shown.stderr.count("\n") == 1 and shown.stderr.startswith("error:"), shown.stderr


def run_on_a_terminal(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`run_cli` with stdin and stdout on a pseudo-terminal (the shop needs one) and
    stderr still captured; stdout is not read."""
    import pty

    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO), BUYNOW_HOME=str(home))
    env.pop("BUYNOW_DATABASE_URL", None)
    try:
        return subprocess.run(
            [sys.executable, "-m", "buynow_tui", *args],
            cwd=REPO,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
            check=False,
            text=True,
            timeout=60,
        )
    finally:
        os.close(slave)
        os.close(master)


def test_the_shop_without_arguments_reports_a_bad_home_like_the_cli(tmp_path: Path) -> None:
    """`buynow` alone skips Typer, but fails the same way `buynow --home X` does."""
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file, not a folder\n")
    bare = run_on_a_terminal(not_a_folder)
    through_typer = run_on_a_terminal(tmp_path, "--home", str(not_a_folder))
    assert bare.returncode == through_typer.returncode == 1
    assert bare.stderr == through_typer.stderr == f"error: File exists: {not_a_folder}\n"


def test_a_deep_link_alone_skips_typer_and_reports_a_bad_home_the_same_way(tmp_path: Path) -> None:
    """`buynow --open PAGE` (every SSH deep link) also skips Typer, failing as it would."""
    from buynow_tui.launch import deep_link

    assert deep_link(["--open", "cart"]) == deep_link(["--open=cart"]) == "cart"
    for args in (
        ["--open"],
        ["--open", "--help"],
        ["--open="],
        ["--home", "x"],
        ["--open", "a", "b"],
    ):
        assert deep_link(args) is None, args  # those go to Typer, which explains them

    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file, not a folder\n")
    fast = run_on_a_terminal(not_a_folder, "--open", "cart")
    through_typer = run_on_a_terminal(tmp_path, "--home", str(not_a_folder), "--open", "cart")
    assert fast.returncode == through_typer.returncode == 1
    assert fast.stderr == through_typer.stderr == f"error: File exists: {not_a_folder}\n"


def test_paths_shows_where_things_live(home: Path) -> None:
    shown = run_cli(home, "paths")
    assert shown.returncode == 0
    assert str(home / "buynow.db") in shown.stdout
    assert str(home / "logs") in shown.stdout
    assert str(home / "config") in shown.stdout


def test_home_option_wins_over_nothing(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("BUYNOW_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "buynow_tui", "--home", str(elsewhere), "seed"],
        cwd=REPO,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "buynow.db").is_file()


# -- users and orders (CliRunner, in-process) ----------------------------------------------


def test_users_and_orders_lists(home: Path) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.cli import app
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db
    from tests.support.store import product_named, register

    services = open_store(Paths(home)).services
    try:
        ann = register(services)
        register(services, email="bob@example.com", username="bob")
        services.cart.add(ann.id, product_named(services, "Smart Watch").id, 2)
        services.orders.checkout(ann.id, ship_address="1 Main St")
    finally:
        close_db()

    runner = CliRunner()
    users = runner.invoke(app, ["--home", str(home), "users", "list"])
    assert users.exit_code == 0, users.output
    ann_row = next(row for row in users.stdout.splitlines() if "ann@example.com" in row)
    assert ann_row.split()[-1] == "1"  # one order
    assert "bob@example.com" in users.stdout

    orders = runner.invoke(
        app, ["--home", str(home), "orders", "list", "--user", "ANN@example.com"]
    )
    assert orders.exit_code == 0, orders.output
    row = orders.stdout.splitlines()[1]
    assert "ann@example.com" in row and "330.00" in row and row.split()[-2] == "2"
    nobody = runner.invoke(
        app, ["--home", str(home), "orders", "list", "--user", "bob@example.com"]
    )
    assert len(nobody.stdout.splitlines()) == 1  # just the header


def test_users_add_then_that_user_can_log_in(shop: Path) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    services = open_store(Paths(shop)).services
    try:
        assert services.accounts.authenticate("ann@example.com", ADMIN_PASSWORD).username == "ann"
    finally:
        close_db()


# -- refused commands: one line, non-zero, no traceback, nothing changed --------------------


def broken_csv(tmp: Path) -> Path:
    path = tmp / "broken.csv"
    path.write_text(
        "sku,name,category,price,stock\n"
        "OK-1,Fine Radio,Audio,10.00,1\n"
        "BAD-1,Broken Radio,Audio,ten dollars,1\n"
        "OK-2,Fine Speaker,Audio,12.00,1\n",
        encoding="utf-8",
    )
    return path


REFUSED: dict[str, tuple[list[str | bytes], str | None, str]] = {
    "negative price": (
        [
            "products",
            "add",
            "--sku",
            "N-1",
            "--name",
            "X",
            "--price",
            "-5",
            "--stock",
            "1",
            "--category",
            "Audio",
        ],
        None,
        "negative",
    ),
    "price not a number": (
        [
            "products",
            "add",
            "--sku",
            "N-1",
            "--name",
            "X",
            "--price",
            "abc",
            "--stock",
            "1",
            "--category",
            "Audio",
        ],
        None,
        "not a number",
    ),
    "price overflow": (
        [
            "products",
            "add",
            "--sku",
            "N-1",
            "--name",
            "X",
            "--price",
            "1e999999999",
            "--stock",
            "1",
            "--category",
            "Audio",
        ],
        None,
        "too large",
    ),
    "negative stock": (
        [
            "products",
            "add",
            "--sku",
            "N-1",
            "--name",
            "X",
            "--price",
            "5",
            "--stock",
            "-1",
            "--category",
            "Audio",
        ],
        None,
        "negative",
    ),
    "duplicate sku": (
        [
            "products",
            "add",
            "--sku",
            "BN-WAT-001",
            "--name",
            "X",
            "--price",
            "5",
            "--stock",
            "1",
            "--category",
            "Audio",
        ],
        None,
        "already exists",
    ),
    "not-UTF-8 sku": (
        [
            b"products",
            b"add",
            b"--sku",
            b"N-\xff",
            b"--name",
            b"X",
            b"--price",
            b"5",
            b"--stock",
            b"1",
            b"--category",
            b"Audio",
        ],
        None,
        "UTF-8",
    ),
    "stock set unknown sku": (["stock", "set", "NO-SUCH-SKU", "3"], None, "NO-SUCH-SKU"),
    "stock set negative": (["stock", "set", "BN-WAT-001", "-3"], None, "negative"),
    "stock set not a number": (["stock", "set", "BN-WAT-001", "lots"], None, "whole number"),
    "update unknown sku": (
        ["products", "update", "NO-SUCH-SKU", "--price", "1"],
        None,
        "NO-SUCH-SKU",
    ),
    "update nothing": (["products", "update", "BN-WAT-001"], None, "Nothing to change"),
    "remove unknown sku": (["products", "remove", "NO-SUCH-SKU"], None, "NO-SUCH-SKU"),
    "broken csv row": (["seed", "{broken_csv}"], None, "line 3"),
    "missing file": (["seed", "{tmp}/nowhere.json"], None, "no such file"),
    "not json": (["seed", "{bad_json}"], None, "not valid JSON"),
    "unknown file type": (["seed", "{txt}"], None, ".csv or .json"),
    "generate zero": (["seed", "--generate", "0"], None, "greater than or equal to 1"),
    "duplicate email": (
        [
            "users",
            "add",
            "--email",
            "ANN@example.com",
            "--username",
            "ann2",
            "--password-stdin",
            "--answer",
            "Rex",
        ],
        "another password\n",
        "already exists",
    ),
    "short password": (
        [
            "users",
            "add",
            "--email",
            "new@example.com",
            "--username",
            "new",
            "--password-stdin",
            "--answer",
            "Rex",
        ],
        "short\n",
        "8",
    ),
    "100-byte password": (
        [
            "users",
            "add",
            "--email",
            "new@example.com",
            "--username",
            "new",
            "--password-stdin",
            "--answer",
            "Rex",
        ],
        "x" * 100 + "\n",
        "72 bytes",
    ),
    "bad email": (
        [
            "users",
            "add",
            "--email",
            "nope",
            "--username",
            "new",
            "--password-stdin",
            "--answer",
            "Rex",
        ],
        "long enough pw\n",
        "valid email",
    ),
    "no answer": (
        ["users", "add", "--email", "new@example.com", "--username", "new", "--password-stdin"],
        "long enough pw\n",
        "answer",
    ),
    "no password-stdin": (
        ["users", "add", "--email", "new@example.com", "--username", "new", "--answer", "Rex"],
        None,
        "stdin",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_input_gets_one_error_line_and_changes_nothing(
    shop: Path, tmp_path: Path, case: str
) -> None:
    args, stdin, words = REFUSED[case]
    (tmp_path / "bad.json").write_text('{"products": [', encoding="utf-8")
    (tmp_path / "catalog.txt").write_text("sku\n", encoding="utf-8")
    places = {
        "broken_csv": broken_csv(tmp_path),
        "tmp": tmp_path,
        "bad_json": tmp_path / "bad.json",
        "txt": tmp_path / "catalog.txt",
    }
    args = [a.format(**places) if isinstance(a, str) else a for a in args]
    before = dump(shop)

    done = run_cli(shop, *args, stdin=stdin)

    assert done.returncode != 0
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error:")
    assert words in lines[0]
    assert dump(shop) == before


def test_a_broken_csv_row_adds_none_of_the_good_rows(shop: Path, tmp_path: Path) -> None:
    done = run_cli(shop, "seed", str(broken_csv(tmp_path)))
    assert done.returncode != 0
    assert "ten dollars" in done.stderr or "not a number" in done.stderr
    listed = run_cli(shop, "products", "list", "--search", "fine").stdout
    assert "OK-1" not in listed and "OK-2" not in listed


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "mysql://shop@db/shop",
            "unsupported database URL scheme 'mysql' (use sqlite:/// or postgresql://)",
        ),
        ("sqlite:///shop.db", "SQLite needs a file path: sqlite:////absolute/path.db"),
    ],
)
def test_a_database_url_the_shop_cannot_use_is_one_error_line(
    home: Path, url: str, said: str
) -> None:
    """A relative SQLite file would be another database in each folder a process runs in
    (the server's, its sessions' home folder): refused like an unknown scheme, and made
    nowhere."""
    done = run_cli(home, "products", "list", database_url=url)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [f"error: {said}"], done.stderr
    assert not (REPO / "shop.db").exists()
    assert not (home / "shop.db").exists()
