"""Properties over any text: every validator answers or refuses, never crashes; prices
round-trip; search and `products add --price` are safe for whatever an admin or shopper types."""

from __future__ import annotations

import inspect
import itertools
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from buynow_tui.store import validation as v
from buynow_tui.store.errors import ValidationError
from buynow_tui.store.services import Services
from buynow_tui.store.views import format_money

# Any text, lone surrogates included (what a non-UTF-8 byte becomes in argv or stdin).
ANY_TEXT = st.text() | st.text(st.characters() | st.characters(categories=["Cs"]), max_size=20)
PRICE_LIKE = st.from_regex(
    r"\A\s?-?\$?\s?[0-9,]{0,14}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,10})?\s?\Z", fullmatch=True
)
NASTY = [
    "",
    " ",
    "\x00",
    "\x1b[31m",
    "NaN",
    "-NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "1e999999999",
    "1e-999999999",
    "-0",
    "0.001",
    "1,2,3",
    "$",
    "$-1",
    "١٢٣",
    "１５０",
    "\ud800",
    "a\udcff" * 3,
    "1" * 5000,
    "9" * 30,
    "0e5",
    "1_000",
]
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALIDATORS = {
    name: func
    for name, func in inspect.getmembers(v, inspect.isfunction)
    if func.__module__ == v.__name__
    and name.startswith(("check_", "parse_", "clean_", "normalize_", "email_"))
}


def test_the_validators_under_test_are_all_of_them() -> None:
    assert {
        "check_email",
        "check_username",
        "check_password",
        "check_question",
        "check_answer",
        "check_address",
        "check_quantity",
        "parse_price",
        "check_stock",
        "check_sku",
        "check_product_name",
        "check_category",
        "clean_text",
        "normalize_answer",
        "email_key",
    } <= set(VALIDATORS)


@pytest.mark.parametrize("name", sorted(VALIDATORS))
@SETTINGS
@given(text=ANY_TEXT | PRICE_LIKE | st.sampled_from(NASTY))
def test_every_validator_returns_or_refuses_for_any_text(name: str, text: str) -> None:
    try:
        VALIDATORS[name](text)
    except ValidationError as error:
        assert str(error) and "\n" not in str(error)


@SETTINGS
@given(text=ANY_TEXT | PRICE_LIKE | st.sampled_from(NASTY))
@example("1e999999999")
@example("-0.00")
@example("1,299.5")
def test_parse_price_gives_cents_that_format_back_to_the_same_price(text: str) -> None:
    try:
        cents = v.parse_price(text)
    except ValidationError as error:
        assert error.field == "price"
        return
    assert isinstance(cents, int) and 0 <= cents <= 10**11
    assert v.parse_price(format_money(cents)) == cents


@SETTINGS
@given(cents=st.integers(min_value=0, max_value=10**11))
def test_every_price_in_cents_reads_back_from_its_formatted_text(cents: int) -> None:
    assert v.parse_price(format_money(cents)) == cents
    assert v.parse_price("$" + format_money(cents)) == cents


@SETTINGS
@given(text=ANY_TEXT)
def test_cleaned_text_has_no_control_characters(text: str) -> None:
    cleaned = v.clean_text(text)
    assert not any(ch in cleaned for ch in "\x1b\n\r\t\x00\x7f\u2028\u2029")
    multiline = v.clean_text(text, multiline=True)
    assert "\x1b" not in multiline and "\r" not in multiline


@SETTINGS
@given(text=ANY_TEXT)
def test_accepted_usernames_are_1_to_32_printable_characters(text: str) -> None:
    try:
        name = v.check_username(text)
    except ValidationError:
        return
    assert 1 <= len(name) <= 32
    assert name.isprintable() and name == name.strip()


@SETTINGS
@given(text=ANY_TEXT | st.text(min_size=8, max_size=80))
def test_accepted_passwords_are_8_characters_to_72_bytes(text: str) -> None:
    try:
        password = v.check_password(text)
    except ValidationError as error:
        assert error.field == "password"
        return
    assert len(password) >= 8 and len(password.encode("utf-8")) <= 72


@SETTINGS
@given(text=ANY_TEXT, pad=st.text(" \t", max_size=3))
def test_answers_match_trimmed_and_in_any_case(text: str, pad: str) -> None:
    assert v.normalize_answer(pad + text.upper() + pad) == v.normalize_answer(text.upper())
    assert v.normalize_answer(v.normalize_answer(text)) == v.normalize_answer(text)
    assert (
        v.normalize_answer(text.lower()) == v.normalize_answer(text.upper()) or not text.isascii()
    )


@SETTINGS
@given(
    local=st.text(string.ascii_letters + string.digits, min_size=1, max_size=20),
    domain=st.text(string.ascii_lowercase, min_size=1, max_size=20),
)
def test_plain_emails_are_accepted_and_compared_in_lower_case(local: str, domain: str) -> None:
    email = f"{local}@{domain}.com"
    assert v.check_email(f"  {email} ") == email
    assert v.email_key(email.upper()) == v.email_key(email) == email.lower()


@SETTINGS
@given(text=ANY_TEXT | st.integers().map(str))
def test_accepted_stock_is_a_whole_number_from_zero(text: str) -> None:
    try:
        stock = v.check_stock(text)
    except ValidationError:
        return
    assert isinstance(stock, int) and 0 <= stock <= 10**9


# -- the store and the CLI, over any text ------------------------------------------------------


@pytest.fixture(scope="module")
def shop_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    home = tmp_path_factory.mktemp("props")
    open_store(Paths(home))
    close_db()
    return home


@pytest.fixture
def shop(shop_home: Path) -> Iterator[Services]:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    yield open_store(Paths(shop_home)).services
    close_db()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(st.characters(exclude_categories=["Cs"]))
    | st.sampled_from(["%", "_", "'", '"', "*", "(", "[/", "📱", "NEAR(", "a*b", '""', "x" * 600])
)
def test_search_gives_a_list_for_any_text(shop: Services, text: str) -> None:
    found = shop.catalog.search(text)
    assert len(found.items) == min(found.total, 100) and found.total <= 48


_skus = itertools.count()


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(price=ANY_TEXT | PRICE_LIKE | st.sampled_from(NASTY))
@example("-5")
@example("1e999999999")
@example("\ud800")
def test_products_add_never_prints_a_traceback_whatever_the_price(
    shop_home: Path, price: str
) -> None:
    from typer.testing import CliRunner

    from buynow_tui.cli import app

    sku = f"PROP-{next(_skus)}"
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(shop_home),
            "products",
            "add",
            "--sku",
            sku,
            "--name",
            "Prop",
            f"--price={price}",
            "--stock",
            "1",
            "--category",
            "Audio",
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    try:
        expected = v.parse_price(price)
    except ValidationError:
        expected = None
    if expected is None:
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:")
    else:
        assert result.exit_code == 0, result.output
        assert f"at {format_money(expected)}." in result.stdout
