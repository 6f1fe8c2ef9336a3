"""Loading catalogs: the shipped one, a CSV or JSON file, or N synthetic products.

Every row is validated before anything is written; a bad row is reported by its line
(CSV) or position (JSON) and nothing changes. Seeding is idempotent by SKU.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from buynow_tui.store.catalog import Catalog, ProductInput
from buynow_tui.store.db import write
from buynow_tui.store.errors import StoreError, ValidationError
from buynow_tui.store.models import Product

CSV_FIELDS = ("sku", "name", "category", "price", "stock")
GENERATED_PREFIX = "GEN-"

_ADJECTIVES = ["Compact", "Pro", "Ultra", "Wireless", "Smart", "Rugged", "Slim", "Studio",
               "Travel", "Mini", "Max", "Classic", "Sport", "Eco", "Quantum", "Nova"]
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


def shipped_catalog_text() -> str:
    return resources.files("buynow_tui.data").joinpath("catalog.json").read_text("utf-8")


def _item(raw: dict, where: str) -> ProductInput:
    if not isinstance(raw, dict):
        raise ValidationError(f"{where}: expected an object with sku, name, category, price, stock")
    missing = [f for f in CSV_FIELDS if raw.get(f) in (None, "")]
    if missing:
        raise ValidationError(f"{where}: missing {', '.join(missing)}")
    specs = raw.get("specs") or {}
    if not isinstance(specs, dict):
        raise ValidationError(f"{where}: specs must be an object")
    try:
        return ProductInput.build(
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


def parse_json(text: str, source: str = "catalog") -> list[ProductInput]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(f"{source}: not valid JSON (line {error.lineno}: {error.msg})") from None
    rows = data.get("products") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValidationError(f"{source}: expected a list of products or {{\"products\": [...]}}")
    return _unique([_item(raw, f"{source}: product {i}") for i, raw in enumerate(rows, 1)], source)


def parse_csv(text: str, source: str = "catalog") -> list[ProductInput]:
    reader = csv.DictReader(io.StringIO(text))
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
            except json.JSONDecodeError:
                raise ValidationError(
                    f"{source}: line {reader.line_num}: specs is not a JSON object"
                ) from None
            items.append(_item(dict(row, specs=specs), f"{source}: line {reader.line_num}"))
    except csv.Error as error:
        raise ValidationError(f"{source}: line {reader.line_num}: {error}") from None
    return _unique(items, source)


def _unique(items: list[ProductInput], source: str) -> list[ProductInput]:
    seen: set[str] = set()
    for item in items:
        if item.sku in seen:
            raise ValidationError(f"{source}: SKU {item.sku!r} appears twice")
        seen.add(item.sku)
    return items


def load_file(path: Path) -> list[ProductInput]:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(f"{path}: cannot read it ({error.__class__.__name__})") from None
    if path.suffix.lower() == ".csv":
        return parse_csv(text, str(path))
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path))
    raise ValidationError(f"{path}: use a .csv or .json file")


def seed(catalog: Catalog, path: Path | None = None) -> tuple[int, int]:
    """Seed from a file or the shipped catalog; returns (added, updated)."""
    items = load_file(path) if path else parse_json(shipped_catalog_text(), "shipped catalog")
    return catalog.upsert_many(items)


def seed_if_empty(catalog: Catalog) -> int:
    """The first start of an empty shop seeds the shipped catalog."""
    if catalog.count() > 0:
        return 0
    added, _ = seed(catalog)
    return added


def generate(
    count: int,
    *,
    seed_value: int = 7,
    progress: Callable[[int], None] | None = None,
    batch: int = 4000,
) -> int:
    """Add `count` synthetic products with fresh SKUs; all in one transaction."""
    if count < 1 or count > 5_000_000:
        raise ValidationError("--generate takes a number from 1 to 5,000,000")
    rng = random.Random(seed_value)
    categories = list(_NOUNS)
    fields = [Product.sku, Product.name, Product.category, Product.price_cents,
              Product.stock, Product.description, Product.specs, Product.created_at]
    from buynow_tui import clock

    now = clock.now()
    with write():
        start = (
            Product.select(Product.id).order_by(Product.id.desc()).limit(1).scalar() or 0
        ) + 1
        made = 0
        while made < count:
            size = min(batch, count - made)
            rows = []
            for n in range(start + made, start + made + size):
                category = categories[n % len(categories)]
                noun = rng.choice(_NOUNS[category])
                name = f"{rng.choice(_ADJECTIVES)} {noun} {n}"
                price = rng.randrange(999, 250000)
                rows.append((f"{GENERATED_PREFIX}{n:07d}", name, category, price,
                             rng.randrange(0, 80), f"A generated {noun.lower()}.", "{}", now))
            Product.insert_many(rows, fields=fields).execute()
            made += size
            if progress:
                progress(size)
    return made
