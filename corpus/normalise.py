"""Text normalised for comparison: case, white space, quote characters and line-break hyphenation."""

from __future__ import annotations

import re
import unicodedata

QUOTE_CHARS = "\"'”“„’‘«»"
BREAK = re.compile(r"<br\s*/?>")  # a line break inside a converted table cell is white space
_DASHES = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Case, white space (``<br>`` included), quote characters and line-break hyphenation made irrelevant."""
    text = BREAK.sub(" ", unicodedata.normalize("NFKC", text).lower())
    text = text.translate({ord(c): None for c in QUOTE_CHARS})
    text = re.sub(r"(\w)-\s+(?=\w)", r"\1", text)  # "kart- läggning" and "kart-\nläggning" -> "kartläggning"
    text = text.translate(_DASHES)
    return re.sub(r"\s+", " ", text).strip()
