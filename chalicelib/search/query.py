"""The search box's language, engine-neutral: words, "phrases in quotes" and
prefixes (``quyết đị*``), all folded like ``kernel.folding.fold``.

Folding here keeps one character for one character (``fold_aligned``), so that
a match found in the folded text is at the same place in the original one:
that is how snippets highlight the original words with their diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chalicelib.kernel.errors import FieldProblem, InvalidInput
from chalicelib.kernel.folding import MAX_QUERY_TERMS, fold

TOKEN = re.compile(r"[0-9a-z]+")
_PART = re.compile(r'"([^"]*)"?|(\S+)')
MIN_PREFIX = 2  # a one-letter prefix would match most of the dictionary


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    prefixes: tuple[str, ...] = ()

    @property
    def terms(self) -> list[str]:
        """Every folded term, for highlighting and the answer's ``terms``."""
        out = list(self.words) + [t for p in self.phrases for t in p] + list(self.prefixes)
        return list(dict.fromkeys(out))

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases or self.prefixes)


# Each character's folding, learnt as characters are met: a document's few
# dozen distinct characters are folded once, then ``str.translate`` runs in C.
_ALIGNED: dict[int, str] = {}


def fold_aligned(text: str) -> str:
    """``fold`` of NFC ``text``, one character out for each character in: a
    character whose folding is longer (``ß``) keeps its lower case."""
    for ch in set(text):
        if ord(ch) not in _ALIGNED:
            folded = fold(ch)
            if len(folded) != 1:
                folded = ch.lower() if len(ch.lower()) == 1 else ch
            _ALIGNED[ord(ch)] = folded
    return text.translate(_ALIGNED)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _meaningful(term: str) -> bool:
    return len(term) > 1 or term.isdigit()


def parse(q: str | None) -> ParsedQuery:
    """Words and prefixes must each be found; a phrase's words must follow each
    other. One-letter words are dropped outside phrases (as in ``query_terms``);
    a query left with nothing of two letters is refused naming ``q``."""
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    prefixes: list[str] = []
    for quoted, bare in _PART.findall(fold(q or "")):
        if quoted is not None and bare == "":
            terms = tuple(TOKEN.findall(quoted))
            if len(terms) > 1:
                phrases.append(terms)
            elif terms and _meaningful(terms[0]):
                words.append(terms[0])
            continue
        tokens = TOKEN.findall(bare)
        starred = bare.endswith("*")
        for i, token in enumerate(tokens):
            if starred and i == len(tokens) - 1:
                if len(token) >= MIN_PREFIX:
                    prefixes.append(token)
            elif _meaningful(token):
                words.append(token)
    parsed = ParsedQuery(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(phrases)),
                         tuple(dict.fromkeys(prefixes)))
    if not any(_meaningful(t) for t in parsed.terms):
        raise InvalidInput("Từ khoá tìm kiếm quá ngắn.", "The search words are too short.",
                           "invalid_query", [FieldProblem("q", "Nhập ít nhất một từ có 2 ký tự.",
                                                          "Enter at least one 2-letter word.")])
    if len(parsed.terms) > MAX_QUERY_TERMS * 2:
        raise InvalidInput("Từ khoá tìm kiếm có quá nhiều từ.", "The search has too many words.",
                           "invalid_query", [FieldProblem(
                               "q", f"Nhập nhiều nhất {MAX_QUERY_TERMS * 2} từ.",
                               f"Enter at most {MAX_QUERY_TERMS * 2} words.")])
    return parsed
