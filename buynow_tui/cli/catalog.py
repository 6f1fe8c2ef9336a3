"""The catalog's commands: `seed`, `products list|add|update|remove`, `stock set`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from buynow_tui import shapes
from buynow_tui.cli.completion import complete_category, complete_sku
from buynow_tui.cli.output import (
    DRY_RUN_OPTION,
    FORMAT_OPTION,
    JSON_OPTION,
    YES_OPTION,
    confirm,
    emit,
)
from buynow_tui.cli.shared import cli_errors, fail, opened, services
from buynow_tui.formats import Format

if TYPE_CHECKING:
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import Cursor, ProductView

products_app = typer.Typer(help="List, add, update and remove products.", no_args_is_help=True)
stock_app = typer.Typer(help="Set stock levels.", no_args_is_help=True)


@cli_errors
def seed(
    file: Path | None = typer.Argument(  # Typer declares arguments so
        None, help="A .csv or .json catalog; the shipped one if omitted."
    ),
    generate: int | None = typer.Option(
        None, "--generate", min=1, max=5_000_000, help="Add N synthetic products."
    ),
    update: bool = typer.Option(
        False,
        "--update",
        help="Also change existing products' name, category, price, description and specs "
        "(never stock).",
    ),
    reset_stock: bool = typer.Option(
        False, "--reset-stock", help="Also set existing products' stock to the catalog's figure."
    ),
) -> None:
    """Add the catalog's products that are missing (by SKU); existing ones are left alone."""
    if generate is not None and (file is not None or update or reset_stock):
        fail("--generate makes new products: give it no FILE, --update or --reset-stock", code=2)
    from buynow_tui.store import seed as seeding

    store = opened()
    svc = store.services
    if store.seeded:
        typer.echo(f"A new shop: the demo catalog ({store.seeded:,} products) is in.")
    if generate is not None:
        added = 0
        with typer.progressbar(
            length=generate, label="Generating products", file=sys.stderr
        ) as bar:

            def step(size: int) -> None:
                nonlocal added
                added += size
                bar.update(size)

            try:
                made = seeding.generate(generate, progress=step, clock=svc.clock)
            except Exception as error:
                from buynow_tui.store.problems import for_admin

                problem = for_admin(error)
                if problem is None or not added:
                    raise
                # Each batch was committed on its own: say how far it got.
                fail(f"{problem} ({added:,} of {generate:,} products were added before that)")
        typer.echo(f"Generated {made:,} products.")
        return
    report = seeding.seed(svc.catalog, file, update=update, reset_stock=reset_stock)
    reset = f" ({report.stock_reset:,} with stock reset)" if reset_stock else ""
    line = (
        f"Seeded: {report.added:,} added, {report.updated:,} updated{reset}, "
        f"{report.skipped:,} skipped"
    )
    if report.skipped and not (update or reset_stock):
        line += " (already in the shop; --update changes them)"
    elif report.skipped:
        line += " (already as the catalog has them)"
    typer.echo(line + ".")


def _search_all(
    svc: Services, text: str, category: str | None, limit: int | None
) -> tuple[list[ProductView], int]:
    """Every match of `text` (or the first `limit`), best first, read `MAX_LIMIT` at a
    time; and how many there are."""
    from buynow_tui.store.search import MAX_LIMIT

    first = svc.catalog.search(text, limit=min(MAX_LIMIT, limit or MAX_LIMIT), category=category)
    wanted = first.total if limit is None else min(limit, first.total)
    items = list(first.items)
    while len(items) < wanted:
        page = svc.catalog.search(
            text, offset=len(items), limit=min(MAX_LIMIT, wanted - len(items)), category=category
        )
        if not page.items:
            break  # products went meanwhile
        items.extend(page.items)
    return items, first.total


@products_app.command("list")
@cli_errors
def products_list(
    category: str | None = typer.Option(
        None, "--category", help="Only this category.", autocompletion=complete_category
    ),
    search: str | None = typer.Option(None, "--search", help="Only products matching this text."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        min=1,
        max=100000,
        help="At most this many rows (default: 200 products; every match of --search).",
    ),
    form: Format | None = FORMAT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List products by name, or every product matching --search, best match first.

    At most --limit rows; a line on stderr says when there are more."""
    svc = services()
    note = None
    if search:
        found, matches = _search_all(svc, search, category, limit)
        if matches > len(found):
            note = f"Showing {len(found):,} of {matches:,} matches; --limit shows more."
        emit(shapes.products(found, note=note), form, as_json)
        return
    limit = limit or 200
    items: list[ProductView] = []
    cursor: Cursor | None = None
    total = 0
    while len(items) < limit:
        page = svc.catalog.page(category=category, after=cursor, limit=min(500, limit - len(items)))
        items.extend(page.items)
        total = page.total
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    if total > len(items):
        note = f"Showing {len(items):,} of {total:,} products; --limit shows more."
    emit(shapes.products(items, note=note), form, as_json)


@products_app.command("add")
@cli_errors
def products_add(
    sku: str = typer.Option(..., "--sku"),
    name: str = typer.Option(..., "--name"),
    price: str = typer.Option(..., "--price", help="In dollars, like 12.50."),
    stock: str = typer.Option(..., "--stock"),
    category: str = typer.Option(..., "--category", help="An existing category (in any case)."),
    new_category: bool = typer.Option(
        False, "--new-category", help="Make --category if no product has it yet."
    ),
    description: str = typer.Option("", "--description"),
) -> None:
    """Add a product."""
    from buynow_tui.store.catalog import ProductInput

    item = ProductInput.build(
        sku=sku, name=name, category=category, price=price, stock=stock, description=description
    )
    with new_category_hint():
        product = services().catalog.add(item, new_category=new_category)
    typer.echo(f"Added {product.sku}: {product.name} at {product.price}.")


@contextmanager
def new_category_hint() -> Iterator[None]:
    """An unknown category's error says how to make it, on the same one line."""
    from buynow_tui.store.errors import UnknownCategory

    try:
        yield
    except UnknownCategory as error:
        fail(f"{error} To make it a new category, add --new-category.")


@products_app.command("update")
@cli_errors
def products_update(
    sku: str = typer.Argument(...),
    name: str | None = typer.Option(None, "--name"),
    price: str | None = typer.Option(None, "--price"),
    stock: str | None = typer.Option(None, "--stock"),
    category: str | None = typer.Option(
        None, "--category", help="An existing category (in any case)."
    ),
    new_category: bool = typer.Option(
        False, "--new-category", help="Make --category if no product has it yet."
    ),
    description: str | None = typer.Option(None, "--description"),
    image: Path | None = typer.Option(
        None, "--image", help="A PNG or JPEG picture (at most 2 MB), shown on its pages."
    ),
) -> None:
    """Change a product's fields (the SKU in any case)."""
    picture = None
    if image is not None:
        from buynow_tui.store.pictures import read_file

        picture = read_file(image)  # checked before anything is changed
    with new_category_hint():
        product = services().catalog.update(
            sku,
            new_category=new_category,
            picture=picture,
            name=name,
            price=price,
            stock=stock,
            category=category,
            description=description,
        )
    pictured = f" Picture: {picture.width}x{picture.height} pixels." if picture else ""
    typer.echo(
        f"Updated {product.sku}: {product.name} at {product.price}, stock {product.stock}."
        + pictured
    )


@products_app.command("remove")
@cli_errors
def products_remove(
    sku: str = typer.Argument(..., autocompletion=complete_sku),
    yes: bool = YES_OPTION,
    dry_run: bool = DRY_RUN_OPTION,
) -> None:
    """Remove a product (past orders keep their copy of it); asks first."""
    svc = services()
    product = svc.catalog.get_by_sku(sku)
    carts = svc.cart.carts_holding(product.id)
    held = f", which {carts:,} open cart{'s' if carts != 1 else ''} hold{'s' if carts == 1 else ''}"
    confirm(
        f"remove {product.sku} ({product.name}){held if carts else ''}", yes=yes, dry_run=dry_run
    )
    svc.catalog.remove(product.sku)
    typer.echo(f"Removed {product.sku}.")


@stock_app.command("set", context_settings={"ignore_unknown_options": True})
@cli_errors
def stock_set(
    sku: str = typer.Argument(..., autocompletion=complete_sku),
    quantity: str = typer.Argument(...),
    yes: bool = YES_OPTION,
    dry_run: bool = DRY_RUN_OPTION,
) -> None:
    """Set a product's stock; setting it to 0 while open carts hold it asks first."""
    from buynow_tui.store.validation import check_stock

    svc = services()
    product = svc.catalog.get_by_sku(sku)
    new_stock = check_stock(quantity)
    carts = svc.cart.carts_holding(product.id) if new_stock == 0 else 0
    held = f" ({carts:,} open cart{'s' if carts != 1 else ''} hold it)" if carts else ""
    confirm(
        f"set the stock of {product.sku} from {product.stock:,} to {new_stock:,}{held}",
        yes=yes,
        dry_run=dry_run,
        needed=carts > 0,
    )
    product = svc.catalog.set_stock(product.sku, new_stock)
    typer.echo(f"{product.sku} stock is now {product.stock}.")
