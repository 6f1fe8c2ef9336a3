"""Search a shopper trusts: one table of queries and their first results, on both backends.

The same table runs on SQLite and on PostgreSQL (`backends`): the demo catalog (48
products) and the demo catalog plus 100,000 generated ones, each made once per backend
with the store's batched `generate`. Then paging (the true count, pages that never
repeat a product), typos, the category a search names, and that every write keeps the
search document in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.catalog import ProductInput
from buynow_tui.store.search_query import parse
from buynow_tui.store.search_text import document, stem, words
from buynow_tui.store.views import SearchResults

pytestmark = pytest.mark.backends

LAPTOPS = {
    "14-inch Ultrabook",
    "15-inch Business Laptop",
    "16-inch Gaming Laptop",
    "13-inch Student Chromebook",
    "2-in-1 Convertible Laptop",
    "17-inch Creator Workstation",
}
HEADPHONES = [
    "Bluetooth Headphone",
    "Noise Cancelling Earbuds",
    "Gaming Headset with Mic",
    "Sports Ear-Hook Buds",
    "Open-Ear Bone Conduction Buds",
    "Kids Volume-Limited Headset",
]

#: query -> (first results in order, the category it names) on the 48-product demo.
DEMO_TABLE: dict[str, tuple[list[str], str | None]] = {
    "headphones": (HEADPHONES, "Headphones"),
    "hedphones": (HEADPHONES, "Headphones"),  # one typo in a word of 5+ letters
    "laptops": (
        ["15-inch Business Laptop", "16-inch Gaming Laptop", "2-in-1 Convertible Laptop"],
        "Laptops",
    ),
    "watches": (["Smart Watch", "Fitness Tracker Band", "GPS Running Tracker"], "Watches"),
    "cameras": (["Digital Camera", "4K Action Cam", "Full-Frame Mirrorless Body"], "Cameras"),
    "audio": (["Portable Speakers", "Wireless Soundbar 2.1"], "Audio"),
    "mobiles": (["Big-Button Senior Mobile", "New Smart Phone", "Budget 5G Handset"], "Mobiles"),
    "chargers": (["65W USB-C Charger"], None),
    "sony": (["Bluetooth Headphone", "Full-Frame Mirrorless Body"], None),  # descriptions
    "ipad": (["14-inch Laptop Sleeve", "Tempered Glass Screen Protector"], None),
    "usbc": (["65W USB-C Charger", "Braided USB-C Cable 2m"], None),  # "USB-C" joined
    "smart watch": (["Smart Watch"], "Watches"),
    "smart watches": (["Smart Watch"], "Watches"),
    "lap": (["15-inch Business Laptop", "16-inch Gaming Laptop"], None),  # a prefix
    "phone": (["New Smart Phone", "Bluetooth Headphone"], None),
    "150": (["Smart Watch", "4K Action Cam"], None),  # the price first, then "150 g"
}

#: query -> (first five results, true total, category named) with 100,000 more products.
BIG_TABLE: dict[str, tuple[list[str], int, str | None]] = {
    "headphones": (
        [
            "Bluetooth Headphone",
            "Nova Headphone 89",
            "Nova Headphone 97",
            "Nova Headphone 113",
            "Travel Headphone 185",
        ],
        12506,
        "Headphones",
    ),
    "laptops": (
        [
            "15-inch Business Laptop",
            "16-inch Gaming Laptop",
            "2-in-1 Convertible Laptop",
            "14-inch Laptop Sleeve",
            "Eco Laptop 53",
        ],
        12508,
        "Laptops",
    ),
    "watches": (
        ["Smart Watch", "Slim Watch 51", "Max Watch 67", "Max Watch 99", "Nova Watch 107"],
        12506,
        "Watches",
    ),
    "cameras": (
        [
            "Digital Camera",
            "Pro Camera 60",
            "Wireless Camera 92",
            "Travel Camera 108",
            "Travel Camera 124",
        ],
        12509,
        "Cameras",
    ),
    "audio": (
        [
            "Portable Speakers",
            "Wireless Soundbar 2.1",
            "Hi-Fi Bookshelf Monitors",
            "Belt-Drive Turntable",
            "Desktop USB DAC Amplifier",
        ],
        12508,
        "Audio",
    ),
    "sony": (["Bluetooth Headphone", "Full-Frame Mirrorless Body"], 2, None),
    "smart watch": (
        [
            "Smart Watch",
            "Smart Watch 987",
            "Smart Watch 1643",
            "Smart Watch 2123",
            "Smart Watch 2795",
        ],
        4640,
        "Watches",
    ),
    "hedphones": (
        [
            "Bluetooth Headphone",
            "Nova Headphone 89",
            "Nova Headphone 97",
            "Nova Headphone 113",
            "Travel Headphone 185",
        ],
        12506,
        "Headphones",
    ),
}


def names(found: SearchResults) -> list[str]:
    return [p.name for p in found.items]


def test_the_demo_catalog_search_table(services: Any) -> None:
    for query, (first, category) in DEMO_TABLE.items():
        found = services.catalog.search(query)
        assert names(found)[: len(first)] == first, query
        assert found.category == category, query
        assert found.total == len(found.items), query


def test_laptop_finds_all_six_laptops_on_the_first_screen(services: Any) -> None:
    found = names(services.catalog.search("laptop", limit=8))
    assert set(found) >= LAPTOPS
    # Names with the word come before the ones found by their category only.
    assert found.index("14-inch Laptop Sleeve") < found.index("14-inch Ultrabook")


def test_the_search_table_on_100000_products(services: Any) -> None:
    from buynow_tui.store.seed import generate

    assert generate(100_000) == 100_000
    for query, (first, total, category) in BIG_TABLE.items():
        found = services.catalog.search(query, limit=50)
        assert names(found)[:5] == first, query
        assert found.total == total, query
        assert found.category == category, query

    # Paging: page 2 follows page 1, the last page ends at the true total.
    page1 = services.catalog.search("smart watch", limit=50)
    page2 = services.catalog.search("smart watch", offset=50, limit=50)
    assert page2.total == page1.total == 4640
    assert not {p.id for p in page1} & {p.id for p in page2}
    assert page2.items[0].id > page1.items[-1].id  # one tier, in id order
    last = services.catalog.search("smart watch", offset=4600, limit=50)
    assert len(last.items) == 40 and last.offset == 4600
    assert services.catalog.search("smart watch", offset=4640).items == ()
    # Within a category, and a search that is its category's name.
    audio = services.catalog.search("s", category="Audio", limit=20)
    assert audio.total > 1000 and all(p.category == "Audio" for p in audio)


def test_paging_covers_every_match_once_in_rank_order(services: Any) -> None:
    whole = services.catalog.search("a", limit=500)
    assert whole.total == len(whole.items) > 10
    pages: list[int] = []
    for offset in range(0, whole.total, 4):
        page = services.catalog.search("a", offset=offset, limit=4)
        assert page.total == whole.total and page.offset == offset
        pages += [p.id for p in page.items]
    assert pages == [p.id for p in whole.items]


def test_ranking_exact_name_then_prefix_then_words_then_the_rest(services: Any) -> None:
    add = services.catalog.add
    for sku, name, description in (
        ("R-1", "Watch Smart Edition", ""),  # both words, not in that order
        ("R-2", "Smart Watch Strap", ""),  # starts with the words
        ("R-3", "Plain Band", "Pairs with any smart watch."),  # description only
    ):
        add(
            ProductInput.build(
                sku=sku,
                name=name,
                category="Accessories",
                price="9.99",
                stock=3,
                description=description,
            )
        )
    found = names(services.catalog.search("smart watch"))
    assert found == ["Smart Watch", "Smart Watch Strap", "Watch Smart Edition", "Plain Band"]


def test_every_write_keeps_the_search_document_in_step(services: Any) -> None:
    catalog = services.catalog
    catalog.add(
        ProductInput.build(
            sku="Z-1", name="Zephyr Gizmo", category="Audio", price="1", stock=1, description=""
        )
    )
    assert names(catalog.search("gizmos")) == ["Zephyr Gizmo"]
    catalog.update("Z-1", description="Made by Quokkatronics.")
    assert names(catalog.search("quokkatronics")) == ["Zephyr Gizmo"]
    assert names(catalog.search("quokatronics")) == ["Zephyr Gizmo"]  # typo, from the vocabulary
    catalog.update("Z-1", category="Cameras")
    assert names(catalog.search("gizmo", category="Cameras")) == ["Zephyr Gizmo"]
    assert names(catalog.search("gizmo", category="Audio")) == []
    catalog.remove("Z-1")
    assert catalog.search("gizmo").total == 0


def test_seed_update_reindexes_changed_products(services: Any, tmp_path: Path) -> None:
    from buynow_tui.store.seed import seed

    file = tmp_path / "c.csv"
    file.write_text(
        "sku,name,category,price,stock,description\n"
        "BN-WAT-001,Smart Watch,Watches,150.00,5,Now with a Garmin-grade GPS.\n",
        "utf-8",
    )
    seed(services.catalog, file, update=True)
    assert names(services.catalog.search("garmin")) == ["Smart Watch"]


def test_a_typo_is_corrected_only_in_long_words_with_no_prefix_match(services: Any) -> None:
    assert names(services.catalog.search("camra"))[0] == "Digital Camera"
    assert services.catalog.search("cmra").total == 0  # four letters: no guessing
    # "bluetooth" is a word; its prefix "blue" is not corrected to anything else.
    assert names(services.catalog.search("blue"))[0] == "Bluetooth Headphone"


def test_a_category_filter_is_offered_and_then_not_again(services: Any) -> None:
    found = services.catalog.search("cameras")
    assert (found.category, found.whole) == ("Cameras", True)
    assert services.catalog.search("cameras", category="Cameras").category is None
    sony = services.catalog.search("sony cameras")
    assert (sony.category, sony.whole) == ("Cameras", False)
    assert names(services.catalog.search("sony", category="cameras")) == [
        "Full-Frame Mirrorless Body"
    ]


HOSTILE = ["%", "_", "'", '"', "*", "(", "[/", "🎧", "NEAR(a b)", "-phone", "\x1b[31m", "a" * 300]


def test_hostile_text_finds_nothing_strange(services: Any) -> None:
    for query in HOSTILE:
        found = services.catalog.search(query, offset=3, limit=5)
        assert found.total < 48 and len(found.items) <= 5, query


def test_one_normaliser_for_documents_and_queries() -> None:
    assert [stem(w) for w in ("watches", "headphones", "batteries", "glasses", "wireless")] == [
        "watch",
        "headphone",
        "battery",
        "glass",
        "wireless",
    ]
    assert words("USB-C Héadphones, with a 2-in-1 case") == [
        "usb",
        "c",
        "usbc",
        "headphones",
        "2",
        "1",
        "2in1",
        "case",
    ]
    doc = document("Smart Watch", "Watches", "A smartwatch.", [("Battery", "7 days")])
    assert (doc.name, doc.category) == ("smart watch", "watch")
    assert "watch" in doc.body.split()  # from "smartwatch"
    query = parse("Smart  WATCHES")
    assert query.key == doc.name


def test_reindex_rebuilds_documents_a_hand_edit_left_behind(services: Any) -> None:
    from buynow_tui.store.db import write
    from buynow_tui.store.models import database

    mark = "?" if _sqlite() else "%s"
    with write():
        database.execute_sql(
            f"UPDATE product SET name = {mark} WHERE sku = {mark}", ["Quux Camera", "BN-CAM-001"]
        )
    assert services.catalog.search("quux").total == 0  # the store did not write it
    assert services.catalog.reindex() == 48
    assert names(services.catalog.search("quux")) == ["Quux Camera"]
    assert names(services.catalog.search("digital camera")) != ["Digital Camera"]


def _sqlite() -> bool:
    from buynow_tui.store.db import is_sqlite

    return is_sqlite()
