"""Metadata a document states about itself: municipality, committee, document type, date, dnr and a title.

Used when a document arrives without catalog metadata (an upload, ``index add`` without flags, a build over a
folder). Each value keeps where it came from. The evidence, strongest first: a converted document's front
matter, the archive's file name, the letterhead and first page, and the rest of the text. What no rule finds
stays "okänd". The rules are the named tables and predicates below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from corpus.models import UNKNOWN

MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ),
        start=1,
    )
}

# Document types: (pattern on a word of the file name, front matter or first page, the type as shown).
# What a protocol, or an extract of one, calls itself on its letterhead (``corpus.protocol`` reads it too).
PROTOCOL_NAMES = r"sammanträdesprotokoll|protokollsutdrag|utdrag ur (?:sammanträdes)?protokoll"
DOCUMENT_TYPES: tuple[tuple[str, str], ...] = (
    (rf"{PROTOCOL_NAMES}|protokoll", "Protokoll"),
    (r"kallelse|föredragningslista|dagordning", "Kallelse"),
    (r"handlingar", "Handlingar"),
    (r"tjänsteskrivelse", "Tjänsteskrivelse"),
    (r"delårsrapport", "Delårsrapport"),
    (r"årsredovisning|verksamhetsberättelse", "Årsredovisning"),
    (r"uppföljning|verksamhetsuppföljning", "Uppföljning"),
    (r"budget", "Budget"),
    (r"plan", "Plan"),
)
# A committee named on a line of its own (or a letterhead cell): the name as written.
COMMITTEE_RE = re.compile(
    r"(?<![\wåäö])(?:(?P<named>[Nn]ämnden för [A-ZÅÄÖ][\wåäö]*(?:(?: och| &|,) [A-ZÅÄÖ][\wåäö-]*)*)"
    r"|(?P<word>(?:[A-ZÅÄÖ][\wåäö]*- och [a-zåäö][\wåäö-]*?|[A-ZÅÄÖ][\wåäö-]*?)"
    r"(?:nämnden|nämnd|styrelsen|fullmäktige)(?:s arbetsutskott)?))(?![\wåäö])"
)
MUNICIPALITY_RE = re.compile(r"(?<![\wåäö])(?P<name>[A-ZÅÄÖ][a-zåäö]+(?:-[A-ZÅÄÖ][a-zåäö]+)?) [Kk]ommun(?![\wåäö])")
LETTERHEAD_MUNICIPALITY_RE = re.compile(r"(?<![\wÅÄÖ])(?P<name>[A-ZÅÄÖ]{3,}(?:-[A-ZÅÄÖ]{3,})?) KOMMUN(?![\wÅÄÖ])")
ISO_DATE_RE = re.compile(r"(?<!\d)(20\d\d|19\d\d)-([01]\d)-([0-3]\d)(?!\d)")
SWEDISH_DATE_RE = re.compile(r"(?<!\d)([0-3]?\d) (" + "|".join(MONTHS) + r") (20\d\d)", re.IGNORECASE)
MEETING_DATE_LABELS = ("sammanträdesdatum", "sammanträde", "mötesdatum", "datum för sammanträdet")
DNR_RE = re.compile(
    r"(?:Dnr|Diarienummer)\.?:?\s*\n?\s*(?P<dnr>[A-ZÅÄÖ]{0,8}[ -]?\d{2,4}[-.:/]\d{1,6}(?:\s+[A-ZÅÄÖ]{2,6}\b)?)"
)
FIRST_PAGE_CHARS = 3000
NOT_MUNICIPALITIES = {"Kommun", "Varje", "Annan", "Samma", "Vilken", "Denna", "Hela", "Egen", "Vår"}


@dataclass(frozen=True)
class Found:
    """One inferred value and where it came from (Swedish, shown to staff)."""

    value: str
    source: str


def _title_case(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _iso(year: str, month: int, day: str) -> str | None:
    if 1 <= month <= 12 and 1 <= int(day) <= 31:
        return f"{year}-{month:02d}-{int(day):02d}"
    return None


def document_type(*texts: str) -> str | None:
    """The first document type named by any of the texts, in the table's order of precedence."""
    for text in texts:
        lowered = text.lower()
        for pattern, label in DOCUMENT_TYPES:
            if re.search(rf"(?<![\wåäö])(?:{pattern})(?![\wåäö])", lowered):
                return label
    return None


def municipality(text: str) -> str | None:
    """The municipality a text names first: a letterhead ("KUNGSBACKA KOMMUN") or "Alingsås kommun"."""
    candidates = [(m.start(), _title_case(m["name"].lower())) for m in LETTERHEAD_MUNICIPALITY_RE.finditer(text)]
    candidates += [(m.start(), m["name"]) for m in MUNICIPALITY_RE.finditer(text)]
    candidates = [(at, name) for at, name in candidates if name not in NOT_MUNICIPALITIES]
    return min(candidates)[1] if candidates else None


def committee(text: str) -> str | None:
    """The committee a text names first ("Nämnden för Förskola & Grundskola", "Barn- och ungdomsnämnden")."""
    for line in text.splitlines():
        for cell in re.split(r"\s{3,}", line.strip()):
            match = COMMITTEE_RE.search(" ".join(cell.split()))
            if match:
                name = match["named"] or match["word"]
                return name[0].upper() + name[1:]
    return None


def meeting_date(text: str) -> str | None:
    """A meeting date: after "Sammanträdesdatum", "Datum" on a protocol's letterhead, or "Sammanträde ... den"."""
    lines = [" ".join(x.split()) for x in text.splitlines() if x.strip()]
    for i, line in enumerate(lines):
        lowered = line.lower()
        if lowered.startswith(MEETING_DATE_LABELS) or lowered in ("datum", "datum:"):
            window = " ".join(lines[i : i + 2])
            found = _first_date(window)
            if found:
                return found
    return None


def _first_date(text: str) -> str | None:
    dates = [(m.start(), _iso(m[1], int(m[2]), m[3])) for m in ISO_DATE_RE.finditer(text)]
    dates += [(m.start(), _iso(m[3], MONTHS[m[2].lower()], m[1])) for m in SWEDISH_DATE_RE.finditer(text)]
    dates = [(at, d) for at, d in dates if d]
    return min(dates)[1] if dates else None


def infer(text: str, path: Path, front_matter: dict[str, str] | None = None) -> dict[str, Found]:
    """Every metadata field the document states, with its source; fields not found are absent."""
    front = front_matter or {}
    first_page = text[:FIRST_PAGE_CHARS]
    stem = Path(path).stem.replace("_", "-")
    found: dict[str, Found] = {}

    if front.get("kommun"):
        found["kommun"] = Found(_title_case(front["kommun"]), "dokumentets metadata (front matter)")
    elif name := municipality(first_page):
        found["kommun"] = Found(name, "första sidan")
    elif name := municipality(text):
        found["kommun"] = Found(name, "texten")

    if name := committee(first_page):
        found["namnd"] = Found(name, "första sidan")
    elif name := committee(text):
        found["namnd"] = Found(name, "texten")

    if kind := document_type(front.get("typ", "")):
        found["typ"] = Found(kind, "dokumentets metadata (front matter)")
    elif kind := document_type(" ".join(stem.split("-"))):
        found["typ"] = Found(kind, "filnamnet")
    elif kind := document_type(first_page[:400]):
        found["typ"] = Found(kind, "första sidan")

    kind = found["typ"].value if "typ" in found else None
    stated = meeting_date(first_page) if kind in ("Protokoll", "Kallelse") else None
    if front.get("datum") and ISO_DATE_RE.fullmatch(front["datum"]):
        found["datum"] = Found(front["datum"], "dokumentets metadata (front matter)")
    elif stated:
        found["datum"] = Found(stated, "första sidan")
    elif file_date := _first_date(stem):
        found["datum"] = Found(file_date, "filnamnet")
    elif date := meeting_date(first_page) or _first_date(first_page):
        found["datum"] = Found(date, "första sidan")

    if kind != "Protokoll" and (dnr := DNR_RE.search(first_page)):
        found["diarienummer"] = Found(" ".join(dnr["dnr"].split()), "första sidan")

    parts = [found[k].value for k in ("typ", "namnd", "datum") if k in found]
    if "typ" in found and len(parts) >= 2:
        found["title"] = Found(", ".join(parts), "härledd ur dokumenttyp, nämnd och datum")
    return found


def merged(entry: dict[str, str] | None, inferred: dict[str, Found]) -> tuple[dict[str, str], dict[str, str]]:
    """Catalog values (which always win, "okänd" included) completed with inferred ones; and each value's source."""
    entry = entry or {}
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for key in ("title", "kommun", "namnd", "typ", "datum", "diarienummer"):
        if entry.get(key):
            values[key], sources[key] = entry[key], "katalogen"
        elif key in inferred:
            values[key], sources[key] = inferred[key].value, inferred[key].source
        else:
            values[key], sources[key] = UNKNOWN, "hittades inte"
    return values, sources
