"""The bench's search queries, deterministic so runs compare: what a shopper types, one
keystroke at a time (every prefix of a phrase), plus one- and two-letter words, prices,
product numbers and hostile text. `bench/search.py` times them; `tests/test_search_backends.py`
checks that both backends answer them alike.
"""

from __future__ import annotations

import random

PHRASES = [
    "headphone",
    "bluetooth headphone",
    "smart watch",
    "smart wat",
    "new smart phone",
    "portable speakers",
    "wireless ear",
    "pro lap",
    "compact speaker",
    "ultra slim tablet",
    "phone",
    "cam",
    "usb-c charger",
    "e-reader",
    "drone",
    "gaming headset",
    "power bank",
    "mini",
    "sport band",
    "travel zoom",
    "studio monitor",
    "rugged case",
    "max 123",
    "quantum notebook",
    "eco radio",
]
SHORT_WORDS = [
    "a",
    "s",
    "pr",
    "sm",
    "ul",
    "ca",
    "ph",
    "wa",
    "e",
    "5g",
    "4k",
    "mi",
    "hi",
    "ki",
    "us",
]
PRICES = [
    "150",
    "$150.00",
    "200",
    "250",
    "$175",
    "1,299",
    "24.99",
    "$ 99",
    "0.5",
    "999999999",
    "2,499.99",
    "35",
    "1000",
    "$1,299.00",
    "12.3",
]
HOSTILE = [
    "%",
    "_",
    "'",
    '"',
    "*",
    "(",
    "[/",
    "[@click=app.quit]",
    "[link=x]y[/link]",
    "🎧",
    "🎧 headphone",
    "héadphone",
    "HEADPHONE",
    "a" * 200,
    "   ",
    "\x1b[31mred",
    "--",
    "a b c d e f g h i j",
    "NEAR(a b)",
    "OR",
    "AND phone",
    "-phone",
    "phone*",
    "^sm",
    "name:phone",
    "%%%",
    "' OR 1=1 --",
    "\\",
    "\u202e",
    "\x00",
]


def queries(seed: int = 11) -> list[str]:
    """About 330 queries: keystroke prefixes of phrases, then the other kinds."""
    rng = random.Random(seed)
    out: list[str] = []
    for phrase in PHRASES:
        out.extend(phrase[: n + 1] for n in range(len(phrase)) if phrase[n] != " ")
    out.extend(SHORT_WORDS)
    out.extend(PRICES)
    out.extend(HOSTILE)
    out.extend(str(rng.randrange(1, 100_000)) for _ in range(15))  # product numbers
    out.extend(str(rng.randrange(1, 1000)) for _ in range(10))  # pieces of numbers / prices
    return out
