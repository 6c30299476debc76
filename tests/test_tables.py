"""Tables as rows in every format: cells, header and heading, on small files made here."""

from __future__ import annotations

from pathlib import Path

import pytest

import corpus
from corpus import CorpusError, read_document
from corpus.models import Document, TableRow
from corpus.tables import (
    csv_rows,
    flattened_row_cells,
    is_amount,
    is_header_row,
    label_amount_cells,
    table_label,
)


def rows_of(doc: Document) -> list[tuple[str, TableRow]]:
    """(text as written, row) of every table row of a document, in order."""
    return [
        (s.text[p.start : p.end], p.row)
        for s in doc.sections
        for p in s.paragraphs
        if p.kind == "table_row" and p.row is not None
    ]


def test_a_row_naming_columns_again_heads_the_rows_below_it(tmp_path):
    path = tmp_path / "grundbelopp.md"
    path.write_text(
        "# Grundbelopp\n\n| Förskola | Kommunal 2025 | Kommunal 2026 |\n| --- | --- | --- |\n"
        "| Förskola 1-2 år | 120 775 | 127 008 |\n| Fritidshem | Kommunal 2025 | Kommunal 2026 |\n"
        "| Fritidshem åk F-3 | 41 557 | 42 934 |\n| Summa | Kommunal 2025 | Kommunal 2026 |\n",
        encoding="utf-8",
    )
    rows = [row for _, row in rows_of(read_document(path))]
    assert [r.is_header for r in rows] == [True, False, True, False, False]
    assert rows[1].header == ("Förskola", "Kommunal 2025", "Kommunal 2026")
    assert rows[3].pairs() == [
        ("Fritidshem", "Fritidshem åk F-3"),
        ("Kommunal 2025", "41 557"),
        ("Kommunal 2026", "42 934"),
    ]
    # A last row naming columns has no amounts below it: it is read as a row of the table, not a header.
    assert rows[4].header == ("Fritidshem", "Kommunal 2025", "Kommunal 2026")


def test_a_text_tables_rows_are_no_sub_headers(tmp_path):
    path = tmp_path / "omrostning.md"
    path.write_text(
        "| Ledamot | Ja | Nej |\n| --- | --- | --- |\n| Anna (M) | X |  |\n| Peter (C) |  | X |\n| Lisa (S) |  | X |\n",
        encoding="utf-8",
    )
    rows = [row for _, row in rows_of(read_document(path))]
    assert [r.is_header for r in rows] == [True, False, False, False]
    assert {r.header for r in rows} == {("Ledamot", "Ja", "Nej")}


@pytest.mark.parametrize(
    "line, cells",
    [
        ("Garanti för tidiga insatser 1 700 tkr", ("Garanti för tidiga insatser", "1 700 tkr")),
        ("Stöd till lärare, enhet 2 264 tkr", ("Stöd till lärare, enhet", "2 264 tkr")),
        ("Matematiksatsning 100", ("Matematiksatsning", "100")),
        ("Totalt 8 464 tkr", ("Totalt", "8 464 tkr")),
        ("Andel behöriga lärare 87,5 %", ("Andel behöriga lärare", "87,5 %")),
        ("Nämnden beslutar om budgeten", ()),
        ("1 700 tkr", ()),
    ],
)
def test_label_amount_lines(line, cells):
    assert label_amount_cells(line) == cells


@pytest.mark.parametrize(
    "cell, amount",
    [("1 700 tkr", True), ("100", True), ("-3,7", True), ("12 st", True), ("2024", False), ("Kostnad", False)],
)
def test_amount_cells(cell, amount):
    assert is_amount(cell) is amount


@pytest.mark.parametrize(
    "cells, header",
    [
        (("Insats", "Kostnad (tkr)"), True),
        (("Post", "2024", "2025"), True),  # years name columns
        (("Läxhjälp", "1 200 tkr"), False),  # a first row with amounts is data
        (("Ensam",), False),
    ],
)
def test_header_rows(cells, header):
    assert is_header_row(cells) is header


def test_pdf_flattened_amount_lines_become_rows_with_heading(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "plan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    lines = [
        ("Helvetica-Bold", 14, "Kostnadsberäkning"),
        ("Helvetica", 11, "Satsningarna finansieras inom nämndens ram för året."),
        ("Helvetica", 11, "Garanti för tidiga insatser 1 700 tkr"),
        ("Helvetica", 11, "Matematiksatsning 100 tkr"),
        ("Helvetica", 11, "Totalt 1 800 tkr"),
    ]
    y = 780
    for font, size, text in lines:
        pdf.setFont(font, size)
        pdf.drawString(60, y, text)
        y -= 30
    pdf.showPage()
    pdf.save()
    rows = rows_of(read_document(path))
    assert [text for text, _ in rows] == [
        "Garanti för tidiga insatser 1 700 tkr",  # quotable verbatim
        "Matematiksatsning 100 tkr",
        "Totalt 1 800 tkr",
    ]
    assert [row.cells for _, row in rows] == [
        ("Garanti för tidiga insatser", "1 700 tkr"),
        ("Matematiksatsning", "100 tkr"),
        ("Totalt", "1 800 tkr"),
    ]
    assert {(row.heading, row.header) for _, row in rows} == {("Kostnadsberäkning", None)}


def test_extracted_text_with_column_gaps_keeps_header_and_unitless_amounts(tmp_path):
    path = tmp_path / "kostnader.txt"
    path.write_text(
        "Kostnader\n\nInsats          Kostnad (tkr)\nLäxhjälp          1 200\nMatematiksatsning    100\n",
        encoding="utf-8",
    )
    rows = rows_of(read_document(path))
    assert [text for text, _ in rows] == ["Insats Kostnad (tkr)", "Läxhjälp 1 200", "Matematiksatsning 100"]
    header, *data = [row for _, row in rows]
    assert header.is_header and not data[0].is_header
    assert data[1].cells == ("Matematiksatsning", "100")
    assert data[1].pairs() == [("Insats", "Matematiksatsning"), ("Kostnad (tkr)", "100")]
    assert data[1].heading == "Kostnader"


def test_docx_table_rows_keep_their_header_and_heading(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Budget 2026", level=1)
    table = document.add_table(rows=3, cols=3)
    values_by_row = (("Verksamhet", "Budget", "Utfall"), ("Förskola", "1 200 tkr", ""), ("Skola", "900", "850"))
    for r, values in enumerate(values_by_row):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    path = tmp_path / "budget.docx"
    document.save(str(path))
    rows = rows_of(read_document(path))
    assert [text for text, _ in rows] == [
        "| Verksamhet | Budget | Utfall |",
        "| Förskola | 1 200 tkr |  |",
        "| Skola | 900 | 850 |",
    ]
    assert rows[0][1].is_header
    assert rows[1][1].header == ("Verksamhet", "Budget", "Utfall")
    assert rows[1][1].pairs() == [("Verksamhet", "Förskola"), ("Budget", "1 200 tkr")]
    assert rows[2][1].heading == "Budget 2026"


def test_markdown_tables_with_and_without_a_header(tmp_path):
    path = tmp_path / "tabeller.md"
    path.write_text(
        "# Insatser\n\n| Insats | Kostnad |\n| --- | --- |\n| Läxhjälp | 1 200 tkr |\n\n"
        "# Utan rubrikrad\n\nKostnader:\n\n| Läxhjälp | 1 200 tkr |\n| --- | --- |\n| Simskola | 800 tkr |\n",
        encoding="utf-8",
    )
    rows = [row for _, row in rows_of(read_document(path))]
    assert rows[0].is_header and rows[1].header == ("Insats", "Kostnad") and rows[1].heading == "Insatser"
    # A first row that holds amounts is data, whatever the rule under it says; the label line names the table.
    assert [(r.header, r.is_header, r.heading) for r in rows[2:]] == [(None, False, "Kostnader")] * 2


def test_markdown_pipe_rows_without_a_rule_line_find_their_header(tmp_path):
    path = tmp_path / "statsbidrag.md"
    path.write_text("# Statsbidrag\n\n| Statsbidrag | Belopp |\n| Habilitering | 2 366 561 |\n| Totalt | 2 366 561 |\n")
    rows = [row for _, row in rows_of(read_document(path))]
    assert rows[0].is_header and rows[2].header == ("Statsbidrag", "Belopp")


@pytest.mark.parametrize(
    "line, cells",
    [
        (
            "Anställda totalt 758      776         806        831        852",
            ("Anställda totalt", "758", "776", "806", "831", "852"),
        ),
        ("83,1 %      82 %       79,8 %", ("", "83,1 %", "82 %", "79,8 %")),  # the label wrapped onto other lines
        ("Medelålder      45         45         46", ("Medelålder", "45", "45", "46")),
        # label and the first amounts set apart by single spaces
        (
            "Anställda andel kvinnor 64,1 % 63,8 %  64,2 %    65,3 %",
            ("Anställda andel kvinnor", "64,1 %", "63,8 %", "64,2 %", "65,3 %"),
        ),
        ("Kostnad      1 200 tkr     800 tkr", ()),  # two amounts: a sentence with a gap may look like that
        ("                    2021      2022      2023", ()),  # years name columns
        ("Mötet börjar     kl 17:05   och slutar   18:30", ()),
        ("Nämnden beslutar om budgeten", ()),
    ],
)
def test_flattened_rows_of_converted_pdf_text(line, cells):
    assert flattened_row_cells(line) == cells


def test_converted_pdf_table_lines_become_rows_with_wrapped_labels_and_year_header(tmp_path):
    path = tmp_path / "delarsrapport.md"
    path.write_text(
        "# Resursmått\n\nUtfall jan 2021 Utfall jan Utfall jan\nNamn\n-jun 2021 2022-jun 2022 2023-jun 2023\n"
        "Anställda andel\n83,1 %      82 %       79,8 %\nkvinnor\n"
        "Anställda totalt 758      776         806\n"
        "Antal\nmedarbetare    22,5       19,3       19,1\nper enhetschef\n\n"
        "```osaker-tabell\n                    2021      2022\nAndel heltid       91,4 %    92,5 %    93,1 %\n```\n\n"
        "Efter tabellen följer text. Den är inga rader.\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    rows = rows_of(doc)
    assert [r.cells[0] for _, r in rows] == [
        "Anställda andel kvinnor",
        "Anställda totalt",
        "Antal medarbetare per enhetschef",
        "Andel heltid",
    ]
    assert {r.header for _, r in rows[:3]} == {("", "2021", "2022", "2023")}
    assert rows[3][1].header is None  # two years above three amounts: no header is better than a wrong one
    # Written as the source wrote it (lines joined), so a quote of the source still matches.
    assert [text for text, _ in rows[:3]] == [
        "Anställda andel 83,1 % 82 % 79,8 % kvinnor",
        "Anställda totalt 758 776 806",
        "Antal medarbetare 22,5 19,3 19,1 per enhetschef",
    ]
    assert rows[0][1].heading == "Resursmått"
    assert "```" not in doc.text and "Efter tabellen följer text." in doc.text


def test_html_header_cells(tmp_path):
    path = tmp_path / "sida.html"
    path.write_text(
        "<h2>Avgifter</h2><table><tr><th>Lokal</th><th>Timme</th></tr>"
        "<tr><td>Hel hall</td><td>165 kr</td></tr></table>",
        encoding="utf-8",
    )
    rows = rows_of(read_document(path))
    assert [text for text, _ in rows] == ["| Lokal | Timme |", "| Hel hall | 165 kr |"]
    assert rows[1][1].pairs() == [("Lokal", "Hel hall"), ("Timme", "165 kr")]


@pytest.mark.parametrize(
    "document, table, belongs, label",
    [
        ("protokoll.md", "protokoll.csv", True, "Tabell"),
        ("protokoll.md", "protokoll.kostnader.csv", True, "Kostnader"),
        ("protokoll.md", "protokoll.tabell2.csv", True, "Tabell 2"),
        ("protokoll.md", "protokoll-maj.csv", False, None),
        ("protokoll.md", "annat.csv", False, None),
    ],
)
def test_csv_naming_convention(document, table, belongs, label):
    from corpus.tables import owners

    assert (Path(table) in owners([Path(table)], [Path(document)])) is belongs
    if belongs:
        assert table_label(Path(document), Path(table)) == label


def test_csv_delimiters():
    assert csv_rows("Post;Kostnad\nBöcker;120 tkr\n") == [("Post", "Kostnad"), ("Böcker", "120 tkr")]
    assert csv_rows('Post,Kostnad\n"Böcker, nya",120\n') == [("Post", "Kostnad"), ("Böcker, nya", "120")]
    assert csv_rows("Post\tKostnad\n\nBöcker\t120\n") == [("Post", "Kostnad"), ("Böcker", "120")]


PROTOCOL = "# Protokoll\n\n## Budget\n\nNämnden beslutar att anta budgeten enligt tabellen.\n"


def test_csv_beside_a_document_is_its_table(tmp_path):
    folder = tmp_path / "dokument"
    folder.mkdir()
    (folder / "protokoll.md").write_text(PROTOCOL, encoding="utf-8")
    (folder / "protokoll.kostnader.csv").write_text(
        "Insats;Kostnad (tkr)\nLäxhjälp;1 200\nMatematiksatsning;100\n", encoding="utf-8"
    )
    (folder / "budget-2026.csv").write_text("Post;Belopp (tkr)\nLokaler;340\nTotalt;340\n", encoding="utf-8")
    loaded = corpus.load(folder, tmp_path / "catalog.toml")
    doc, table = sorted(loaded, key=lambda d: d.doc_id != "protokoll.md")
    assert doc.sections[-1].heading_path == ["Kostnader"]
    rows = rows_of(doc)
    assert rows[2] == (
        "| Matematiksatsning | 100 |",
        TableRow(("Matematiksatsning", "100"), ("Insats", "Kostnad (tkr)"), "Kostnader"),
    )
    # A table named after no document is a document of its own, titled by its name.
    assert not loaded.errors and table.doc_id == "budget-2026.csv" and table.title == "Budget 2026"
    assert rows_of(table)[-1][1] == TableRow(("Totalt", "340"), ("Post", "Belopp (tkr)"), "Budget 2026")
    # Read alone, the document still finds its table; an edited table is a changed document.
    alone = read_document(folder / "protokoll.md")
    assert rows_of(alone) == rows and alone.content_hash == doc.content_hash
    (folder / "protokoll.kostnader.csv").write_text("Insats;Kostnad (tkr)\nLäxhjälp;1 300\n", encoding="utf-8")
    assert read_document(folder / "protokoll.md").content_hash != doc.content_hash


def test_unreadable_csv_is_reported_and_the_document_kept(tmp_path):
    (tmp_path / "protokoll.md").write_text(PROTOCOL, encoding="utf-8")
    (tmp_path / "protokoll.csv").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    loaded = corpus.load(tmp_path, tmp_path / "catalog.toml")
    assert [d.doc_id for d in loaded] == ["protokoll.md"] and not rows_of(loaded[0])
    [error] = loaded.errors
    assert error.path.name == "protokoll.csv" and "inte en textfil" in error.reason
    with pytest.raises(CorpusError, match="protokoll.csv"):
        read_document(tmp_path / "protokoll.md")


def make_ruled_table_pdf(path: Path) -> Path:
    """A PDF with a heading in a larger font, a sentence, and a ruled table with a header row."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    heading = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=8)
    body = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=8)
    table = Table(
        [["Insats", "Kostnad 2025", "Kostnad 2026"], ["Läxhjälp", "1 200 tkr", "1 300 tkr"], ["Simskola", "800", "850"]]
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story = [
        Paragraph("Kostnader för insatserna", heading),
        Paragraph("Nämnden fördelar pengarna enligt tabellen nedan.", body),
        table,
    ]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def test_pdf_ruled_table_is_read_row_by_row_with_header_and_heading(tmp_path):
    doc = read_document(make_ruled_table_pdf(tmp_path / "insatser.pdf"))
    assert [s.heading for s in doc.sections] == ["Kostnader för insatserna"]  # from the font size
    rows = rows_of(doc)
    assert [text for text, _ in rows] == [
        "| Insats | Kostnad 2025 | Kostnad 2026 |",
        "| Läxhjälp | 1 200 tkr | 1 300 tkr |",
        "| Simskola | 800 | 850 |",
    ]
    simskola = rows[2][1]
    assert simskola.heading == "Kostnader för insatserna"
    assert simskola.pairs() == [("Insats", "Simskola"), ("Kostnad 2025", "800"), ("Kostnad 2026", "850")]


def test_long_pdf_is_read_from_plain_text(tmp_path, monkeypatch):
    import corpus.readers

    monkeypatch.setattr(corpus.readers, "LAYOUT_MAX_PAGES", 0)
    doc = read_document(make_ruled_table_pdf(tmp_path / "insatser.pdf"))
    assert "Nämnden fördelar pengarna enligt tabellen nedan." in doc.text
    assert "Läxhjälp" in doc.text and not any(text.startswith("|") for text, _ in rows_of(doc))


def test_csv_owner_is_the_longest_matching_name():
    from corpus.tables import owners

    documents = [Path("a.md"), Path("a.b.md"), Path("c.txt")]
    tables = [Path("a.b.csv"), Path("a.b.kostnader.csv"), Path("a.x.csv"), Path("c.csv"), Path("d.csv")]
    assert owners(tables, documents) == {
        Path("a.b.csv"): Path("a.b.md"),
        Path("a.b.kostnader.csv"): Path("a.b.md"),
        Path("a.x.csv"): Path("a.md"),
        Path("c.csv"): Path("c.txt"),
    }


def test_pdf_columns_without_rules_keep_unitless_amounts_and_header(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "kolumner.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(60, 780, "Fördelning per insats")
    pdf.setFont("Helvetica", 11)
    for k, (label, amount) in enumerate(
        [("Insats", "Kostnad (tkr)"), ("Läxhjälp", "1 200"), ("Matematiksatsning", "100"), ("Totalt", "1 300")]
    ):
        pdf.drawString(60, 740 - 16 * k, label)
        pdf.drawString(320, 740 - 16 * k, amount)
    pdf.showPage()
    pdf.save()
    rows = rows_of(read_document(path))
    assert [row.cells for _, row in rows] == [
        ("Insats", "Kostnad (tkr)"),
        ("Läxhjälp", "1 200"),
        ("Matematiksatsning", "100"),
        ("Totalt", "1 300"),
    ]
    assert rows[2][0] == "Matematiksatsning 100"  # the row as extracted, quotable verbatim
    assert rows[2][1].pairs() == [("Insats", "Matematiksatsning"), ("Kostnad (tkr)", "100")]
    assert rows[2][1].heading == "Fördelning per insats"


def test_a_table_split_between_chunks_keeps_its_header_in_every_part(tmp_path):
    from assistant.tables import table_row_text
    from index.chunking import chunk_document

    rows = "\n".join(f"| Skola nummer {i} med lång beskrivning av verksamheten | {100 + i} tkr |" for i in range(80))
    path = tmp_path / "kostnader.md"
    path.write_text(f"# Kostnader per skola\n\n| Skola | Kostnad 2026 |\n| --- | --- |\n{rows}\n", encoding="utf-8")
    chunks = chunk_document(read_document(path), target_words=120, max_words=150, min_words=20)
    with_rows = [c for c in chunks if c.rows]
    assert len(with_rows) >= 2
    later = with_rows[-1]
    assert "| Skola | Kostnad 2026 |" not in later.text  # the header row is written in the first part only
    span = later.rows[-1]
    row = later.text[span.start : span.end].strip()
    assert span.header == ["Skola", "Kostnad 2026"] and span.heading
    assert table_row_text(later, span.start, row).endswith(": Kostnad 2026 179 tkr.")


def test_a_csv_upload_joins_its_document_or_stands_alone(tmp_path):
    from corpus.intake import UPLOAD_SUFFIXES, add_file

    folder, catalog = tmp_path / "dokument", tmp_path / "catalog.toml"
    folder.mkdir()
    (folder / "protokoll.md").write_text(PROTOCOL, encoding="utf-8")
    table = "Insats;Kostnad (tkr)\nLäxhjälp;1 200\n".encode()
    joined = add_file(None, folder, catalog, original_name="protokoll.csv", raw=table, allowed=UPLOAD_SUFFIXES)
    assert joined.doc_id == "protokoll.md" and any(r.cells[0] == "Läxhjälp" for _, r in rows_of(joined))
    alone = add_file(
        None, folder, catalog, original_name="taxor.csv", raw=b"Taxa;Kr\nHall;165\n", allowed=UPLOAD_SUFFIXES
    )
    assert alone.doc_id == "taxor.csv" and alone.title == "Taxor"
    assert sorted(d.doc_id for d in corpus.load(folder, catalog)) == ["protokoll.md", "taxor.csv"]
    with pytest.raises(CorpusError, match="tom"):
        add_file(None, folder, catalog, original_name="tom.csv", raw=b"\n\n", allowed=UPLOAD_SUFFIXES)


@pytest.mark.parametrize(
    "question, extreme",
    [
        ("Vilken enskild post är störst i kostnadsberäkningen?", "max"),
        ("Och vilken post är billigast?", "min"),
        ("Vilket program har högst kostnad per elev?", "max"),
        ("Hur stor är budgeten?", None),
        ("Är lokalerna dyrast?", None),  # no "which": a yes/no question
    ],
)
def test_questions_for_a_largest_or_smallest_entry(question, extreme):
    from assistant.questions import asks_for_extreme

    assert asks_for_extreme(question) == extreme


@pytest.mark.parametrize(
    "cell, value",
    [("1 700 tkr", 1700.0), ("-3,7", -3.7), ("−1,3 mkr", -1.3), ("12,5 %", 12.5), ("Kostnad", None), ("2024", None)],
)
def test_amount_values(cell, value):
    from assistant.tables import amount_value

    assert amount_value(cell) == value


@pytest.mark.parametrize(
    "question, row",
    [
        ("Vilken enskild post är störst i kostnadsberäkningen för utvecklingsområdena 2020/2021?", "Elevhälsopersonal"),
        ("Vilken post i kostnadsberäkningen för 2020/2021 är billigast?", "Matematiksatsning"),
    ],
)
def test_largest_and_smallest_row_of_a_cost_table(built, shared_index, question, row):
    from assistant import ask

    answer = ask(question, settings=built[0], index=shared_index)
    assert not answer.refused and answer.answer.startswith(row), answer.answer
