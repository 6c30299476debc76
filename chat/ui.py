"""The Gradio Blocks: chat with streamed answers and a sources panel, filters, documents, upload, export."""

from __future__ import annotations

import hashlib
import html
import json
import re
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import ask, ask_stream
from assistant.engine import get_index
from assistant.models import Answer
from chat.decisions_tab import COLUMNS as DECISION_COLUMNS
from chat.decisions_tab import csv_file, filtered, source_text
from chat.decisions_tab import rows as decision_rows
from chat.documents import (
    COLUMN_WIDTHS,
    COLUMNS,
    build_info,
    document_choices,
    documents_table,
    municipality_choices,
    outline_text,
)
from chat.export import answer_markdown, conversation_markdown, export_filename
from chat.page_script import SOURCES_JS, SOURCES_TEMPLATE
from chat.sources import EMPTY_PANEL, SourceBlock, document_view, link_citations, source_block, sources_panel
from chat.uploads import prefill, upload
from corpus.intake import UPLOAD_SUFFIXES
from index import Filters, StoreUnavailable
from settings import Settings

EXAMPLES = [
    "Vad gör nämnden för elever med hög frånvaro?",
    "Vad beslutade nämnden 2025-06-17 § 44?",
    "Vad kostar matematiksatsningen?",
    "Hur följer Svenljunga upp trygghet och studiero?",
]
THINKING = "Söker i dokumenten …"


def mode_text(settings: Settings) -> str:
    if settings.answer_mode == "llm" and settings.llm_url:
        return (
            f"**Svarsläge:** språkmodell (`{settings.llm_backend}: {settings.llm_model or 'standard'}`), "
            "med källhänvisningar som kontrolleras mot dokumenten."
        )
    return "**Svarsläge:** utdrag ur dokumenten (ingen språkmodell). Varje mening i svaret kommer ur en källa."


def _content_text(content: Any) -> str:
    """A chat message's text, whichever shape Gradio hands it back in."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("value") or "")
    if isinstance(content, list):
        return " ".join(_content_text(c) for c in content)
    return ""


MARKUP = re.compile(r"<[^>]+>")


def plain_message(content: Any) -> str:
    """A chat message as the text it shows: the only markup in a message is the app's own (citation links),
    because questions and answers are escaped before they are shown."""
    return html.unescape(MARKUP.sub("", _content_text(content)))


def _history_turns(history: list[dict] | None) -> list[dict]:
    turns = []
    for message in history or []:
        if isinstance(message, dict) and message.get("role") in ("user", "assistant"):
            text = plain_message(message.get("content"))
            if text and text != THINKING:
                turns.append({"role": message["role"], "content": text})
    return turns


def display_text(answer: Answer) -> str:
    context = "".join(f"{line}\n\n" for line in answer.context_lines())
    notices = "".join(f"OBS: {n}\n\n" for n in answer.notices)
    return context + notices + answer.answer


def _pieces(text: str) -> Iterator[str]:
    """Growing prefixes of the answer, a sentence or so at a time, so the answer streams in."""
    marks = [m.end() for m in re.finditer(r"(\[\d+\]|[.!?:])\s+", text)]
    for end in marks:
        yield text[:end]
    yield text


def _strings(values: object) -> list[str]:
    """A filter list from an API caller, with anything that is not text (null, numbers) left out."""
    return [v for v in values if isinstance(v, str) and v.strip()] if isinstance(values, list) else []


def build_app(settings: Settings) -> gr.Blocks:
    """The chat app (not launched)."""
    ix = get_index(settings)

    def answer_turn(
        message: str,
        history: list[dict] | None,
        kommun: list[str] | None,
        dokument: list[str] | None,
        conversation: list[str] | None,
        blocks: list[SourceBlock] | None,
        with_context: bool,
    ):
        history = list(history or [])
        conversation = list(conversation or [])
        blocks = list(blocks or [])
        number = len(conversation) + 1
        turns = _history_turns(history) if with_context else []
        filters = Filters(kommun=list(kommun or []), doc_ids=list(dokument or []))
        # Questions and document text are shown as text: escaped, so no markup in them is ever interpreted.
        history += [{"role": "user", "content": html.escape(message or "")}, {"role": "assistant", "content": THINKING}]
        unchanged = (gr.update(), gr.update(), conversation, gr.update(), gr.update(), blocks, gr.update())
        yield history, "", *unchanged
        current = get_index(settings)
        final: Answer | None = None
        try:
            for partial in ask_stream(message, turns, filters, settings=settings, index=current):
                final = partial
                if partial.mode == "llm" and not partial.citations and partial.answer:
                    history[-1] = {"role": "assistant", "content": html.escape(partial.answer)}
                    yield history, "", *unchanged
        except StoreUnavailable as exc:  # the Postgres backend down: say so, keep the conversation
            history[-1] = {"role": "assistant", "content": html.escape(f"Sökningen fungerar inte just nu: {exc}")}
            yield history, "", *unchanged
            return
        assert final is not None
        text = display_text(final)
        cited = {c.n for c in final.citations}
        if final.mode != "llm":
            for prefix in _pieces(text):
                history[-1] = {"role": "assistant", "content": link_citations(html.escape(prefix), number, cited)}
                yield history, "", *unchanged
        history[-1] = {"role": "assistant", "content": link_citations(html.escape(text), number, cited)}
        conversation.append(answer_markdown(final))
        blocks.append(source_block(final, number, current.chunks))
        reinterpreted = final.interpretation is not None and final.interpretation.rewritten
        yield (
            history,
            "",
            sources_panel(blocks),
            conversation_markdown(conversation),
            conversation,
            gr.update(visible=reinterpreted),
            final.question if reinterpreted else "",
            blocks,
            gr.update(visible=False),
        )

    def respond(message, history, kommun, dokument, conversation, blocks):
        yield from answer_turn(message, history, kommun, dokument, conversation, blocks, with_context=True)

    def respond_alone(message, history, kommun, dokument, conversation, blocks):
        yield from answer_turn(message, history, kommun, dokument, conversation, blocks, with_context=False)

    def clear():
        return [], "", EMPTY_PANEL, "", [], gr.update(visible=False), "", [], gr.update(visible=True), None

    def dokumentvy(arguments: list) -> str:
        """The document view of a source card. The page calls it with [chunk id, the quotes as JSON] (Gradio hands
        a server function the caller's argument list as one value)."""
        chunk_id, quotes = (list(arguments) + ["", ""])[:2] if isinstance(arguments, list) else (arguments, "")
        try:
            wanted = [q for q in json.loads(quotes or "[]") if isinstance(q, str)]
        except (ValueError, TypeError):
            wanted = []
        return document_view(get_index(settings).chunks, str(chunk_id), wanted)

    exports = Path(tempfile.mkdtemp(prefix="namnd-svar-"))

    def download(markdown: str, history: list[dict] | None) -> str | None:
        if not markdown:
            return None
        # One folder per download in the process's export folder; folders older than an hour removed.
        cutoff = time.time() - 3600
        for old in exports.glob("*/*.md"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
                old.parent.rmdir()
        first = next((t["content"] for t in _history_turns(history) if t["role"] == "user"), "")
        folder = exports / hashlib.sha1(markdown.encode()).hexdigest()[:10]
        folder.mkdir(exist_ok=True)
        path = folder / export_filename(first, date.today())
        path.write_text(markdown, encoding="utf-8")
        return str(path)

    def refresh_documents():
        current = get_index(settings)
        choices = document_choices(current)
        first = choices[0][1] if choices else None
        return (
            build_info(current),
            documents_table(current),
            gr.update(choices=choices, value=first),
            outline_text(current, first),
            gr.update(choices=municipality_choices(current)),
            gr.update(choices=choices),
        )

    def run_upload(path: str | None, title: str, kommun: str, datum: str):
        yield from upload(path, title, kommun, datum, settings)

    def api_ask(
        question: str,
        history: list[dict] | None = None,
        kommun: list[str] | None = None,
        dokument: list[str] | None = None,
    ) -> dict:
        """Answer a question from the documents; returns the JSON of `python -m assistant ask --json`."""
        filters = Filters(kommun=_strings(kommun), doc_ids=_strings(dokument))
        try:
            return ask(question, history or [], filters, settings=settings, index=get_index(settings)).to_json()
        except StoreUnavailable as exc:
            raise gr.Error(f"Sökningen fungerar inte just nu: {exc}") from exc

    with gr.Blocks(title="Nämndassistenten", analytics_enabled=False) as demo:
        gr.Markdown(
            "# Nämndassistenten\n"
            "Ställ frågor om nämndernas dokument. Svaren hämtas ur dokumenten och varje uppgift visar sin källa "
            "med dokument, avsnitt och sida. Finns svaret inte i dokumenten säger assistenten det.",
            elem_id="sidhuvud",
        )
        with gr.Tabs():
            with gr.Tab("Fråga", id="fraga-flik"):
                # Two columns that wrap on a narrow screen: the chat and the question box first, the sources
                # right after them (on a phone, directly under the answer), everything else below.
                with gr.Row(equal_height=False, elem_id="fraga-rad"):
                    with gr.Column(scale=3, min_width=340):
                        chatbot = gr.Chatbot(
                            label="Samtal",
                            show_label=False,
                            height="min(460px, 52vh)",
                            render_markdown=False,
                            sanitize_html=True,
                            elem_id="chatt",
                            placeholder="Ställ en fråga om dokumenten nedan.",
                            feedback_options=None,
                            # The page scrolls the chat to the newest question once its answer is in (the sources
                            # panel's script); following the text down would show the end of a long answer.
                            autoscroll=False,
                            # No copy buttons: they copy a message's markup (the citation links); the conversation
                            # is copied as Markdown from the export box below.
                            buttons=[],
                        )
                        with gr.Row(equal_height=True):
                            question = gr.Textbox(
                                label="Din fråga",
                                placeholder="Till exempel: Vad kostar matematiksatsningen?",
                                scale=5,
                                min_width=180,
                                elem_id="fraga",
                                max_length=settings.max_question_chars,
                            )
                            send = gr.Button("Skicka", variant="primary", scale=0, min_width=80, elem_id="skicka")
                        # Shown when the conversation changed how the last question was read.
                        ask_alone = gr.Button(
                            "Fråga som en ny fråga", visible=False, size="sm", elem_id="ny-fraga", variant="secondary"
                        )
                        with gr.Row(elem_id="exempel") as chips_row:
                            chips = [gr.Button(q, size="sm", variant="secondary", min_width=0) for q in EXAMPLES]
                        with gr.Accordion("Sök bara i vissa kommuner eller dokument", open=False, elem_id="filter"):
                            kommun = gr.Dropdown(
                                municipality_choices(ix),
                                multiselect=True,
                                label="Sök bara i kommun",
                                elem_id="filter-kommun",
                            )
                            dokument = gr.Dropdown(
                                document_choices(ix),
                                multiselect=True,
                                label="Sök bara i dokument",
                                elem_id="filter-dokument",
                            )
                    with gr.Column(scale=2, min_width=260):
                        sources = gr.HTML(
                            EMPTY_PANEL,
                            html_template=SOURCES_TEMPLATE,
                            js_on_load=SOURCES_JS,
                            server_functions=[dokumentvy],
                            elem_id="kallor",
                        )
                last_asked = gr.State("")
                conversation = gr.State([])
                blocks = gr.State([])
                with gr.Row():
                    clear_btn = gr.Button("Rensa samtalet", elem_id="rensa")
                    download_btn = gr.DownloadButton("Ladda ner samtalet (Markdown)", elem_id="ladda-ner")
                export = gr.Textbox(
                    label="Samtalet som Markdown (att klistra in i en skrivelse)",
                    lines=5,
                    interactive=False,
                    buttons=["copy"],
                    elem_id="export",
                )
                gr.Markdown(mode_text(settings), elem_id="svarslage")
            with gr.Tab("Beslut", id="beslut-flik"):
                gr.Markdown("Besluten (§) i de indexerade protokollen, och beslut som andra dokument hänvisar till.")
                with gr.Row():
                    beslut_kommun = gr.Dropdown(
                        municipality_choices(ix), multiselect=True, label="Kommun", elem_id="beslut-kommun"
                    )
                    beslut_namnd = gr.Textbox(label="Nämnd innehåller", elem_id="beslut-namnd")
                    beslut_fran = gr.Textbox(label="Från ÅÅÅÅ-MM-DD", elem_id="beslut-fran")
                    beslut_till = gr.Textbox(label="Till ÅÅÅÅ-MM-DD", elem_id="beslut-till")
                    beslut_sok = gr.Textbox(label="Sök i rubrik, beslut och dnr", elem_id="beslut-sok")
                beslut_status = gr.Markdown(elem_id="beslut-status")
                beslut_table = gr.Dataframe(
                    value=decision_rows(ix.decisions),
                    headers=DECISION_COLUMNS,
                    interactive=False,
                    wrap=True,
                    elem_id="beslutslista",
                )
                beslut_source = gr.Markdown(elem_id="beslut-kalla")
                beslut_csv = gr.DownloadButton("Ladda ner som CSV", elem_id="beslut-csv")
            with gr.Tab("Dokument", id="dokument-flik"):
                info = gr.Markdown(build_info(ix), elem_id="indexinfo")
                table = gr.Dataframe(
                    value=documents_table(ix),
                    headers=COLUMNS,
                    interactive=False,
                    wrap=True,
                    column_widths=COLUMN_WIDTHS,
                    max_height=420,
                    elem_id="dokumentlista",
                )
                first_doc = next(iter(document_choices(ix)), ("", None))[1]
                with gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=300):
                        outline_doc = gr.Dropdown(
                            document_choices(ix),
                            value=first_doc,
                            label="Visa ett dokuments avsnitt",
                            elem_id="disposition-val",
                        )
                    with gr.Column(scale=2, min_width=300):
                        outline = gr.Textbox(
                            outline_text(ix, first_doc),
                            label="Avsnitt",
                            lines=14,
                            max_lines=30,
                            interactive=False,
                            elem_id="disposition",
                        )
                gr.Markdown(
                    "## Ladda upp ett dokument (för personal)\nPDF, DOCX, TXT, MD eller en tabell som CSV, högst "
                    f"{settings.max_upload_mb} MB. Filen kontrolleras innan den läggs till."
                )
                upload_file = gr.File(
                    label="Fil", file_types=list(UPLOAD_SUFFIXES), type="filepath", elem_id="uppladdning"
                )
                with gr.Row():
                    up_title = gr.Textbox(label="Titel (frivillig)", elem_id="upp-titel")
                    up_kommun = gr.Textbox(label="Kommun (frivillig)", elem_id="upp-kommun")
                    up_datum = gr.Textbox(label="Beslutsdatum ÅÅÅÅ-MM-DD (frivillig)", elem_id="upp-datum")
                upload_btn = gr.Button("Lägg till och indexera", variant="primary", elem_id="ladda-upp")
                upload_status = gr.Textbox(label="Status", interactive=False, elem_id="uppladdning-status")

        inputs = [question, chatbot, kommun, dokument, conversation, blocks]
        outputs = [chatbot, question, sources, export, conversation, ask_alone, last_asked, blocks, chips_row]
        export_file = ([export, chatbot], download_btn)
        send.click(respond, inputs, outputs, api_name="chatt").then(download, *export_file, api_visibility="private")
        question.submit(respond, inputs, outputs, api_visibility="private").then(
            download, *export_file, api_visibility="private"
        )
        ask_alone.click(respond_alone, [last_asked, *inputs[1:]], outputs, api_visibility="private").then(
            download, *export_file, api_visibility="private"
        )
        for chip, example in zip(chips, EXAMPLES, strict=True):
            chip.click(lambda q=example: q, None, question, api_visibility="private").then(
                respond, inputs, outputs, api_visibility="private"
            ).then(download, *export_file, api_visibility="private")
        cleared = [chatbot, question, sources, export, conversation, ask_alone, last_asked, blocks, chips_row]
        cleared.append(download_btn)
        clear_btn.click(clear, None, cleared, api_visibility="private")
        # The chat's own bin icon clears everything the conversation produced, not only the messages.
        chatbot.clear(clear, None, cleared, api_visibility="private")
        outline_doc.change(
            lambda d: outline_text(get_index(settings), d), outline_doc, outline, api_visibility="private"
        )

        def pick_document(event: gr.SelectData):
            doc_id = str(event.row_value[0]) if event.row_value else None
            return gr.update(value=doc_id), outline_text(get_index(settings), doc_id)

        table.select(pick_document, None, [outline_doc, outline], api_visibility="private")
        upload_file.change(
            lambda path: prefill(path, settings),
            upload_file,
            [up_title, up_kommun, up_datum, upload_status],
            api_visibility="private",
        )
        documents_out = [info, table, outline_doc, outline, kommun, dokument]
        upload_btn.click(
            run_upload, [upload_file, up_title, up_kommun, up_datum], upload_status, api_name="ladda_upp"
        ).then(refresh_documents, None, documents_out, api_visibility="private")
        filters_in = [beslut_kommun, beslut_namnd, beslut_fran, beslut_till, beslut_sok]
        for component in filters_in:
            component.change(
                lambda *f: filtered(get_index(settings), *f),
                filters_in,
                [beslut_table, beslut_status],
                api_visibility="private",
            ).then(lambda *f: csv_file(get_index(settings), *f), filters_in, beslut_csv, api_visibility="private")

        def show_source(event: gr.SelectData) -> str:
            return source_text(get_index(settings), event.row_value)

        beslut_table.select(show_source, None, beslut_source, api_visibility="private")
        demo.load(lambda: csv_file(get_index(settings), [], "", "", "", ""), None, beslut_csv, api_visibility="private")
        # Documents and filters as they are now (an upload in another session changes them), on every page load.
        demo.load(refresh_documents, None, documents_out, api_visibility="private")
        gr.api(api_ask, api_name="fraga")
    return demo
