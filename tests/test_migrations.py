"""Migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.repo import CATALOG_SIZE

REPO = Path(__file__).resolve().parent.parent
FTS_PREFIXES = ("product_fts", "product_tri", "product_search")
#: Every checked-in migration, oldest first.
MIGRATIONS = sorted(
    p.stem for p in (REPO / "buynow_tui" / "store" / "migrations").glob("m[0-9]*.py")
)


@pytest.fixture
def bound() -> Iterator[None]:
    """Each test binds the store to its own files; close whatever is left at the end."""
    yield
    from buynow_tui.store.db import close_db

    close_db()


def migrated_db(path: Path) -> Path:
    from buynow_tui.store.db import close_db, init_db
    from buynow_tui.store.migrate import upgrade

    init_db(f"sqlite:///{path}")
    upgrade()
    close_db()
    return path


def models_db(path: Path) -> Path:
    from buynow_tui.store.db import close_db, init_db
    from buynow_tui.store.models import MODELS, database

    init_db(f"sqlite:///{path}")
    database.create_tables(MODELS)
    close_db()
    return path


def check_clauses(sql: str) -> list[str]:
    """The text of every CHECK (...) in a CREATE TABLE, whitespace-normalised."""
    found = []
    for match in re.finditer(r"CHECK\s*\(", sql, re.IGNORECASE):
        depth, start = 1, match.end()
        pos = start
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[pos], 0)
            pos += 1
        found.append(" ".join(sql[start : pos - 1].split()).lower())
    return sorted(found)


def schema(path: Path) -> dict[str, dict[str, Any]]:
    """Per table: columns, indexes (uniqueness + columns or expression), foreign keys, CHECKs."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if not name.startswith(FTS_PREFIXES) and not name.startswith("sqlite_")
        ]
        result = {}
        for table, sql in tables:
            columns = [row[1:] for row in conn.execute(f'PRAGMA table_info("{table}")')]
            indexes = set()
            for _, index, unique, _origin, partial in conn.execute(f'PRAGMA index_list("{table}")'):
                cols = tuple(row[2] for row in conn.execute(f'PRAGMA index_info("{index}")'))
                if None in cols:  # an expression index: compare its expression
                    index_sql = conn.execute(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
                    ).fetchone()[0]
                    expression = index_sql.split("(", 1)[1].rsplit(")", 1)[0]
                    cols = (" ".join(expression.split()).replace('"', "").lower(),)
                indexes.add((bool(unique), cols, bool(partial)))
            fks = {row[2:] for row in conn.execute(f'PRAGMA foreign_key_list("{table}")')}
            result[table] = {
                "columns": columns,
                "indexes": indexes,
                "foreign_keys": fks,
                "checks": check_clauses(sql),
            }
        return result
    finally:
        conn.close()


def master(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return sorted(
            conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master"
                " WHERE name != 'sqlite_sequence'"
            )
        )
    finally:
        conn.close()


def test_a_migrated_database_has_exactly_the_models_schema(tmp_path: Path, bound: None) -> None:
    from buynow_tui.store.models import MODELS

    migrated = schema(migrated_db(tmp_path / "migrated.db"))
    declared = schema(models_db(tmp_path / "models.db"))

    assert set(migrated) == set(declared) == {m._meta.table_name for m in MODELS}
    for table in declared:
        for part in ("columns", "indexes", "foreign_keys", "checks"):
            assert migrated[table][part] == declared[table][part], f"{table} {part} differ"


def test_the_schema_keeps_the_data_right(tmp_path: Path, bound: None) -> None:
    """The rules hold even for a writer that skips the services."""
    path = migrated_db(tmp_path / "shop.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = 1")
    now = "2026-01-01 00:00:00"
    conn.execute(
        "INSERT INTO user (email, username, password_hash, question, answer_hash, created_at,"
        " is_admin) "
        "VALUES ('ann@example.com', 'ann', 'x', 'pet', 'x', ?, 0)",
        (now,),
    )
    conn.execute(
        "INSERT INTO product (sku, name, category, price_cents, stock, description, specs,"
        " created_at) "
        "VALUES ('S1', 'Thing', 'Audio', 100, 1, '', '{}', ?)",
        (now,),
    )
    conn.execute("INSERT INTO cart (user_id) VALUES (1)")
    conn.execute("INSERT INTO wishlist (user_id) VALUES (1)")
    conn.commit()
    cart_line = "INSERT INTO cart_line (cart_id, product_id, quantity, added_at)"
    refused = [
        (
            "INSERT INTO user (email, username, password_hash, question, answer_hash, created_at,"
            " is_admin) "
            "VALUES ('ANN@Example.com', 'other', 'x', 'pet', 'x', '2026-01-01', 0)"
        ),
        (
            "INSERT INTO product (sku, name, category, price_cents, stock, description, specs,"
            " created_at) "
            "VALUES ('S2', 'Neg', 'Audio', -1, 1, '', '{}', '2026-01-01')"
        ),
        (
            "INSERT INTO product (sku, name, category, price_cents, stock, description, specs,"
            " created_at) "
            "VALUES ('S1', 'Dup', 'Audio', 1, 1, '', '{}', '2026-01-01')"
        ),
        "UPDATE product SET stock = -1 WHERE sku = 'S1'",
        f"{cart_line} VALUES (1, 1, 0, '2026-01-01')",
        f"{cart_line} VALUES (1, 1, 100, '2026-01-01')",
        f"{cart_line} VALUES (1, 999, 1, '2026-01-01')",
        "INSERT INTO wishlist_line (wishlist_id, product_id, added_at)"
        " VALUES (1, 1, '2026-01-01'), (1, 1, '2026-01-01')",
    ]
    for statement in refused:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(statement)
        conn.rollback()
    conn.execute(
        "INSERT INTO cart_line (cart_id, product_id, quantity, added_at) VALUES (1, 1, 99, ?)",
        (now,),
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO cart_line (cart_id, product_id, quantity, added_at) VALUES (1, 1, 1, ?)",
            (now,),
        )
    conn.close()


def test_downgrade_then_upgrade_gives_back_the_same_schema_and_a_working_shop(
    tmp_path: Path, bound: None
) -> None:
    from buynow_tui.store.db import init_db
    from buynow_tui.store.migrate import downgrade, status, upgrade

    path = tmp_path / "shop.db"
    init_db(f"sqlite:///{path}")
    upgrade()
    before = master(path)
    every = MIGRATIONS
    assert status().current == every[-1]
    assert status().pending == ()

    # One step at a time, each down then up again, then all the way down.
    for name in reversed(every[1:]):
        assert downgrade() == [name]
        assert status().current != name
    assert upgrade() == every[1:]
    assert master(path) == before
    assert downgrade(len(every)) == list(reversed(every))
    assert status().current is None
    assert status().pending == tuple(every)
    left = {name for kind, name, _, _ in master(path) if kind == "table"}
    assert left == {"migration_history", "store_marker"}  # the runner's own tables
    assert downgrade() == []  # nothing more to undo

    assert upgrade() == every
    assert upgrade() == []
    assert master(path) == before

    # The round-tripped database is a working shop: seed, register, buy.
    from buynow_tui.store.seed import seed
    from buynow_tui.store.services import Services
    from tests.support.store import product_named, register

    services = Services()
    assert seed(services.catalog).added == CATALOG_SIZE
    again = seed(services.catalog)
    assert (again.added, again.skipped) == (0, CATALOG_SIZE)  # by SKU
    user = register(services)
    services.cart.add(user.id, product_named(services, "Smart Watch").id, 1)
    assert services.orders.checkout(user.id, ship_address="1 Main St").total_cents == 18000
    assert product_named(services, "Smart Watch").name == "Smart Watch"  # FTS triggers are back


def test_a_fresh_shop_is_migrated_and_seeded_once(home: Path, bound: None) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths

    first = open_store(Paths(home))
    assert first.seeded == CATALOG_SIZE
    again = open_store(Paths(home))
    assert again.seeded == 0
    assert again.services.catalog.count() == CATALOG_SIZE
    tables = {name for kind, name, _, _ in master(home / "buynow.db") if kind == "table"}
    assert {
        "user",
        "product",
        "cart",
        "cart_line",
        "wishlist",
        "wishlist_line",
        "orders",
        "order_line",
        "migration_history",
        "remember_token",
        "login_failure",
        "shop_secret",
    } <= tables


def test_the_database_runs_in_wal_with_foreign_keys(home: Path, bound: None) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import database

    open_store(Paths(home))
    with connection():
        assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_db_commands_show_downgrade_and_upgrade(home: Path) -> None:
    upgraded = run_cli(home, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "m0001_initial" in upgraded.stdout
    latest = upgraded.stdout.strip().rsplit(", ", 1)[-1]

    current = run_cli(home, "db", "current")
    assert current.returncode == 0
    assert f"Current: {latest}" in current.stdout
    assert "Pending" not in current.stdout

    down = run_cli(home, "db", "downgrade")
    assert down.returncode == 0 and latest in down.stdout
    after_down = run_cli(home, "db", "current")
    assert f"Pending: {latest}" in after_down.stdout

    up = run_cli(home, "db", "upgrade")
    assert up.returncode == 0 and f"Applied: {latest}" in up.stdout
    assert "Already up to date" in run_cli(home, "db", "upgrade").stdout


# -- PostgreSQL ---------------------------------------------------------------------------

PG_CATALOG = """
SELECT 'column', c.table_name, c.column_name || ' ' || c.data_type || ' ' || c.is_nullable
       || ' ' || COALESCE(c.character_maximum_length::text, '')
  FROM information_schema.columns c WHERE c.table_schema = current_schema()
UNION ALL
SELECT 'index', t.relname, regexp_replace(pg_get_indexdef(i.indexrelid), ' ON [^ ]+ ', ' ON _ ')
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = current_schema()
UNION ALL
SELECT 'constraint', t.relname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = current_schema()
"""


def pg_schema(url: str) -> set[tuple[str, str, str]]:
    from buynow_tui.store.db import close_db, connection
    from buynow_tui.store.models import database

    with connection():
        rows = {tuple(r) for r in database.execute_sql(PG_CATALOG)}
    close_db()
    # They differ in nothing but the search index only migrations add (m0001's trigram
    # index; m0005's and m0011's tsvector columns, their GIN indexes, and the name key's
    # pattern ops).
    return {
        (kind, table, text.replace(" text_pattern_ops", ""))
        for kind, table, text in rows
        if "product_name_trgm" not in text
        and "search_vector" not in text
        and "search_head" not in text
        and "search_title" not in text
    }


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_postgresql_migrations_build_exactly_the_models_schema(
    database_url: str, bound: None
) -> None:
    from buynow_tui.store.db import close_db, init_db
    from buynow_tui.store.migrate import downgrade, upgrade
    from buynow_tui.store.models import MODELS, database

    init_db(database_url)
    upgrade()
    migrated = pg_schema(database_url)

    init_db(database_url)
    downgrade(1)
    with database.connection_context():
        database.drop_tables([m for m in MODELS])
        database.create_tables(MODELS)
    close_db()
    built = pg_schema(database_url)
    assert migrated == built
    assert any(kind == "constraint" and "stock >= 0" in text for kind, _, text in built)
