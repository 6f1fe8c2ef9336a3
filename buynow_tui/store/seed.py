"""Loading catalogs: the shipped one, a CSV or JSON file, or N synthetic products.

Every row is validated before anything is written; a bad row is reported by its line
(CSV) or position (JSON) and nothing changes. Seeding is idempotent by SKU (in any
case) and adds only what is missing: re-seeding never undoes an admin's prices or
stock unless asked (`Catalog.seed_items`).
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from peewee import fn

from buynow_tui.clock import Clock, system_clock
from buynow_tui.store import pictures, search_index
from buynow_tui.store import validation as v
from buynow_tui.store.catalog import Catalog, ProductInput, SeedReport, category_spellings
from buynow_tui.store.db import connection, is_sqlite, write
from buynow_tui.store.errors import StoreError, ValidationError
from buynow_tui.store.models import Product, database
from buynow_tui.store.search_text import Document, document
from buynow_tui.store.views import Picture

CSV_FIELDS = ("sku", "name", "category", "price", "stock")
BOM = "\ufeff"
GENERATED_PREFIX = "GEN-"
#: Rows per INSERT statement of seeded rows (8 values each: under SQLite's 32,766
#: parameters); generated rows carry their 4 search columns too, so half as many.
INSERT_ROWS = 4000

_ADJECTIVES = [
    "Compact",
    "Pro",
    "Ultra",
    "Wireless",
    "Smart",
    "Rugged",
    "Slim",
    "Studio",
    "Travel",
    "Mini",
    "Max",
    "Classic",
    "Sport",
    "Eco",
    "Quantum",
    "Nova",
]
_NOUNS = {
    "Audio": ["Speaker", "Soundbar", "Amplifier", "Turntable", "Radio"],
    "Headphones": ["Headphone", "Earbuds", "Headset", "Earphones"],
    "Mobiles": ["Phone", "Smartphone", "Flip Phone"],
    "Watches": ["Watch", "Fitness Band", "Smartwatch"],
    "Cameras": ["Camera", "Action Cam", "Lens", "Drone"],
    "Laptops": ["Laptop", "Notebook", "Ultrabook"],
    "Tablets": ["Tablet", "E-Reader", "Drawing Pad"],
    "Accessories": ["Charger", "Cable", "Power Bank", "Case", "Mouse", "Keyboard"],
}


def shipped_folder() -> Traversable:
    """The shipped catalog's folder (its pictures are in `pictures/` there)."""
    return resources.files("buynow_tui.data")


def shipped_catalog_text() -> str:
    return resources.files("buynow_tui.data").joinpath("catalog.json").read_text("utf-8")


class PictureFiles:
    """Reads a catalog's `image` fields: paths relative to the catalog file's folder
    (the shipped catalog's are in the package), each file read and checked once."""

    def __init__(self, base: Path | Traversable | None) -> None:
        self.base = base
        self._seen: dict[str, Picture] = {}

    def get(self, name: str, where: str) -> Picture:
        if name not in self._seen:
            if self.base is None:
                raise ValidationError(f"{where}: image needs a catalog file to be relative to")
            if isinstance(self.base, Path):
                path = Path(name) if Path(name).is_absolute() else self.base / name
                try:
                    self._seen[name] = pictures.read_file(path)
                except StoreError as error:
                    raise ValidationError(f"{where}: image {error}") from None
            else:
                try:
                    data = self.base.joinpath(name).read_bytes()
                except OSError:
                    raise ValidationError(f"{where}: image {name}: no such file") from None
                self._seen[name] = pictures.prepare(data, name)
        return self._seen[name]


def _item(raw: dict[str, Any], where: str, files: PictureFiles | None = None) -> ProductInput:
    if not isinstance(raw, dict):
        raise ValidationError(f"{where}: expected an object with sku, name, category, price, stock")
    missing = [f for f in CSV_FIELDS if raw.get(f) in (None, "")]
    if missing:
        raise ValidationError(f"{where}: missing {', '.join(missing)}")
    specs = raw.get("specs") or {}
    if not isinstance(specs, dict):
        raise ValidationError(f"{where}: specs must be an object")
    image = raw.get("image") or ""
    if not isinstance(image, str):
        raise ValidationError(f"{where}: image must be a file name")
    try:
        item = ProductInput.build(
            sku=str(raw["sku"]),
            name=str(raw["name"]),
            category=str(raw["category"]),
            price=str(raw["price"]),
            stock=raw["stock"],
            description=str(raw.get("description") or ""),
            specs=specs,
        )
    except StoreError as error:
        raise ValidationError(f"{where}: {error}") from None
    if image.strip():
        item = replace(item, picture=(files or PictureFiles(None)).get(image.strip(), where))
    return item


def parse_json(
    text: str, source: str = "catalog", base: Path | Traversable | None = None
) -> list[ProductInput]:
    """The products of a JSON catalog; `image` paths are relative to `base`. A product
    without an `image` of its own takes its category's from `category_images` (how the
    shipped catalog gives each category one picture), if the file has one."""
    files = PictureFiles(base)
    try:
        data = json.loads(text.removeprefix(BOM))
    except json.JSONDecodeError as error:
        raise ValidationError(
            f"{source}: not valid JSON (line {error.lineno}: {error.msg})"
        ) from None
    except RecursionError:
        raise ValidationError(f"{source}: not a catalog (nested too deeply)") from None
    rows = data.get("products") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValidationError(f'{source}: expected a list of products or {{"products": [...]}}')
    defaults = data.get("category_images") if isinstance(data, dict) else None
    if defaults is not None and not (
        isinstance(defaults, dict) and all(isinstance(x, str) for x in defaults.values())
    ):
        raise ValidationError(f"{source}: category_images must map categories to file names")
    by_category = {v.category_key(str(k)): val for k, val in (defaults or {}).items()}

    def with_default(raw: Any) -> Any:
        if isinstance(raw, dict) and not raw.get("image"):
            image = by_category.get(v.category_key(str(raw.get("category") or "")))
            if image:
                return dict(raw, image=image)
        return raw

    try:
        items = [
            _item(with_default(raw), f"{source}: product {i}", files)
            for i, raw in enumerate(rows, 1)
        ]
    except RecursionError:
        raise ValidationError(f"{source}: a product's specs are nested too deeply") from None
    return _unique(items, source)


def parse_csv(
    text: str, source: str = "catalog", base: Path | Traversable | None = None
) -> list[ProductInput]:
    """The products of a CSV catalog; `image` paths are relative to `base`."""
    files = PictureFiles(base)
    # Excel starts a "CSV UTF-8" file with a byte-order mark: not part of the header.
    reader = csv.DictReader(io.StringIO(text.removeprefix(BOM)))
    header = reader.fieldnames or []
    missing = [f for f in CSV_FIELDS if f not in header]
    if missing:
        raise ValidationError(f"{source}: line 1: the header lacks {', '.join(missing)}")
    items = []
    try:
        for row in reader:
            if None in row:
                raise ValidationError(f"{source}: line {reader.line_num}: too many fields")
            specs_raw = row.get("specs") or ""
            try:
                specs = json.loads(specs_raw) if specs_raw.strip() else {}
            except (json.JSONDecodeError, RecursionError):
                raise ValidationError(
                    f"{source}: line {reader.line_num}: specs is not a JSON object"
                ) from None
            try:
                items.append(
                    _item(dict(row, specs=specs), f"{source}: line {reader.line_num}", files)
                )
            except RecursionError:
                raise ValidationError(
                    f"{source}: line {reader.line_num}: specs are nested too deeply"
                ) from None
    except csv.Error as error:
        raise ValidationError(f"{source}: line {reader.line_num}: {error}") from None
    return _unique(items, source)


def _unique(items: list[ProductInput], source: str) -> list[ProductInput]:
    seen: dict[str, str] = {}
    for item in items:
        first = seen.setdefault(v.sku_key(item.sku), item.sku)
        if first is not item.sku:
            also = "" if first == item.sku else f" (also as {first!r})"
            raise ValidationError(f"{source}: SKU {item.sku!r} appears twice{also}")
    return items


def load_file(path: Path) -> list[ProductInput]:
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path}: cannot read it ({error.__class__.__name__})") from None
    base = path.resolve().parent
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path), base)
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path), base)
    raise ValidationError(f"{path}: use a .csv or .json file")


def seed(
    catalog: Catalog, path: Path | None = None, *, update: bool = False, reset_stock: bool = False
) -> SeedReport:
    """Seed from a file or the shipped catalog (see `Catalog.seed_items`)."""
    items = (
        load_file(path)
        if path
        else parse_json(shipped_catalog_text(), "shipped catalog", shipped_folder())
    )
    return catalog.seed_items(items, update=update, reset_stock=reset_stock)


def seed_demo_catalog(catalog: Catalog) -> int:
    """Seed the shipped catalog into a new database, once; how many were added.

    The "still to seed" mark (see `store.migrate`) is cleared in the same transaction
    as the products go in: a crash leaves both undone, and of several processes
    starting a new shop together exactly one seeds it.
    """
    from buynow_tui.store.migrate import claim_demo_catalog

    items = parse_json(shipped_catalog_text(), "shipped catalog", shipped_folder())
    with write():
        if not claim_demo_catalog(catalog.clock):
            return 0
        return catalog.seed_items(items).added


def _insert(fields: list[Any], rows: list[tuple[Any, ...]]) -> None:
    """One multi-row INSERT of ready values, written as SQL directly: peewee's
    rendering of 12 values a row was half of `generate`'s time."""
    mark = "?" if is_sqlite() else "%s"
    one = "(" + ", ".join([mark] * len(fields)) + ")"
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    database.execute_sql(
        f'INSERT INTO "product" ({columns}) VALUES ' + ", ".join([one] * len(rows)),
        [value for row in rows for value in row],
    )


#: The search document of each kind of generated product, without its number.
_DOCUMENTS: dict[tuple[str, str, str], Document] = {}


def _generated_document(
    adjective: str, noun: str, category: str, description: str, number: int
) -> Document:
    """What `document` makes of a generated product, its number appended to the name's
    words (a number is a word as it is): the same, without redoing it 100,000 times."""
    key = (adjective, noun, category)
    base = _DOCUMENTS.get(key)
    if base is None:
        base = _DOCUMENTS[key] = document(f"{adjective} {noun}", category, description, ())
    return replace(base, name=f"{base.name} {number}")


def generate(
    count: int,
    *,
    seed_value: int = 7,
    progress: Callable[[int], None] | None = None,
    batch: int = 10_000,
    clock: Clock = system_clock,
) -> int:
    """Add `count` synthetic products with fresh SKUs, committed `batch` at a time.

    Each batch is its own short transaction (well under a second): SQLite has one writer
    at a time, and a run of a million products in one transaction kept every shopper's
    write (a cart, a checkout, a counted failed log-in) waiting until it failed after
    5 s. `progress` is told after each batch is committed. The products are made at
    `clock`'s time.
    """
    if count < 1 or count > 5_000_000:
        raise ValidationError("--generate takes a number from 1 to 5,000,000")
    rng = random.Random(seed_value)
    fields = [
        Product.sku,
        Product.name,
        Product.category,
        Product.price_cents,
        Product.stock,
        Product.description,
        Product.specs,
        Product.created_at,
        Product.search_name,
        Product.search_category,
        Product.search_body,
        Product.search_tag,
    ]
    stamp = Product.created_at.db_value(clock())
    with connection():
        spellings = category_spellings()
    # The shop's own spelling of each generated category ("audio" if that came first).
    kinds = list(_NOUNS)
    categories = [spellings.get(v.category_key(kind), kind) for kind in kinds]
    made = 0
    while made < count:
        size = min(batch, count - made)
        with write():
            start = (Product.select(fn.MAX(Product.id)).scalar() or 0) + 1
            for first in range(start, start + size, INSERT_ROWS // 2):
                rows = []
                for n in range(first, min(first + INSERT_ROWS // 2, start + size)):
                    noun = rng.choice(_NOUNS[kinds[n % len(kinds)]])
                    adjective = rng.choice(_ADJECTIVES)
                    name = f"{adjective} {noun} {n}"
                    price = rng.randrange(999, 250000)
                    category = categories[n % len(kinds)]
                    description = f"A generated {noun.lower()}."
                    doc = _generated_document(adjective, noun, category, description, n)
                    rows.append(
                        (
                            f"{GENERATED_PREFIX}{n:07d}",
                            name,
                            category,
                            price,
                            rng.randrange(0, 80),
                            description,
                            "{}",
                            stamp,
                            doc.name,
                            doc.category,
                            doc.body,
                            doc.tag,
                        )
                    )
                _insert(fields, rows)
            search_index.remember(_DOCUMENTS.values())
        made += size
        if progress:
            progress(size)
    if not is_sqlite():
        _settle_postgres()
    return made


def _settle_postgres() -> None:
    """After a bulk load on PostgreSQL: what autovacuum would do a minute later, now.

    The rows' full-text entries wait in each GIN index's pending list (up to 4 MB, with
    `fastupdate`), which every search reads through linearly until a vacuum moves them
    into the index: ~5 ms on each of a search's statements after 100,000 products.
    `gin_clean_pending_list` moves them; `ANALYZE` gives the planner the new rows'
    statistics. Neither changes what any query returns.
    """
    with connection():
        database.execute_sql(
            "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = '\"product\"'::regclass AND a.amname = 'gin'"
        ).fetchall()
        database.execute_sql('ANALYZE "product"')
