"""Product pictures: checked, made small and kept in the database.

An admin's file (`buynow products update SKU --image FILE`, or a catalog's `image`
field) is accepted only if it is a PNG or JPEG of at most `MAX_BYTES`, whose header
says at most `MAX_PIXELS` pixels (so a small file cannot unpack into gigabytes) and
`MAX_DIMENSION` on a side, and that decodes whole. The store keeps not the file but a
PNG made from it, scaled to fit `MAX_SIDE` (more than any terminal pane shows) and
without its metadata (a phone photo's EXIF can say where it was taken): what the shop
shows is all it keeps.

Pictures live in the `product_image` table, one per product, deleted with it: every
front end on one PostgreSQL shows the same pictures, and a database backup holds them.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import cast

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.models import Product, ProductImage
from buynow_tui.store.views import Picture

log = get_logger("catalog")

MAX_BYTES = 2 * 1024 * 1024
MAX_DIMENSION = 8192
MAX_PIXELS = 25_000_000
MAX_SIDE = 256
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG"}  # MPO: a phone's JPEG with extras


def prepare(data: bytes, source: str = "picture") -> Picture:
    """The picture to keep for the file `data` (named `source` in messages), or
    `ValidationError` naming what is wrong with it."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ValidationError(f"{source}: the file is empty", field="image")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"{source}: {len(data) / 1024 / 1024:.1f} MB is too big; pictures are at most "
            f"{MAX_BYTES // 1024 // 1024} MB",
            field="image",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            kind = FORMATS.get(image.format or "")
            if kind is None:
                raise ValidationError(
                    f"{source}: not a PNG or JPEG picture ({image.format or 'unknown'} file)",
                    field="image",
                )
            width, height = image.size
            if not (1 <= width <= MAX_DIMENSION and 1 <= height <= MAX_DIMENSION) or (
                width * height > MAX_PIXELS
            ):
                raise ValidationError(
                    f"{source}: {width}x{height} pixels is too large; at most "
                    f"{MAX_DIMENSION} on a side and {MAX_PIXELS // 1_000_000} megapixels",
                    field="image",
                )
            image.load()  # decodes it all: a truncated or corrupt file fails here
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(f"{source}: not a PNG or JPEG picture", field="image") from None
    except (OSError, ValueError, SyntaxError):
        raise ValidationError(f"{source}: the picture is damaged (cannot decode it)") from None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (0, 0, 0))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = image.convert("RGB")  # a new image: the file's metadata stays behind
    flat.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    flat.save(out, format="PNG", optimize=True)
    return Picture(out.getvalue(), flat.width, flat.height)


def read_file(path: Path) -> Picture:
    """`prepare` for a file on disk; a file that cannot be read is a `ValidationError`."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(
                f"{path}: {size / 1024 / 1024:.1f} MB is too big; pictures are at most "
                f"{MAX_BYTES // 1024 // 1024} MB",
                field="image",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file", field="image") from None
    except IsADirectoryError:
        raise ValidationError(f"{path}: is a folder, not a picture", field="image") from None
    except OSError as error:
        raise ValidationError(
            f"{path}: cannot read it ({error.__class__.__name__})", field="image"
        ) from None
    return prepare(data, str(path))


def store_picture(product_id: int, picture: Picture, now: object) -> None:
    """Inside a write transaction: `picture` becomes the product's (replacing any)."""
    row = {
        "mime": picture.mime,
        "width": picture.width,
        "height": picture.height,
        "data": picture.data,
        "updated_at": now,
    }
    changed = ProductImage.update(**row).where(ProductImage.product == product_id).execute()
    if not changed:
        ProductImage.insert(product=product_id, **row).execute()


class Pictures:
    """The products' pictures: set and removed by SKU (admins), read by id (screens)."""

    def __init__(self, *, clock: Clock = system_clock) -> None:
        self.clock = clock

    def put(self, sku: str, picture: Picture) -> int:
        """Give the product whose SKU is `sku` (any case) this picture; its id."""
        from buynow_tui.store.catalog import sku_is

        with write():
            product_id = Product.select(Product.id).where(sku_is(sku)).scalar()
            if product_id is None:
                raise NotFound(f"Unknown SKU {sku!r}.")
            store_picture(product_id, picture, self.clock())
        log.info("product %s picture set (%dx%d)", sku.strip(), picture.width, picture.height)
        return int(product_id)

    def remove(self, sku: str) -> bool:
        """The product loses its picture; False if it had none."""
        from buynow_tui.store.catalog import sku_is

        with write():
            product_id = Product.select(Product.id).where(sku_is(sku)).scalar()
            if product_id is None:
                raise NotFound(f"Unknown SKU {sku!r}.")
            gone = ProductImage.delete().where(ProductImage.product == product_id).execute()
        if gone:
            log.info("product %s picture removed", sku.strip())
        return bool(gone)

    def get(self, product_id: int) -> Picture | None:
        """The product's picture, or None if it has none (or there is no such product)."""
        with connection():
            row = (
                ProductImage.select(ProductImage.data, ProductImage.width, ProductImage.height)
                .where(ProductImage.product == product_id)
                .first()
            )
        if row is None:
            return None
        return Picture(bytes(row.data), row.width, row.height)

    def has(self, product_ids: list[int]) -> set[int]:
        """Which of these products have a picture."""
        if not product_ids:
            return set()
        with connection():
            rows = ProductImage.select(ProductImage.product).where(
                ProductImage.product.in_(product_ids)
            )
            found = cast("list[tuple[int]]", list(rows.tuples()))
            return {product_id for (product_id,) in found}
