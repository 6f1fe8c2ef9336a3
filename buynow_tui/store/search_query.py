"""What a typed search asks for: its words, their typo corrections, a price.

Plain Python apart from the vocabulary look-up (`corrections`): the tiers that rank
results are built from a `Query` by `store.search` for each backend.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from buynow_tui.store import validation as v
from buynow_tui.store.models import SearchWord
from buynow_tui.store.search_text import STOPWORDS, edits, fold, stem, words

_PRICE = re.compile(r"^\$?\s*([0-9]{1,9}(?:,[0-9]{3})*|[0-9]+)(?:[.,]([0-9]{1,2}))?$")
_ALNUM = re.compile(r"[^\W_]+", re.UNICODE)
#: At most this many words of a query are searched (the rest are ignored).
MAX_WORDS = 8
#: Words of this many letters (all letters) may have one typo corrected; longer ones
#: are no product's word mistyped.
TYPO_FROM, TYPO_UP_TO = 5, 20
#: Words shorter than this match whole words only in descriptions and specs (and as
#: prefixes in names and categories): "4k" finds "4K video", "e" does not find every
#: description with a word starting with "e".
BODY_PREFIX_FROM = 3


@dataclass(frozen=True)
class Term:
    """One word of a query: matched as a prefix (as typed, and as its stem) in every
    tier, and through any typo corrections found for it."""

    typed: str
    prefixes: tuple[str, ...]

    @property
    def short(self) -> bool:
        return len(self.typed) < BODY_PREFIX_FROM


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    #: The query's stems joined by spaces: compared with a name's key for "exact name"
    #: and "name starts with".
    key: str
    cents: int | None

    @property
    def empty(self) -> bool:
        return not self.terms and self.cents is None

    def category_keys(self) -> list[str]:
        """The normalised category names this query may name: the whole of it, then
        each word (and each of its corrections), first come first."""
        keys = [self.key] if len(self.terms) > 1 else []
        for term in self.terms:
            keys.extend(stem(p) for p in term.prefixes)
        return list(dict.fromkeys(k for k in keys if k))


def price_in(text: str) -> int | None:
    """Cents if the whole query reads as a price ("150", "$150.00", "1,299", "12,50").

    A search only finds, so "1,299" is read the way this shop shows prices (thousands);
    a price beyond any product's (`PRICE_MAX_CENTS`) is no price, so twenty digits are
    searched as a word instead of overflowing the database's integers.
    """
    match = _PRICE.match(text.strip())
    if not match:
        return None
    whole = int(match.group(1).replace(",", ""))
    frac = (match.group(2) or "0").ljust(2, "0")
    cents = whole * 100 + int(frac)
    return cents if cents <= v.PRICE_MAX_CENTS else None


def parse(text: str) -> Query:
    """The words of a search (cleaned, at most 200 characters and `MAX_WORDS` words;
    stopwords dropped unless they are all there is) and the price it may be."""
    text = v.clean_text(text)[:200]
    found = words(text) or [w for w in _ALNUM.findall(fold(text)) if w in STOPWORDS]
    found = list(dict.fromkeys(found))[:MAX_WORDS]
    terms = tuple(Term(w, tuple(dict.fromkeys((w, stem(w))))) for w in found)
    return Query(terms=terms, key=" ".join(stem(w) for w in found), cents=price_in(text))


def corrected(query: Query) -> Query:
    """`query` with one typo corrected in each word of 5+ letters that no indexed word
    starts with: the indexed words one edit away join the word's prefixes."""
    terms = tuple(_correct(term) for term in query.terms)
    return Query(terms=terms, key=query.key, cents=query.cents)


def _correct(term: Term) -> Term:
    word = term.typed
    if not TYPO_FROM <= len(word) <= TYPO_UP_TO or not word.isalpha() or _known_prefix(word):
        return term
    candidates = set(edits(word)) | set(edits(stem(word)))
    rows = SearchWord.select(SearchWord.word).where(SearchWord.word.in_(sorted(candidates)))
    found = sorted(str(w) for (w,) in cast("Iterable[tuple[str]]", rows.tuples()))[:8]
    return Term(word, tuple(dict.fromkeys((*term.prefixes, *_stems(found)))))


def _stems(found: Iterable[str]) -> list[str]:
    return [stem(w) for w in found]


def _known_prefix(word: str) -> bool:
    """Whether any indexed word starts with `word` (a range of the vocabulary's key)."""
    after = word[:-1] + chr(ord(word[-1]) + 1)
    hit = (
        SearchWord.select(SearchWord.word)
        .where((SearchWord.word >= word) & (SearchWord.word < after))
        .limit(1)
        .scalar()
    )
    return hit is not None
