"""The Shop's columns are as wide at 120x40 every time, whatever came first.

DataTable's fitted columns followed the rows measured so far, on the table's idle, and
kept the lines already drawn: with 100,000 products the first page's names made the
Name column 29 cells wide at 120 columns ("Tempered Glass Screen Prot…" once searched
for), the shipped catalog's 33, and the order of a first layout, a resize and the
rows arriving decided which frame stuck. Each open here takes one of those orders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from buynow_tui.bootstrap import open_store
from buynow_tui.paths import Paths
from buynow_tui.store.db import close_db
from buynow_tui.store.seed import generate
from tests.support.app import make_app, screen_text, settle, wait_for, wait_for_text
from tests.support.shop import search

OPENS = 10
LABELS = ("Name", "Category", "Price", "Stock")
#: Where each label starts on the header line at 120 columns: a blank, 31 cells of
#: name, two blanks, 11 of category, two, 9 of price, two, then the stock words.
AT_120 = {"Name": 1, "Category": 34, "Price": 47, "Stock": 58}
LONG_NAME = "Tempered Glass Screen Protector"
LONG_ROW_AT_120 = " Tempered Glass Screen Protector  Accessories      $9.99  In stock"


@pytest.fixture(scope="module")
def big_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the shipped catalog and 100,000 generated products, made once."""
    home = tmp_path_factory.mktemp("home-100k")
    open_store(Paths(home))  # migrated, the shipped catalog seeded
    try:
        generate(100_000)
    finally:
        close_db()
    return home


def header_columns(text: str) -> dict[str, int]:
    """Where each column label starts on the table's header line, as drawn."""
    for line in text.splitlines():
        if all(label in line for label in LABELS):
            return {label: line.index(label) for label in LABELS}
    raise AssertionError(f"no header with {', '.join(LABELS)} on the screen:\n{text}")


def row_of(text: str, name_start: str) -> str:
    """The drawn table row whose name cell starts with `name_start`."""
    for line in text.splitlines():
        if line.startswith(" " + name_start):
            return line
    raise AssertionError(f"no row for {name_start!r} on the screen:\n{text}")


async def open_shop(
    services: Any, home: Path, order: int, size: tuple[int, int] = (120, 40)
) -> tuple[dict[str, int], str]:
    """Open the Shop, taking the `order`-th way there to `size`; search "t" as the bench
    does (the long name is first); the header's columns and the long name's row."""
    other = (66, 24) if size != (66, 24) else (120, 40)
    kind = order % 3
    app = make_app(services, home)
    async with app.run_test(size=other if kind == 1 else size) as pilot:
        if kind == 1:  # a first layout (and the first page) at another size, then this one
            await wait_for_text(pilot, "Page 1 of")
            await pilot.resize_terminal(*size)
        elif kind == 2:  # a resize before the first page arrives, and back before it lands
            await pilot.resize_terminal(*other)
            await pilot.resize_terminal(*size)
        await wait_for_text(pilot, "Page 1 of")
        await settle(pilot)
        columns = header_columns(screen_text(app))
        await search(pilot, "t")
        await wait_for(pilot, lambda: LONG_NAME[:8] in screen_text(app))
        await settle(pilot)
        text = screen_text(app)
        assert header_columns(text) == columns, "the columns moved when the search came"
        return columns, row_of(text, LONG_NAME[:8])


async def test_shop_columns_at_120x40_are_the_same_every_time_whatever_the_catalog(
    services: Any, home: Path, big_home: Path
) -> None:
    """Ten opens on the shipped catalog, then ten on 100,000 products (one test: the
    shipped catalog alone drew the same widths before, its first page has every name)."""
    seen: list[tuple[str, int, dict[str, int], str]] = []
    for order in range(OPENS):
        seen.append(("shipped", order, *await open_shop(services, home, order)))
    close_db()  # the same process, the other database
    big = open_store(Paths(big_home)).services
    for order in range(OPENS):
        seen.append(("100k", order, *await open_shop(big, big_home, order)))
    for catalog, order, columns, row in seen:
        assert columns == AT_120, f"{catalog} catalog, open {order}"
        assert row == LONG_ROW_AT_120, f"{catalog} catalog, open {order}"


async def test_a_name_too_long_for_a_narrow_terminal_is_cut_the_same_way_every_time(
    services: Any, home: Path
) -> None:
    """At 66 columns the name gives way (24 cells) so the stock stays in view."""
    for order in range(3):
        columns, row = await open_shop(services, home, order, size=(66, 24))
        assert columns == {"Name": 1, "Category": 27, "Price": 40, "Stock": 51}, f"open {order}"
        assert row == " Tempered Glass Screen P…  Accessories      $9.99  In stock", f"open {order}"
