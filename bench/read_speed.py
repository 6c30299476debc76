"""Reading time against file size: wrapped text (TXT and Markdown) and PDFs, to show that reading is linear.

Sizes: a 600 kB single wrapped paragraph (target: under 1 s), 1, 10 and 100 MB of wrapped text, and PDFs of
10, 100 and 1,000 pages. Each line prints the size, the seconds and the seconds per MB (or per 100 pages): a
linear reader keeps the last figure flat as the size grows.
Run: python -m bench.read_speed [--quick]   (--quick skips 100 MB and 1,000 pages)
"""

from __future__ import annotations

import argparse
import random
import tempfile
import textwrap
import time
from pathlib import Path

from corpus.loader import read_document

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


def timed(path: Path) -> float:
    started = time.perf_counter()
    read_document(path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(prog="python -m bench.read_speed")
    args.add_argument("--quick", action="store_true")
    quick = args.parse_args(argv).quick
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
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
        for pages in (10, 100) if quick else (10, 100, 1000):
            path = folder / f"sidor-{pages}.pdf"
            pdf(pages, path)
            seconds = timed(path)
            print(f"{pages:>4} PDF pages: {seconds:7.2f} s  ({seconds / pages * 100:.2f} s per 100 pages)")


if __name__ == "__main__":
    main()
