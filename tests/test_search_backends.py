"""PostgreSQL answers the bench's searches as SQLite does: the same rows in the same
order, the same true totals, the same category named.

Both stores get the demo catalog and the same 4,000 generated products (the ids match:
each is seeded in the same order into an empty database). Every query of
`bench/queries.py` is searched as the Shop does (a first page), on a later page, and
within a category, so a change that makes one backend faster cannot quietly make it
answer differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.queries import queries
from tests.support.store import fresh_postgres_schema

GENERATED = 4_000
#: (limit, offset, category): the Shop's first page, a later page, within categories.
PAGES: list[tuple[int, int, str | None]] = [
    (50, 0, None),
    (100, 0, None),
    (20, 130, None),
    (50, 0, "Cameras"),
    (30, 30, "Audio"),
]

Answer = tuple[int, tuple[int, ...], str | None, bool]


def _answers(home: Path) -> dict[tuple[str, int, int, str | None], Answer]:
    """Open a store on the current database (a new one: the demo catalog is seeded),
    add the generated products and search every bench query on every page."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db
    from buynow_tui.store.seed import generate

    catalog = open_store(Paths(home)).services.catalog
    try:
        assert generate(GENERATED) == GENERATED
        out: dict[tuple[str, int, int, str | None], Answer] = {}
        for text in queries():
            for limit, offset, category in PAGES:
                found = catalog.search(text, limit=limit, offset=offset, category=category)
                ids = tuple(p.id for p in found.items)
                out[text, limit, offset, category] = (found.total, ids, found.category, found.whole)
        return out
    finally:
        close_db()


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A fresh schema of our own on the test server, dropped after."""
    with fresh_postgres_schema() as url:
        yield url


def test_postgres_answers_the_bench_queries_as_sqlite_does(
    tmp_path: Path, postgres_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lite = _answers(tmp_path / "sqlite")
    monkeypatch.setenv("BUYNOW_DATABASE_URL", postgres_schema)
    pg = _answers(tmp_path / "postgres")
    assert pg.keys() == lite.keys()
    differ = [key for key in lite if pg[key] != lite[key]]
    assert not differ, [(key, lite[key], pg[key]) for key in differ[:5]]
    # The table is not trivially equal: it holds broad, narrow and empty searches.
    totals = {answer[0] for answer in lite.values()}
    assert 0 in totals and max(totals) > 1000 and len(totals) > 50
