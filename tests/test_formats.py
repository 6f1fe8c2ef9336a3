"""The output layer the CLI and the SSH commands share (`buynow_tui.formats`): JSON with
full values, cents and UTC times; CSV that parses back; tables cut only to fit a
terminal, counted in cells, with control characters escaped."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

from rich.cells import cell_len

from buynow_tui import formats as f
from buynow_tui.formats import Format, render
from tests.support.hostile import CONTROL

LONG_NAME = "N" * 199 + "!"
LONG_EMAIL = "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "com"  # 254 characters
COLUMNS = (
    f.number("id", in_table=False),
    f.text("name"),
    f.text("email"),
    f.money("price"),
    f.time("placed_at", "PLACED"),
    f.number("stock"),
)
PLACED = datetime(2026, 11, 25, 13, 30, 5, tzinfo=timezone(timedelta(hours=1)))


def listing() -> f.Listing:
    return f.Listing(
        COLUMNS,
        [
            {
                "id": 1,
                "name": LONG_NAME,
                "email": LONG_EMAIL,
                "price": 1250,
                "placed_at": PLACED,
                "stock": 3,
            },
            {"id": 2, "name": "📱 Phone 🎧", "email": None, "price": None, "placed_at": None},
        ],
    )


def test_json_is_one_list_with_full_values_cents_and_utc_times() -> None:
    assert len(LONG_EMAIL) == 254
    data = json.loads(render(listing(), Format.JSON))
    assert data[0] == {
        "id": 1,
        "name": LONG_NAME,
        "email": LONG_EMAIL,
        "price_cents": 1250,
        "price": "$12.50",
        "placed_at": "2026-11-25T12:30:05Z",
        "stock": 3,
    }
    assert data[1]["email"] is None and data[1]["price_cents"] is None
    assert data[1]["price"] is None and data[1]["stock"] is None
    assert data[1]["name"] == "📱 Phone 🎧"


def test_a_record_is_one_object_with_its_nested_rows() -> None:
    record = f.Record(
        (f.number("order"), f.money("total"), f.strings("tags")),
        {"order": 7, "total": 100_000_00, "tags": ("a", "b")},
        parts=[("lines", f.Listing((f.text("sku"), f.number("quantity")), [{"sku": "X"}]))],
    )
    assert json.loads(render(record, Format.JSON)) == {
        "order": 7,
        "total_cents": 10_000_000,
        "total": "$100,000.00",
        "tags": ["a", "b"],
        "lines": [{"sku": "X", "quantity": None}],
    }
    rows = list(csv.DictReader(io.StringIO(render(record, Format.CSV))))
    assert rows == [
        {
            "order": "7",
            "total_cents": "10000000",
            "total": "$100,000.00",
            "tags": "a, b",
            "lines_sku": "X",
            "lines_quantity": "",
        }
    ]


def test_csv_has_the_json_keys_and_parses_back_whole() -> None:
    rows = list(csv.DictReader(io.StringIO(render(listing(), Format.CSV))))
    assert list(rows[0]) == ["id", "name", "email", "price_cents", "price", "placed_at", "stock"]
    assert rows[0]["name"] == LONG_NAME and rows[0]["email"] == LONG_EMAIL
    assert rows[0]["price_cents"] == "1250" and rows[0]["placed_at"] == "2026-11-25T12:30:05Z"
    assert rows[1]["email"] == ""


def test_a_table_without_a_terminal_cuts_nothing() -> None:
    table = render(listing(), Format.TABLE, width=None)
    assert LONG_NAME in table and LONG_EMAIL in table and "…" not in table
    assert table.splitlines()[0].split() == ["NAME", "EMAIL", "PRICE", "PLACED", "STOCK"]


def test_a_table_on_a_terminal_is_cut_with_an_ellipsis_to_its_width() -> None:
    table = render(listing(), Format.TABLE, width=80)
    lines = table.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), [cell_len(x) for x in lines]
    assert "…" in lines[1] and "$12.50" in lines[1] and lines[1].rstrip().endswith("3")
    assert LONG_NAME not in table


def test_wide_characters_do_not_shift_the_columns() -> None:
    rows = [
        {"name": "📱 Phone 🎧", "category": "Mobiles", "price": 100},
        {"name": "Plain phone", "category": "Mobiles", "price": 200},
        {"name": "日本語の名前", "category": "Mobiles", "price": 300},
    ]
    columns = (f.text("name"), f.text("category"), f.money("price"))
    for width in (None, 24):
        lines = render(f.Listing(columns, rows), Format.TABLE, width=width).splitlines()
        starts = {cell_len(line[: line.index("Mobiles")]) for line in lines[1:]}
        assert len(starts) == 1, (width, lines)  # CATEGORY starts in the same cell on each
        assert len({cell_len(line) for line in lines[1:]}) == 1, lines


def test_control_characters_never_reach_the_terminal_in_any_format() -> None:
    hostile = "\x1b[31mred\x1b]0;pwned\x07\x9b2J\u202eevil\x7f"
    document = f.Listing((f.text("name"),), [{"name": hostile}])
    for form in Format:
        out = render(document, form, width=40)
        assert not CONTROL.search(out.replace("\n", "")), (form, out)
    assert json.loads(render(document, Format.JSON)) == [{"name": hostile}]  # still exact


def test_times_given_naive_are_utc_and_tables_show_local_minutes() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert f.utc_iso(naive) == "2026-01-02T03:04:05Z"
    expected = naive.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    table = render(f.Listing((f.time("at"),), [{"at": naive}]), Format.TABLE)
    assert table.splitlines() == ["AT", expected]
