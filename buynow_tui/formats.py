"""Rows and records as a table, JSON or CSV: what the admin CLI and the shoppers' SSH
commands print, so both print the same shapes.

A command declares what it shows, never how: a `Listing` (columns and rows, for lists)
or a `Record` (fields and values, for one thing, with nested listings such as an
order's lines). Each `Column` names its key (snake_case, the JSON key), its header
and its kind; `render` does the rest.

JSON (stable, documented in the README's Scripting section): one document per call, a
list for a listing, an object for a record; snake_case keys; money as integer cents
plus a formatted string (`"price_cents": 1250, "price": "$12.50"`); times as ISO 8601
UTC (`"2026-11-25T12:00:00Z"`); `null` for an absent value; full values, never cut.
Every control character (C0, DEL, C1, line separators, bidirectional marks) is written
as a `\\uXXXX` escape, so a document printed on a terminal carries no escape bytes.

CSV: the same keys and values as JSON, a header row first (a record with nested rows
gives one row per nested row, the record's own fields repeated on each). Tables: the
headers in capitals, money as `$12.50`, times in local time; a value is cut (ending
in "…") only when a terminal's `width` is given and the row would not fit; widths are
counted in terminal cells, so an emoji or a CJK name never shifts a column. In tables
and CSV, control characters are shown escaped (`\\x1b`), as the logs show them.

No Textual, no Typer, no database: plain functions of data (Rich only for cell widths;
money is formatted by `store.views`, the one place that does).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum, StrEnum

from rich.cells import cell_len, set_cell_size

from buynow_tui.logs import escape_control
from buynow_tui.store.views import dollars


class Format(StrEnum):
    """How a command prints: `--format table|json|csv` (`--json` for json)."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class Kind(Enum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"  # integer cents: `<key>_cents` and `<key>` ("$12.50") in JSON and CSV
    TIME = "time"  # a datetime (naive ones are UTC): ISO 8601 UTC in JSON and CSV
    FLAG = "flag"  # a bool: true/false in JSON, yes/no in a table
    LIST = "list"  # a sequence of strings: an array in JSON, comma-separated elsewhere


@dataclass(frozen=True)
class Column:
    key: str
    header: str = ""  # the table's header (the key in capitals if empty)
    kind: Kind = Kind.TEXT
    in_table: bool = True  # False: JSON and CSV only (an id a table has no room for)

    @property
    def title(self) -> str:
        return self.header or self.key.replace("_", " ").upper()

    @property
    def right(self) -> bool:
        return self.kind in (Kind.NUMBER, Kind.MONEY)


def text(key: str, header: str = "", *, in_table: bool = True) -> Column:
    return Column(key, header, Kind.TEXT, in_table)


def number(key: str, header: str = "", *, in_table: bool = True) -> Column:
    return Column(key, header, Kind.NUMBER, in_table)


def money(key: str, header: str = "", *, in_table: bool = True) -> Column:
    return Column(key, header, Kind.MONEY, in_table)


def time(key: str, header: str = "", *, in_table: bool = True) -> Column:
    return Column(key, header, Kind.TIME, in_table)


def flag(key: str, header: str = "", *, in_table: bool = True) -> Column:
    return Column(key, header, Kind.FLAG, in_table)


def strings(key: str, header: str = "", *, in_table: bool = True) -> Column:
    return Column(key, header, Kind.LIST, in_table)


Row = Mapping[str, object]


@dataclass(frozen=True)
class Listing:
    """A list: a JSON array of objects, a CSV with a header, a table."""

    columns: Sequence[Column]
    rows: Sequence[Row]
    #: What a reader should know that is not data ("Showing 200 of 1,234 products"):
    #: the CLI prints it on stderr, so stdout stays one document.
    note: str | None = None


@dataclass(frozen=True)
class Record:
    """One thing: a JSON object, a one-row CSV, `label  value` lines in a table."""

    fields: Sequence[Column]
    values: Row
    #: Nested lists, by key (an order's "lines"): arrays inside the JSON object.
    parts: Sequence[tuple[str, Listing]] = ()
    #: The table as lines, when a command has its own human wording (`uptime`);
    #: JSON and CSV still come from the fields.
    lines: Callable[[], list[str]] | None = None
    note: str | None = None


Document = Listing | Record


# -- values -----------------------------------------------------------------------------------


def utc_iso(when: datetime) -> str:
    """A time as ISO 8601 UTC, to the second: '2026-11-25T12:00:00Z'."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_minutes(when: datetime) -> str:
    """A time as this machine's local time, for people: '2026-11-25 13:00'."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def json_fields(column: Column, value: object) -> list[tuple[str, object]]:
    """The (key, value) pairs one column gives a JSON object or a CSV row."""
    if value is None:
        if column.kind is Kind.MONEY:
            return [(f"{column.key}_cents", None), (column.key, None)]
        return [(column.key, None)]
    if column.kind is Kind.MONEY:
        cents = int(value)  # type: ignore[call-overload]
        return [(f"{column.key}_cents", cents), (column.key, dollars(cents))]
    if column.kind is Kind.TIME:
        assert isinstance(value, datetime)
        return [(column.key, utc_iso(value))]
    if column.kind is Kind.NUMBER:
        return [(column.key, value if isinstance(value, int | float) else int(str(value)))]
    if column.kind is Kind.FLAG:
        return [(column.key, bool(value))]
    if column.kind is Kind.LIST:
        assert isinstance(value, list | tuple)
        return [(column.key, [str(item) for item in value])]
    return [(column.key, str(value))]


def cell(column: Column, value: object) -> str:
    """The value as a table shows it, control characters escaped."""
    if value is None:
        return ""
    if column.kind is Kind.MONEY:
        return dollars(int(value))  # type: ignore[call-overload]
    if column.kind is Kind.TIME:
        assert isinstance(value, datetime)
        return local_minutes(value)
    if column.kind is Kind.FLAG:
        return "yes" if value else "no"
    if column.kind is Kind.LIST:
        assert isinstance(value, list | tuple)
        return escape_control(", ".join(str(item) for item in value))
    return escape_control(str(value))


def as_object(columns: Sequence[Column], row: Row) -> dict[str, object]:
    obj: dict[str, object] = {}
    for column in columns:
        obj.update(json_fields(column, row.get(column.key)))
    return obj


def to_data(document: Document) -> object:
    """The JSON value of a document (before it is written out)."""
    if isinstance(document, Listing):
        return [as_object(document.columns, row) for row in document.rows]
    obj = as_object(document.fields, document.values)
    for key, part in document.parts:
        obj[key] = to_data(part)
    return obj


# -- JSON ---------------------------------------------------------------------------------------

#: What `json.dumps(ensure_ascii=False)` leaves raw but a terminal would act on.
_UNSAFE = re.compile(r"[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def render_json(document: Document) -> str:
    dumped = json.dumps(to_data(document), ensure_ascii=False, indent=2)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped) + "\n"


# -- CSV ----------------------------------------------------------------------------------------


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return escape_control(", ".join(str(item) for item in value))
    return escape_control(str(value))


def render_csv(document: Document) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if isinstance(document, Listing):
        records = [as_object(document.columns, row) for row in document.rows]
        header = [k for c in document.columns for k, _ in json_fields(c, None)]
    else:
        base = as_object(document.fields, document.values)
        header = list(base)
        records = [base]
        if document.parts:  # one row per nested row, the record's fields on each
            key, part = document.parts[0]
            nested = [k for c in part.columns for k, _ in json_fields(c, None)]
            header += [f"{key}_{k}" for k in nested]
            rows = [as_object(part.columns, row) for row in part.rows]
            records = [base | {f"{key}_{k}": v for k, v in row.items()} for row in rows] or [base]
    writer.writerow(header)
    for record in records:
        writer.writerow([_csv_value(record.get(k)) for k in header])
    return out.getvalue()


# -- tables -------------------------------------------------------------------------------------

GAP = "  "
MIN_CUT = 6  # a column cut to fit is never narrower than this (or its header)


def fit(value: str, width: int) -> str:
    """`value` in at most `width` cells, ending in "…" if it was cut."""
    if cell_len(value) <= width:
        return value
    return set_cell_size(value, max(0, width - 1)).rstrip() + "…"


def pad(value: str, width: int, *, right: bool) -> str:
    room = " " * max(0, width - cell_len(value))
    return room + value if right else value + room


def widths_to_fit(natural: list[int], floors: list[int], width: int | None) -> list[int]:
    """Column widths: their natural ones, or, when `width` cells (a terminal) is too
    narrow, the widest columns narrowed first, never below their floors."""
    widths = list(natural)
    if width is None:
        return widths
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - width
    while excess > 0:
        room = [w - f for w, f in zip(widths, floors, strict=True)]
        widest = max(range(len(widths)), key=lambda i: (room[i] > 0, widths[i]))
        if room[widest] <= 0:
            break  # as narrow as it goes: the terminal wraps what is left
        widths[widest] -= 1
        excess -= 1
    return widths


def render_listing(listing: Listing, width: int | None) -> str:
    columns = [c for c in listing.columns if c.in_table]
    cells = [[cell(c, row.get(c.key)) for c in columns] for row in listing.rows]
    heads = [c.title for c in columns]
    natural = [max([cell_len(h), *(cell_len(r[i]) for r in cells)]) for i, h in enumerate(heads)]
    floors = [
        n if c.kind is not Kind.TEXT else min(n, max(MIN_CUT, cell_len(h)))
        for c, n, h in zip(columns, natural, heads, strict=True)
    ]
    widths = widths_to_fit(natural, floors, width)
    lines = []
    for values in [heads, *cells]:
        parts = [
            pad(fit(v, w), w, right=c.right)
            for c, v, w in zip(columns, values, widths, strict=True)
        ]
        lines.append(GAP.join(parts).rstrip())
    return "\n".join(lines) + "\n"


def render_record(record: Record, width: int | None) -> str:
    if record.lines is not None:
        return "".join(line + "\n" for line in record.lines())
    fields = [c for c in record.fields if c.in_table]
    label = max((cell_len(c.title.lower()) for c in fields), default=0)
    lines = []
    for column in fields:
        value = cell(column, record.values.get(column.key))
        room = None if width is None else max(MIN_CUT, width - label - len(GAP))
        shown = value if room is None else fit(value, room)
        lines.append(f"{pad(column.title.lower(), label, right=False)}{GAP}{shown}".rstrip())
    out = "\n".join(lines) + "\n"
    for _, part in record.parts:
        out += "\n" + render_listing(part, width)
    return out


def render(document: Document, form: Format, *, width: int | None = None) -> str:
    """The whole output of a command; `width`: a terminal's columns (None: not a
    terminal, so nothing is cut)."""
    if form is Format.JSON:
        return render_json(document)
    if form is Format.CSV:
        return render_csv(document)
    if isinstance(document, Listing):
        return render_listing(document, width)
    return render_record(document, width)


__all__ = [
    "Column",
    "Document",
    "Format",
    "Kind",
    "Listing",
    "Record",
    "flag",
    "money",
    "number",
    "render",
    "strings",
    "text",
    "time",
]
