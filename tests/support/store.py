"""Store-level helpers: the fixed clock, the test PostgreSQL server, a shopper, a product."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from buynow_tui.store.services import Services
from buynow_tui.store.views import ProductView, UserView

#: What every pinned clock says (the store's with `frozen_clock`, the app's in `make_app`).
FIXED_NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)

PG_URL = os.environ.get("BUYNOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_schema_url(schema: str) -> str:
    """A URL whose connections live in their own schema (with pg_trgm from public)."""
    return f"{PG_URL}?options=-csearch_path%3D{schema},public"


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A schema of its own on the test server (the URL of connections that live in
    it), dropped after with everything in it. A server that does not answer fails the
    test: never a skip to get green."""
    import psycopg2
    import pytest

    schema = "t_" + uuid.uuid4().hex[:12]
    try:
        admin = psycopg2.connect(PG_URL)
    except psycopg2.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL}: {error}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cur.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield postgres_schema_url(schema)
    finally:
        from buynow_tui.store.db import close_db

        close_db()
        with admin.cursor() as cur:
            cur.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def register(
    services: Services,
    email: str = "ann@example.com",
    username: str = "ann",
    password: str = "correct horse",
    **extra: Any,
) -> UserView:
    """A shopper, registered through the store (question "pet", answer "Rex", agreed)."""
    fields: dict[str, Any] = {"question": "pet", "answer": "Rex", "agreed": True}
    fields.update(extra)
    return services.accounts.register(email=email, username=username, password=password, **fields)


def product_named(services: Services, name: str) -> ProductView:
    return next(p for p in services.catalog.search(name) if p.name == name)
