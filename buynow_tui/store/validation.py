"""Every input rule, as pure functions: the forms call them live, the store again.

Each `check_*` returns the cleaned value or raises `ValidationError` naming the field.
Control characters (ESC included) never get into stored text: `clean_text` strips them.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from buynow_tui.store.errors import ValidationError

QUESTIONS: dict[str, str] = {
    "pet": "What is the name of your pet?",
    "mother": "What is your mother's name?",
    "father": "What is your father's name?",
    "food": "What is your favourite food?",
    "first_street": "What was the name of the first street you lived on?",
    "first_concert": "What was the first concert you went to?",
    "childhood_friend": "What was the name of your childhood best friend?",
}

PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_BYTES = 72
USERNAME_MAX = 32
ANSWER_MAX = 100
ADDRESS_MAX = 300
DESCRIPTION_MAX = 4000
EMAIL_MAX = 254

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """Strip control characters (keeping newlines and tabs only when `multiline`)."""
    text = unicodedata.normalize("NFC", text)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL.sub("", text)
    return _CONTROL_ALL.sub("", text)


def check_email(email: str) -> str:
    email = clean_text(email).strip()
    if not email:
        raise ValidationError("Enter your email address.", field="email")
    if len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise ValidationError("Enter a valid email address, like name@example.com.", field="email")
    return email


def email_key(email: str) -> str:
    """How emails are compared: ASCII lower case (emails are ASCII by `check_email`)."""
    return clean_text(email).strip().lower()


def check_username(username: str) -> str:
    cleaned = clean_text(username).strip()
    if not cleaned:
        raise ValidationError("Enter a username.", field="username")
    if len(cleaned) > USERNAME_MAX:
        raise ValidationError(f"A username is at most {USERNAME_MAX} characters.", field="username")
    if not all(ch.isprintable() for ch in cleaned):
        raise ValidationError("A username can only hold printable characters.", field="username")
    return cleaned


def check_password(password: str, *, field: str = "password") -> str:
    """At least 8 characters and at most 72 bytes in UTF-8 (bcrypt's limit)."""
    if len(password) < PASSWORD_MIN_CHARS:
        raise ValidationError(
            f"A password needs at least {PASSWORD_MIN_CHARS} characters.", field=field
        )
    try:
        size = len(password.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValidationError("A password can only hold text characters.", field=field) from None
    if size > PASSWORD_MAX_BYTES:
        raise ValidationError(
            f"A password can be at most {PASSWORD_MAX_BYTES} bytes "
            "(72 plain letters; accented letters and emoji take more).",
            field=field,
        )
    if "\x00" in password:
        raise ValidationError("A password cannot contain a NUL character.", field=field)
    return password


def check_question(question: str) -> str:
    if question not in QUESTIONS:
        raise ValidationError("Choose a security question.", field="question")
    return question


def normalize_answer(answer: str) -> str:
    """Answers compare trimmed and lower-cased (casefolded), whitespace collapsed."""
    return " ".join(clean_text(answer).split()).casefold()


def check_answer(answer: str) -> str:
    normalized = normalize_answer(answer)
    if not normalized:
        raise ValidationError("Enter an answer to your security question.", field="answer")
    if len(normalized) > ANSWER_MAX:
        raise ValidationError(f"An answer is at most {ANSWER_MAX} characters.", field="answer")
    return normalized


def check_address(address: str) -> str:
    cleaned = clean_text(address, multiline=True).strip()
    lines = [" ".join(line.split()) for line in cleaned.split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    if not cleaned:
        raise ValidationError("Enter a shipping address.", field="address")
    if len(cleaned) > ADDRESS_MAX:
        raise ValidationError(f"An address is at most {ADDRESS_MAX} characters.", field="address")
    return cleaned


def check_quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise ValidationError("Quantity must be a whole number.", field="quantity")
    if quantity < 1 or quantity > 99:
        raise ValidationError("Quantity must be between 1 and 99.", field="quantity")
    return quantity


_THOUSANDS_WITH_POINT = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]*")
_THOUSANDS_ONLY = re.compile(r"[0-9]{1,3}(?:,[0-9]{3}){2,}")
_DECIMAL_COMMA = re.compile(r"[0-9]*,[0-9]{1,2}")
_ONE_THOUSANDS_OR_DECIMAL = re.compile(r"[0-9]{1,3},[0-9]{3}")
#: The most a price can be: $1,000,000,000.00, in cents.
PRICE_MAX_CENTS = 10**11


def _read_commas(number: str, shown: str, field: str) -> str:
    """`number` (no sign, no `$`) with its commas read, or a refusal that says why.

    A comma followed by one or two digits at the end is a decimal comma (`12,50` is
    12.50). Commas between groups of three digits are thousands separators when a
    decimal point follows (`1,250.00`) or when there are two or more (`1,250,000`).
    One comma before three digits and nothing else (`1,250`) could be either (1250, or
    1.250 written the European way): refused, never guessed. Anything else is refused.
    """
    if _THOUSANDS_WITH_POINT.fullmatch(number) or _THOUSANDS_ONLY.fullmatch(number):
        return number.replace(",", "")
    if _DECIMAL_COMMA.fullmatch(number):
        return number.replace(",", ".")
    if _ONE_THOUSANDS_OR_DECIMAL.fullmatch(number):
        as_decimal = number.replace(",", ".").rstrip("0")
        as_decimal += "00" if as_decimal.endswith(".") else ""
        raise ValidationError(
            f"Price {shown} is ambiguous: write {number.replace(',', '')} for thousands "
            f"or {as_decimal} for a decimal.",
            field=field,
        )
    raise ValidationError(
        f"Price {shown} has a misplaced comma: write decimals as 12.50 or 12,50 "
        "and thousands as 1,250.00.",
        field=field,
    )


def parse_price(text: str | int | float | Decimal, *, field: str = "price") -> int:
    """'12.50', '$1,299.00' or '12,50' -> cents; refuses negatives, NaN, more than 2
    decimals and commas that could mean two things (see `_read_commas`)."""
    shown = repr(str(text)[:20])
    raw = str(text).strip().lstrip("$").strip()
    if "," in raw:
        sign = raw[:1] if raw[:1] in "+-" else ""
        raw = sign + _read_commas(raw[len(sign) :].lstrip("$"), shown, field)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(f"Price {shown} is not a number.", field=field) from None
    if not value.is_finite():
        raise ValidationError(f"Price {shown} is not a number.", field=field)
    if value < 0:
        raise ValidationError(f"Price cannot be negative ({raw[:20]}).", field=field)
    # Bound the exponent first: Decimal arithmetic on "1e999999999" overflows.
    if value.adjusted() > 11:
        raise ValidationError(f"Price {raw[:20]} is too large.", field=field)
    if value and value.adjusted() < -2:
        raise ValidationError(f"Price {raw[:20]} has more than two decimals.", field=field)
    cents = value * 100
    if cents != cents.to_integral_value():
        raise ValidationError(f"Price {raw[:20]} has more than two decimals.", field=field)
    if cents > PRICE_MAX_CENTS:
        raise ValidationError(f"Price {raw[:20]} is too large.", field=field)
    return int(cents)


def check_stock(stock: int | str) -> int:
    try:
        value = int(str(stock).strip())
    except ValueError:
        raise ValidationError(
            f"Stock {str(stock)[:20]!r} is not a whole number.", field="stock"
        ) from None
    if value < 0:
        raise ValidationError(f"Stock cannot be negative ({value}).", field="stock")
    if value > 10**9:
        raise ValidationError(f"Stock {value} is too large.", field="stock")
    return value


def check_sku(sku: str) -> str:
    """1 to 64 ASCII letters, digits or punctuation, no spaces.

    ASCII because SKUs are unique regardless of case: SQLite's lower() folds only ASCII
    letters and PostgreSQL's folds every letter, so only for ASCII do both backends (and
    Python) agree on which two SKUs are the same.
    """
    cleaned = clean_text(sku).strip()
    if not cleaned:
        raise ValidationError("A SKU cannot be empty.", field="sku")
    if any("\ud800" <= ch <= "\udfff" for ch in cleaned):
        raise ValidationError("A SKU must be valid UTF-8 text.", field="sku")
    if len(cleaned) > 64 or not all("!" <= ch <= "~" for ch in cleaned):
        raise ValidationError(
            f"SKU {cleaned[:70]!r} must be 1 to 64 ASCII letters, digits or punctuation, "
            "with no spaces.",
            field="sku",
        )
    return cleaned


def sku_key(sku: str) -> str:
    """How SKUs are compared: regardless of case (ASCII, as SQL's lower() does)."""
    return sku.strip().lower()


def category_key(category: str) -> str:
    """How category names are compared: regardless of case and spacing."""
    return " ".join(category.split()).casefold()


def check_product_name(name: str) -> str:
    cleaned = " ".join(clean_text(name).split())
    if not cleaned:
        raise ValidationError("A product name cannot be empty.", field="name")
    if len(cleaned) > 200:
        raise ValidationError("A product name is at most 200 characters.", field="name")
    return cleaned


def clean_description(description: str) -> str:
    """A product description: several lines are fine; cut at `DESCRIPTION_MAX` characters."""
    return clean_text(description, multiline=True).strip()[:DESCRIPTION_MAX]


def check_category(category: str) -> str:
    cleaned = " ".join(clean_text(category).split())
    if not cleaned:
        raise ValidationError("A category cannot be empty.", field="category")
    if len(cleaned) > 60:
        raise ValidationError("A category is at most 60 characters.", field="category")
    return cleaned


_CLIENT_HASH = re.compile(r"[0-9a-f]{64}")


def check_client_hash(client_hash: str) -> str:
    """A browser's key: the SHA-256 (64 lower-case hex digits) of its cookie's id."""
    if not isinstance(client_hash, str) or not _CLIENT_HASH.fullmatch(client_hash):
        raise ValidationError("That browser is not one the shop can know.", field="client")
    return client_hash
