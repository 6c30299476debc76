"""Who took part in a meeting, from a protocol's first page: justerare, ledamöter and ersättare.

A protocol's first page lists the deciding members ("Beslutande", "Ledamöter"), the substitutes who vote in a
member's place ("Tjänstgörande ersättare": "Göran Ottosson (SD) ersätter Susanne Andersson (SD)"), those present
without a vote ("Övriga närvarande", "Närvarande ersättare"; officials carry no party) and who checks the minutes
("Protokolljusterare", "Justerare", "Utses att justera"). Converted from two-column layouts, the columns run into
each other on one line, so people are read as "Förnamn Efternamn (Parti)" wherever they stand, and the member a
substitute replaces (absent, so not present) is the name after "ersätter", which may go on in the right-hand
column of the next line ("ersätter Jenny" … "Thorbjörnsson (KD)").
"""

from __future__ import annotations

import re

from corpus.models import Meeting, Person

FRONT_CHARS = 8000  # the list of who took part may run over onto the second page, never further
# Where the list of who took part has ended: the table of contents or the first § item ("§ 12 Dnr …").
FRONT_END_RE = re.compile(r"^\s*(?:innehåll(?:sförteckning)?\s*$|§\s*\d{1,4}\s+dnr)", re.IGNORECASE | re.MULTILINE)
PERSON_RE = re.compile(
    r"(?<![\w(])(?P<name>[A-ZÅÄÖÉÜ][\w'’-]*(?:[ \t]+(?:(?:von|van|af|de|der|la)[ \t]+)?[A-ZÅÄÖÉÜ][\w'’-]*){1,3})"
    r"[ \t]*\((?P<party>[A-ZÅÄÖ]{1,3}|[A-ZÅÄÖ][a-zåäö]{1,2})\)"
)
# A surname alone with its party ending a line: the rest of a name that a column break cut ("Thorbjörnsson (KD)").
SURNAME_RE = re.compile(r"(?:^|\s)(?P<name>[A-ZÅÄÖÉÜ][\w'’-]*)[ \t]*\((?P<party>[A-ZÅÄÖ]{1,3})\)")
# The words between a substitute and the member replaced.
REPLACES_VERB_RE = re.compile(r"\b(?:ersätter|tjänstgör för|i stället för|istället för|för)\b", re.IGNORECASE)
WEAK_VERBS = {"för"}  # a verb that only counts right after a substitute's name ("Bo Barknertz (M) för Maria …")
# A justerare named without a party ("Protokolljusterare Elisabeth Lyckevall"): two to four capitalised words.
NAME_ONLY_RE = re.compile(r"[A-ZÅÄÖÉÜ][\w'’-]*(?:[ \t]+[A-ZÅÄÖÉÜ][\w'’-]*){1,3}")
JUSTERARE_LABEL_RE = re.compile(
    r"^\s*(?:protokolljusterare|justerare|justerande|utses att justera|justeras av)\s*:?", re.IGNORECASE
)
# Words in front of a name that are a role, not part of it ("Ordförande Göran Ottosson (SD)").
ROLE_WORDS = {
    "ordförande",
    "vice",
    "ledamot",
    "ledamöter",
    "ersättare",
    "tjänstgörande",
    "beslutande",
    "sekreterare",
    "justerare",
    "protokolljusterare",
    "närvarande",
    "övriga",
    "tjänstepersoner",
}

# The lines that open a part of the first page, as one table: (pattern at the start of a line, part).
PART_LABELS: tuple[tuple[str, str], ...] = (
    (r"beslutande|ledamöter\b|närvarande ledamöter", "members"),
    (r"tjänstgörande ersättare", "members"),  # inside the members' part: substitutes are told by "ersätter"
    (r"övriga närvarande|övriga deltagande|närvarande ersättare|ej tjänstgörande ersättare|ersättare\b", "others"),
    (r"(?:protokoll)?justerare|justerande|utses att justera|justeras av", "justerare"),
    (r"plats och tid för justering|sekreterare|underskrifter|paragrafer", "end"),
)
_PART_RES = tuple((re.compile(rf"^\s*(?:{pattern})", re.IGNORECASE), part) for pattern, part in PART_LABELS)


def _people(text: str) -> list[tuple[Person, int, int]]:
    """Every "Name (Party)" in a text, with its span; role words in front of a name dropped."""
    found = []
    for m in PERSON_RE.finditer(text):
        words = m["name"].split()
        while words and words[0].lower() in ROLE_WORDS:
            words = words[1:]
        if len(words) >= 2:
            found.append((Person(" ".join(words), m["party"]), m.start(), m.end()))
    return found


def _part(line: str) -> str | None:
    for pattern, part in _PART_RES:
        if pattern.match(line):
            return part
    return None


def _members(lines: list[str]) -> tuple[list[Person], list[Person]]:
    """Ledamöter and tjänstgörande ersättare of the members' part (the members a substitute replaces left out)."""
    members: list[Person] = []
    substitutes: list[Person] = []
    replaced: set[Person] = set()
    pending: str | None = None  # after "ersätter" at a line's end (""), or "ersätter Jenny" (the first name)
    previous: Person | None = None  # the last person of the line before
    for line in lines:
        people = _people(line)
        if pending is not None:
            surnames = [m for m in SURNAME_RE.finditer(line) if not any(s <= m.start("name") < e for _, s, e in people)]
            if pending and surnames:
                replaced.add(Person(f"{pending} {surnames[0]['name']}", surnames[0]["party"]))
            elif not pending and people:
                replaced.add(people[-1][0])
            pending = None
        for verb in REPLACES_VERB_RE.finditer(line):
            before = [(p, e) for p, _, e in people if e <= verb.start()]
            after = [p for p, s, _ in people if s >= verb.end()]
            if before and not line[before[-1][1] : verb.start()].strip(" ,\t"):
                substitute = before[-1][0]  # "Göran Ottosson (SD) ersätter …"
            elif previous is not None and verb.group().lower() not in WEAK_VERBS:
                # The verb stands in the right-hand column, after the left column's text: it goes with the
                # person that column ended the line before with ("Lars Sundbom (M)" / "… tjänstgör för X (M)").
                substitute = previous
            else:
                continue
            substitutes.append(substitute)
            if after and not line[verb.end() : line.find(after[0].name, verb.end())].strip():
                replaced.add(after[0])
            else:
                pending = " ".join(line[verb.end() :].split()) if not after else None
        members += [p for p, _, _ in people]
        previous = people[-1][0] if people else previous
    members = [p for p in members if p not in replaced and p not in substitutes]
    return list(dict.fromkeys(members)), list(dict.fromkeys(substitutes))


def _justerare(lines: list[str]) -> list[Person]:
    """The people the justerare line names (or the line after a label standing alone), with or without party."""
    for line in lines[:2]:
        rest = JUSTERARE_LABEL_RE.sub("", line, count=1)
        people = [p for p, _, _ in _people(rest)]
        if not people:
            names = [" ".join(n.split()) for n in re.split(r"\s*(?:/|,|\boch\b)\s*", rest.strip()) if n.strip()]
            people = [Person(n) for n in names if NAME_ONLY_RE.fullmatch(n)]
        if people:
            return list(dict.fromkeys(people))
    return []


def meeting(text: str) -> Meeting | None:
    """The justerare, ledamöter and ersättare a protocol's first page names; None when it names none."""
    front = text[:FRONT_CHARS]
    end = FRONT_END_RE.search(front)
    first_page = front[: end.start()] if end else front
    parts: dict[str, list[str]] = {"members": [], "others": [], "justerare": []}
    current: str | None = None
    for raw in first_page.splitlines():
        part = _part(raw)
        if part is not None:
            current = None if part == "end" else part
        if current is not None:
            parts[current].append(raw)
    ledamoter, tjanstgorande = _members(parts["members"])
    others = [p for p, _, _ in _people("\n".join(parts["others"]))]
    ersattare = list(dict.fromkeys(tjanstgorande + [p for p in others if p not in ledamoter]))
    justerare = _justerare(parts["justerare"])
    if not (justerare or ledamoter or ersattare):
        return None
    return Meeting(tuple(justerare), tuple(ledamoter), tuple(ersattare))
