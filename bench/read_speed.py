"""Reading time against file size: wrapped text (TXT and Markdown), PDFs and DOCX, to show that reading is linear.

Sizes: a 600 kB single wrapped paragraph (target: under 1 s), 1, 10 and 100 MB of wrapped text, PDFs of
10, 100 and 1,000 pages, and DOCX files whose ``word/document.xml`` is 1, 10 and 100 MB (headings, paragraphs and
table rows; the DOCX itself is a few hundred KB to a few MB, as XML compresses well). Each line prints the size, the
seconds and the seconds per MB (or per 100 pages): a linear reader keeps the last figure flat as the size grows.
DOCX lines also give the reading process's peak memory, the streaming XML reader's own share (its blocks, before
sections and metadata), and, up to 10 MB, python-docx's reading of the same file (building its whole tree and walking
the paragraphs and tables) for comparison.
PDFs up to ``corpus.pdflayout.LAYOUT_MAX_PAGES`` pages are read with pdfplumber's layout, longer ones with pypdf.
Run: python -m bench.read_speed [--quick] [--only text|pdf|docx]   (--quick skips 100 MB and 1,000 pages)
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from corpus.docxreader import read_docx
from corpus.loader import read_document
from corpus.pdflayout import LAYOUT_MAX_PAGES

WORDS = (
    "nämnden beslutar att skolan ska erbjuda elever stöd i matematik och svenska under hela läsåret "
    "förvaltningen redovisar kostnader för lokaler personal och skolskjuts enligt budget"
).split()


def wrapped_text(chars: int, paragraph_chars: int | None = None) -> str:
    """Words wrapped at 80 characters as PDF extraction leaves them; paragraphs of ``paragraph_chars``."""
    rng = random.Random(1)
    out, size = [], 0
    while size < chars:
        para = " ".join(rng.choice(WORDS) for _ in range((paragraph_chars or chars) // 7))
        block = "\n".join(textwrap.wrap(para, 80)) + "\n\n"
        out.append(block)
        size += len(block)
    return "Rubrik\n\n" + "".join(out)


def pdf(pages: int, path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    rng = random.Random(2)
    c = canvas.Canvas(str(path), pagesize=A4)
    for page in range(1, pages + 1):
        y = 800
        c.drawString(60, y, f"Protokoll {page} ({pages})")
        for _ in range(45):
            y -= 16
            c.drawString(60, y, " ".join(rng.choice(WORDS) for _ in range(11)))
        c.showPage()
    c.save()


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    "</Types>"
)
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W_NS}">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style></w:styles>'
)


def docx(xml_bytes: int, path: Path) -> None:
    """A DOCX whose document.xml is about ``xml_bytes``: a heading, five paragraphs and a three-row table, over
    and over, written straight into the zip (python-docx would take minutes to make 100 MB)."""
    rng = random.Random(3)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        zf.writestr("_rels/.rels", DOCX_RELS)
        zf.writestr("word/styles.xml", DOCX_STYLES)
        with zf.open("word/document.xml", "w", force_zip64=True) as out:
            written = out.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'.encode())
            n = 0
            while written < xml_bytes:
                n += 1
                parts = [f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Avsnitt {n}</w:t></w:r></w:p>']
                for _ in range(5):
                    text = escape(" ".join(rng.choice(WORDS) for _ in range(40)))
                    parts.append(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
                rows = (("Post", "Kostnad"), ("Läxhjälp", f"{n % 900 + 100} tkr"), ("Totalt", "1 200 tkr"))
                cells = "".join(
                    "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in row) + "</w:tr>"
                    for row in rows
                )
                parts.append(f"<w:tbl>{cells}</w:tbl>")
                written += out.write("".join(parts).encode())
            out.write(b"</w:body></w:document>")


def _python_docx(path: Path) -> None:
    import docx as python_docx

    document = python_docx.Document(str(path))
    for paragraph in document.paragraphs:
        _ = paragraph.style.name, paragraph.text
    for table in document.tables:
        for row in table.rows:
            _ = [cell.text for cell in row.cells]


def _docx_blocks(path: Path) -> None:
    """The streaming DOCX reader alone: the file's blocks, without sections, metadata or the document."""
    read_docx(path, path.read_bytes())


def _measure(conn, reader: Callable[[Path], object], path: Path) -> None:  # noqa: ANN001
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    reader(path)
    seconds = time.perf_counter() - started
    conn.send((seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024))
    conn.close()


def measured(reader: Callable[[Path], object], path: Path) -> tuple[float, float]:
    """Seconds and the growth of peak resident memory (MB) while ``reader(path)`` runs, in a freshly started
    interpreter (a forked one would start from this process's peak, which earlier sizes have raised)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_measure, args=(send, reader, path))
    worker.start()
    send.close()
    result = receive.recv()
    worker.join()
    return result


def timed(path: Path) -> float:
    started = time.perf_counter()
    read_document(path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(prog="python -m bench.read_speed")
    args.add_argument("--quick", action="store_true")
    args.add_argument("--only", choices=("text", "pdf", "docx"), help="measure one kind of file only")
    parsed = args.parse_args(argv)
    quick, only = parsed.quick, parsed.only
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if only in (None, "text"):
            _text(folder, quick)
        if only in (None, "pdf"):
            _pdfs(folder, quick)
        if only in (None, "docx"):
            _docx(folder, quick)


def _text(folder: Path, quick: bool) -> None:
    one = folder / "stycke.txt"
    one.write_text(wrapped_text(600_000), encoding="utf-8")
    print(f"600 kB wrapped paragraph (txt): {timed(one):.2f} s")
    for mb in (1, 10) if quick else (1, 10, 100):
        for suffix in (".txt", ".md"):
            path = folder / f"text-{mb}{suffix}"
            path.write_text(wrapped_text(mb * 1_000_000, 4000), encoding="utf-8")
            seconds = timed(path)
            print(f"{mb:>4} MB {suffix[1:]}: {seconds:7.2f} s  ({seconds / mb:.2f} s per MB)")
            path.unlink()


def _pdfs(folder: Path, quick: bool) -> None:
    for pages in (10, 100) if quick else (10, 100, 1000):
        path = folder / f"sidor-{pages}.pdf"
        pdf(pages, path)
        seconds = timed(path)
        reader = "pdfplumber" if pages <= LAYOUT_MAX_PAGES else "pypdf"
        print(f"{pages:>4} PDF pages ({reader}): {seconds:7.2f} s  ({seconds / pages * 100:.2f} s per 100 pages)")


def _docx(folder: Path, quick: bool) -> None:
    for mb in (1, 10) if quick else (1, 10, 100):
        path = folder / f"xml-{mb}.docx"
        docx(mb * 1_000_000, path)
        seconds, peak = measured(read_document, path)
        reader_seconds, reader_peak = measured(_docx_blocks, path)
        line = (
            f"{mb:>4} MB DOCX XML ({path.stat().st_size / 1e6:.2f} MB file): {seconds:7.2f} s "
            f"({seconds / mb:.2f} s per MB), memory +{peak:.0f} MB; "
            f"the XML reader alone: {reader_seconds:.2f} s, memory +{reader_peak:.0f} MB"
        )
        if mb <= 10:
            old_seconds, old_peak = measured(_python_docx, path)
            line += f"; python-docx: {old_seconds:.2f} s, memory +{old_peak:.0f} MB"
        print(line)
        path.unlink()


if __name__ == "__main__":
    main()
