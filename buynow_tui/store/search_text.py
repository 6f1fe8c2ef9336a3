"""The one normaliser of search text: the same words in, on SQLite and PostgreSQL.

A product's search document and a shopper's query go through the same steps, in
Python, so both databases index and look up the very same words:

- text is folded (NFKD, accents dropped, lower case) and split into words of letters
  and digits; everything else separates words, so any text is safe;
- a hyphenated word also gives its joined form ("USB-C" -> usb, c, usbc; "E-Reader"
  -> e, reader, ereader), so `usbc` finds USB-C;
- a few very common words (a, the, with, ...) are left out;
- each word is reduced to a simple stem: English plurals (`stem`);
- a compound ending in one of a few product words ("smartphone", "Headphone") also
  gives that word (`COMPOUND_HEADS`), in the rest of the document.

The document is three texts of space-separated words, each a column of the full-text
index: the name's stems (also the key of "exact name" and "name starts with"), the
category's stems, and the rest: the description's and specs' stems plus every word
whose stem differs from it as written ("batteries" beside "battery"), so a word being
typed still finds it. `vocabulary` is what the typo lookup may correct a word to.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_PIECE = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
_ALNUM = re.compile(r"[^\W_]+", re.UNICODE)

#: Words too common to tell products apart; never indexed, dropped from a query
#: unless they are all it has.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "this",
        "that",
        "to",
        "with",
        "your",
        "you",
    ]
)
#: Ends of compound words that are words of their own: "Headphone" and "smartphone"
#: are found by "phone" too (after the products that say "phone" in their name or
#: category: the piece is indexed with the description).
COMPOUND_HEADS = ("phone", "watch", "book", "band")
#: The longest word kept (longer ones are cut): an index entry, not an essay.
MAX_WORD = 60
#: Words shorter than this never go into the vocabulary (typos are looked for in words
#: of 5+ letters; one edit away from those is 4+).
VOCABULARY_MIN = 4


def fold(text: str) -> str:
    """Lower case without accents: "Héadphone" -> "headphone"."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stem(word: str) -> str:
    """A simple English stem: plurals to singulars, nothing cleverer.

    watches -> watch, headphones -> headphone, batteries -> battery, laptops -> laptop,
    glasses -> glass; "wireless", "status" and words of three letters or fewer, or with
    digits, are left as they are.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """The words of `text` as written (folded), joined forms after their parts, in order;
    stopwords left out."""
    out: list[str] = []
    for piece in _PIECE.findall(fold(text)):
        parts = [p[:MAX_WORD] for p in _ALNUM.findall(piece)]
        out.extend(p for p in parts if p not in STOPWORDS)
        if len(parts) > 1:
            out.append("".join(parts)[:MAX_WORD])
    return out


def stems(text: str) -> list[str]:
    """`words`, each stemmed: what a name or category is indexed (and compared) by."""
    return [stem(w) for w in words(text)]


@dataclass(frozen=True)
class Document:
    """A product's search columns (see the module's docstring)."""

    name: str
    category: str
    body: str
    tag: str

    def vocabulary(self) -> set[str]:
        """The words of this document the typo lookup may correct to."""
        return {
            w
            for text in (self.name, self.category, self.body)
            for w in text.split()
            if len(w) >= VOCABULARY_MIN and not w.isdigit()
        }


def category_tag(category: str) -> str:
    """One index word that stands for exactly this category (in any case or spacing):
    what a search within a category filters on, inside the full-text index."""
    key = " ".join(category.split()).casefold()
    return "k" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def document(
    name: str, category: str, description: str, specs: Iterable[tuple[str, str]]
) -> Document:
    """The search document of one product."""
    name_words = words(name)
    category_words = words(category)
    body_words = words(description)
    for key, value in specs:
        body_words += words(key) + words(value)
    every = (*name_words, *category_words, *body_words)
    raw = [w for w in every if stem(w) != w]
    heads = [
        h
        for w in (*name_words, *body_words)
        for h in COMPOUND_HEADS
        if len(w) >= len(h) + 3 and stem(w).endswith(h)
    ]
    body = [stem(w) for w in body_words] + list(dict.fromkeys(raw + heads))
    return Document(
        name=" ".join(stem(w) for w in name_words),
        category=" ".join(stem(w) for w in category_words),
        body=" ".join(body),
        tag=category_tag(category),
    )


def edits(word: str) -> Iterator[str]:
    """Every word one edit away from `word` (delete, swap neighbours, replace, insert a
    letter or digit): what a typo in a word of 5+ letters may be corrected to."""
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
            if len(right) > 1:
                yield left + right[1] + right[0] + right[2:]
            for c in letters:
                if c != right[0]:
                    yield left + c + right[1:]
        for c in letters:
            yield left + c + right
