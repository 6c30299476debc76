"""The chat in a real browser: Playwright driving Debian's chromium against the app on a free port."""

from __future__ import annotations

import re
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


@pytest.fixture()
def page(browser, app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    pg = context.new_page()
    pg.requests_seen = []
    pg.on("request", lambda r: pg.requests_seen.append(r.url))
    pg.goto(app.url, wait_until="networkidle")
    yield pg
    context.close()


def ask(page, question: str, answers_before: int) -> str:
    page.locator("#fraga textarea").fill(question)
    page.locator("#skicka").click()
    bot = page.locator("#chatt .message-row.bot-row, #chatt [data-testid='bot']")
    page.wait_for_function(
        "n => { const t = document.querySelector('#kallor').innerText;"
        " const bots = document.querySelectorAll('#chatt [data-testid=\"bot\"]');"
        " return bots.length > n && !bots[bots.length-1].innerText.includes('Söker i dokumenten')"
        " && (t.includes('Källor') || t.includes('Närmast')); }",
        arg=answers_before,
        timeout=60_000,
    )
    page.wait_for_timeout(300)
    return bot.last.inner_text()


def sources(page) -> list[str]:
    return page.locator("#kallor .kalla").all_inner_texts()


def only_local(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if urlparse(u).scheme in ("http", "https", "ws", "wss")
        and urlparse(u).hostname not in ("127.0.0.1", "localhost")
    ]


def test_chat_answer_sources_follow_up_filter_and_screenshot(page):
    answer = ask(page, "Vad gör nämnden för elever med hög frånvaro?", 0)
    assert "[1]" in answer
    cards = sources(page)
    assert cards and "Elever med hög frånvaro" in cards[0] and "Uppföljning inriktning budget 2025" in cards[0]
    assert page.locator("#kallor mark").count() >= 1
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)

    ask(page, "Hur arbetar Alingsås med trygghet och studiero?", 1)
    follow = ask(page, "Och i Svenljunga?", 2)
    assert "Svenljunga" in follow
    assert any("Svenljunga" in c for c in sources(page))

    page.locator("#rensa").click()
    page.locator("#filter-kommun input").click()
    page.get_by_role("option", name="Svenljunga").click()
    page.keyboard.press("Escape")
    answer = ask(page, "Hur arbetar man med trygghet och studiero?", 0)
    assert answer.startswith("Söker i: Svenljunga")
    assert all("(Svenljunga)" in c for c in sources(page))

    assert only_local(page.requests_seen) == []


def test_upload_then_ask_about_it(page, tmp_path):
    import docx

    path = tmp_path / "Simskola i Testby.docx"
    d = docx.Document()
    d.add_heading("Simundervisning i Testby", level=1)
    d.add_paragraph("Nämnden beslutar att alla elever i årskurs 3 ska få tolv extra simlektioner under våren 2026.")
    d.save(str(path))

    page.get_by_role("tab", name="Dokument").click()
    page.locator("#uppladdning input[type=file]").set_input_files(str(path))
    page.locator("#upp-kommun textarea, #upp-kommun input").first.fill("Testby")
    page.locator("#ladda-upp").click()
    page.wait_for_function(
        "() => (document.querySelector('#uppladdning-status textarea')?.value || '').startsWith('Klart')",
        timeout=120_000,
    )
    page.locator("#dokumentlista").get_by_text("Simundervisning i Testby").first.wait_for(timeout=30_000)

    page.get_by_role("tab", name="Fråga").click()
    answer = ask(page, "Hur många extra simlektioner får eleverna i årskurs 3?", 0)
    assert "tolv" in answer and "[1]" in answer
    assert "Simundervisning i Testby" in sources(page)[0]
    assert only_local(page.requests_seen) == []


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
    page.wait_for_function(
        "() => { const bots = document.querySelectorAll('#chatt [data-testid=\"bot\"]');"
        " return bots.length === 3 && !bots[2].innerText.includes('Söker i dokumenten'); }",
        timeout=60_000,
    )
    assert "Tolkad som" not in page.locator("#chatt [data-testid='bot']").last.inner_text()

    # The export holds the whole conversation and is named after its first question and the date.
    exported = page.locator("#export textarea").input_value()
    assert exported.count("**Fråga:**") == 3 and "garantin för tidiga insatser" in exported
    with page.expect_download() as caught:
        page.locator("#ladda-ner").click()
    name = caught.value.suggested_filename
    assert re.fullmatch(r"samtal-vad-innebar-garantin-for-tidiga-insatser-\d{4}-\d{2}-\d{2}\.md", name), name

    # The chat's own bin icon clears the messages, the sources and the export.
    page.locator("#chatt button[aria-label*='lear'], #chatt button[title*='lear']").first.click()
    page.wait_for_function("() => document.querySelector('#kallor').innerText.includes('Källorna till svaret')")
    assert page.locator("#chatt [data-testid='bot']").count() == 0
    assert page.locator("#export textarea").input_value() == ""
    assert not page.locator("#ny-fraga").is_visible()
