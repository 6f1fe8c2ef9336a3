"""Prices with a decimal comma: `12,50` is 12.50 where nothing else could be meant,
`1,250.00` keeps its thousands separator, and what could mean two things is refused
with one line, never guessed (in the CLI and in catalog files alike)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from buynow_tui.store import validation as v
from buynow_tui.store.errors import ValidationError
from buynow_tui.store.views import format_money
from tests.support.cli import run_cli

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CENTS = st.integers(min_value=0, max_value=10**11)  # the dearest price there is


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12,50", 1250),
        ("12,5", 1250),
        ("0,99", 99),
        (",5", 50),
        ("$12,50", 1250),
        ("1,250.00", 125000),
        ("$1,299.5", 129950),
        ("1,250,000", 125000000),
        ("12.50", 1250),
    ],
)
def test_decimal_commas_and_thousands_separators_read_as_meant(text: str, cents: int) -> None:
    assert v.parse_price(text) == cents


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,250", "ambiguous: write 1250 for thousands or 1.25 for a decimal"),
        ("3,000", "ambiguous"),
        ("1.250,00", "misplaced comma"),
        ("1,2,3", "misplaced comma"),
        ("12,", "misplaced comma"),
        ("1,2500", "misplaced comma"),
        ("12,500.5,0", "misplaced comma"),
    ],
)
def test_a_comma_that_could_mean_two_things_is_refused_in_one_line(text: str, words: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(words)) as refused:
        v.parse_price(text)
    assert refused.value.field == "price" and "\n" not in str(refused.value)


@SETTINGS
@given(cents=CENTS)
def test_every_price_written_with_a_decimal_comma_reads_as_with_a_point(cents: int) -> None:
    plain = format_money(cents).replace(",", "")  # 1250.00
    assert v.parse_price(plain.replace(".", ",")) == cents  # 1250,00


@SETTINGS
@given(whole=st.integers(min_value=1, max_value=999), group=st.integers(min_value=0, max_value=999))
def test_one_comma_before_three_digits_is_always_refused(whole: int, group: int) -> None:
    with pytest.raises(ValidationError, match="ambiguous"):
        v.parse_price(f"{whole},{group:03d}")


@SETTINGS
@given(text=st.from_regex(r"\A\$?[0-9,.]{1,14}\Z", fullmatch=True))
@example("1,250")
@example("12,50")
@example("1,2,3")
def test_an_accepted_price_with_a_comma_means_the_one_thing_it_can(text: str) -> None:
    """Never a guess: whatever is accepted reads either as a decimal comma or as
    thousands separators, and its other reading is not a valid price too."""
    try:
        cents = v.parse_price(text)
    except ValidationError:
        return
    if "," not in text:
        return
    as_point = text.replace(",", ".")
    as_thousands = text.replace(",", "")
    readings = []
    for other in (as_point, as_thousands):
        with contextlib.suppress(ValidationError):
            readings.append(v.parse_price(other))
    assert cents in readings
    if text.count(",") == 1 and "." not in text:  # a lone comma: only a decimal comma
        assert re.search(r",[0-9]{1,2}\Z", text)


def test_the_cli_and_a_csv_seed_take_12_50_as_twelve_fifty_and_refuse_1_250(
    home: Path, tmp_path: Path
) -> None:
    assert run_cli(home, "seed").returncode == 0
    added = run_cli(
        home,
        "products",
        "add",
        "--sku",
        "C-1",
        "--name",
        "Comma Radio",
        "--price",
        "12,50",
        "--stock",
        "1",
        "--category",
        "Audio",
    )
    assert added.stdout == "Added C-1: Comma Radio at 12.50.\n", added.stderr
    updated = run_cli(home, "products", "update", "C-1", "--price", "1,250")
    assert updated.returncode == 1
    assert updated.stderr == (
        "error: Price '1,250' is ambiguous: write 1250 for thousands or 1.25 for a decimal.\n"
    )

    catalog = tmp_path / "euro.csv"
    catalog.write_text(
        'sku,name,category,price,stock\nC-2,Comma Speaker,Audio,"19,99",2\n'
        'C-3,Grand Speaker,Audio,"1,299.00",2\n',
        encoding="utf-8",
    )
    assert run_cli(home, "seed", str(catalog)).returncode == 0
    listed = run_cli(home, "products", "list", "--search", "speaker").stdout
    assert re.search(r"C-2 .* \$19\.99 ", listed) and re.search(r"C-3 .* \$1,299\.00 ", listed)
    assert "12.50" in run_cli(home, "products", "list", "--search", "comma radio").stdout

    ambiguous = tmp_path / "ambiguous.csv"
    ambiguous.write_text(
        'sku,name,category,price,stock\nC-4,Odd Speaker,Audio,"2,500",2\n', encoding="utf-8"
    )
    refused = run_cli(home, "seed", str(ambiguous))
    assert refused.returncode == 1 and "line 2" in refused.stderr and "ambiguous" in refused.stderr
