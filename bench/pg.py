"""PostgreSQL beside SQLite: checkout throughput and search p95 through the same store.

Everything happens in a schema of its own (`buynow_bench_<pid>`), selected for every
connection of this process and its workers through libpq's PGOPTIONS search_path,
and dropped at the end; no other schema or database is touched. Tables come from the
store's own migrations, in a schema made afresh for each part.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def pg_url() -> str:
    return os.environ.get("BUYNOW_BENCH_PG_URL") or DEFAULT_URL


def reachable(url: str) -> str | None:
    """None if we can connect; otherwise why not (one line)."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed"
    try:
        psycopg2.connect(url, connect_timeout=3).close()
    except Exception as error:
        return (
            str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
        )
    return None


def run(
    url: str, env: dict[str, str], *, products: int, users: int, search_rounds: int, workdir: Path
) -> dict:
    import psycopg2

    from bench import checkout, search
    from buynow_tui.store.catalog import Catalog
    from buynow_tui.store.db import close_db, init_db
    from buynow_tui.store.migrate import upgrade
    from buynow_tui.store.seed import generate

    schema = f"buynow_bench_{os.getpid()}"
    admin = psycopg2.connect(url, connect_timeout=5)
    admin.autocommit = True
    previous = os.environ.get("PGOPTIONS")
    options = f"-c search_path={schema},public"  # public holds pg_trgm
    os.environ["PGOPTIONS"] = options
    worker_env = dict(env, PGOPTIONS=options)

    def fresh_schema() -> None:
        """An empty schema of our own, migrated by the store (dropping it is quicker and
        surer than downgrading: a downgrade refuses to drop tables that hold rows)."""
        close_db()
        with admin.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            cur.execute(f'CREATE SCHEMA "{schema}"')
        init_db(url)
        upgrade()

    try:
        fresh_schema()
        start = time.perf_counter()
        generate(products)
        seed_s = time.perf_counter() - start
        found = search.measure_search(Catalog(), rounds=search_rounds)
        bought: dict = {}
        raw: dict = {}
        for kind, into in (("store", bought), ("raw_pg", raw)):
            fresh_schema()  # the same prepared state for each
            initial = checkout.prepare(url, users)
            close_db()
            into.update(checkout.run_workers(kind, url, users, 4, worker_env))
            into["ledger"] = checkout.ledger(url, initial)
            close_db()
        return {
            "url": url.split("@")[-1],
            "schema": schema,
            "products": products,
            "seed_rows_per_s": products / seed_s,
            "search_p95_ms": found["p95_ms"],
            "search_p50_ms": found["p50_ms"],
            "search_slowest": found["slowest"],
            "checkout_per_s": bought["per_s"],
            "raw_psycopg2_checkout_per_s": raw["per_s"],
            "pg_checkout_ratio": bought["per_s"] / raw["per_s"],
            "checkout_placed": bought["placed"],
            "checkout_refused": bought["refused"],
            "oversold": bought["ledger"]["oversold"] + raw["ledger"]["oversold"],
            "ledger": bought["ledger"],
        }
    finally:
        close_db()
        if previous is None:
            os.environ.pop("PGOPTIONS", None)
        else:
            os.environ["PGOPTIONS"] = previous
        with admin.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.close()
