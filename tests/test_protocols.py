"""Reading real protocols and converted Markdown: § items, their parts, metadata from the text, the register."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import corpus
from corpus.catalog import read_catalog
from corpus.decisions import register
from corpus.loader import read_document
from corpus.markdown import read_markdown, split_front_matter
from corpus.metadata import committee, document_type, infer, meeting_date, municipality
from corpus.protocol import has_dot_leader, is_toc_entry, item_header, part_role
from settings import ROOT

EVAL_DOCS = ROOT / "evals" / "corpus" / "documents"
EVAL_CATALOG = ROOT / "evals" / "corpus" / "catalog.toml"

# Hand-made from each protocol's own table of contents: § number -> dnr as written.
PROTOCOL_ITEMS = {
    "kungsbacka-fg-2025-03-19-protokoll.md": (
        "2025-03-19",
        {
            24: "FG-2025-00001",
            25: "FG-2025-00002",
            26: "FG-2025-00003",
            27: "FG-2025-00107",
            28: "FG-2025-00108",
            29: "FG-2025-00105",
            30: "FG-2025-00109",
            31: "FG-2025-00110",
            32: "FG-2025-00087",
            33: "FG-2024-00740",
            34: "FG-2025-00007",
            35: "FG-2025-00004",
        },
    ),
    "kungsbacka-ga-2025-01-16-protokoll.md": (
        "2025-01-16",
        {
            i: f"GA-2024-00{n}"
            for i, n in zip(range(1, 11), (224, 223, 222, 219, 202, "060", 225, 226, 227, 228), strict=True)
        },
    ),
    "kungsbacka-teknik-2025-04-15-protokoll.md": (
        "2025-04-15",
        {
            39: "TE-2025-00170",
            40: "TE-2025-00076",
            41: "TE-2025-00171",
            42: "TE-2025-00049",
            43: "TE-2025-00288",
            44: "TE-2024-00634",
            45: "TE-2025-00287",
            46: "TE-2025-00125",
            47: "TE-2025-00003",
            48: "TE-2025-00002",
            49: "TE-2025-00004",
        },
    ),
    "kungsbacka-vo-2025-02-20-protokoll.md": (
        "2025-02-20",
        {22: "VO-2024-00167", 23: "VO-2025-00048", 24: "VO-2024-00424"},
    ),
    "kungsbacka-miljo-2025-09-11-protokoll.md": (
        "2025-09-11",
        {
            98: "MH-2025-00005",
            99: "MH-2025-00006",
            100: "MH-2025-04869",
            101: "MH-2025-05015",
            102: "MH-2020-2107",
            103: "MH-2025-2213",
            104: "MH-2023-3243",
            105: "MH-2025-03580",
            106: "MH-2025-04890",
            107: "MH-2025-03845",
            108: "MH-2025-00007",
            109: "MH-2025-00008",
            110: "MH-2025-00009",
            111: "MH-2024-05798",
            112: "MH-2025-00010",
        },
    ),
    # OCR-read: its § signs came out as "$" or not at all ("35 Dnr FG-2026-00083").
    "kungsbacka-fg-2026-03-18-protokoll.md": (
        "2026-03-18",
        {
            28: "FG-2026-00014",
            29: "FG-2026-00042",
            30: "FG-2026-00132",
            31: "FG-2026-00113",
            32: "FG-2026-00088",
            33: "FG-2026-00082",
            34: "FG-2025-00705",
            35: "FG-2026-00083",
            36: "FG-2026-00143",
            37: "FG-2026-00018",
            38: "FG-2026-00016",
        },
    ),
    # An extract of one §: its only item is read because the letterhead says "SAMMANTRÄDESPROTOKOLL".
    "kungsbacka-vo-2025-12-11-protokoll.md": ("2025-12-11", {179: "VO-2025-00378"}),
    "kungsbacka-kultur-2025-04-23-protokoll.md": (
        "2025-04-23",
        {
            i: f"KFT-2025-000{n}"
            for i, n in zip(range(42, 54), (62, 79, 78, 77, 85, 88, 83, 84, 86, 87, 92, 80), strict=True)
        },
    ),
}


@pytest.fixture(scope="module")
def eval_register():
    docs = list(corpus.load(EVAL_DOCS, EVAL_CATALOG)) + list(
        corpus.load(ROOT / "corpus" / "documents", ROOT / "corpus" / "catalog.toml")
    )
    return register(docs)


@pytest.mark.parametrize(
    ("line", "paragraf", "dnr", "rubrik"),
    [
        ("§ 27                       Dnr FG-2025-00107", 27, "FG-2025-00107", ""),
        (
            "§ 101 Dnr FG-2024-00659 Initiativärende (S) Översyn av",
            101,
            "FG-2024-00659",
            "Initiativärende (S) Översyn av",
        ),
        ("§ 44 Dnr 2025.129 BUN", 44, "2025.129 BUN", ""),
        ("§ 3 Val av justerare", 3, None, "Val av justerare"),
        ("§ 12 Dnr BN-2018-00013", 12, "BN-2018-00013", ""),
        # OCR read the § sign as "$" or lost it; the Dnr shows the line opens an item.
        ("$ 31 Dnr FG-2026-00113", 31, "FG-2026-00113", ""),
        ("$28 Dnr FG-2026-00014", 28, "FG-2026-00014", ""),
        ("35 Dnr FG-2026-00083", 35, "FG-2026-00083", ""),
    ],
)
def test_item_headers(line, paragraf, dnr, rubrik):
    item = item_header(line)
    assert item is not None and (item.paragraf, item.dnr, item.rubrik) == (paragraf, dnr, rubrik)


@pytest.mark.parametrize(
    "line",
    [
        "§ 1 Dnr 2024-00001 Förändring av ärendelista.......................... 6",
        "3 § Varje huvudman inom skolväsendet ska",
        "2 kap. 8 § skollagen (2010:800)",
        "Enligt § 44 i protokollet",
        "$ 31",  # without its Dnr a "$" or a bare number is no § sign
        "35 elever i klassen",
        "2025 Dnr saknas",
        "Ylla Hinsch, rektor $ 31",
    ],
)
def test_lines_that_open_no_item(line):
    assert item_header(line) is None


@pytest.mark.parametrize(
    ("line", "role"),
    [
        ("Beslut", "decision"),
        ("Nämndens beslut", "decision"),
        ("Kommunstyrelsens beslut", "decision"),
        ("Förslag till beslut i byggnadsnämnden", "proposal"),
        ("Förslag till beslut", "proposal"),
        ("Nämnden för Vård & omsorgs förslag till beslut i kommunfullmäktige", "proposal"),
        ("Sammanfattning av ärendet", "summary"),
        ("Beslutsunderlag", "basis"),
        ("Beslutsgång", "procedure"),
        ("Yrkanden", "motions"),
        ("Förslag till beslut på sammanträdet", "motions"),
        ("Reservation", "reservation"),
        ("Protokollsanteckning", "note"),
        ("Beslutet skickas till", "recipients"),
        ("Omröstning", "vote"),
        ("Beslutet fattades enhälligt av nämnden.", None),
        ("Kostnader för skolskjuts", None),
    ],
)
def test_part_headings_table(line, role):
    assert part_role(line) == role


def test_toc_entries():
    assert is_toc_entry("Förändring av ärendelista.............................. 6")
    assert not is_toc_entry("Nämnden beslutar att anta planen.")


@pytest.mark.parametrize(
    ("line", "leader"),
    [
        ("Förändring av ärendelista.............................. 6", True),
        ("Information - ämnesveckor KapareskOlan.............sssssresssrrerrrrr 6 $32", True),  # OCR noise
        ("Riktlinje civil beredskap … … … … 7", False),
        ("Riktlinje civil beredskap ……… 7", True),
        ("Nämnden beslutar att anta planen...", False),
        ("Summa: 1.2.3. Se bilaga.", False),
    ],
)
def test_dot_leaders(line, leader):
    assert has_dot_leader(line) is leader


def test_table_of_contents_lines_are_no_answer_units():
    from assistant.features import candidate_units
    from index import Hit

    text = "Information - ämnesveckor Kapareskolan.............sssss 6\nÄmnesveckorna har lett till att fler når målen."
    units = candidate_units([Hit(1, _passage(text), 0.9, 0.8, 1.0, [])], "Vad har ämnesveckorna lett till?")
    assert [u.text for u in units] == ["Ämnesveckorna har lett till att fler når målen."]


MINUTES = """---
kommun: exempelby
organ: bun
datum: 2025-05-20
typ: protokoll
---

<!-- sida 1 -->

EXEMPELBY KOMMUN                  SAMMANTRÄDESPROTOKOLL
Barn- och utbildningsnämnden
Datum
2025-05-20

Innehåll

§ 7 Dnr BUN-2025-00010
Skolskjuts i Norrby....................................................... 2

§ 8 Dnr BUN-2025-00011
Läxhjälp <br>på biblioteket.............................................. 3

Expedierat/bestyrkt

<!-- sida 2 -->

EXEMPELBY KOMMUN                  SAMMANTRÄDESPROTOKOLL          2 (3)
Barn- och utbildningsnämnden
Datum
2025-05-20

§ 7                        Dnr BUN-2025-00010
Skolskjuts i Norrby

Beslut
Nämnden beslutar att skolskjuts ska erbjudas alla elever i Norrby från
hösten 2025.

Sammanfattning av ärendet
Vägen till skolan saknar gång- och cykel-
bana. Kostnaden beräknas till 300 tkr per år och

Expedierat/bestyrkt

<!-- sida 3 -->

EXEMPELBY KOMMUN                  SAMMANTRÄDESPROTOKOLL          3 (3)
Barn- och utbildningsnämnden
Datum
2025-05-20

fördelas på två läsår.

§ 8                        Dnr BUN-2025-00011
Läxhjälp på biblioteket

Förslag till beslut i kommunstyrelsen
Kommunstyrelsen inför läxhjälp på biblioteket.

| Post | Kostnad |
| --- | --- |
| Läxhjälp<br>personal | 120 tkr |

Expedierat/bestyrkt
"""


def test_generated_minutes_read_as_items_with_pages_and_without_furniture(tmp_path):
    path = tmp_path / "exempelby-bun-2025-05-20-protokoll.md"
    path.write_text(MINUTES, encoding="utf-8")
    doc = read_document(path)
    items = [s for s in doc.sections if s.item is not None]
    assert [(s.item.paragraf, s.item.dnr, s.heading_path) for s in items] == [
        (7, "BUN-2025-00010", ["§ 7 Skolskjuts i Norrby (Dnr BUN-2025-00010)"]),
        (8, "BUN-2025-00011", ["§ 8 Läxhjälp på biblioteket (Dnr BUN-2025-00011)"]),
    ]  # the table of contents opened no item
    first = items[0]
    parts = [first.text[p.start : p.end] for p in first.paragraphs if p.kind == "part"]
    assert parts == ["Beslut", "Sammanfattning av ärendet"]
    # Hyphenation joined, the paragraph carried over the page break, the running header dropped.
    assert "gång- och cykelbana" in first.text and "per år och fördelas på två läsår." in first.text
    assert (first.page_start, first.page_end) == (2, 2)
    assert "SAMMANTRÄDESPROTOKOLL" not in doc.text.split("Innehåll")[-1]
    assert "Expedierat" not in doc.text
    assert "| Läxhjälp personal | 120 tkr |" in doc.text
    assert (doc.municipality, doc.committee, doc.doc_type, doc.date) == (
        "Exempelby",
        "Barn- och utbildningsnämnden",
        "Protokoll",
        "2025-05-20",
    )
    assert doc.title == "Protokoll, Barn- och utbildningsnämnden, 2025-05-20"
    assert doc.provenance["kommun"].startswith("dokumentets metadata")
    decisions = register([doc])
    assert [(d.paragraf, d.dnr, d.datum) for d in decisions] == [
        (7, "BUN-2025-00010", "2025-05-20"),
        (8, "BUN-2025-00011", "2025-05-20"),
    ]
    assert decisions[0].beslut.startswith("Nämnden beslutar att skolskjuts ska erbjudas")
    assert decisions[1].beslut.startswith("Kommunstyrelsen inför läxhjälp på biblioteket.")


def test_protocol_without_decision_headings_uses_the_deciding_sentence(tmp_path):
    path = tmp_path / "protokoll.md"
    path.write_text(
        "Protokoll\n\n§ 12 Dnr 2025.12 KS\nNy simhall\n\nKommunstyrelsen har diskuterat frågan länge.\n"
        "Kommunstyrelsen beslutar att utreda en ny simhall.\n\n§ 13 Dnr 2025.13 KS\nParkering\n\n"
        "Ärendet bordläggs.\n",
        encoding="utf-8",
    )
    decisions = register([read_document(path)])
    assert [(d.paragraf, d.dnr) for d in decisions] == [(12, "2025.12 KS"), (13, "2025.13 KS")]
    assert decisions[0].beslut == "Kommunstyrelsen beslutar att utreda en ny simhall."
    assert decisions[1].beslut == "Ärendet bordläggs."


EXTRACT = (
    "EXEMPELBY KOMMUN SAMMANTRÄDESPROTOKOLL\nBarn- och utbildningsnämnden\nDatum 2025-05-20\n\n"
    "§ 7 Dnr BUN-2025-00012\nSvar på motion om skolgårdar\n\n"
    "Nämndens förslag till beslut i kommunfullmäktige\nKommunfullmäktige avslår motionen.\n\n"
    "Beslutsunderlag\nKommunfullmäktige 2025-03-11 § 21\n"
)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (EXTRACT, [(7, "BUN-2025-00012", "Kommunfullmäktige avslår motionen.")]),
        # No letterhead calls it a protocol: one § line is no protocol.
        (EXTRACT.replace("SAMMANTRÄDESPROTOKOLL", "TJÄNSTESKRIVELSE"), []),
        # A protocol's single § line without its Dnr is no item either.
        (EXTRACT.replace(" Dnr BUN-2025-00012", ""), []),
    ],
)
def test_an_extract_of_one_item_reads_as_a_protocol_when_it_says_it_is_one(tmp_path, text, items):
    path = tmp_path / "utdrag.md"
    path.write_text(text, encoding="utf-8")
    own = [d for d in register([read_document(path)]) if d.kalla == "protokoll"]
    assert [(d.paragraf, d.dnr, d.beslut) for d in own] == items


def test_contents_entries_with_the_header_above_the_rubrik_open_no_items(tmp_path):
    path = tmp_path / "protokoll.md"
    path.write_text(
        "SAMMANTRÄDESPROTOKOLL\n\nInnehåll\n\n§ 1 Dnr BUN-2025-00001\n\nVal av justerare ............ 2\n\n"
        "§ 2 Dnr BUN-2025-00002\n\nBudget 2026 ............ 3\n\n"
        "§ 1 Dnr BUN-2025-00001\nVal av justerare\n\nBeslut\nNämnden utser Anna Ek.\n\n"
        "§ 2 Dnr BUN-2025-00002\nBudget 2026\n\nBeslut\nNämnden antar budgeten.\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert [s.item.paragraf for s in doc.sections if s.item] == [1, 2]
    assert [(d.paragraf, d.rubrik, d.beslut) for d in register([doc])] == [
        (1, "Val av justerare", "Nämnden utser Anna Ek."),
        (2, "Budget 2026", "Nämnden antar budgeten."),
    ]


def test_attendance_lines_and_wrapped_statute_references_open_no_items(tmp_path):
    path = tmp_path / "protokoll.md"
    path.write_text(
        "SAMMANTRÄDESPROTOKOLL\n\nÖvriga\nBo Ek, kommunrevisor\n\n§ 50\nAnna Al, revisor\n\n"
        "§ 50 Dnr TE-2025-00369\nDialog med revisionen\n\nBeslut\nNämnden noterar informationen.\n\n"
        "§ 51 Dnr TE-2025-00370\nRapporter enligt lex Sarah\n\nBeslut\nNämnden noterar rapporterna.\n\n"
        "Händelser där ett missförhållande har förelegat enligt 27 kap\n\n§ 5 SoL eller 24 e § LSS har förelegat\n"
        "2025-387 – Rapport gällande en hyresgäst.\n",
        encoding="utf-8",
    )
    decisions = register([read_document(path)])
    assert [(d.paragraf, d.dnr, d.rubrik) for d in decisions] == [
        (50, "TE-2025-00369", "Dialog med revisionen"),
        (51, "TE-2025-00370", "Rapporter enligt lex Sarah"),
    ]


def test_a_referenced_decision_is_quoted_without_the_heading_above_it(tmp_path):
    path = tmp_path / "utdrag.md"
    path.write_text(EXTRACT, encoding="utf-8")
    referenced = [d for d in register([read_document(path)]) if d.kalla == "hänvisning"]
    assert [(d.datum, d.paragraf, d.beslut) for d in referenced] == [
        ("2025-03-11", 21, "Kommunfullmäktige 2025-03-11 § 21")
    ]


def test_same_date_two_committees_stay_apart(tmp_path):
    for organ, name in (("fg", "Förskola & Grundskola"), ("ga", "Gymnasium & Arbetsmarknad")):
        text = MINUTES.replace("Barn- och utbildningsnämnden", f"Nämnden för {name}").replace(
            "organ: bun", f"organ: {organ}"
        )
        (tmp_path / f"exempelby-{organ}-2025-05-20-protokoll.md").write_text(text, encoding="utf-8")
    docs = list(corpus.load(tmp_path, tmp_path / "catalog.toml"))
    decisions = register(docs)
    assert {(d.namnd, d.paragraf) for d in decisions} == {
        ("Nämnden för Förskola & Grundskola", 7),
        ("Nämnden för Förskola & Grundskola", 8),
        ("Nämnden för Gymnasium & Arbetsmarknad", 7),
        ("Nämnden för Gymnasium & Arbetsmarknad", 8),
    }
    assert len({d.title for d in docs}) == 2


def test_front_matter_and_markdown_basics():
    front, body = split_front_matter("---\nkommun: kungsbacka\nfel: null\nlista: [a, b]\n---\n\n# Rubrik\n")
    assert front == {"kommun": "kungsbacka"} and body.strip() == "# Rubrik"
    blocks = read_markdown("# Rubrik\n\nEn rad\nsom fortsätter.\n\n- punkt ett\n- punkt två\n").blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Rubrik"),
        ("paragraph", "En rad som fortsätter."),
        ("list_item", "punkt ett"),
        ("list_item", "punkt två"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KUNGSBACKA KOMMUN    SAMMANTRÄDESPROTOKOLL", "Kungsbacka"),
        ("Svar till Alingsås kommun om budget", "Alingsås"),
        ("Varje kommun ska ha en plan", None),
    ],
)
def test_municipality_rules(text, expected):
    assert municipality(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nämnden  för Förskola & Grundskola", "Nämnden för Förskola & Grundskola"),
        ("Byggnadsnämndens arbetsutskott", "Byggnadsnämndens arbetsutskott"),
        ("Barn- och ungdomsnämnden", "Barn- och ungdomsnämnden"),
        ("Nämnden för Vård & Omsorg noterar informationen", "Nämnden för Vård & Omsorg"),
        ("Förslag till beslut i nämnden för Teknik", "Nämnden för Teknik"),
    ],
)
def test_committee_rules(text, expected):
    assert committee(text) == expected


def test_type_and_date_rules():
    assert document_type("SAMMANTRÄDESPROTOKOLL") == "Protokoll"
    assert document_type("KALLELSE/UNDERRÄTTELSE") == "Kallelse"
    assert document_type("kungsbacka fg 2025 11 12 handlingar s74 88") == "Handlingar"
    assert meeting_date("Upprättad\n2025-09-09\nSammanträde onsdagen den 17 september 2025 kl. 16:00") == "2025-09-17"
    assert meeting_date("Datum\n2024-02-01") == "2024-02-01"
    found = infer("Inget här.", Path("anteckning.txt"))
    assert "kommun" not in found and "datum" not in found


def test_evaluation_documents_added_without_flags_get_their_metadata():
    """Adding the evaluation corpus with no catalog: municipality, committee, type, date and a readable title
    right for at least 90% of the documents (checked against the provenance catalog)."""
    catalog = read_catalog(EVAL_CATALOG)
    right = []
    for path in sorted(EVAL_DOCS.iterdir()):
        doc = read_document(path)  # no catalog entry, as with `index add FILE` and no flags
        want = catalog[path.name]
        title_ok = doc.title == f"{doc.doc_type}, {doc.committee}, {doc.date}"
        right.append(
            (doc.municipality, doc.committee, doc.doc_type, doc.date)
            == (want["kommun"], want["namnd"], want["typ"], want["datum"])
            and title_ok
        )
    assert sum(right) / len(right) >= 0.9, sum(right)


def test_register_lists_every_item_of_hand_checked_protocols(eval_register):
    for doc_id, (datum, items) in PROTOCOL_ITEMS.items():
        own = [d for d in eval_register if d.doc_id == doc_id and d.kalla == "protokoll"]
        assert {d.paragraf: d.dnr for d in own} == items, doc_id
        assert {d.datum for d in own} == {datum}
        assert all(d.beslut for d in own), doc_id


def test_register_holds_the_alingsas_decisions_the_follow_up_cites(eval_register):
    cited = {
        d.paragraf: d
        for d in eval_register
        if d.doc_id == "alingsas-bun-2025-uppfoljning-inriktning-senare.txt" and d.datum == "2025-06-17"
    }
    assert set(cited) == {44, 47}
    assert "omfördela resurser från lokalhyror till höjd elevpeng" in cited[44].beslut
    assert "kameraövervakning" in cited[47].beslut
    assert cited[44].kalla == "hänvisning" and cited[44].kommun == "Alingsås"


def test_decisions_cli_json_and_csv(built, capsys, monkeypatch):
    from assistant.__main__ import main
    from assistant.engine import set_index

    settings, ix = built
    set_index(ix)
    try:
        assert main(["decisions", "--kommun", "Alingsås", "--fran", "2025-06-01", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)["decisions"]
        assert {(r["datum"], r["paragraf"]) for r in rows} == {("2025-06-17", 44), ("2025-06-17", 47)}
        assert set(rows[0]) >= {"kommun", "namnd", "datum", "paragraf", "dnr", "rubrik", "beslut", "doc_id", "page"}
        assert main(["decisions", "--sok", "kameraövervakning", "--csv"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].startswith("kommun,namnd,datum,paragraf,dnr") and len(lines) == 2
        with pytest.raises(SystemExit):
            main(["decisions", "--fran", "23 september 2025"])
        assert "ÅÅÅÅ-MM-DD" in capsys.readouterr().err
    finally:
        set_index(None)


def test_decisions_tab_filters_source_and_csv(tmp_path):
    from types import SimpleNamespace

    from chat.decisions_tab import csv_file, filtered, source_text

    path = tmp_path / "exempelby-bun-2025-05-20-protokoll.md"
    path.write_text(MINUTES, encoding="utf-8")
    doc = read_document(path)
    fake = SimpleNamespace(decisions=register([doc]), documents={doc.doc_id: {"title": doc.title}})
    rows, status = filtered(fake, [], "", "2025-05-01", "", "skolskjuts")
    assert [r[1] for r in rows] == [7] and status == "1 beslut."
    assert filtered(fake, [], "", "23 maj 2025", "", "")[1].startswith("Från-datumet ”23 maj 2025” går inte att läsa")
    text = source_text(fake, rows[0])
    assert doc.title in text and "> Nämnden beslutar att skolskjuts" in text
    lines = Path(csv_file(fake, ["Exempelby"], "", "", "", "")).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("kommun,namnd,datum,paragraf") and len(lines) == 3


def _two_item_lines() -> list[str]:
    return [
        "SAMMANTRÄDESPROTOKOLL",
        "Kommunstyrelsen",
        "",
        "§ 12 Dnr KS-2025-00012",
        "Ny simhall",
        "",
        "Beslut",
        "Kommunstyrelsen beslutar att utreda en ny simhall.",
        "",
        "§ 13 Dnr KS-2025-00013",
        "Parkering vid rådhuset",
        "",
        "Beslut",
        "Kommunstyrelsen beslutar att avgiftsbelägga parkeringen.",
    ]


EXPECTED_ITEMS = [
    (12, "KS-2025-00012", "Ny simhall", "Kommunstyrelsen beslutar att utreda en ny simhall."),
    (13, "KS-2025-00013", "Parkering vid rådhuset", "Kommunstyrelsen beslutar att avgiftsbelägga parkeringen."),
]


def test_generated_docx_protocol_reads_as_items(tmp_path):
    import docx

    document = docx.Document()
    for line in _two_item_lines():
        if line:
            document.add_paragraph(line)
    path = tmp_path / "protokoll.docx"
    document.save(str(path))
    decisions = register([read_document(path)])
    assert [(d.paragraf, d.dnr, d.rubrik, d.beslut) for d in decisions] == EXPECTED_ITEMS


def test_generated_pdf_protocol_reads_as_items(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "protokoll.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in _two_item_lines():
        pdf.drawString(60, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    decisions = register([read_document(path)])
    assert [(d.paragraf, d.dnr, d.rubrik, d.beslut) for d in decisions] == EXPECTED_ITEMS


def _passage(text: str, rows=()):
    from index.chunking import Chunk

    return Chunk("c", "d.md", "Titel", "okänd", 2025, [], text, 0, len(text), None, None, rows=list(rows))


def test_table_without_a_header_row_is_read_as_written():
    from assistant.tables import table_row_text

    headerless = "Kostnader:\n| Läxhjälp | 1 200 tkr |\n| Simskola | 800 tkr |"
    start = headerless.index("| Simskola")
    assert table_row_text(_passage(headerless), start, "| Simskola | 800 tkr |") == "| Simskola | 800 tkr |"
    headed = "| Insats | Kostnad 2025 |\n| Läxhjälp | 1 200 tkr |\n| Simskola | 800 tkr |"
    start = headed.index("| Simskola")
    assert table_row_text(_passage(headed), start, "| Simskola | 800 tkr |") == "Simskola: Kostnad 2025 800 tkr."


def test_a_row_whose_table_began_in_an_earlier_chunk_is_read_against_its_typed_header():
    from assistant.tables import table_header, table_row_text
    from index.chunking import RowSpan

    # The header row stands in the chunk before; the reader's typed rows still carry it.
    text = "| Simskola | 800 tkr |\n| Totalt | 2 000 tkr |"
    rows = [
        RowSpan(0, 22, ["Insats", "Kostnad 2025"], "Kostnader"),
        RowSpan(23, len(text), ["Insats", "Kostnad 2025"], "Kostnader"),
    ]
    start = text.index("| Totalt")
    assert table_header(_passage(text, rows), start, "| Totalt | 2 000 tkr |") == "| Insats | Kostnad 2025 |"
    assert table_row_text(_passage(text, rows), start, "| Totalt | 2 000 tkr |") == "Totalt: Kostnad 2025 2 000 tkr."
    # A row repeating the header's column names over a part of the table reads as written.
    repeated = "| Fritidshem | Kostnad 2025 |"
    text2 = text + "\n" + repeated
    rows2 = [*rows, RowSpan(len(text) + 1, len(text2), ["Insats", "Kostnad 2025"], "Kostnader")]
    assert table_row_text(_passage(text2, rows2), len(text) + 1, repeated) == repeated
    # Untyped, the first row would be taken for a header only if it held no amounts: here it does.
    assert table_header(_passage(text), start, "| Totalt | 2 000 tkr |") == "| Totalt | 2 000 tkr |"


def test_pdf_protocol_with_an_item_on_every_page_keeps_its_part_headings(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    items = [
        (12, "Ny simhall", "Kommunstyrelsen beslutar att utreda en ny simhall."),
        (13, "Parkering vid rådhuset", "Kommunstyrelsen beslutar att avgiftsbelägga parkeringen."),
        (14, "Biblioteket i Norrby", "Kommunstyrelsen beslutar att förlänga bibliotekets öppettider."),
    ]
    path = tmp_path / "protokoll.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number, rubrik, decision in items:
        y = 800
        for line in (f"§ {number} Dnr KS-2025-000{number}", rubrik, "Beslut", decision):
            pdf.drawString(60, y, line)
            y -= 18
        pdf.drawString(60, 40, "Kommunstyrelsen, protokoll 2025-03-04")
        pdf.showPage()
    pdf.save()
    doc = read_document(path)
    # "§ 12 Dnr …" and "Beslut" open every page, as a running header would, and are still content.
    parts = [[s.text[p.start : p.end] for p in s.paragraphs if p.kind == "part"] for s in doc.sections]
    assert parts == [["Beslut"]] * 3
    assert [(d.paragraf, d.rubrik, d.beslut) for d in register([doc])] == items
    assert "Kommunstyrelsen, protokoll" not in doc.text


def test_a_sub_tables_rows_are_read_against_its_own_header():
    from assistant.tables import is_header_row, table_header, table_row_text

    text = (
        "| Förskola | Grundbelopp 2025 | Grundbelopp 2026 |\n"
        "| Förskola 1-2 år | 171 620 | 177 199 |\n"
        "| Fritidshem | Grundbelopp 2025 | Grundbelopp 2026 |\n"
        "| Fritidshem åk F-3 | 41 557 | 42 934 |"
    )
    passage = _passage(text)
    row = "| Fritidshem åk F-3 | 41 557 | 42 934 |"
    start = text.index(row)
    assert table_header(passage, start, row) == "| Fritidshem | Grundbelopp 2025 | Grundbelopp 2026 |"
    assert table_row_text(passage, start, row) == "Fritidshem åk F-3: Grundbelopp 2025 41 557, Grundbelopp 2026 42 934."
    sub_header = "| Fritidshem | Grundbelopp 2025 | Grundbelopp 2026 |"
    assert table_row_text(passage, text.index(sub_header), sub_header) == sub_header  # not read against the first
    header_rows = [line for line in text.split("\n") if is_header_row(passage, text.index(line), line)]
    assert header_rows == [text.split("\n")[0], text.split("\n")[2]]


@pytest.mark.parametrize(
    ("text", "row", "header"),
    [
        # A year in a header names a column; it is no value.
        ("| Post | 2024 | 2025 |\n| Intäkter | 12,5 | 13,1 |", "| Intäkter | 12,5 | 13,1 |", "| Post | 2024 | 2025 |"),
        # A Markdown rule line under the header is skipped.
        (
            "| Insats | Kostnad |\n| --- | --- |\n| Läxhjälp | 1 200 tkr |",
            "| Läxhjälp | 1 200 tkr |",
            "| Insats | Kostnad |",
        ),
        # Text rows of a text table: read against the table's first row, not the row above.
        (
            "| Åtgärd | Ansvar |\n| Rastvakter | Rektor |\n| Läxhjälp | Lärare |",
            "| Läxhjälp | Lärare |",
            "| Åtgärd | Ansvar |",
        ),
    ],
)
def test_header_of_an_untyped_row(text, row, header):
    from assistant.tables import table_header

    assert table_header(_passage(text), text.index(row), row) == header
