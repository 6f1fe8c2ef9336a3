"""The product counts the Shop shows come from `category_count` (migration 0010), kept by
triggers: they must equal a real count after any mix of adds, removals, category
changes and bulk generation, also when several processes write at once, on both
backends; and a downgrade drops them without asking (they are copies)."""

from __future__ import annotations

import multiprocessing
import os
import random
from pathlib import Path
from typing import Any, cast

import pytest
from peewee import fn

from buynow_tui.store.catalog import ProductInput
from buynow_tui.store.db import connection
from buynow_tui.store.models import CategoryCount, Product
from buynow_tui.store.services import Services
from tests.support.repo import CATALOG_SIZE

pytestmark = pytest.mark.backends


def real_counts() -> dict[str, int]:
    with connection():
        rows = Product.select(Product.category, fn.COUNT(Product.id)).group_by(Product.category)
        pairs = cast("list[tuple[str, int]]", list(rows.tuples()))
        return {str(name): int(n) for name, n in pairs}


def kept_counts() -> dict[str, int]:
    with connection():
        rows = CategoryCount.select(CategoryCount.category, CategoryCount.products)
        pairs = cast("list[tuple[str, int]]", list(rows.tuples()))
        return {str(name): int(n) for name, n in pairs if n}


def item(sku: str, category: str) -> ProductInput:
    return ProductInput.build(sku=sku, name=f"Item {sku}", category=category, price="9.99", stock=5)


def test_the_shipped_catalog_is_counted(services: Services) -> None:
    assert services.catalog.count() == CATALOG_SIZE
    assert kept_counts() == real_counts()
    shown = {c.name: c.count for c in services.catalog.categories()}
    assert shown == real_counts()
    assert services.catalog.count("Watches") == real_counts()["Watches"]


def test_adds_removals_and_moves_keep_the_counts(services: Services) -> None:
    catalog = services.catalog
    catalog.add(item("CC-1", "Watches"))
    catalog.add(item("CC-2", "Audio"))
    catalog.update("CC-1", category="Audio")
    catalog.update("CC-2", name="Renamed")  # no category change: nothing moves
    catalog.remove("CC-2")
    catalog.add(item("CC-3", "Brand New"), new_category=True)
    assert kept_counts() == real_counts()
    assert catalog.count("Brand New") == 1
    catalog.remove("CC-3")
    # The emptied category is no longer listed, and counts zero.
    assert "Brand New" not in {c.name for c in catalog.categories()}
    assert catalog.count("Brand New") == 0
    assert kept_counts() == real_counts()


def test_bulk_generation_is_counted(services: Services) -> None:
    from buynow_tui.store.seed import generate

    generate(2500)
    assert services.catalog.count() == CATALOG_SIZE + 2500
    assert kept_counts() == real_counts()


def _churn(url: str, home: str, worker: int, start: Any) -> None:
    os.environ["BUYNOW_DATABASE_URL"] = url
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths

    catalog = open_store(Paths(Path(home))).services.catalog
    rng = random.Random(worker)
    categories = ["Watches", "Audio", "Cameras", "Laptops"]
    mine: list[str] = []
    start.wait()
    for n in range(40):
        move = rng.random()
        if move < 0.5 or not mine:
            sku = f"RACE-{worker}-{n}"
            catalog.add(item(sku, rng.choice(categories)))
            mine.append(sku)
        elif move < 0.8:
            catalog.update(rng.choice(mine), category=rng.choice(categories))
        else:
            sku = mine.pop(rng.randrange(len(mine)))
            catalog.remove(sku)  # each worker removes only its own


def test_writers_at_once_leave_the_counts_right(
    services: Services, database_url: str, home: Path
) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(target=_churn, args=(database_url, str(home), n, start)) for n in range(4)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    assert kept_counts() == real_counts()
    assert services.catalog.count() == sum(real_counts().values())


def test_a_downgrade_drops_the_counts_without_asking(services: Services) -> None:
    from buynow_tui.store.migrate import downgrade_plan

    plan = downgrade_plan(2)  # m0011 (search indexes), then m0010
    assert plan.migrations == ("m0011_search_prefixes", "m0010_category_counts")
    assert not plan.loses_rows and "category_count" not in plan.rows
