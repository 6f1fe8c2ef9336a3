"""Store-level helpers: the fixed clock, the test PostgreSQL server, a shopper, a product."""

from __future__ import annotations

import os
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
