"""The chat in a real browser: Playwright driving Debian's chromium against the app on a free port.

One app server and one browser for the module; desktop (1400×1000), tablet (820×1180) and phone (390×844), light and
dark, a Swedish and an English browser; axe-core on the chat and Dokument tabs.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from app_server import AppServer

from settings import ROOT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)"),
]
SCREENSHOT = ROOT / "docs" / "images" / "chat.png"
PHONE_SCREENSHOT = ROOT / "docs" / "images" / "chat-phone.png"
SIZES = {"desktop": (1400, 1000), "tablet": (820, 1180), "phone": (390, 844)}
# What an English Gradio string would show (upload area, copy buttons, screen-reader labels, tabs).
ENGLISH = re.compile(
    r"\b(Copy|Copied|Fullscreen|Loading|Drop File|Click to Upload|message|conversation|More tabs|Clear|Submit|"
    r"Remove|Download|Dropdown|Scroll|Search|Settings)\b"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with AppServer(tmp_path_factory.mktemp("browser-app")) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@contextmanager
def opened(browser, app, size: str = "desktop", locale: str = "sv-SE", scheme: str = "light"):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, color_scheme=scheme)
    pg = context.new_page()
    pg.requests_seen = []
    pg.on("request", lambda r: pg.requests_seen.append(r.url))
    pg.goto(app.url, wait_until="load")
    pg.locator("#fraga textarea").wait_for()
    # The page switches Gradio to Swedish once it has loaded.
    pg.wait_for_function("() => document.documentElement.lang === 'sv'")
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture()
def page(browser, app):
    with opened(browser, app) as pg:
        yield pg


def wait_for_answer(page, answers_before: int) -> str:
    page.wait_for_function(
        "n => { const bots = document.querySelectorAll('#chatt [data-testid=\"bot\"]');"
        " const blocks = document.querySelectorAll('#kallor details.svar-kallor');"
        " return bots.length > n && blocks.length > n"
        " && !bots[bots.length-1].innerText.includes('Söker i dokumenten'); }",
        arg=answers_before,
        timeout=60_000,
    )
    page.wait_for_timeout(300)
    return page.locator("#chatt [data-testid='bot']").last.inner_text()


def ask(page, question: str, answers_before: int) -> str:
    page.locator("#fraga textarea").fill(question)
    page.locator("#skicka").click()
    return wait_for_answer(page, answers_before)


def sources(page) -> list[str]:
    """The cards of the newest answer."""
    return page.locator("#kallor details.svar-kallor[open] .kalla").all_inner_texts()


def only_local(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if urlparse(u).scheme in ("http", "https", "ws", "wss")
        and urlparse(u).hostname not in ("127.0.0.1", "localhost")
    ]


def english_strings(page) -> list[str]:
    """Visible text, tooltips and screen-reader labels that are English."""
    found = page.evaluate(
        "() => { const out = [];"
        " document.querySelectorAll('[aria-label],[title],[placeholder]').forEach(e =>"
        "   ['aria-label', 'title', 'placeholder'].forEach(a => { const v = e.getAttribute(a); if (v) out.push(v); }));"
        " return out.concat(document.body.innerText.split('\\n')); }"
    )
    return sorted({s for s in found if ENGLISH.search(s)})


def overlaps(page) -> list[str]:
    """Parts of the chat covered by something else (e.g. a label over the first message), or boxes that cross."""
    return page.evaluate(
        """() => {
        const problems = [];
        const parts = ['#chatt [data-testid=user]', '#chatt [data-testid=bot]', '#fraga textarea', '#skicka',
                       '#kallor .kalla', '#kallor'];
        for (const sel of parts) {
          const el = document.querySelector(sel);
          if (!el) continue;
          el.scrollIntoView({block: 'center'});
          const r = el.getBoundingClientRect();
          // A message taller than the chat box is clipped by it: only its visible part can be covered.
          const clip = el.closest('#chatt')?.getBoundingClientRect();
          for (const [x, y] of [[r.left + 6, r.top + 4], [r.right - 6, r.top + 4], [r.left + 6, r.bottom - 4]]) {
            if (clip && (y < clip.top || y > clip.bottom)) continue;
            const hit = document.elementFromPoint(x, y);
            if (hit && !el.contains(hit) && !hit.contains(el))
              problems.push(sel + ' covered by ' + hit.outerHTML.slice(0, 80));
          }
        }
        const box = s => document.querySelector(s)?.getBoundingClientRect();
        const boxes = ['#chatt', '#fraga', '#kallor'].map(s => [s, box(s)]).filter(([, b]) => b && b.width);
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
          const [a, ra] = boxes[i], [b, rb] = boxes[j];
          const x = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const y = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (x > 1 && y > 1) problems.push(a + ' overlaps ' + b);
        }
        return problems;
    }"""
    )


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_desktop_sources_one_tap_away_and_kept_per_answer(page):
    answer = ask(page, "Vad gör nämnden för elever med hög frånvaro?", 0)
    assert "[1]" in answer
    cards = sources(page)
    assert cards and "Elever med hög frånvaro" in cards[0] and "Uppföljning inriktning budget 2025" in cards[0]
    first_card = page.locator("#kalla-1-1")
    # The quote with its context, the whole section behind a disclosure, a button to the document view.
    assert first_card.locator(".kalla-citat mark").count() >= 1
    assert first_card.locator("details.kalla-hela summary").inner_text() == "Visa hela avsnittet"
    assert first_card.locator(".visa-dokument").inner_text() == "Visa i dokumentet"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert overlaps(page) == []

    first_card.locator(".visa-dokument").click()
    view = page.locator("dialog.dokumentvy")
    view.locator("mark").first.wait_for(timeout=10_000)
    assert "Uppföljning inriktning budget 2025" in view.locator("h2").inner_text()
    quote = first_card.locator(".kalla-citat mark").first.inner_text().strip()
    assert any(quote in m for m in view.locator(".dokumentvy-aktuell mark").all_inner_texts()), quote
    page.keyboard.press("Escape")
    assert not page.evaluate("() => document.querySelector('dialog.dokumentvy').open")

    ask(page, "Hur arbetar Alingsås med trygghet och studiero?", 1)
    follow = ask(page, "Och i Svenljunga?", 2)
    assert "Svenljunga" in follow
    assert any("Svenljunga" in c for c in sources(page))
    # Earlier answers keep their sources: one folded block per answer, the newest open.
    blocks = page.locator("#kallor details.svar-kallor")
    assert blocks.count() == 3 and blocks.first.get_attribute("id") == "svar-3"
    assert page.evaluate("() => !document.querySelector('#svar-1').open")
    # "[1]" in the first answer opens the first answer's sources and scrolls to its card.
    page.locator("#chatt [data-testid='bot']").first.locator("a.kalla-lank").first.click()
    page.wait_for_function("() => document.querySelector('#svar-1').open")
    page.wait_for_function("() => document.querySelector('#kalla-1-1').classList.contains('vald')")
    page.wait_for_timeout(600)  # smooth scrolling
    card = box(page, "#kalla-1-1")
    assert 0 <= card["y"] < SIZES["desktop"][1]

    page.locator("#rensa").click()
    page.locator("#filter").get_by_text("Sök bara i vissa kommuner eller dokument").click()
    page.locator("#filter-kommun input").click()
    page.get_by_role("option", name="Svenljunga").click()
    page.keyboard.press("Escape")
    answer = ask(page, "Hur arbetar man med trygghet och studiero?", 0)
    assert answer.startswith("Söker i: Svenljunga")
    assert all("(Svenljunga)" in c for c in sources(page))

    assert only_local(page.requests_seen) == []


def test_phone_english_browser_question_box_first_sources_under_the_answer(browser, app):
    with opened(browser, app, "phone", locale="en-US") as page:
        assert page.evaluate("() => document.documentElement.lang") == "sv"
        question = box(page, "#fraga textarea")
        assert question["y"] + question["height"] <= SIZES["phone"][1], question
        assert english_strings(page) == []
        # An example chip asks at once.
        page.locator("#exempel button").filter(has_text="Vad gör nämnden för elever med hög frånvaro?").click()
        answer = wait_for_answer(page, 0)
        assert "socialpedagoger" in answer and "[1]" in answer
        assert not page.locator("#exempel").is_visible()
        # The chat shows the start of the newest exchange, not the end of a long answer.
        page.wait_for_function(
            "() => { const log = document.querySelector('#chatt').getBoundingClientRect();"
            " const asked = [...document.querySelectorAll('#chatt [data-testid=user]')].pop().getBoundingClientRect();"
            " return asked.top >= log.top && asked.top < log.top + log.height / 2; }",
            timeout=5_000,
        )
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(PHONE_SCREENSHOT), full_page=False)
        asked, panel, chat = box(page, "#fraga"), box(page, "#kallor"), box(page, "#chatt")
        assert panel["y"] >= chat["y"] + chat["height"]
        assert panel["y"] - (asked["y"] + asked["height"]) < 200, (asked, panel)
        assert overlaps(page) == []
        assert english_strings(page) == []
        page.get_by_role("tab", name="Dokument").click()
        page.locator("#uppladdning").wait_for()
        assert english_strings(page) == []
        assert "Släpp" in page.locator("#uppladdning").inner_text()


def test_tablet_dark_uses_both_columns(browser, app):
    with opened(browser, app, "tablet", scheme="dark") as page:
        assert page.evaluate("() => document.body.classList.contains('dark')")
        chat, panel, question = box(page, "#chatt"), box(page, "#kallor"), box(page, "#fraga textarea")
        assert panel["x"] >= chat["x"] + chat["width"] - 1 and question["width"] >= 280, (chat, panel, question)
        ask(page, "Vad kostar matematiksatsningen?", 0)
        assert overlaps(page) == []
        # Cards follow the dark theme (not near-white on white).
        background = page.evaluate("() => getComputedStyle(document.querySelector('#kallor .kalla')).backgroundColor")
        assert sum(int(v) for v in re.findall(r"\d+", background)[:3]) < 3 * 90, background
        assert english_strings(page) == []
        page.get_by_role("tab", name="Beslut").click()
        page.locator("#beslutslista th").first.wait_for()
        assert english_strings(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_on_chat_and_documents(browser, app, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def serious() -> list[str]:
        found = axe.run(page).response["violations"]
        return [
            f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}"
            for v in found
            if v["impact"] in ("critical", "serious")
        ]

    with opened(browser, app, "desktop", locale="en-US", scheme=scheme) as page:
        ask(page, "Vad gör nämnden för elever med hög frånvaro?", 0)
        assert serious() == []
        # The question box shows where the focus is.
        page.locator("#fraga textarea").focus()
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.querySelector('#fraga textarea'));"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert outline[0] != "none" and outline[1] >= 2
        page.get_by_role("tab", name="Dokument").click()
        page.locator("#dokumentlista").wait_for()
        assert serious() == []


def test_documents_tab_fits_and_shows_sections_at_once(page):
    page.get_by_role("tab", name="Dokument").click()
    page.locator("#dokumentlista th").first.wait_for()
    page.wait_for_timeout(500)
    problems = page.evaluate(
        """() => {
        const table = document.querySelector('#dokumentlista table').getBoundingClientRect();
        const out = [];
        for (const th of document.querySelectorAll('#dokumentlista thead th')) {
          const text = th.innerText.trim();
          if (!text) continue;
          const r = th.getBoundingClientRect();
          if (r.right > table.right + 1 || r.width < 20) out.push(text + ' not shown');
          // A word broken across lines has more than one line box.
          const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.textContent.matchAll(/\\S+/g)) {
              const range = document.createRange();
              range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
              const tops = new Set([...range.getClientRects()].map(c => Math.round(c.top)));
              if (tops.size > 1) out.push(m[0] + ' broken mid-word');
            }
          }
        }
        return out;
    }"""
    )
    assert problems == []
    headers = page.locator("#dokumentlista thead th").all_inner_texts()
    assert sum(1 for h in headers if h.strip()) == 9
    # The sections of the selected document are shown at once, and follow another choice.
    outline = page.locator("#disposition textarea")
    page.wait_for_function("() => document.querySelector('#disposition textarea').value.includes('•')")
    first = outline.input_value()
    page.locator("#disposition-val input").click()
    page.get_by_role("option", name=re.compile("Plan för det systematiska")).click()
    page.wait_for_function(
        "first => { const v = document.querySelector('#disposition textarea').value;"
        " return v !== first && v.includes('Svenljunga'); }",
        arg=first,
    )


def test_upload_then_ask_about_it(page, browser, app, tmp_path):
    import docx

    path = tmp_path / "Simskola i Testby.docx"
    d = docx.Document()
    d.add_heading("Simundervisning i Testby", level=1)
    d.add_paragraph("Nämnden beslutar att alla elever i årskurs 3 ska få tolv extra simlektioner under våren 2026.")
    d.save(str(path))

    page.get_by_role("tab", name="Dokument").click()
    page.locator("#uppladdning input[type=file]").set_input_files(str(path))
    # The form is pre-filled from the file first; the municipality is typed after that.
    page.wait_for_function("() => (document.querySelector('#uppladdning-status textarea')?.value || '') !== ''")
    page.locator("#upp-kommun textarea, #upp-kommun input").first.fill("Testby")
    page.locator("#ladda-upp").click()
    page.wait_for_function(
        "() => (document.querySelector('#uppladdning-status textarea')?.value || '').startsWith('Klart')",
        timeout=120_000,
    )
    page.locator("#dokumentlista").get_by_text("Simundervisning i Testby").first.wait_for(timeout=30_000)
    # A page opened afterwards lists the new document and its municipality in the filters.
    with opened(browser, app) as later:
        later.get_by_role("tab", name="Dokument").click()
        later.locator("#dokumentlista").get_by_text("Simundervisning i Testby").first.wait_for(timeout=10_000)
        later.get_by_role("tab", name="Fråga").click()
        later.locator("#filter").get_by_text("Sök bara i vissa kommuner eller dokument").click()
        later.locator("#filter-kommun input").click()
        later.get_by_role("option", name="Testby").wait_for(timeout=10_000)

    page.get_by_role("tab", name="Fråga").click()
    answer = ask(page, "Hur många extra simlektioner får eleverna i årskurs 3?", 0)
    assert "tolv" in answer and "[1]" in answer
    assert "Simundervisning i Testby" in sources(page)[0]
    assert only_local(page.requests_seen) == []


def test_a_pdf_source_opens_at_its_page(page, tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "Badplan Testby.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for heading, text in (
        ("Badplan för Testby", "Nämnden vill bygga ett nytt utomhusbad vid sjön under 2027."),
        ("Kostnader", "Utomhusbadet beräknas kosta 42 miljoner kronor enligt förstudien."),
    ):
        # Headings set larger, as in real documents: each page's text is a section of its own.
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 780, heading)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, 750, text)
        pdf.showPage()
    pdf.save()

    page.get_by_role("tab", name="Dokument").click()
    page.locator("#uppladdning input[type=file]").set_input_files(str(path))
    page.wait_for_function("() => (document.querySelector('#uppladdning-status textarea')?.value || '') !== ''")
    page.locator("#ladda-upp").click()
    page.wait_for_function(
        "() => (document.querySelector('#uppladdning-status textarea')?.value || '').startsWith('Klart')",
        timeout=120_000,
    )
    page.get_by_role("tab", name="Fråga").click()
    answer = ask(page, "Vad kostar utomhusbadet enligt förstudien?", 0)
    assert "42 miljoner" in answer
    button = page.locator("#kalla-1-1 .visa-dokument")
    assert button.inner_text() == "Visa sidan i dokumentet"
    button.click()
    view = page.locator("dialog.dokumentvy")
    view.locator("mark").first.wait_for(timeout=10_000)
    assert "sida 2" in view.locator("h2").inner_text()
    assert "42 miljoner" in view.locator("mark").first.inner_text()
    assert "Nämnden vill bygga" not in view.inner_text()


def test_bad_upload_is_rejected_in_swedish(page, tmp_path):
    bad = tmp_path / "tom.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    page.get_by_role("tab", name="Dokument").click()
    page.locator("#uppladdning input[type=file]").set_input_files(str(bad))
    page.locator("#ladda-upp").click()
    page.wait_for_function(
        "() => (document.querySelector('#uppladdning-status textarea')?.value || '')"
        ".startsWith('Filen lades inte till')",
        timeout=60_000,
    )
    assert "PDF" in page.locator("#uppladdning-status textarea").input_value()


def test_question_with_html_and_markdown_is_shown_as_text(page):
    hostile = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2"> [klicka här](http://example.com/x)'
    ask(page, hostile, 0)
    user = page.locator("#chatt [data-testid='user']").last.inner_text()
    assert "<script>" in user and "[klicka här](http://example.com/x)" in user
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#chatt a[href*='example.com']").count() == 0
    assert not re.search(r"example\.com", " ".join(only_local(page.requests_seen)))


def test_interpretation_shown_ask_alone_export_and_bin_clears_everything(page, tmp_path):
    ask(page, "Vad innebär garantin för tidiga insatser?", 0)
    follow = ask(page, "Vad kostade det?", 1)
    assert "Tolkad som: Vad kostade det? (om: garantin för tidiga insatser)" in follow
    alone = page.locator("#ny-fraga")
    alone.wait_for(state="visible", timeout=10_000)
    alone.click()
    wait_for_answer(page, 2)
    assert "Tolkad som" not in page.locator("#chatt [data-testid='bot']").last.inner_text()

    # The export holds the whole conversation and is named after its first question and the date.
    exported = page.locator("#export textarea").input_value()
    assert exported.count("**Fråga:**") == 3 and "garantin för tidiga insatser" in exported
    with page.expect_download() as caught:
        page.locator("#ladda-ner").click()
    name = caught.value.suggested_filename
    assert re.fullmatch(r"samtal-vad-innebar-garantin-for-tidiga-insatser-\d{4}-\d{2}-\d{2}\.md", name), name

    # The chat's own bin icon (labelled in Swedish) clears the messages, the sources and the export.
    page.locator("#chatt button[aria-label^='Rensa']").first.click()
    page.wait_for_function("() => document.querySelector('#kallor').innerText.includes('Källorna till svaren')")
    assert page.locator("#chatt [data-testid='bot']").count() == 0
    assert page.locator("#export textarea").input_value() == ""
    assert not page.locator("#ny-fraga").is_visible()
    assert page.locator("#exempel").is_visible()
