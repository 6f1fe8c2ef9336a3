"""Product pictures: checked and made small by the store, set from the CLI and from
catalog files, on both backends."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.support.cli import run_cli

REPO = Path(__file__).resolve().parent.parent


def png(width: int = 40, height: int = 30, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_location() -> bytes:
    """A phone-like JPEG whose EXIF says where it was taken."""
    image = Image.new("RGB", (600, 400), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


# -- what the store accepts -----------------------------------------------------------
def test_a_png_is_kept_as_a_png_of_its_size() -> None:
    from buynow_tui.store.pictures import prepare

    picture = prepare(png(40, 30))
    assert (picture.width, picture.height, picture.mime) == (40, 30, "image/png")
    assert Image.open(io.BytesIO(picture.data)).getpixel((5, 5)) == (200, 40, 40)


def test_a_big_jpeg_is_scaled_down_and_loses_its_metadata() -> None:
    from buynow_tui.store.pictures import MAX_SIDE, prepare

    picture = prepare(jpeg_with_location(), "photo.jpg")
    kept = Image.open(io.BytesIO(picture.data))
    assert kept.format == "PNG"
    assert (picture.width, picture.height) == (MAX_SIDE, round(MAX_SIDE * 400 / 600))
    assert kept.size == (picture.width, picture.height)
    assert not kept.getexif(), "no EXIF (nor its location) is kept"
    assert b"PhoneMaker" not in picture.data


def test_transparency_is_flattened() -> None:
    from buynow_tui.store.pictures import prepare

    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (255, 0, 0, 0)).save(out, format="PNG")
    kept = Image.open(io.BytesIO(prepare(out.getvalue()).data))
    assert kept.mode == "RGB"


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    return out.getvalue()


def truncated_png() -> bytes:
    return png(200, 200, (1, 2, 3))[:-60]


def oversized_file() -> bytes:
    return png(8, 8) + b"\0" * (2 * 1024 * 1024)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"hello, not a picture", "not a PNG or JPEG"),
        (gif(), "not a PNG or JPEG picture (GIF file)"),
        (truncated_png(), "damaged"),
        (oversized_file(), "too big"),
        (png(8193, 1), "too large"),
    ],
    ids=["empty", "text", "gif", "truncated", "over-2MB", "too-wide"],
)
def test_what_is_not_a_sane_picture_is_refused_with_words(data: bytes, words: str) -> None:
    from buynow_tui.store.errors import ValidationError
    from buynow_tui.store.pictures import prepare

    with pytest.raises(ValidationError) as refused:
        prepare(data, "x.png")
    assert words in str(refused.value)
    assert str(refused.value).startswith("x.png: ")


def test_a_picture_that_unpacks_into_too_many_pixels_is_refused() -> None:
    """A few KB of PNG that would decode into 36 megapixels (a decompression bomb)."""
    from buynow_tui.store.errors import ValidationError
    from buynow_tui.store.pictures import prepare

    out = io.BytesIO()
    Image.new("1", (6000, 6000)).save(out, format="PNG")
    assert len(out.getvalue()) < 100_000
    with pytest.raises(ValidationError, match="too large"):
        prepare(out.getvalue())


# -- kept by product, on both backends ------------------------------------------------
@pytest.mark.backends
def test_a_picture_is_set_replaced_and_goes_with_its_product(services: Any) -> None:
    from buynow_tui.store.pictures import prepare

    product = services.catalog.search("Smart Watch")[0]
    assert services.pictures.get(product.id) is None or product.id  # any start
    services.catalog.update(product.sku.lower(), picture=prepare(png(40, 30)))
    first = services.pictures.get(product.id)
    assert first is not None and (first.width, first.height) == (40, 30)
    services.catalog.update(product.sku, picture=prepare(png(20, 10, (0, 255, 0))))
    second = services.pictures.get(product.id)
    assert second is not None and (second.width, second.height) == (20, 10)
    assert product.id in services.pictures.has([product.id, 999_999])
    services.catalog.remove(product.sku)
    assert services.pictures.get(product.id) is None


@pytest.mark.backends
def test_a_picture_for_an_unknown_sku_changes_nothing(services: Any) -> None:
    from buynow_tui.store.errors import NotFound
    from buynow_tui.store.models import ProductImage
    from buynow_tui.store.pictures import prepare

    before = ProductImage.select().count()
    with pytest.raises(NotFound):
        services.catalog.update("NO-SUCH-SKU", picture=prepare(png()), name="New")
    assert ProductImage.select().count() == before


@pytest.mark.backends
def test_a_refused_field_keeps_the_old_picture(services: Any) -> None:
    """One transaction: a bad price beside a new picture stores neither."""
    from buynow_tui.store.errors import ValidationError
    from buynow_tui.store.pictures import prepare

    product = services.catalog.search("Smart Watch")[0]
    services.catalog.update(product.sku, picture=prepare(png(40, 30)))
    with pytest.raises(ValidationError):
        services.catalog.update(product.sku, price="-3", picture=prepare(png(10, 10)))
    kept = services.pictures.get(product.id)
    assert kept is not None and kept.width == 40


@pytest.mark.backends
def test_catalog_files_bring_pictures_relative_to_themselves(services: Any, tmp_path: Path) -> None:
    from buynow_tui.store.seed import seed

    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "red.png").write_bytes(png(30, 20))
    (tmp_path / "pics" / "blue.png").write_bytes(png(16, 16, (0, 0, 255)))
    catalog = {
        "category_images": {"gadgets": "pics/blue.png"},
        "products": [
            {"sku": "P-1", "name": "Red Thing", "category": "Gadgets", "price": "5", "stock": 1,
             "image": "pics/red.png"},
            {"sku": "P-2", "name": "Plain Thing", "category": "Gadgets", "price": "5", "stock": 1},
        ],
    }  # fmt: skip
    (tmp_path / "c.json").write_text(json.dumps(catalog))
    (tmp_path / "c.csv").write_text(
        "sku,name,category,price,stock,image\nC-1,Csv Thing,Gadgets,3,1,pics/red.png\n"
        "C-2,No Picture,Gadgets,3,1,\n"
    )
    assert seed(services.catalog, tmp_path / "c.json").pictures == 2
    assert seed(services.catalog, tmp_path / "c.csv").pictures == 1
    by_sku = {sku: services.catalog.get_by_sku(sku).id for sku in ("P-1", "P-2", "C-1", "C-2")}
    sizes = {
        sku: (p.width, p.height) if (p := services.pictures.get(pid)) else None
        for sku, pid in by_sku.items()
    }
    assert sizes == {"P-1": (30, 20), "P-2": (16, 16), "C-1": (30, 20), "C-2": None}
    # Re-seeding leaves pictures as they are unless --update
    (tmp_path / "pics" / "red.png").write_bytes(png(12, 12))
    assert seed(services.catalog, tmp_path / "c.json").pictures == 0
    assert seed(services.catalog, tmp_path / "c.json", update=True).pictures == 2
    red = services.pictures.get(by_sku["P-1"])
    assert red is not None and red.width == 12


@pytest.mark.backends
def test_a_catalog_with_a_bad_picture_adds_nothing(services: Any, tmp_path: Path) -> None:
    from buynow_tui.store.errors import ValidationError
    from buynow_tui.store.seed import seed

    (tmp_path / "bad.png").write_bytes(b"GIF89a not really")
    (tmp_path / "c.csv").write_text(
        "sku,name,category,price,stock,image\nOK-1,Fine,Audio,3,1,\nBAD-1,Bad,Audio,3,1,bad.png\n"
    )
    before = services.catalog.count()
    with pytest.raises(ValidationError) as refused:
        seed(services.catalog, tmp_path / "c.csv")
    assert "line 3" in str(refused.value) and "not a PNG or JPEG" in str(refused.value)
    assert services.catalog.count() == before
    (tmp_path / "c.csv").write_text(
        "sku,name,category,price,stock,image\nM-1,M,Audio,3,1,gone.png\n"
    )
    with pytest.raises(ValidationError, match="no such file"):
        seed(services.catalog, tmp_path / "c.csv")
    assert services.catalog.count() == before


def test_the_shipped_catalog_has_a_picture_for_every_product() -> None:
    """Each category's picture, from `data/pictures/` beside the catalog (packaged)."""
    from buynow_tui.store.seed import load_file

    items = load_file(REPO / "data" / "catalog.json")
    assert items and all(item.picture is not None for item in items)
    categories = {item.category for item in items}
    assert len({item.picture for item in items}) == len(categories)
    pyproject = (REPO / "pyproject.toml").read_text()
    assert '"pictures/*.png"' in pyproject
    for picture in {item.picture for item in items if item.picture}:
        assert len(picture.data) < 4096  # small, as shipped


# -- the CLI --------------------------------------------------------------------------
def test_cli_image_good_and_bad(home: Path, tmp_path: Path) -> None:
    good = tmp_path / "watch.jpg"
    good.write_bytes(jpeg_with_location())
    done = run_cli(home, "products", "update", "bn-wat-001", "--image", str(good))
    assert done.returncode == 0, done.stderr
    assert "Picture: 256x171 pixels." in done.stdout

    bad = tmp_path / "notes.png"
    bad.write_text("just some text")
    for path, words in (
        (bad, "not a PNG or JPEG picture"),
        (tmp_path / "missing.png", "no such file"),
        (tmp_path, "is a folder"),
    ):
        refused = run_cli(home, "products", "update", "BN-WAT-001", "--image", str(path))
        assert refused.returncode == 1
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
        assert "Traceback" not in refused.stderr
    unknown = run_cli(home, "products", "update", "NOPE-1", "--image", str(good))
    assert unknown.returncode == 1 and "Unknown SKU" in unknown.stderr

    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db, init_db
    from buynow_tui.store.models import Product, ProductImage

    init_db(Paths(home).database_url())
    try:
        watch = Product.get(Product.sku == "BN-WAT-001")
        kept = ProductImage.get(ProductImage.product == watch.id)
        assert (kept.width, kept.height) == (256, 171), "the bad files left the good one"
    finally:
        close_db()
