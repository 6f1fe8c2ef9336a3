"""The catalog: keyset paging both ways, search that any text is safe in, get one."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from buynow_tui.store.catalog import ProductInput
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.services import Services
from buynow_tui.store.views import ProductPage, ProductView, SearchResults
from tests.support.repo import CATALOG_SIZE
from tests.support.store import product_named

pytestmark = pytest.mark.backends

SORTS = ["name", "price", "price_desc"]


def sort_key(sort: str) -> Callable[[ProductView], tuple[Any, ...]]:
    if sort == "name":
        return lambda p: (p.name, p.id)
    if sort == "price":
        return lambda p: (p.price_cents, p.id)
    return lambda p: (-p.price_cents, -p.id)


def walk_forward(
    services: Services, sort: str, category: str | None, limit: int
) -> list[ProductPage]:
    pages = [services.catalog.page(sort=sort, category=category, limit=limit)]
    while pages[-1].next_cursor is not None:
        pages.append(
            services.catalog.page(
                sort=sort, category=category, after=pages[-1].next_cursor, limit=limit
            )
        )
        assert len(pages) < 100, "paging does not end"
    return pages


@pytest.fixture
def ties(services: Services) -> Services:
    """Products that share a name and a price, so paging must break ties by id."""
    for n in range(5):
        services.catalog.add(
            ProductInput.build(
                sku=f"TIE-{n}", name="Same Name", category="Audio", price="10.00", stock=3
            )
        )
    return services


@pytest.mark.parametrize("category", [None, "Audio", "Watches"])
@pytest.mark.parametrize("sort", SORTS)
def test_paging_forward_then_backward_covers_every_product_once_in_order(
    ties: Services, sort: str, category: str | None
) -> None:
    services = ties
    pages = walk_forward(services, sort, category, limit=7)
    forward = [p for page in pages for p in page.items]

    expected_count = services.catalog.count(category)
    assert len(forward) == expected_count == pages[0].total
    assert len({p.id for p in forward}) == len(forward), "a product was shown twice"
    assert forward == sorted(forward, key=sort_key(sort))
    if category:
        assert {p.category for p in forward} == {category}
    assert pages[0].prev_cursor is None
    assert all(len(page.items) == 7 for page in pages[:-1])

    # Back from the last page to the first, with `before`.
    backward_pages = [pages[-1]]
    while backward_pages[-1].prev_cursor is not None:
        backward_pages.append(
            services.catalog.page(
                sort=sort, category=category, before=backward_pages[-1].prev_cursor, limit=7
            )
        )
        assert len(backward_pages) < 100, "paging back does not end"
    backward = [p for page in reversed(backward_pages) for p in page.items]
    assert backward == forward


def test_every_shipped_product_is_reachable_by_paging(services: Services) -> None:
    pages = walk_forward(services, "name", None, limit=500)
    names = [p.name for page in pages for p in page.items]
    assert len(names) == CATALOG_SIZE
    for name in (
        "Bluetooth Headphone",
        "Portable Speakers",
        "Digital Camera",
        "Smart Watch",
        "New Smart Phone",
    ):
        assert name in names


def test_a_page_shows_prices_and_stock_in_words(services: Services) -> None:
    watch = product_named(services, "Smart Watch")
    assert watch.price == "150.00"
    assert watch.stock_words == "In stock"
    sold_out = services.catalog.get_by_sku("BN-MOB-003")
    assert sold_out.stock == 0 and sold_out.stock_words == "Out of stock"
    assert services.catalog.get_by_sku("BN-CAM-003").stock_words == "Only 2 left"


def test_unknown_sort_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError, match="sort"):
        services.catalog.page(sort="popularity")


def test_categories_with_counts(services: Services) -> None:
    categories = {c.name: c.count for c in services.catalog.categories()}
    assert categories["Headphones"] == 6
    assert sum(categories.values()) == CATALOG_SIZE
    assert {
        "Audio",
        "Headphones",
        "Mobiles",
        "Watches",
        "Cameras",
        "Laptops",
        "Tablets",
        "Accessories",
    } <= set(categories)


# -- search ----------------------------------------------------------------------------


def names(results: Iterable[ProductView]) -> list[str]:
    return [p.name for p in results]


def test_search_phone_finds_phones_first_then_compounds(services: Services) -> None:
    found = names(services.catalog.search("phone"))
    assert found[0] == "New Smart Phone"
    assert "Bluetooth Headphone" in found  # "Headphone" ends in "phone"
    assert "Digital Camera" not in found


def test_search_matches_word_prefixes_case_insensitively(services: Services) -> None:
    assert "Smart Watch" in names(services.catalog.search("SMA wat"))
    assert "Bluetooth Headphone" in names(services.catalog.search("bl"))
    assert names(services.catalog.search("Smart Watch")) == ["Smart Watch"]


@pytest.mark.parametrize("query", ["s", "S", "sm", "p", "bl"])
def test_a_one_or_two_letter_search_lists_names_starting_with_it_first(
    services: Services, query: str
) -> None:
    """What a shopper typing "s" most likely wants: names that start with it, then the
    names with another word starting with it, then the rest; each group by id (the
    order products came in), never alphabetically."""
    found = list(services.catalog.search(query, limit=500))
    key = query.lower()
    starting = [p for p in found if p.name.lower().startswith(key)]
    assert starting and found[: len(starting)] == starting, "names that start with it first"
    assert [p.id for p in starting] == sorted(p.id for p in starting)
    in_name = {
        p.name
        for p in services.catalog.page(limit=500).items
        if any(w.lower().startswith(key) for w in p.name.replace("-", " ").split())
    }
    assert in_name <= {p.name for p in found}
    assert services.catalog.search(query, limit=2).items == services.catalog.search(query)[:2]


@pytest.mark.parametrize("query", ["150", "$150", "150.00", " $150.00 "])
def test_search_by_price(services: Services, query: str) -> None:
    found = services.catalog.search(query)
    assert found and found[0].name == "Smart Watch"
    assert all(p.price_cents == 15000 for p in found if p.name == "Smart Watch")


def test_search_by_price_200_finds_both_200_dollar_products(services: Services) -> None:
    found = names(services.catalog.search("200"))
    assert {"Portable Speakers", "Digital Camera"} <= set(found)


def test_search_within_a_category(services: Services) -> None:
    # "phone" is in the New Smart Phone's name and in a smartphone's description.
    assert names(services.catalog.search("phone", category="Mobiles")) == ["New Smart Phone"]
    assert names(services.catalog.search("phone", category="mobiles")) == ["New Smart Phone"]


def test_search_sees_added_renamed_and_removed_products(services: Services) -> None:
    services.catalog.add(
        ProductInput.build(sku="X-1", name="Zephyr Gizmo", category="Audio", price="9.99", stock=1)
    )
    assert names(services.catalog.search("zephyr")) == ["Zephyr Gizmo"]
    services.catalog.update("X-1", name="Quasar Gizmo")
    assert names(services.catalog.search("zephyr")) == []
    assert names(services.catalog.search("quasar")) == ["Quasar Gizmo"]
    services.catalog.remove("X-1")
    assert names(services.catalog.search("gizmo")) == []


ODD_QUERIES = [
    "%",
    "_",
    "%%",
    "'",
    '"',
    "''",
    '"phone',
    "phone'",
    "*",
    "phone*",
    "(",
    ")",
    "(phone",
    "[/",
    "[/phone]",
    "📱",
    "phone 📱",
    "",
    "   ",
    "x" * 500,
    "phone " * 100,
    "AND",
    "OR NOT",
    "NEAR(phone watch)",
    "name:phone",
    "-phone",
    "^phone",
    "\\",
    "\x00\x1b[31m",
    "ph%ne",
    "sm_rt",
    "'; DROP TABLE product; --",
    "１５０",
    "ñandú",
]


@pytest.mark.parametrize("query", ODD_QUERIES, ids=range(len(ODD_QUERIES)))
def test_any_search_text_gives_a_list_never_an_error(services: Services, query: str) -> None:
    found = services.catalog.search(query)
    assert isinstance(found, SearchResults) and found.total == len(found.items)
    # Wildcards are plain text: they never match everything.
    assert len(found) < CATALOG_SIZE
    assert services.catalog.count() == CATALOG_SIZE


def test_wildcards_are_plain_text(services: Services) -> None:
    assert "Smart Watch" not in names(services.catalog.search("%"))
    assert "Smart Watch" not in names(services.catalog.search("_"))
    assert "Smart Watch" not in names(services.catalog.search("sm_rt"))


def test_get_returns_details_and_unknown_id_is_not_found(services: Services) -> None:
    watch = product_named(services, "Smart Watch")
    detail = services.catalog.get(watch.id)
    assert detail.name == "Smart Watch"
    assert detail.description
    assert detail.specs and all(isinstance(k, str) and isinstance(v, str) for k, v in detail.specs)
    with pytest.raises(NotFound):
        services.catalog.get(999_999)
    with pytest.raises(NotFound):
        services.catalog.get_by_sku("NO-SUCH-SKU")


# -- admin changes ----------------------------------------------------------------------


def test_add_update_remove_a_product(services: Services) -> None:
    added = services.catalog.add(
        ProductInput.build(
            sku="NEW-1",
            name="  Tiny\x1b[2J   Radio ",
            category="Audio",
            price="$1,299.5",
            stock="4",
        )
    )
    assert added.name == "Tiny[2J Radio"
    assert added.price_cents == 129950
    with pytest.raises(ValidationError, match="already exists"):
        services.catalog.add(
            ProductInput.build(sku="NEW-1", name="Other", category="Audio", price="1", stock=1)
        )

    updated = services.catalog.update("NEW-1", price="10.00", stock="0")
    assert (updated.price_cents, updated.stock, updated.stock_words) == (1000, 0, "Out of stock")
    assert services.catalog.set_stock("NEW-1", 7).stock == 7

    services.catalog.remove("NEW-1")
    with pytest.raises(NotFound):
        services.catalog.get_by_sku("NEW-1")
    with pytest.raises(NotFound):
        services.catalog.remove("NEW-1")
    assert services.catalog.count() == CATALOG_SIZE


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"price": "-1"}, "negative"),
        ({"price": "abc"}, "not a number"),
        ({"price": "1.999"}, "two decimals"),
        ({"stock": "-3"}, "negative"),
        ({"stock": "2.5"}, "whole number"),
        ({"name": "   "}, "empty"),
        ({}, "Nothing to change"),
    ],
)
def test_bad_updates_are_refused_and_change_nothing(
    services: Services, changes: dict[str, Any], words: str
) -> None:
    before = services.catalog.get_by_sku("BN-WAT-001")
    with pytest.raises(ValidationError, match=words):
        services.catalog.update("BN-WAT-001", **changes)
    assert services.catalog.get_by_sku("BN-WAT-001") == before


def test_updating_an_unknown_sku_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound, match="NOPE"):
        services.catalog.set_stock("NOPE", 3)
