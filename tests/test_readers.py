"""PDF, DOCX, HTML, Markdown and text readers, on files made here, and bad input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import corpus
from corpus import CorpusError, read_document

BODY = (
    "Nämnden har beslutat att satsa på läsning i alla skolor under året. "
    "Satsningen omfattar både förskola och grundskola och följs upp varje termin."
)


def make_pdf(path: Path, pages: list[list[tuple[str, str]]], footer: str | None = "Testkommun Plan 2026") -> Path:
    """A PDF with headings and body lines per page and a running footer with 'N (total)'."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for number, page in enumerate(pages, start=1):
        y = 780
        for kind, text in page:
            c.setFont("Helvetica-Bold" if kind == "h" else "Helvetica", 14 if kind == "h" else 11)
            c.drawString(60, y, text)
            y -= 22 if kind == "h" else 16
        if footer:
            c.setFont("Helvetica", 9)
            c.drawString(60, 40, footer)
            c.drawString(500, 40, f"{number} ({len(pages)})")
        c.showPage()
    c.save()
    return path


PDF_PAGES = [
    [
        ("h", "Bakgrund"),
        ("b", "Nämnden har beslutat att satsa på läsning i alla skolor under"),
        ("b", "året. Satsningen omfattar både förskola och grundskola och"),
        ("b", "följs upp varje termin."),
        ("h", "Läsfrämjande insatser"),
        ("b", "Skolbiblioteken får utökade öppettider och nya böcker köps in"),
        ("b", "till alla enheter."),
    ],
    [
        ("b", "Varje elev i årskurs 1 läser dagligen tillsammans med en vuxen"),
        ("b", "och resultaten följs upp i december."),
        ("h", "Kostnader"),
        ("b", "Satsningen kostar 450 tkr under året och ryms inom ramen."),
    ],
    [
        ("h", "Uppföljning"),
        ("b", "Nämnden får en rapport om läsningen i juni."),
    ],
]


def test_pdf_pages_headings_and_footer(tmp_path):
    doc = read_document(make_pdf(tmp_path / "lasning.pdf", PDF_PAGES))
    headings = [s.heading for s in doc.sections]
    assert headings == ["Bakgrund", "Läsfrämjande insatser", "Kostnader", "Uppföljning"]
    pages = {s.heading: (s.page_start, s.page_end) for s in doc.sections}
    assert pages == {
        "Bakgrund": (1, 1),
        "Läsfrämjande insatser": (1, 2),
        "Kostnader": (2, 2),
        "Uppföljning": (3, 3),
    }
    assert "Testkommun Plan 2026" not in doc.text
    assert "(3)" not in doc.text
    insatser = next(s for s in doc.sections if s.heading == "Läsfrämjande insatser")
    assert [p.page for p in insatser.paragraphs] == [1, 2]
    assert "nya böcker köps in till alla enheter." in insatser.text


def test_pdf_without_text_layer_says_it_needs_ocr(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "skannad.pdf"
    c = canvas.Canvas(str(path))
    c.rect(50, 50, 200, 200, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(CorpusError, match="OCR") as info:
        read_document(path)
    assert "skannad.pdf" in str(info.value)


def test_corrupt_pdf(tmp_path):
    path = tmp_path / "trasig.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf at all\n%%EOF")
    with pytest.raises(CorpusError, match="trasig.pdf.*(skadad|saknar textlager|inga sidor)"):
        read_document(path)


def make_docx(path: Path) -> Path:
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.add_heading("Plan för läsning", level=1)
    d.add_paragraph(BODY)
    d.add_heading("Insatser", level=2)
    d.add_paragraph("Fler böcker till skolbiblioteken.", style="List Bullet")
    d.add_paragraph("Läsning med vuxen varje dag.", style="List Bullet")
    d.add_paragraph("Uppföljning görs i december.").runs[0].add_break(WD_BREAK.PAGE)
    d.add_heading("Kostnader", level=2)
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Böcker", "120 tkr"
    table.cell(1, 0).text, table.cell(1, 1).text = "Personal", "330 tkr"
    d.save(str(path))
    return path


def test_docx_heading_styles_lists_tables_and_pages(tmp_path):
    doc = read_document(make_docx(tmp_path / "plan.docx"))
    assert [s.heading_path for s in doc.sections] == [
        ["Plan för läsning"],
        ["Plan för läsning", "Insatser"],
        ["Plan för läsning", "Kostnader"],
    ]
    insatser = doc.sections[1]
    assert "• Fler böcker till skolbiblioteken." in insatser.text.split("\n")
    assert (insatser.page_start, insatser.page_end) == (1, 1)
    costs = doc.sections[2]
    assert costs.page_start == 2
    assert "Böcker | 120 tkr" in costs.text


def test_corrupt_docx(tmp_path):
    path = tmp_path / "trasig.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorpusError, match="trasig.docx.*skadad"):
        read_document(path)


def test_docx_zip_bomb_is_rejected(tmp_path):
    path = tmp_path / "bomb.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (210 * 1024 * 1024))
    path.write_bytes(buf.getvalue())
    with pytest.raises(CorpusError, match="orimlig storlek"):
        read_document(path)


def test_html_reader(tmp_path):
    path = tmp_path / "sida.html"
    path.write_text(
        "<html><head><title>x</title><script>alert(1)</script></head><body>"
        "<h1>Protokoll</h1><p>Nämnden beslutade att godkänna rapporten.</p>"
        "<h2>Närvarande</h2><ul><li>Anna Andersson</li><li>Bo Berg</li></ul>"
        "<table><tr><td>Kostnad</td><td>100 tkr</td></tr></table></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert [s.heading_path for s in doc.sections] == [["Protokoll"], ["Protokoll", "Närvarande"]]
    assert "alert" not in doc.text
    assert "• Bo Berg" in doc.sections[1].text
    assert "Kostnad | 100 tkr" in doc.sections[1].text


def test_markdown_reader(tmp_path):
    path = tmp_path / "anteckning.md"
    path.write_text(
        "# Möte\n\nVi träffades i maj\noch diskuterade läsning.\n\n## Beslut\n\n- Köpa böcker\n- Följa upp\n"
    )
    doc = read_document(path)
    assert [s.heading_path for s in doc.sections] == [["Möte"], ["Möte", "Beslut"]]
    assert doc.sections[0].text == "Vi träffades i maj och diskuterade läsning."
    assert doc.sections[1].text == "• Köpa böcker\n• Följa upp"


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        # A converted PDF wraps a list item without indentation: a lowercase line continues it.
        (
            "- Ansöka om 0,5 mkr för att främja välmående,\nmed syfte att skapa ökat välmående.\n- Följa upp",
            ["• Ansöka om 0,5 mkr för att främja välmående, med syfte att skapa ökat välmående.", "• Följa upp"],
        ),
        # ... and so does any line after an item that ends unfinished ("&", a conjunction).
        (
            "• Fyra skolcoacher i samverkan mellan Gymnasium &\nArbetsmarknad samt Kultur & Fritid.",
            ["• Fyra skolcoacher i samverkan mellan Gymnasium & Arbetsmarknad samt Kultur & Fritid."],
        ),
        # A capitalised line after a finished item is a paragraph of its own.
        (
            "• Delegationsordning budgetfördelning\nFråga från Johan Tolinsson (S) om arbetsmiljön.",
            ["• Delegationsordning budgetfördelning", "Fråga från Johan Tolinsson (S) om arbetsmiljön."],
        ),
        # A dnr or date wrapped at its hyphen is joined without a space.
        ("• Årsredovisning 2024, KS-\n2025-00086", ["• Årsredovisning 2024, KS-2025-00086"]),
        # OCR reads "•" as a lone "e" before a capitalised word.
        ("e Trygghet och studiero\n\ne Extra anpassningar", ["• Trygghet och studiero", "• Extra anpassningar"]),
        ("e-tjänsten öppnar i maj.", ["e-tjänsten öppnar i maj."]),
        ("e anpassningar görs.", ["e anpassningar görs."]),
    ],
)
def test_markdown_list_items_wrapped_as_converted_pdfs_write_them(tmp_path, body, lines):
    path = tmp_path / "lista.md"
    path.write_text(f"# Lista\n\n{body}\n", encoding="utf-8")
    assert read_document(path).sections[0].text.split("\n") == lines


@pytest.mark.parametrize(
    ("body", "paragraphs"),
    [
        # A converted PDF leaves a blank line inside a sentence: the lowercase rest goes on with it.
        (
            "Ordföranden prövar om nämnden kan\n\ngodkänna redovisningen och finner att nämnden bifaller det.",
            ["Ordföranden prövar om nämnden kan godkänna redovisningen och finner att nämnden bifaller det."],
        ),
        # A finished sentence, or a capitalised line, starts a paragraph of its own.
        ("Nämnden beslutar enligt förslaget.\n\nsamt noterar informationen.", None),
        ("Nämnden för Teknik\n\nDatum för sammanträdet är i maj.", None),
    ],
)
def test_markdown_paragraph_cut_by_a_blank_line_inside_a_sentence(tmp_path, body, paragraphs):
    path = tmp_path / "stycke.md"
    path.write_text(f"# Rubrik\n\n{body}\n", encoding="utf-8")
    expected = paragraphs if paragraphs is not None else body.split("\n\n")
    assert read_document(path).sections[0].text.split("\n") == expected


def test_cp1252_text_is_decoded(tmp_path):
    path = tmp_path / "gammal.txt"
    path.write_bytes("Beslut\n\nNämnden beslöt att öka anslaget för förskolan.\n".encode("cp1252"))
    doc = read_document(path)
    assert "Nämnden beslöt att öka anslaget för förskolan." in doc.text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tom.txt", b"", "tom"),
        ("blank.txt", b"   \n\n  ", "tom"),
        ("bild.png", b"\x89PNG\r\n\x1a\n\0\0\0", "stöds inte"),
        ("binar.txt", bytes(range(256)) * 20, "inte en textfil"),
    ],
)
def test_bad_input_gives_a_clear_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=reason) as info:
        read_document(path)
    assert name in str(info.value)


def test_load_skips_bad_files_and_returns_the_rest(tmp_settings):
    d = tmp_settings.corpus_dir
    (d / "tom.txt").write_bytes(b"")
    (d / "trasig.pdf").write_bytes(b"%PDF-1.4 garbage")
    (d / "bild.png").write_bytes(b"\x89PNG")
    loaded = corpus.load(d, tmp_settings.catalog_file)
    assert len(loaded) == 5
    assert sorted(e.path.name for e in loaded.errors) == ["bild.png", "tom.txt", "trasig.pdf"]


def test_file_without_catalog_entry_gets_unknown_metadata(tmp_path):
    path = tmp_path / "ny-rapport.md"
    path.write_text("# Rapport om simundervisning\n\nAlla elever i årskurs 3 kan simma.\n")
    loaded = corpus.load(tmp_path, tmp_path / "saknas.toml")
    assert loaded[0].title == "Rapport om simundervisning"
    assert loaded[0].municipality == corpus.UNKNOWN


def test_corpus_cli_outline_and_check(capsys):
    from corpus.__main__ import main
    from settings import ROOT

    assert main(["outline", str(ROOT / "corpus/documents/alingsas-bun-2025-uppfoljning-inriktning-april.txt")]) == 0
    out = capsys.readouterr().out
    assert "  - Elever med hög frånvaro s. 7-8" in out
    assert main(["check"]) == 0
    assert "svenljunga-bun-plan-systematiskt-kvalitetsarbete-2026.txt:" in capsys.readouterr().out


def test_docx_entities_are_not_resolved_and_hyperlinks_tabs_are_read(tmp_path):
    from bench.read_speed import DOCX_CONTENT_TYPES, DOCX_RELS, W_NS

    xml = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>Före &x; efter</w:t></w:r></w:p>'
        "<w:p><w:hyperlink><w:r><w:t>Länk</w:t></w:r></w:hyperlink><w:r><w:tab/><w:t>och text</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    path = tmp_path / "entitet.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        zf.writestr("_rels/.rels", DOCX_RELS)
        zf.writestr("word/document.xml", xml)
    doc = read_document(path)
    assert doc.text.split("\n") == ["Före  efter", "Länk\toch text"]
    assert "root:" not in doc.text


def test_docx_with_broken_xml_is_reported_in_swedish(tmp_path):
    from bench.read_speed import DOCX_CONTENT_TYPES, DOCX_RELS

    path = tmp_path / "avbruten.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        zf.writestr("_rels/.rels", DOCX_RELS)
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>avbrut")
    with pytest.raises(CorpusError, match="avbruten.docx.*DOCX-filen är skadad"):
        read_document(path)
