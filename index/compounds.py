"""Swedish compounds in questions: a question word the passages never use, read as the two words it is made of.

Swedish writes compounds as one word, and a question's compound is often not the documents' ("restaurangprogrammet"
for "Restaurang- och livsmedelsprogrammet", "digitaliseringstjänsterna" for "Verksamhetsutvecklare digitalisering").
BM25 matches whole stems, so such a word scores nothing. A word missing from the index's vocabulary is split where
both parts are words the index has, with an optional linking letter between ("digitalisering-s-tjänst"); of several
splits the one whose parts are the most frequent (the geometric mean of their document frequencies, Koehn & Knight
2003) is taken, so "byggelev" is "bygg" + "elev" rather than "bygge" + "lev".
"""

from __future__ import annotations

import math
from collections.abc import Callable

LINKING_LETTERS = ("", "s", "e", "a", "u", "o")  # "arbetsmiljö", "förskoleklass", "gatukök", "människohandel"
MIN_PART_CHARS = 3  # shorter parts ("el", "is") match too much by chance


def split_compound(stem: str, frequency: Callable[[str], int], normal: Callable[[str], str]) -> tuple[str, str] | None:
    """The two vocabulary stems ``stem`` is made of, or None. ``frequency`` gives a stem's document frequency (0 for
    a word the index does not have); ``normal`` stems a part as a word of its own ("september" -> "septemb"), since
    the whole compound's ending was stemmed, not its first part's."""

    def known(part: str) -> tuple[str, int] | None:
        for form in dict.fromkeys((part, normal(part))):
            if len(form) >= MIN_PART_CHARS and (df := frequency(form)):
                return form, df
        return None

    best: tuple[float, tuple[str, str]] | None = None
    for cut in range(MIN_PART_CHARS, len(stem) - MIN_PART_CHARS + 1):
        head, tail = stem[:cut], known(stem[cut:])
        if tail is None:
            continue
        for link in LINKING_LETTERS:
            if link and not head.endswith(link):
                continue
            first = known(head[: len(head) - len(link)])
            if first is not None:
                score = math.sqrt(first[1] * tail[1])
                if best is None or score > best[0]:
                    best = (score, (first[0], tail[0]))
    return best[1] if best else None


def with_compound_parts(tokens: list[str], frequency: Callable[[str], int], normal: Callable[[str], str]) -> list[str]:
    """``tokens`` and, after each one the index does not have, the parts of the compound it is (when it is one)."""
    out: list[str] = []
    for token in tokens:
        out.append(token)
        if not frequency(token):
            out.extend(split_compound(token, frequency, normal) or ())
    return out
