"""Draw the demo catalog's pictures, one per category (`data/pictures/*.png`).

Run once (`python bench/make_pictures.py`); the PNGs are committed, so the shop never
draws them itself. Simple flat drawings at 96x72 pixels: in half blocks a picture
24 cells wide shows 24x18 of them, and a terminal with graphics shows them whole.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = (96, 72)
BACKGROUND = (24, 32, 48)
OUT = Path(__file__).resolve().parent.parent / "data" / "pictures"

Draw = Callable[[ImageDraw.ImageDraw], None]


def audio(d: ImageDraw.ImageDraw) -> None:
    for x in (14, 54):
        d.rounded_rectangle((x, 10, x + 28, 62), 5, fill=(70, 70, 80))
        d.ellipse((x + 4, 30, x + 24, 50), fill=(20, 20, 24), outline=(230, 180, 60), width=2)
        d.ellipse((x + 9, 14, x + 19, 24), fill=(230, 180, 60))


def headphones(d: ImageDraw.ImageDraw) -> None:
    d.arc((18, 8, 78, 68), 180, 360, fill=(220, 220, 230), width=6)
    d.rounded_rectangle((12, 36, 30, 64), 6, fill=(220, 60, 70))
    d.rounded_rectangle((66, 36, 84, 64), 6, fill=(220, 60, 70))


def mobiles(d: ImageDraw.ImageDraw) -> None:
    d.rounded_rectangle((32, 4, 64, 68), 6, fill=(40, 40, 44), outline=(200, 200, 210), width=2)
    d.rectangle((36, 12, 60, 58), fill=(70, 150, 230))
    d.ellipse((45, 61, 51, 66), fill=(200, 200, 210))


def watches(d: ImageDraw.ImageDraw) -> None:
    d.rectangle((38, 2, 58, 70), fill=(90, 60, 40))
    d.ellipse((26, 14, 70, 58), fill=(230, 230, 235), outline=(160, 160, 170), width=3)
    d.line((48, 36, 48, 22), fill=(30, 30, 30), width=3)
    d.line((48, 36, 60, 40), fill=(30, 30, 30), width=2)


def cameras(d: ImageDraw.ImageDraw) -> None:
    d.rounded_rectangle((10, 18, 86, 62), 6, fill=(50, 50, 56))
    d.rectangle((20, 12, 38, 18), fill=(50, 50, 56))
    d.ellipse((32, 22, 70, 60), fill=(20, 20, 24), outline=(180, 180, 190), width=3)
    d.ellipse((44, 34, 58, 48), fill=(60, 110, 200))
    d.ellipse((74, 22, 80, 28), fill=(240, 90, 60))


def laptops(d: ImageDraw.ImageDraw) -> None:
    d.rounded_rectangle((18, 8, 78, 50), 3, fill=(170, 170, 180))
    d.rectangle((22, 12, 74, 46), fill=(60, 130, 210))
    d.polygon([(8, 54), (88, 54), (80, 62), (16, 62)], fill=(200, 200, 210))


def tablets(d: ImageDraw.ImageDraw) -> None:
    d.rounded_rectangle((20, 6, 76, 66), 6, fill=(30, 30, 34), outline=(200, 200, 210), width=2)
    d.rectangle((25, 11, 71, 61), fill=(90, 190, 140))


def accessories(d: ImageDraw.ImageDraw) -> None:
    d.rounded_rectangle((14, 20, 42, 52), 4, fill=(235, 235, 240))
    d.rectangle((22, 10, 26, 20), fill=(200, 200, 210))
    d.rectangle((30, 10, 34, 20), fill=(200, 200, 210))
    d.line((28, 52, 28, 62, 70, 62, 70, 40), fill=(235, 235, 240), width=3)
    d.rounded_rectangle((62, 26, 78, 40), 3, fill=(120, 120, 130))


PICTURES: dict[str, Draw] = {
    "audio": audio,
    "headphones": headphones,
    "mobiles": mobiles,
    "watches": watches,
    "cameras": cameras,
    "laptops": laptops,
    "tablets": tablets,
    "accessories": accessories,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in PICTURES.items():
        image = Image.new("RGB", SIZE, BACKGROUND)
        draw(ImageDraw.Draw(image))
        image.save(OUT / f"{name}.png", optimize=True)
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
