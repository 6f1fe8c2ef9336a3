"""Faults a shop meets for real: a full disk and a database it cannot write.

Real parts only: a size-limited filesystem (a 2 MiB tmpfs; where mounting is not
allowed, SQLite's `max_page_count` and a file-size limit cap the database instead),
and a read-only database file (mode 0444 for a process without the capability that
lets root ignore file modes; `chattr +i` where that is unavailable). The CLI runs as
a real subprocess, the store in this process, the app headless. Each test checks the
message a person sees and that nothing was half-written: `PRAGMA integrity_check` is
ok, no order lacks lines, and for every product stock plus units sold equals the stock
it started with.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from peewee import DatabaseError
from textual.worker import WorkerFailed

from buynow_tui.bootstrap import open_store
from buynow_tui.paths import Paths
from buynow_tui.store.db import close_db
from buynow_tui.store.errors import OutOfStock
from buynow_tui.store.services import Services
from tests.support.app import press_key
from tests.support.cli import run_cli
from tests.support.repo import CATALOG_SIZE, ROOT
from tests.support.store import register

DISK_BYTES = 2 * 1024 * 1024
SQLITE_PAGE = 4096
LONG_ADDRESS = ("A long way down the road " * 12).strip()  # near the 300-character limit


# -- helpers ------------------------------------------------------------------------------


def assert_one_line_error(result: subprocess.CompletedProcess[str], *phrases: str) -> str:
    """Non-zero exit, no traceback, exactly one `error:` line saying one of `phrases`."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert "Logging error" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert any(p in errors[0] for p in phrases), errors[0]
    return errors[0]


def starting_stock(db: Path) -> dict[int, int]:
    """Per product, the stock it began with: stock now plus units on order lines."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return dict(
            con.execute(
                "SELECT p.id, p.stock + coalesce((SELECT sum(quantity) FROM order_line l "
                "WHERE l.product_id = p.id), 0) FROM product p"
            )
        )


def stock_of(db: Path) -> dict[int, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return dict(con.execute("SELECT id, stock FROM product"))


def assert_consistent(db: Path, started_with: dict[int, int]) -> None:
    """The database is sound and the stock ledger balances for every product."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = con.execute(
            "SELECT count(*) FROM orders o WHERE NOT EXISTS "
            "(SELECT 1 FROM order_line l WHERE l.order_id = o.id)"
        ).fetchone()[0]
        assert orphans == 0, "an order without lines"
        sold = dict(
            con.execute("SELECT product_id, sum(quantity) FROM order_line GROUP BY product_id")
        )
        stock = dict(con.execute("SELECT id, stock FROM product"))
    finally:
        con.close()
    for product, start in started_with.items():
        assert stock[product] + sold.get(product, 0) == start, f"product {product}: ledger off"


def counts(db: Path) -> tuple[int, int, int, int]:
    """(products, orders, order lines, cart lines)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        return tuple(
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("product", "orders", "order_line", "cart_line")
        )


def checkout_until_full(
    services: Services, user_id: int, db: Path
) -> tuple[Exception, tuple[int, int, int, int]]:
    """Check out (refilling the cart) until a write fails; (that error, counts just before)."""
    products = services.catalog.page(limit=CATALOG_SIZE).items
    for n in range(3000):
        before = counts(db)
        try:
            if not services.cart.get(user_id).lines:
                services.cart.add(user_id, products[n % len(products)].id, 1)
                before = counts(db)
            services.orders.checkout(user_id, ship_address=LONG_ADDRESS)
        except OutOfStock:
            services.cart.clear(user_id)
        except DatabaseError as error:
            return error, before
    raise AssertionError("the disk never filled up")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shopper_with_orders(services: Services, orders: int = 2) -> int:
    """A registered user who has placed `orders` orders and holds a 3-line cart."""
    user = register(services)
    services.accounts.set_address(user.id, "1 Test Street")
    products = services.catalog.page(limit=12).items
    for n in range(orders):
        for product in products[n * 3 : n * 3 + 3]:
            services.cart.add(user.id, product.id, 1)
        services.orders.checkout(user.id)
    for product in products[9:12]:
        services.cart.add(user.id, product.id, 2)
    return user.id


# -- a small disk --------------------------------------------------------------------------


@dataclass
class SmallDisk:
    """A home folder on a filesystem that fills up at about 2 MiB."""

    home: Path
    kind: str  # "tmpfs", or "page-limit" where mounting is not allowed
    mount: Path | None = None

    def cli_limit(self) -> Callable[[], None] | None:
        """For the page-limit stand-in: a file-size limit on the CLI child."""
        if self.kind == "tmpfs":
            return None

        def limit() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (DISK_BYTES, DISK_BYTES))

        return limit

    def open_services(self) -> Services:
        services = open_store(Paths(self.home)).services
        if self.kind == "page-limit":
            _cap_pages(DISK_BYTES // SQLITE_PAGE)
        return services

    def fill(self) -> Path:
        """Fill what is left of the disk with one file; returns it (delete to free)."""
        filler = self.home / "filler.bin"
        if self.kind != "tmpfs":
            from buynow_tui.store.db import connection
            from buynow_tui.store.models import database

            with connection():
                pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
            _cap_pages(pages)  # no room to grow
            return filler
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            for size in (65536, 4096, 1):
                try:
                    while os.write(fd, b"\0" * size):
                        pass
                except OSError:  # ENOSPC: this size no longer fits
                    continue
        finally:
            os.close(fd)
        return filler


def _cap_pages(pages: int) -> None:
    """The page-limit stand-in: every (re)opened connection may hold `pages` pages."""
    from buynow_tui.store.models import database

    close_db()
    kept = [(k, v) for k, v in database.obj._pragmas if k != "max_page_count"]
    database.obj._pragmas = [*kept, ("max_page_count", pages)]


def _mount_tmpfs(where: Path) -> bool:
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    mount = tmp_path / "disk"
    if shutil.which("mount") and _mount_tmpfs(mount):
        disk = SmallDisk(mount / "home", "tmpfs", mount)
    else:
        disk = SmallDisk(tmp_path / "home", "page-limit")
    disk.home.mkdir()
    try:
        yield disk
    finally:
        close_db()
        if disk.mount is not None:
            unmounted = subprocess.run(
                ["umount", str(disk.mount)], capture_output=True, check=False
            )
            if unmounted.returncode:
                subprocess.run(["umount", "-l", str(disk.mount)], capture_output=True, check=False)


def test_full_disk_during_seed_generate_is_one_line_and_keeps_whole_batches(
    small_disk: SmallDisk,
) -> None:
    services = small_disk.open_services()
    shopper_with_orders(services)
    close_db()
    db = small_disk.home / "buynow.db"
    before = counts(db)
    started = starting_stock(db)

    result = run_cli(
        small_disk.home, "seed", "--generate", "100000", preexec=small_disk.cli_limit()
    )

    line = assert_one_line_error(result, "the disk is full", "disk I/O error")
    now = counts(db)
    # Generating commits a batch at a time (so shoppers can write meanwhile): the batches
    # before the disk filled stay, whole, and the error says how many; nothing else moves.
    added = now[0] - before[0]
    assert added % 10_000 == 0 and added < 100_000
    if added:
        assert f"({added:,} of 100,000 products were added before that)" in line
    assert now[1:] == before[1:]
    assert_consistent(db, started)
    listed = run_cli(small_disk.home, "products", "list", "--limit", "5")
    assert listed.returncode == 0, listed.stderr  # the shop still opens


def test_full_disk_at_checkout_refuses_cleanly_and_recovers(small_disk: SmallDisk) -> None:
    services = small_disk.open_services()
    user_id = shopper_with_orders(services)
    db = small_disk.home / "buynow.db"
    started = starting_stock(db)

    filler = small_disk.fill()
    error, just_before = checkout_until_full(services, user_id, db)
    assert "full" in str(error)
    assert counts(db) == just_before  # the refused checkout left no trace
    assert services.cart.get(user_id).lines  # and the cart as it was

    filler.unlink(missing_ok=True)
    if small_disk.kind == "page-limit":
        close_db()
        services = open_store(Paths(small_disk.home)).services
    placed = counts(db)[1]
    services.orders.checkout(user_id)  # room again: the same store goes on working
    assert counts(db)[1] == placed + 1
    close_db()
    assert_consistent(db, started)


async def test_full_disk_in_the_app_says_so_and_keeps_running(
    small_disk: SmallDisk, capfd: pytest.CaptureFixture[str]
) -> None:
    from buynow_tui.app import BuyNowApp

    services = small_disk.open_services()
    user_id = shopper_with_orders(services)
    db = small_disk.home / "buynow.db"
    before = counts(db)
    small_disk.fill()
    checkout_until_full(services, user_id, db)  # the shopper's cart is still full
    before = counts(db)
    app = BuyNowApp(services, Paths(small_disk.home), theme="textual-dark")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        checkout = functools.partial(services.orders.checkout, ship_address=LONG_ADDRESS)
        # A store call made by the screen, in a thread worker as its own are.
        screen.run_worker(functools.partial(checkout, user_id), thread=True, exit_on_error=False)
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("disk is full" in m and "Nothing was changed" in m for m in messages), messages
        assert app.is_running
        await press_key(pilot, "1")  # still answers keys
        assert app.is_running
    close_db()
    assert counts(db)[:3] == before[:3]  # no order, no line, no product written
    assert "Traceback" not in capfd.readouterr().err  # nothing printed over the screen


# -- a database the process cannot write ------------------------------------------------


@dataclass
class ReadOnly:
    """Makes a database file unwritable for a process, the way a shopper meets it."""

    kind: str  # "no-dac" (0444 and no CAP_DAC_OVERRIDE) or "immutable" (chattr +i)

    def wrap(self) -> list[str]:
        return (
            ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] if self.kind == "no-dac" else []
        )

    def apply(self, db: Path) -> None:
        if self.kind == "no-dac":
            db.chmod(0o444)
        else:
            subprocess.run(["chattr", "+i", str(db)], check=True)

    def undo(self, db: Path) -> None:
        if self.kind == "immutable":
            subprocess.run(["chattr", "-i", str(db)], check=False)
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            if path.exists():
                path.chmod(0o644)


def _probe_no_dac(tmp_path: Path) -> bool:
    if not shutil.which("setpriv"):
        return False
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    done = subprocess.run(
        [
            "setpriv",
            "--bounding-set=-all",
            "--inh-caps=-all",
            sys.executable,
            "-c",
            f"open({str(probe)!r}, 'r+b')",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    probe.unlink()
    return done.returncode != 0 and "PermissionError" in done.stderr


@pytest.fixture
def read_only(tmp_path: Path) -> ReadOnly:
    return ReadOnly("no-dac" if _probe_no_dac(tmp_path) else "immutable")


def test_read_only_database_cli_says_so_and_writes_nothing(home: Path, read_only: ReadOnly) -> None:
    services = open_store(Paths(home)).services
    shopper_with_orders(services)
    close_db()
    db = home / "buynow.db"
    sku = services.catalog.page(limit=1).items[0].sku
    started = starting_stock(db)
    before = digest(db)

    read_only.apply(db)
    try:
        for args in (
            ("stock", "set", sku, "3"),
            ("seed", "--generate", "10"),
            (
                "products",
                "add",
                "--sku",
                "RO-1",
                "--name",
                "Read Only",
                "--price",
                "1",
                "--stock",
                "1",
                "--category",
                "Audio",
            ),
        ):
            result = run_cli(home, *args, wrap=read_only.wrap())
            assert_one_line_error(result, "the database is read-only")
        listed = run_cli(home, "products", "list", "--limit", "3", wrap=read_only.wrap())
        assert listed.returncode == 0, listed.stderr  # reading still works
        assert sku in listed.stdout
        assert digest(db) == before
    finally:
        read_only.undo(db)
    assert digest(db) == before
    assert_consistent(db, started)


def test_read_only_database_in_the_app_says_so_and_keeps_running(
    home: Path, read_only: ReadOnly
) -> None:
    """The real app on a real terminal: browsing works, a write says why it failed."""
    from tests.support.ssh import PtyClient

    services = open_store(Paths(home)).services
    shopper_with_orders(services)
    close_db()
    db = home / "buynow.db"
    before = digest(db)
    env = dict(os.environ, PYTHONPATH=str(ROOT), BUYNOW_HOME=str(home))
    env.pop("BUYNOW_DATABASE_URL", None)

    read_only.apply(db)
    try:
        app = PtyClient.spawn(
            [*read_only.wrap(), sys.executable, "-m", "buynow_tui"], cols=100, rows=30, env=env
        )
        try:
            app.see(b"Page 1 of")  # the Shop lists the catalog: reading works
            app.type(b"\t5")  # Log in (logging in records the session: a write)
            app.see(b"Log in to use your cart")
            for keys in (b"ann@example.com", b"\t", b"correct horse", b"\r"):
                app.type(keys)
                time.sleep(0.2)
            app.see(b"database is read-only")
            app.see(b"Nothing was")
            mark = len(app.data)
            app.type(b"\x1b")  # back to the Shop: the app still answers
            app.read_until(lambda data: b"Page 1 of" in data[mark:])
            app.type(b"q")
            assert app.drain() == 0, "a clean quit"
            assert b"Traceback" not in app.data[mark:]
        finally:
            app.close()
        assert digest(db) == before
    finally:
        read_only.undo(db)
    assert digest(db) == before


def test_read_only_database_store_raises_and_changes_nothing(home: Path, tmp_path: Path) -> None:
    """In this (root) process only an immutable file or a read-only mount stops writes."""
    services = open_store(Paths(home)).services
    user_id = shopper_with_orders(services)
    close_db()
    db = home / "buynow.db"
    before, stock_before = counts(db), stock_of(db)
    immutable = ReadOnly("immutable")
    immutable.apply(db)
    try:
        services = open_store(Paths(home)).services
        product = services.catalog.page(limit=1).items[0]
        with pytest.raises(DatabaseError, match="readonly"):
            services.orders.checkout(user_id)
        with pytest.raises(DatabaseError, match="readonly"):
            services.cart.add(user_id, product.id, 1)
        with pytest.raises(DatabaseError, match="readonly"):
            services.catalog.set_stock(product.sku, 1)
        assert services.cart.get(user_id).lines  # reads still work
        close_db()
    finally:
        close_db()
        immutable.undo(db)
    assert counts(db) == before
    assert stock_of(db) == stock_before
