"""The chat's parts and its HTTP API (gradio_client), login and privacy defaults."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest
from app_server import AppServer

from app import parse_auth
from assistant.models import Answer, Citation
from chat.documents import outline_text
from chat.export import answer_markdown
from chat.sources import relevance_words, source_block, sources_panel
from chat.uploads import upload
from index import Hit
from index.chunking import Chunk


def render_sources(answer: Answer) -> str:
    """The sources panel of a conversation of one answer (cards built from the answer's own passages)."""
    return sources_panel([source_block(answer, 1, [])])


def _answer(text: str, passage: str, quote: str) -> Answer:
    chunk = Chunk(
        "c1", "doc", "Plan <b>2026</b>", "Testby", 2026, ["Rubrik [länk](http://x.se)"], passage, 0, len(passage), 2, 3
    )
    hit = Hit(1, chunk, 0.9, 0.9, 1.0, [])
    return Answer(
        question="<script>alert(1)</script> [a](http://evil)",
        answer=text,
        refused=False,
        mode="extractive",
        citations=[Citation(1, hit, [quote])],
    )


def test_sources_panel_escapes_document_text_and_highlights_quotes():
    passage = "Inledning. <script>alert('x')</script> Nämnden satsar 100 tkr. [länk](http://evil.example)"
    html = render_sources(_answer("Nämnden satsar 100 tkr. [1]", passage, "Nämnden satsar 100 tkr."))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html and "Plan &lt;b&gt;2026&lt;/b&gt;" in html
    assert "<mark>Nämnden satsar 100 tkr.</mark>" in html
    assert 'href="http://evil.example"' not in html and "[länk](http://evil.example)" in html
    assert "sidorna 2–3" in html and "Mycket relevant" in html


def test_refused_answer_shows_closest_passages_labelled():
    a = _answer("x", "Text om simning.", "")
    refused = Answer(
        question="q", answer="Jag hittar inget", refused=True, mode="extractive", closest=[a.citations[0].hit]
    )
    html = render_sources(refused)
    assert "Närmast i dokumenten" in html and "besvarar frågan" in html


def test_relevance_words():
    assert [relevance_words(s) for s in (0.95, 0.6, 0.3, 0.1)] == [
        "Mycket relevant",
        "Relevant",
        "Delvis relevant",
        "Svagt relevant",
    ]


def test_markdown_export_keeps_user_text_as_text():
    md = answer_markdown(_answer("Nämnden satsar 100 tkr. [1]", "Nämnden satsar 100 tkr.", "Nämnden satsar 100 tkr."))
    assert "\\<script>" in md and not re.search(r"(?<!\\)<", md) and "\\[a\\](http://evil)" in md
    assert "Nämnden satsar 100 tkr. [1]" in md
    assert "1. Plan \\<b\\>2026\\<\\/b\\>" not in md and "**Källor**" in md
    # A link or image in an answer (from a document or an LLM reply) stays text; citation markers stay plain.
    linked = answer_markdown(_answer("Se [här](http://evil) ![x](http://evil/x.png) [1]", "q", "q"))
    assert "\\[här\\](http://evil)" in linked and "!\\[x\\]" in linked and linked.count("[1]") >= 1


def test_outline_of_a_document(shared_index):
    text = outline_text(shared_index, "alingsas-bun-2025-uppfoljning-inriktning-april.txt")
    assert "• Uppföljning per område" in text and "  • Elever med hög frånvaro  (s. 7)" in text


def test_parse_auth():
    assert parse_auth("anna:hemligt, bo:annat:kolon") == [("anna", "hemligt"), ("bo", "annat:kolon")]
    assert parse_auth(None) is None
    with pytest.raises(ValueError):
        parse_auth("utan-losenord")


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("bild.png", b"\x89PNG", "filtypen stöds inte"),
        ("sida.html", b"<h1>Hej</h1><p>Text.</p>", "filtypen stöds inte"),
        ("tom.txt", b"", "filen är tom"),
        ("trasig.docx", b"PK\x03\x04 nope", "DOCX-filen är skadad"),
        ("Protokoll maj.txt", "Protokoll\n\nNämnden beslutade att bygga en ny skola.".encode(), None),
    ],
)
def test_upload_handler_checks_files(tmp_settings, tmp_path, name, content, expect):
    source = tmp_path / name
    source.write_bytes(content)
    before = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())
    messages = list(upload(str(source), "", "", "", tmp_settings))
    after = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())
    if expect:
        assert expect in messages[-1] and before == after
    else:
        assert messages[-1].startswith("Klart"), messages
        assert set(after) - set(before) == {"protokoll-maj.txt"}


def test_upload_over_size_limit_is_rejected(tmp_settings, tmp_path):
    big = tmp_path / "stor.txt"
    big.write_bytes(b"Text. " * 300_000)
    settings = tmp_settings.model_copy(update={"max_upload_mb": 1})
    messages = list(upload(str(big), "", "", "", settings))
    assert "för stor" in messages[-1]


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    with AppServer(tmp_path_factory.mktemp("api-app")) as server:
        yield server


@pytest.mark.slow
def test_gradio_client_api(api_app):
    from gradio_client import Client

    client = Client(api_app.url, verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {"/fraga", "/chatt"} <= set(endpoints)
    data = client.predict(question="Vad kostar matematiksatsningen?", api_name="/fraga")
    assert data["citations"][0]["doc_id"] == "okand-kommun-bun-utvecklingsomraden-2020-2021.txt"
    assert "100 tkr" in data["answer"]
    follow = client.predict(
        question="Och elevhälsopersonalen?",
        history=[{"role": "user", "content": "Vad kostar matematiksatsningen?"}],
        api_name="/fraga",
    )
    assert follow["rewritten_question"] == "Vad kostar elevhälsopersonalen?" and "2 400 tkr" in follow["answer"]
    # Filter values that are not text (kommun=[null]) are left out rather than failing the request.
    nulls = client.predict(question="Vad kostar matematiksatsningen?", kommun=[None, 3], api_name="/fraga")
    assert "100 tkr" in nulls["answer"]
    chat = client.predict("Vad beslutade nämnden 2025-06-17 § 44?", [], [], [], api_name="/chatt")
    history, _question, sources_html, markdown = chat
    assert "[1]" in str(history[-1]["content"]) and "2025-06-17 § 44" in sources_html and "**Källor**" in markdown


@pytest.mark.slow
def test_login_protects_every_route(tmp_path):
    with AppServer(tmp_path, {"NAMND_AUTH": "anna:hemligt-lösen"}) as server:
        page = httpx.get(server.url + "/", timeout=10)
        # The page itself is only the login form: nothing of the documents or the app's config is in it.
        assert '"auth_required":true' in page.text and "Uppföljning inriktning" not in page.text
        for path in ("/config", "/gradio_api/info", "/gradio_api/queue/status", "/gradio_api/file=/etc/passwd"):
            assert httpx.get(server.url + path, timeout=10).status_code == 401, path
        for path in ("/gradio_api/call/fraga", "/gradio_api/queue/join", "/gradio_api/upload"):
            assert httpx.post(server.url + path, json={"data": ["x"]}, timeout=10).status_code == 401, path
        cancel = {"session_hash": "x", "fn_index": 0, "event_id": "x"}
        assert httpx.post(server.url + "/gradio_api/cancel", json=cancel, timeout=10).status_code == 401
        from gradio_client import Client

        with pytest.raises(Exception):  # noqa: B017 - any refusal will do, as long as it is refused
            Client(server.url, verbose=False).predict(question="Vad kostar matematiksatsningen?", api_name="/fraga")
        client = Client(server.url, auth=("anna", "hemligt-lösen"), verbose=False)
        assert "100 tkr" in client.predict(question="Vad kostar matematiksatsningen?", api_name="/fraga")["answer"]
        # Logged in, cancel is Gradio's again (it answers for an unknown job rather than refusing the caller).
        logged_in = httpx.Client(cookies=client.cookies, timeout=10)
        assert logged_in.post(server.url + "/gradio_api/cancel", json=cancel).status_code != 401


@pytest.mark.slow
def test_binds_to_loopback_by_default(api_app):
    from settings import Settings

    assert Settings().host == "127.0.0.1"
    assert httpx.get(api_app.url, timeout=10).status_code == 200


def test_upload_form_is_prefilled_from_the_document(tmp_path):
    from chat.uploads import prefill
    from settings import Settings

    path = tmp_path / "protokoll.md"
    path.write_text(
        "KUNGSBACKA KOMMUN    SAMMANTRÄDESPROTOKOLL\nNämnden för Teknik\nDatum\n2025-04-15\n\n"
        "§ 39 Dnr TE-2025-00170\nVal av justerare\n\nBeslut\nNämnden utser en justerare.\n\n"
        "§ 40 Dnr TE-2025-00076\nBredbandstaxa\n\nBeslut\nNämnden föreslår en ny taxa.\n",
        encoding="utf-8",
    )
    title, kommun, datum, note = prefill(str(path), Settings(data_dir=tmp_path / "data"))
    assert (title, kommun, datum) == ("Protokoll, Nämnden för Teknik, 2025-04-15", "Kungsbacka", "2025-04-15")
    assert "kommun (första sidan)" in note and "Kontrollera" in note
    bad = tmp_path / "trasig.md"
    bad.write_bytes(b"\x00\x01\x02" * 50)
    assert prefill(str(bad), Settings(data_dir=tmp_path / "data"))[3].startswith("Filen kan inte läsas")


def test_refusal_cards_say_they_do_not_answer_and_carry_no_relevance_rating():
    a = _answer("x", "Text om simning.", "")
    hit = a.citations[0].hit
    hit.score = 0.95
    refused = Answer(question="q", answer="Jag hittar inget", refused=True, mode="extractive", closest=[hit])
    html = render_sources(refused)
    assert "Närmast i dokumenten (besvarar inte frågan)" in html and "relevant" not in html.lower()


def test_conversation_export_and_its_file_name():
    from datetime import date

    from chat.export import conversation_markdown, export_filename

    first = answer_markdown(
        _answer("Nämnden satsar 100 tkr. [1]", "Nämnden satsar 100 tkr.", "Nämnden satsar 100 tkr.")
    )
    both = conversation_markdown([first, first])
    assert both.count("**Fråga:**") == 2 and "\n---\n" in both
    assert export_filename("Vad kostar Öxnevallaskolan?", date(2026, 11, 25)) == (
        "samtal-vad-kostar-oxnevallaskolan-2026-11-25.md"
    )
    assert export_filename("?!", date(2026, 11, 25)) == "samtal-fraga-2026-11-25.md"
    assert export_filename("../../etc/passwd " * 10, date(2026, 1, 2)).startswith("samtal-etc-passwd-etc")


def test_section_paths_keep_their_arrow_in_the_export():
    a = _answer("Nämnden satsar 100 tkr. [1]", "Nämnden satsar 100 tkr.", "Nämnden satsar 100 tkr.")
    hit = a.citations[0].hit
    hit.chunk = dataclasses.replace(hit.chunk, heading_path=["Uppföljning", "Elever med hög frånvaro"])
    assert "Uppföljning > Elever med hög frånvaro" in answer_markdown(a)


def _chunk(cid: str, doc: str, path: list[str], text: str, start: int, page: int | None = None) -> Chunk:
    return Chunk(cid, doc, "Plan 2026", "Testby", 2026, path, text, start, start + len(text), page, page)


SECTION = (
    "Första meningen handlar om annat. Andra meningen står före citatet. Nämnden satsar 100 tkr på läsning. "
    "Meningen efter citatet förklarar. Sista meningen är långt bort."
)


def test_joined_chunks_write_an_overlap_once_and_keep_a_gap():
    from chat.passages import join_chunks

    a = _chunk("a", "d.txt", ["A"], "Ett två tre. Fyra fem.", 0)
    b = _chunk("b", "d.txt", ["A"], "Fyra fem. Sex sju.", 13)
    c = _chunk("c", "d.txt", ["A"], "Åtta.", 60)
    joined = join_chunks([c, b, a])
    assert joined.text == "Ett två tre. Fyra fem. Sex sju.\n\nÅtta."
    assert joined.offsets == {"a": 0, "b": 13, "c": joined.text.index("Åtta.")}


@pytest.mark.parametrize(
    ("quote", "shown", "left_out"),
    [
        (
            "Nämnden satsar 100 tkr på läsning.",
            ["Andra meningen står före citatet.", "Meningen efter citatet förklarar."],
            ["Första meningen", "Sista meningen"],
        ),
        ("Första meningen handlar om annat.", ["Andra meningen"], ["Nämnden satsar", "Sista meningen"]),
        ("Sista meningen är långt bort.", ["Meningen efter citatet"], ["Första meningen", "Nämnden satsar"]),
    ],
)
def test_a_quote_is_shown_with_a_sentence_of_context_on_each_side(quote, shown, left_out):
    from chat.passages import context_windows, join_chunks, quote_spans

    passage = join_chunks([_chunk("a", "d.txt", ["A"], SECTION, 0)])
    spans = quote_spans(passage, "a", [quote])
    windows = context_windows(passage.text, spans)
    excerpt = " ".join(passage.text[lo:hi] for lo, hi in windows)
    assert quote in excerpt and all(s in excerpt for s in shown) and not any(s in excerpt for s in left_out)


def test_source_card_has_context_whole_section_and_a_document_button():
    from chat.sources import source_block

    cut = SECTION.index("Meningen efter")
    first = _chunk("c1", "plan.txt", ["Läsning"], SECTION[:cut], 0)
    rest = _chunk("c2", "plan.txt", ["Läsning"], SECTION[cut:], cut)
    other = _chunk("c3", "plan.txt", ["Annat"], "Inte med.", 300)
    quote = "Meningen efter citatet förklarar."
    answer = Answer(
        "Vad satsas?", "Svar. [1]", False, "extractive", [Citation(1, Hit(1, rest, 0.9, 0.9, 1.0, []), [quote])]
    )
    block = source_block(answer, 4, [first, rest, other])
    cited = block.cards
    assert 'id="kalla-4-1"' in cited and f"<mark>{quote}</mark>" in cited
    excerpt = cited.split('<blockquote class="kalla-citat">')[1].split("</blockquote>")[0]
    # The quote's section is put together from both chunks: the sentence before it comes from the first one.
    assert "Nämnden satsar 100 tkr på läsning." in excerpt and "Sista meningen" in excerpt
    assert "Första meningen" not in excerpt
    whole = cited.split("<summary>Visa hela avsnittet</summary>")[1]
    assert "Första meningen" in whole and "Inte med." not in whole
    assert 'data-chunk="c2"' in cited and ">Visa i dokumentet</button>" in cited


def test_sources_are_kept_per_answer_newest_first_and_open():
    from chat.sources import SourceBlock, sources_panel

    panel = sources_panel([SourceBlock(1, "Första?", "Källor", "<p>a</p>"), SourceBlock(2, "Andra?", "Källor", "b")])
    assert panel.index('id="svar-2" open') < panel.index('id="svar-1"')
    assert 'id="svar-1" open' not in panel and "Fråga 1: Första?" in panel
    assert sources_panel([]).startswith('<div class="kallor-tom">')


def test_citation_marks_link_to_their_answers_cards():
    from chat.sources import link_citations

    linked = link_citations("Nämnden satsar 100 tkr. [1] Mer. [3] [1]", 2, {1})
    assert linked.count('<a class="kalla-lank" href="#kalla-2-1"') == 2 and "[3]" in linked
    assert 'href="#kalla-2-3"' not in linked


def test_document_view_shows_a_pdf_source_s_page_and_a_text_source_s_whole_document():
    from chat.sources import document_view, source_block

    pages = [
        _chunk(f"p{i}", "rapport.pdf", ["Del", f"Avsnitt {i}"], f"Text på sidan {i}.", i * 100, i) for i in (1, 2, 3)
    ]
    view = document_view(pages, "p2", ["Text på sidan 2."])
    assert "– sida 2" in view and "<mark>Text på sidan 2.</mark>" in view
    assert "sidan 1" not in view and "sidan 3" not in view
    answer = Answer("q", "a [1]", False, "extractive", [Citation(1, Hit(1, pages[1], 0.9, 0.9, 1.0, []), [])])
    assert ">Visa sidan i dokumentet</button>" in source_block(answer, 1, pages).cards

    texts = [_chunk(f"t{i}", "plan.txt", [f"Rubrik {i}"], f"Stycke {i} <b>.", i * 100) for i in (1, 2)]
    whole = document_view(texts, "t2", [])
    assert "Stycke 1" in whole and '<section class="dokumentvy-aktuell"><h3>Rubrik 2</h3>' in whole
    assert "<mark>Stycke 2 &lt;b&gt;.</mark>" in whole and "<b>" not in whole
    assert "finns inte längre" in document_view(texts, "borta", [])


def test_chat_messages_are_read_back_without_the_citation_links():
    from chat.ui import plain_message

    shown = 'Svar om &lt;b&gt; och 5 &gt; 3. <a class="kalla-lank" href="#kalla-1-1">[1]</a>'
    assert plain_message(shown) == "Svar om <b> och 5 > 3. [1]"


@pytest.mark.parametrize(
    "english",
    ["Copy", "Copy message", "Copy conversation", "Fullscreen", "Copy table data", "More tabs", "chatbot conversation"],
)
def test_gradio_s_english_labels_have_swedish_ones(english):
    from chat.page_script import LABELS_SV, page_js

    swedish = LABELS_SV[english]
    assert swedish and swedish != english and f'"{english}": "{swedish}"' in page_js()


def test_gradio_s_message_labels_and_missing_swedish_strings():
    from chat.page_script import GRADIO_SV, LABEL_PREFIXES_SV

    assert LABEL_PREFIXES_SV["user's message: "] == "Din fråga: "
    assert LABEL_PREFIXES_SV["bot's message: "] == "Assistentens svar: "
    assert GRADIO_SV["chatbot"]["copy_message"] == "Kopiera meddelandet"
    assert GRADIO_SV["upload_text"] == {"click_to_upload": "Klicka för att ladda upp", "drop_file": "Släpp filen här"}


def test_upload_form_refuses_a_duplicate_and_a_date_not_written_as_iso(tmp_settings, tmp_path):
    existing = "svenljunga-bun-plan-systematiskt-kvalitetsarbete-2026.txt"
    copy = tmp_path / "kopia.txt"
    copy.write_bytes((tmp_settings.corpus_dir / existing).read_bytes())
    before = sorted(p.name for p in tmp_settings.corpus_dir.iterdir())
    twice = list(upload(str(copy), "", "", "", tmp_settings))[-1]
    assert twice.startswith("Filen lades inte till") and "finns redan" in twice and existing in twice
    new = tmp_path / "ny.txt"
    new.write_text("Protokoll\n\nNämnden beslutade att bygga en ny skola.", encoding="utf-8")
    dated = list(upload(str(new), "", "", "23 september 2025", tmp_settings))[-1]
    assert "ÅÅÅÅ-MM-DD" in dated
    assert sorted(p.name for p in tmp_settings.corpus_dir.iterdir()) == before
