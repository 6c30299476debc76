"""The five shipped documents are read into the structure their layout shows.

The expected headings below were written by reading each document, not copied from
the parser's output.
"""

from __future__ import annotations

import re

import pytest

from corpus import UNKNOWN

APRIL = "alingsas-bun-2025-uppfoljning-inriktning-april.txt"
LATER = "alingsas-bun-2025-uppfoljning-inriktning-senare.txt"
VU = "alingsas-bun-huvudmannens-verksamhetsuppfoljning-2022-2023.txt"
PLAN2020 = "okand-kommun-bun-utvecklingsomraden-2020-2021.txt"
SVENLJUNGA = "svenljunga-bun-plan-systematiskt-kvalitetsarbete-2026.txt"

AREAS = [
    "Tidiga insatser för särskilt stöd (förskola)",
    "Lärmiljö och inre organisation (förskola)",
    "Läsa, skriva, räkna",
    "Trygghet och studiero, inklusive disciplinära åtgärder",
    "Särskilt stöd (skola)",
    "Elever med hög frånvaro",
    "Kvalitetsarbete, kompetensförsörjning och arbetsmiljö",
    "Stödstrukturer",
]

TOP_LEVEL = {
    APRIL: [
        "Uppföljning inriktning budget Barn- och ungdomsnämnden 2025",
        "Bakgrund",
        "Inriktning budget 2025",
        "Uppföljning per område",
        "Sammanfattning",
    ],
    LATER: ["Bakgrund", "Inriktning budget 2025", "Uppföljning per område", "Sammanfattning"],
    VU: [
        "Huvudmannens verksamhetsuppföljning 2022/2023",
        "Ärendebeskrivning",
        "Förvaltningens yttrande",
        "Fortsatta strategier",
        "Mål",
        "Strategi",
        "Övergripande insatser",
        "Fördjupningsdialoger",
        "Ekonomisk bedömning",
        "Förslag till beslut",
        "Beslutet ska skickas till",
    ],
    PLAN2020: [
        "Bakgrund",
        "Delaktighet",
        "Nulägesanalys",
        "1. Insatser inom ramen för utvecklingsområdet IT",
        "2. Insatser inom ramen för utvecklingsområdet enhets-, lednings- och lärarstöd",
        "3. Insatser inom ramen för utvecklingsområdet Elevhälsan",
        "4. Insatser inom ramen för utvecklingsområdet SYV och nyanländas lärande",
        "5. Insatser inom ramen för utvecklingsområdet garanti för tidiga stödinsatser i förskoleklass och lågstadiet",
        "6. Insatser inom matematikområdet",
        "Styrkor och svagheter med de samlade insatserna",
        "Risker",
        "Erfarenhetsspridning",
        "Tidplan och kostnader",
        "IT",
        "Stöd till lärare, rektor och enhet",
        "Elevhälsa",
        "SYV och nyanländas lärande",
        "Tidiga insatser",
        "Matematiksatsning",
        "Kostnadsberäkning",
    ],
    SVENLJUNGA: [
        "Vision och verksamhetsidé",
        "Kommunfullmäktiges målområden",
        "Barn- och utbildningsnämndens verksamhetsidé",
        "Barn- och utbildningsnämndens mål",
        "Strategiska fokusområden utifrån verksamhetsplan 2026–2028.",
        "Syfte och mål",
        "Huvudmannens ansvar i våra styrdokument med fokus på kvalitetsarbete",
        "Ett kvalitetsarbete som leder mot målen",
        "Övergripande mål i våra nationella styrdokument som pekar ut riktningen för kvalitetsarbetet",
        "Övergripande insatser för att förbättra resultaten i våra verksamheter",
        "Gemensamma insatser för att förbättra resultaten i våra verksamheter",
        "Förskolans insatser för att förbättra resultaten i verksamheterna",
        "Grundskolans insatser för att förbättra resultaten i verksamheterna",
        "Komvux (vuxenutbildningen) insatser för att förbättra resultaten i verksamheten",
        "BUS (barn- och unga i Svenljunga) insatser för att förbättra resultaten i verksamheten",
        "Kulturskolans insatser till högre kvalitet",
        "Arbete med kommunalt aktivitetsansvar",
        "Uppföljning, utvärdering och återrapportering",
        "Forum för dialog",
        "Kvalitetsdialog",
        "Kvalitetsfokus på nämndsmöten med inriktning på våra olika verksamheter",
        "Ledningsgrupp",
        "Arbetsgrupper",
    ],
}


def top_level(doc) -> list[str]:
    seen: list[str] = []
    for s in doc.sections:
        if s.heading_path and s.heading_path[0] not in seen:
            seen.append(s.heading_path[0])
    return seen


def test_all_five_documents_load_without_errors(shipped_corpus):
    assert len(shipped_corpus) == 5
    assert shipped_corpus.errors == []


@pytest.mark.parametrize("doc_id", list(TOP_LEVEL))
def test_top_level_headings(shipped_docs, doc_id):
    assert top_level(shipped_docs[doc_id]) == TOP_LEVEL[doc_id]


@pytest.mark.parametrize("doc_id", [APRIL, LATER])
def test_area_headings_sit_under_uppfoljning_per_omrade(shipped_docs, doc_id):
    areas = [
        s.heading_path[1]
        for s in shipped_docs[doc_id].sections
        if s.heading_path[:1] == ["Uppföljning per område"] and len(s.heading_path) == 2
    ]
    assert areas == AREAS


def test_numbered_sections_hold_their_recurring_subheadings(shipped_docs):
    paths = [s.heading_path for s in shipped_docs[PLAN2020].sections]
    assert ["1. Insatser inom ramen för utvecklingsområdet IT", "Ansvar"] in paths
    assert ["6. Insatser inom matematikområdet", "Mål och förväntade effekter"] in paths
    assert ["Styrkor och svagheter med de samlade insatserna"] in paths


def test_svenljunga_subsections(shipped_docs):
    paths = [s.heading_path for s in shipped_docs[SVENLJUNGA].sections]
    assert ["Förskolans insatser för att förbättra resultaten i verksamheterna", "Läslyftet"] in paths
    assert ["Grundskolans insatser för att förbättra resultaten i verksamheterna", "Trygghet och studiero"] in paths
    assert ["Vision och verksamhetsidé", "Kommunfullmäktiges vision"] in paths


@pytest.mark.parametrize("doc_id", list(TOP_LEVEL))
def test_no_page_number_or_running_footer_survives(shipped_docs, doc_id):
    doc = shipped_docs[doc_id]
    for line in doc.text.split("\n"):
        assert not re.fullmatch(r"\s*\d{1,3}(\s*\(\d+\))?\s*", line), line
    assert "9 (21)" not in doc.text
    assert "Svenljunga kommun Plan för det systematiska kvalitetsarbetet 2026 barn- och" not in doc.text
    assert "2025-12-16, § 142" not in doc.text


def test_labels_are_not_headings(shipped_docs):
    headings = {h for s in shipped_docs[SVENLJUNGA].sections for h in s.heading_path}
    assert not any(re.match(r"(Syfte|Mål|Åtgärder)(:|$)", h) for h in headings)
    laslyftet = next(s for s in shipped_docs[SVENLJUNGA].sections if s.heading == "Läslyftet")
    assert laslyftet.text.startswith("Syfte: Förbättra språkutveckling")
    assert "Mål: Stärka pedagogernas kompetens" in laslyftet.text


@pytest.mark.parametrize(
    ("doc_id", "joined"),
    [
        (APRIL, "En förvaltningsövergripande kartläggning har genomförts"),
        (APRIL, "fånga de barn som har behov av särskilt stöd i förskoleklassen"),
        (APRIL, "vidare arbete med implementeringen av stödmodulen i Unikum"),
        (APRIL, "jämfört med en situation där inga extra resurser hade riktats mot högstadiet"),
        (APRIL, "Intresseavvägningen kommer att presenteras för nämnden"),
        (LATER, "utifrån beslut om ytterligare förstärkt elevpeng"),
        (LATER, "Arbetet med utvecklade kunskapsuppföljningar i anpassad grundskola har inletts."),
    ],
)
def test_line_break_hyphenation_is_joined(shipped_docs, doc_id, joined):
    assert joined in shipped_docs[doc_id].text


@pytest.mark.parametrize(
    "kept",
    [
        "en förskole- och skolorganisation som möter framtidens behov",
        "förbättrade förutsättningar för ökad lärar- och personaltäthet",
        "Barn- och ungdomsnämndens inriktning för budget 2025",
    ],
)
def test_real_hyphens_are_kept(shipped_docs, kept):
    assert kept in shipped_docs[APRIL].text


def test_wrapped_lines_form_paragraphs(shipped_docs):
    section = next(s for s in shipped_docs[APRIL].sections if s.heading == "Elever med hög frånvaro")
    first = section.text.split("\n")[0]
    assert first == (
        "Nämnden riktar särskilda resurser för att stödja elever med hög frånvaro. I förvaltningen pågår ett "
        "arbete med att identifiera vilka insatser som krävs för att öka närvaron för de elever som har låg "
        "eller ingen närvaro."
    )
    assert "Utifrån de särskilt riktade resurserna har förvaltningen utformat fyra tjänster för socialpedagoger" in (
        section.text
    )


def test_bullets_stay_list_items(shipped_docs):
    vision = next(s for s in shipped_docs[SVENLJUNGA].sections if s.heading == "Kommunfullmäktiges vision")
    items = [line for line in vision.text.split("\n") if line.startswith("• ")]
    assert "• Vi utvecklar en skola i toppklass." in items
    assert len(items) == 6
    analysis = next(s for s in shipped_docs[PLAN2020].sections if s.heading == "Nulägesanalys")
    assert "• Förebyggande och hälsofrämjande arbete." in analysis.text.split("\n")


def test_flattened_table_rows_stay_lines(shipped_docs):
    costs = next(s for s in shipped_docs[PLAN2020].sections if s.heading == "Kostnadsberäkning")
    lines = costs.text.split("\n")
    assert "Matematiksatsning 100 tkr" in lines
    assert "Totalt 8 464 tkr" in lines
    assert len(lines) == 7


def test_pages_follow_page_numbers_and_page_starts(shipped_docs):
    april = shipped_docs[APRIL]
    pages = {s.heading: (s.page_start, s.page_end) for s in april.sections}
    assert pages["Bakgrund"] == (2, 2)
    assert pages["Uppföljning per område"] == (3, 3)
    assert pages["Elever med hög frånvaro"] == (7, 8)
    assert pages["Sammanfattning"] == (10, 10)
    # Svenljunga prints "9 (21)" in a footer: pages are numbered from that anchor.
    svenljunga = {s.heading: s.page_start for s in shipped_docs[SVENLJUNGA].sections}
    assert svenljunga["Dokumentation"] == 9
    assert svenljunga["Kommunfullmäktiges vision"] == 5


def test_document_without_page_layout_has_no_pages(shipped_docs):
    assert all(s.page_start is None for s in shipped_docs[PLAN2020].sections)


def test_offsets_point_back_into_document_text(shipped_docs):
    for doc in shipped_docs.values():
        for s in doc.sections:
            assert doc.text[s.start : s.end] == s.text
            for p in s.paragraphs:
                assert s.text[p.start : p.end].strip()


def test_catalog_metadata_is_attached(shipped_docs):
    april = shipped_docs[APRIL]
    assert (april.municipality, april.date, april.reference) == ("Alingsås", "2025-05-27", "2025.129 BUN")
    assert april.committee == "Barn- och ungdomsnämnden"
    assert shipped_docs[LATER].date == UNKNOWN
    assert shipped_docs[PLAN2020].municipality == UNKNOWN
    assert shipped_docs[SVENLJUNGA].municipality == "Svenljunga"
    assert shipped_docs[SVENLJUNGA].year == 2025
    assert shipped_docs[VU].doc_type == "Tjänsteskrivelse"


def test_content_hash_is_stable_and_content_sensitive(shipped_docs, tmp_path):
    from corpus import read_document
    from settings import ROOT

    src = ROOT / "corpus" / "documents" / APRIL
    again = read_document(src, {"title": "x"})
    assert again.content_hash == read_document(src, {"title": "x"}).content_hash
    changed = tmp_path / src.name
    changed.write_bytes(src.read_bytes() + b"\nEn ny mening.\n")
    assert read_document(changed, {"title": "x"}).content_hash != again.content_hash
    assert read_document(src, {"title": "y"}).content_hash != again.content_hash
