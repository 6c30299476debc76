"""Justerare and närvarande from a protocol's first page."""

from __future__ import annotations

import pytest

from corpus.attendance import meeting
from corpus.loader import read_document
from corpus.models import Person
from settings import ROOT

TWO_COLUMNS = """KUNGSBACKA KOMMUN                  SAMMANTRÄDESPROTOKOLL
Beslutande    Ledamöter                     Tjänstgörande ersättare
Emanuel Forsell (M), Ordförande Göran Ottosson (SD) ersätter
Elin Hysén (L), 1:e vice ordförande Susanne Andersson (SD)
Johan Tolinsson (S), 2:e vice ordförande Ulrika Nyhlén (M) ersätter Jenny
Paul Blomdahl (M)             Thorbjörnsson (KD)
Mia Sundvall (M)
Övriga närvarande Ersättare                 Tjänstepersoner
Marie-Louise Alfvegren (M)    Sarah von Zweigbergk, utredare § 4
Sena Munteanu (S)             Magnus Fogelblad,
Plats och tid för justering Digital justering, 2025-01-28
Sekreterare   Lars Sundbom                          § 1-11
Ordförande    Emanuel Forsell (M)
Protokolljusterare Johan Tolinsson (S)
"""

VERB_ON_NEXT_LINE = """Beslutande    Ledamöter                     Tjänstgörande ersättare
Tommy Rydfeldt (L), Ordförande Lars Sundbom (M)
Maj-Britt Rane-Andersson (S), 2:e vice tjänstgör för Marianne Pleijel (M)
ordförande                    My Clingston (KD) tjänstgör för
Lars Blom (M)                 Annika Ulfsdotter (KD)
Justerare: Maj-Britt Rane-Andersson (S) och Lars Blom (M)
"""

WEAK_VERB = """Beslutande    Ledamöter                     Tjänstgörande ersättare
Annika Hedman (C), Ordförande Bo Barknertz (M) för Maria
Ulrika Jörgensen (M)          Gathendahl (M)
Per Gunnarsson (S)
Protokolljusterare Elisabeth Lyckevall
"""


def names(people: tuple[Person, ...]) -> list[str]:
    return [str(p) for p in people]


@pytest.mark.parametrize(
    "text, justerare, ledamoter, ersattare",
    [
        (
            TWO_COLUMNS,
            ["Johan Tolinsson (S)"],
            ["Emanuel Forsell (M)", "Elin Hysén (L)", "Johan Tolinsson (S)", "Paul Blomdahl (M)", "Mia Sundvall (M)"],
            ["Göran Ottosson (SD)", "Ulrika Nyhlén (M)", "Marie-Louise Alfvegren (M)", "Sena Munteanu (S)"],
        ),
        (
            VERB_ON_NEXT_LINE,
            ["Maj-Britt Rane-Andersson (S)", "Lars Blom (M)"],
            ["Tommy Rydfeldt (L)", "Maj-Britt Rane-Andersson (S)", "Lars Blom (M)"],
            ["Lars Sundbom (M)", "My Clingston (KD)"],
        ),
        (
            WEAK_VERB,
            ["Elisabeth Lyckevall"],
            ["Annika Hedman (C)", "Ulrika Jörgensen (M)", "Per Gunnarsson (S)"],
            ["Bo Barknertz (M)"],
        ),
    ],
)
def test_first_page_layouts(text, justerare, ledamoter, ersattare):
    found = meeting(text)
    assert found is not None
    assert (names(found.justerare), names(found.ledamoter), names(found.ersattare)) == (
        justerare,
        ledamoter,
        ersattare,
    )


def test_a_page_naming_nobody_gives_no_meeting():
    assert meeting("Tjänsteskrivelse\n\nFörvaltningen föreslår att nämnden antar planen för 2026.\n") is None


def test_evaluation_protocol_hand_checked():
    doc = read_document(ROOT / "evals/corpus/documents/kungsbacka-fg-2025-01-22-protokoll.md")
    assert doc.meeting is not None
    assert names(doc.meeting.justerare) == ["Johan Tolinsson (S)"]
    assert len(doc.meeting.ledamoter) == 11 and "Susanne Andersson (SD)" not in names(doc.meeting.ledamoter)
    assert names(doc.meeting.ersattare) == [
        "Göran Ottosson (SD)",
        "Ulrika Nyhlén (M)",
        "Marie-Louise Alfvegren (M)",
        "Sena Munteanu (S)",
        "Agnetha Törnberg (L)",
    ]
    assert doc.provenance["justerare"] == doc.provenance["närvarande"] == "första sidan"


def test_evaluation_protocols_name_their_justerare():
    protocols = sorted((ROOT / "evals/corpus/documents").glob("*-protokoll.md"))
    found = [read_document(p).meeting for p in protocols]
    with_justerare = [m for m in found if m is not None and m.justerare]
    assert len(with_justerare) >= 0.9 * len(protocols)


def test_docx_protocol_with_justerare_shown_by_outline(tmp_path, capsys):
    import docx

    from corpus.__main__ import main

    document = docx.Document()
    for line in (
        "SAMMANTRÄDESPROTOKOLL",
        "Kommunstyrelsen",
        "Beslutande: Anna Berg (S), ordförande, Per Ek (M)",
        "Tjänstgörande ersättare: Eva Lind (C) ersätter Bo Strand (C)",
        "Justerare: Per Ek (M)",
        "§ 12 Dnr KS-2025-00012",
        "Ny simhall",
        "Beslut",
        "Kommunstyrelsen beslutar att utreda en ny simhall.",
        "§ 13 Dnr KS-2025-00013",
        "Parkering",
        "Beslut",
        "Kommunstyrelsen beslutar att avgiftsbelägga parkeringen.",
    ):
        document.add_paragraph(line)
    path = tmp_path / "ks-2025-03-04-protokoll.docx"
    document.save(str(path))
    doc = read_document(path)
    assert doc.meeting is not None
    assert names(doc.meeting.justerare) == ["Per Ek (M)"]
    assert names(doc.meeting.ledamoter) == ["Anna Berg (S)", "Per Ek (M)"]
    assert names(doc.meeting.ersattare) == ["Eva Lind (C)"]
    assert main(["outline", str(path)]) == 0
    out = capsys.readouterr().out
    assert "justerare: Per Ek (M) (källa: första sidan)" in out
    assert "ersättare: Eva Lind (C) (källa: första sidan)" in out
