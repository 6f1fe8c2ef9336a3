"""Shell completion of values from the store: SKUs, categories and order numbers.

`buynow --install-completion` / `--show-completion` (Typer's) complete commands and
options; these callbacks (`autocompletion=` on an argument or option) add what only the
shop knows. Each runs one cheap read-only query (`store.lookups`) on the database as it
is: a database that does not exist yet completes nothing (rather than being made by a
Tab), nothing is migrated, seeded or logged, and any failure completes nothing instead
of printing into the shopper's command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import typer


def _from_store(
    ctx: typer.Context, look_up: Callable[[str], list[str]], incomplete: str
) -> list[str]:
    try:
        from buynow_tui.paths import Paths
        from buynow_tui.store.db import close_db, init_db

        # The root callback does not run while completing: read `--home` from the line.
        home = ctx.find_root().params.get("home")
        url = Paths.resolve(Path(home) if home else None).database_url()
        if url.lower().startswith("sqlite:"):
            file = Path(unquote(url[len("sqlite:///") :]))
            if not file.is_absolute() or not file.is_file():
                return []
        init_db(url)
        try:
            # Commands take SKUs and categories in any case, and shells keep only the
            # words that start with what was typed: so complete in the case typed.
            return [incomplete + found[len(incomplete) :] for found in look_up(incomplete)]
        finally:
            close_db()
    except Exception:  # completion must never break the admin's command line
        return []


def complete_sku(ctx: typer.Context, incomplete: str) -> list[str]:
    from buynow_tui.store.lookups import skus_starting

    return _from_store(ctx, skus_starting, incomplete)


def complete_category(ctx: typer.Context, incomplete: str) -> list[str]:
    from buynow_tui.store.lookups import categories_starting

    return _from_store(ctx, categories_starting, incomplete)


def complete_order_number(ctx: typer.Context, incomplete: str) -> list[str]:
    from buynow_tui.store.lookups import order_numbers_starting

    return _from_store(ctx, order_numbers_starting, incomplete)
