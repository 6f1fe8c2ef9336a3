"""The admin's catalog work survives: re-seeding, categories and SKUs in any case, big
generated catalogs beside live shoppers, odd catalog files and odd searches.

CLI checks run real `python -m buynow_tui` processes; store rules run on SQLite and
PostgreSQL, and the races between real processes (spawn context, each opening the
database itself).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.services import Services
from tests.support.cli import one_error_line, run_cli
from tests.support.repo import CATALOG_SIZE
from tests.support.store import product_named, register


def row(home: Path, sku: str) -> Any:
    """The product's (name, category, price_cents, stock), or None: sqlite3 rows are untyped."""
    conn = sqlite3.connect(home / "buynow.db")
    try:
        return conn.execute(
            "SELECT name, category, price_cents, stock FROM product WHERE sku = ?", (sku,)
        ).fetchone()
    finally:
        conn.close()


def query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(home / "buynow.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# -- re-seeding never undoes the admin's work --------------------------------------------------


@pytest.fixture
def worked_on(home: Path) -> Path:
    """A shop where the admin set the Smart Watch's stock to 3 and its price to $120."""
    assert run_cli(home, "seed").returncode == 0
    assert run_cli(home, "stock", "set", "BN-WAT-001", "3").returncode == 0
    assert run_cli(home, "products", "update", "BN-WAT-001", "--price", "120").returncode == 0
    assert row(home, "BN-WAT-001") == ("Smart Watch", "Watches", 12000, 3)
    return home


def test_seeding_again_leaves_the_admins_price_and_stock_and_says_what_it_skipped(
    worked_on: Path,
) -> None:
    again = run_cli(worked_on, "seed")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(f"Seeded: 0 added, 0 updated, {CATALOG_SIZE} skipped")
    assert row(worked_on, "BN-WAT-001") == ("Smart Watch", "Watches", 12000, 3)


def test_seed_update_changes_the_details_but_never_raises_stock(worked_on: Path) -> None:
    updated = run_cli(worked_on, "seed", "--update")
    assert updated.returncode == 0, updated.stderr
    assert updated.stdout.startswith("Seeded: 0 added, 1 updated, 47 skipped")
    assert row(worked_on, "BN-WAT-001") == (
        "Smart Watch",
        "Watches",
        15000,
        3,
    )  # the catalog's price


def test_seed_reset_stock_is_the_one_way_to_put_the_catalogs_stock_back(worked_on: Path) -> None:
    reset = run_cli(worked_on, "seed", "--reset-stock")
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.startswith("Seeded: 0 added, 1 updated (1 with stock reset), 47 skipped")
    assert row(worked_on, "BN-WAT-001") == ("Smart Watch", "Watches", 12000, 35)  # price kept


@pytest.mark.backends
def test_after_a_days_sales_an_update_seed_leaves_stock_as_sales_left_it(
    services: Services,
) -> None:
    from buynow_tui.store.seed import seed

    watch = product_named(services, "Smart Watch")
    user = register(services)
    services.cart.add(user.id, watch.id, 5)
    services.orders.checkout(user.id, ship_address="1 Main St")
    services.catalog.update(watch.sku, name="Smart Watch (2025)")
    assert services.catalog.get(watch.id).stock == watch.stock - 5

    report = seed(services.catalog, update=True)
    assert (report.added, report.updated, report.skipped) == (0, 1, 47)
    after = services.catalog.get(watch.id)
    assert after.name == "Smart Watch" and after.stock == watch.stock - 5
    assert services.catalog.count() == CATALOG_SIZE


# -- categories and SKUs regardless of case --------------------------------------------------------


def add_args(sku: str, category: str, *extra: str) -> list[str]:
    return [
        "products",
        "add",
        "--sku",
        sku,
        "--name",
        "Tiny Phone",
        "--price",
        "9",
        "--stock",
        "1",
        "--category",
        category,
        *extra,
    ]


def test_a_category_in_another_case_is_the_existing_one_and_a_typo_needs_new_category(
    home: Path,
) -> None:
    assert run_cli(home, "seed").returncode == 0
    categories = {c for (c,) in query(home, "SELECT DISTINCT category FROM product")}

    folded = run_cli(home, *add_args("NEW-1", "mobiles"))
    assert folded.returncode == 0, folded.stderr
    assert row(home, "NEW-1")[1] == "Mobiles"

    typo = run_cli(home, *add_args("NEW-2", "Mobils"))
    line = one_error_line(typo)
    assert "There is no category 'Mobils'" in line and "--new-category" in line
    assert "Mobiles" in line and "Watches" in line  # the existing ones, named
    assert row(home, "NEW-2") is None

    made = run_cli(home, *add_args("NEW-2", "Drones", "--new-category"))
    assert made.returncode == 0, made.stderr
    moved = run_cli(home, "products", "update", "NEW-2", "--category", "WATCHES")
    assert moved.returncode == 0, moved.stderr
    assert row(home, "NEW-2")[1] == "Watches"
    wrong = run_cli(home, "products", "update", "NEW-1", "--category", "Wearables")
    assert "--new-category" in one_error_line(wrong)
    assert {c for (c,) in query(home, "SELECT DISTINCT category FROM product")} == categories


def test_skus_are_one_regardless_of_case_in_every_command(home: Path) -> None:
    assert run_cli(home, "seed").returncode == 0
    twin = run_cli(home, *add_args("bn-wat-001", "Watches"))
    assert "SKU 'bn-wat-001' already exists (as 'BN-WAT-001')" in one_error_line(twin)

    assert run_cli(home, "stock", "set", "bn-wat-001", "4").stdout == "BN-WAT-001 stock is now 4.\n"
    updated = run_cli(home, "products", "update", "Bn-Wat-001", "--price", "99")
    assert updated.returncode == 0 and "BN-WAT-001" in updated.stdout
    assert row(home, "BN-WAT-001")[2:] == (9900, 4)
    removed = run_cli(home, "products", "remove", "bn-WAT-001", "--yes")
    assert removed.stdout == "Removed BN-WAT-001.\n"
    assert query(home, "SELECT COUNT(*) FROM product") == [(CATALOG_SIZE - 1,)]


def test_a_seed_file_may_bring_categories_but_folds_case_and_skus(
    home: Path, tmp_path: Path
) -> None:
    assert run_cli(home, "seed").returncode == 0
    catalog = tmp_path / "more.csv"
    catalog.write_text(
        "sku,name,category,price,stock\n"
        "MORE-1,Pocket Drone,drones,99,1\n"
        "MORE-2,Big Drone,DRONES,199,1\n"
        "MORE-3,Clip Phone,mobiles,49,1\n"
        "bn-wat-001,Smart Watch,watches,1,99\n",
        encoding="utf-8",
    )
    seeded = run_cli(home, "seed", str(catalog))
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.startswith("Seeded: 3 added, 0 updated, 1 skipped")
    assert [r[1] for r in (row(home, "MORE-1"), row(home, "MORE-2"), row(home, "MORE-3"))] == [
        "drones",
        "drones",
        "Mobiles",  # the file's first spelling of a new one; the shop's
    ]
    assert row(home, "BN-WAT-001")[2:] == (15000, 35)

    twice = tmp_path / "twice.json"
    twice.write_text(
        json.dumps(
            [
                {"sku": s, "name": "X", "category": "Audio", "price": 1, "stock": 1}
                for s in ("DUP-1", "dup-1")
            ]
        ),
        encoding="utf-8",
    )
    assert "appears twice (also as 'DUP-1')" in one_error_line(run_cli(home, "seed", str(twice)))


def _add_racing(url: str, sku: str, category: str, barrier: Any, results: Any) -> None:
    os.environ["BUYNOW_DATABASE_URL"] = url
    from buynow_tui.store.catalog import ProductInput
    from buynow_tui.store.db import init_db
    from buynow_tui.store.errors import StoreError
    from buynow_tui.store.services import Services

    init_db(url)
    catalog = Services().catalog
    item = ProductInput.build(sku=sku, name="Racer", category=category, price="1", stock=1)
    barrier.wait(timeout=60)
    try:
        results.put(("added", catalog.add(item, new_category=True).category))
    except StoreError as error:
        results.put(("refused", str(error)))
    except Exception as error:
        results.put(("error", repr(error)))


def race(url: str, jobs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(jobs))
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_add_racing, args=(url, sku, cat, barrier, results)) for sku, cat in jobs
    ]
    for proc in procs:
        proc.start()
    try:
        return [results.get(timeout=90) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()


@pytest.mark.backends
def test_processes_adding_one_new_category_in_four_spellings_make_one(
    services: Services, database_url: str
) -> None:
    spellings = ["Gadgets", "gadgets", "GADGETS", "gAdGeTs"]
    outcomes = race(database_url, [(f"RACE-{n}", s) for n, s in enumerate(spellings)])
    assert [o for o in outcomes if o[0] != "added"] == []
    made = {category for _, category in outcomes}
    assert len(made) == 1 and made <= set(spellings)
    assert [c.name for c in services.catalog.categories()].count(made.pop()) == 1
    assert not {c.name.lower() for c in services.catalog.categories()} - {
        "audio",
        "headphones",
        "mobiles",
        "watches",
        "cameras",
        "laptops",
        "tablets",
        "accessories",
        "gadgets",
    }


@pytest.mark.backends
def test_processes_adding_one_sku_in_four_cases_make_one_product(
    services: Services, database_url: str
) -> None:
    outcomes = race(database_url, [(sku, "Audio") for sku in ("T-1", "t-1", "T-1", "t-1")])
    assert [o for o in outcomes if o[0] == "error"] == []
    assert sorted(o[0] for o in outcomes) == ["added", "refused", "refused", "refused"]
    assert all("already exists" in message for kind, message in outcomes if kind == "refused")
    assert services.catalog.count() == 49


@pytest.mark.backends
def test_the_migration_folds_the_case_twins_an_older_shop_already_has(
    home: Path, database_url: str
) -> None:
    from buynow_tui.store.db import close_db, connection, init_db
    from buynow_tui.store.migrate import downgrade, status, upgrade
    from buynow_tui.store.models import database

    init_db(database_url)
    upgrade()
    applied = status().applied
    downgrade(len(applied) - 1)  # the shop as m0001 left it: case-sensitive free text
    with connection():
        for n, (sku, category) in enumerate(
            [("T-1", "Mobiles"), ("t-1", "mobiles"), ("X-9", "MOBILES"), ("x-9", "Audio")]
        ):
            database.execute_sql(
                "INSERT INTO product (sku, name, category, price_cents, stock, description, "
                "specs, created_at) VALUES (%s, %s, %s, 100, 1, '', '{}', '2026-01-01')".replace(
                    "%s", "?" if database_url.startswith("sqlite") else "%s"
                ),
                (sku, f"Item {n}", category),
            )
    upgrade()
    with connection():
        rows = database.execute_sql("SELECT sku, category FROM product ORDER BY id").fetchall()
    close_db()
    ids = [f"-DUP{n}" for n in (2, 4)]
    assert [tuple(r) for r in rows] == [
        ("T-1", "Mobiles"),
        (f"t-1{ids[0]}", "Mobiles"),
        ("X-9", "Mobiles"),
        (f"x-9{ids[1]}", "Audio"),
    ]


# -- generating a big catalog while shoppers write -------------------------------------------------


def _generate(url: str, count: int, started: Any, written: Any) -> None:
    os.environ["BUYNOW_DATABASE_URL"] = url
    from buynow_tui.store.db import init_db
    from buynow_tui.store.seed import generate

    init_db(url)
    first = [True]

    def progress(_: int) -> None:
        if first[0]:  # after the first batch: let the other process try to write
            first[0] = False
            started.set()
            written.wait(timeout=60)

    generate(count, progress=progress, batch=500)


def _write_during(url: str, started: Any, written: Any, results: Any) -> None:
    os.environ["BUYNOW_DATABASE_URL"] = url
    from buynow_tui.store.db import init_db
    from buynow_tui.store.services import Services

    init_db(url)
    services = Services()
    try:
        started.wait(timeout=60)
        seen = services.catalog.count()
        services.catalog.set_stock("BN-WAT-001", 7)  # an admin's (or a checkout's) write
        results.put(("wrote", seen))
    except Exception as error:
        results.put(("error", repr(error)))
    finally:
        written.set()


@pytest.mark.backends
def test_another_process_writes_while_a_big_generate_runs(
    services: Services, database_url: str
) -> None:
    ctx = multiprocessing.get_context("spawn")
    started, written, results = ctx.Event(), ctx.Event(), ctx.Queue()
    maker = ctx.Process(target=_generate, args=(database_url, 3000, started, written))
    writer = ctx.Process(target=_write_during, args=(database_url, started, written, results))
    maker.start()
    writer.start()
    try:
        outcome = results.get(timeout=120)
    finally:
        for proc in (writer, maker):
            proc.join(timeout=120)
            if proc.is_alive():
                proc.kill()
    assert outcome == ("wrote", CATALOG_SIZE + 500)  # the first batch was committed, not held
    assert maker.exitcode == 0
    assert services.catalog.count() == CATALOG_SIZE + 3000
    assert services.catalog.get_by_sku("BN-WAT-001").stock == 7


# -- odd catalog files and odd searches ------------------------------------------------------------


def test_a_csv_saved_by_excel_with_a_byte_order_mark_seeds(home: Path, tmp_path: Path) -> None:
    excel = tmp_path / "excel.csv"
    excel.write_text(
        "sku,name,category,price,stock\r\nXL-1,Spreadsheet Radio,Audio,12,3\r\n",
        encoding="utf-8-sig",
    )
    done = run_cli(home, "seed", str(excel))
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout
    assert row(home, "XL-1") == ("Spreadsheet Radio", "Audio", 1200, 3)


@pytest.mark.parametrize("where", ["the file", "a product's specs"])
def test_a_deeply_nested_json_catalog_is_one_error_line(
    home: Path, tmp_path: Path, where: str
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = (
        deep
        if where == "the file"
        else json.dumps(
            {
                "products": [
                    {
                        "sku": "D-1",
                        "name": "Deep",
                        "category": "Audio",
                        "price": 1,
                        "stock": 1,
                        "specs": {"depth": "@"},
                    }
                ]
            }
        ).replace('"@"', deep)
    )
    nested = tmp_path / "nested.json"
    nested.write_text(text, encoding="utf-8")
    assert run_cli(home, "seed").returncode == 0
    line = one_error_line(run_cli(home, "seed", str(nested)))
    assert "nested too deeply" in line
    assert query(home, "SELECT COUNT(*) FROM product") == [(CATALOG_SIZE,)]


@pytest.mark.backends
def test_a_twenty_digit_search_gives_a_list(services: Services) -> None:
    for text in ("12345678901234567890", "$99999999999999999999.99", "1" * 300, "150"):
        found = services.catalog.search(text)
        assert len(found.items) == min(found.total, 100)
    assert "Smart Watch" in [p.name for p in services.catalog.search("150")]


def test_a_twenty_digit_search_in_the_cli_is_an_empty_list_not_a_traceback(home: Path) -> None:
    assert run_cli(home, "seed").returncode == 0
    done = run_cli(home, "products", "list", "--search", "12345678901234567890")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and len(done.stdout.splitlines()) == 1  # the header only
