"""The Gradio Blocks: chat with streamed answers and a sources panel, filters, documents, upload, export."""

from __future__ import annotations

import hashlib
import html
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
    COLUMNS,
    build_info,
    document_choices,
    documents_table,
    municipality_choices,
    outline_text,
)
from chat.export import answer_markdown, conversation_markdown, export_filename
from chat.sources import render_sources
from chat.uploads import prefill, upload
from index import Filters
from settings import Settings

EXAMPLES = [
    "Vad gör nämnden för elever med hög frånvaro?",
    "Vad beslutade nämnden 2025-06-17 § 44?",
    "Vad kostar matematiksatsningen?",
    "Hur följer Svenljunga upp trygghet och studiero?",
]
THINKING = "Söker i dokumenten …"


def theme() -> gr.themes.Base:
    """System fonts only: the page must not load fonts (or anything else) from other hosts."""
    return gr.themes.Base(
        primary_hue="blue",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )


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


def _history_turns(history: list[dict] | None) -> list[dict]:
    turns = []
    for message in history or []:
        if isinstance(message, dict) and message.get("role") in ("user", "assistant"):
            text = html.unescape(_content_text(message.get("content")))
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
        with_context: bool,
    ):
        history = list(history or [])
        conversation = list(conversation or [])
        turns = _history_turns(history) if with_context else []
        filters = Filters(kommun=list(kommun or []), doc_ids=list(dokument or []))
        # Questions and document text are shown as text: escaped, so no markup in them is ever interpreted.
        history += [{"role": "user", "content": html.escape(message or "")}, {"role": "assistant", "content": THINKING}]
        unchanged = (gr.update(), gr.update(), conversation, gr.update(), gr.update())
        yield history, "", *unchanged
        final: Answer | None = None
        for partial in ask_stream(message, turns, filters, settings=settings, index=get_index(settings)):
            final = partial
            if partial.mode == "llm" and not partial.citations and partial.answer:
                history[-1] = {"role": "assistant", "content": html.escape(partial.answer)}
                yield history, "", *unchanged
        assert final is not None
        text = display_text(final)
        if final.mode != "llm":
            for prefix in _pieces(text):
                history[-1] = {"role": "assistant", "content": html.escape(prefix)}
                yield history, "", *unchanged
        history[-1] = {"role": "assistant", "content": html.escape(text)}
        conversation.append(answer_markdown(final))
        reinterpreted = final.interpretation is not None and final.interpretation.rewritten
        yield (
            history,
            "",
            render_sources(final),
            conversation_markdown(conversation),
            conversation,
            gr.update(visible=reinterpreted),
            final.question if reinterpreted else "",
        )

    def respond(message, history, kommun, dokument, conversation):
        yield from answer_turn(message, history, kommun, dokument, conversation, with_context=True)

    def respond_alone(message, history, kommun, dokument, conversation):
        yield from answer_turn(message, history, kommun, dokument, conversation, with_context=False)

    def clear():
        return [], "", render_sources(None), "", [], gr.update(visible=False), "", None

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
        return (
            build_info(current),
            documents_table(current),
            gr.update(choices=document_choices(current)),
            gr.update(choices=municipality_choices(current)),
            gr.update(choices=document_choices(current)),
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
        return ask(question, history or [], filters, settings=settings, index=get_index(settings)).to_json()

    with gr.Blocks(title="Nämndassistenten", analytics_enabled=False) as demo:
        gr.Markdown(
            "# Nämndassistenten\n"
            "Ställ frågor om nämndernas dokument. Svaren hämtas ur dokumenten och varje uppgift visar sin källa "
            "med dokument, avsnitt och sida. Finns svaret inte i dokumenten säger assistenten det."
        )
        gr.Markdown(mode_text(settings), elem_id="svarslage")
        with gr.Tabs():
            with gr.Tab("Fråga", id="fraga-flik"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Samtal",
                            height=460,
                            render_markdown=False,
                            sanitize_html=True,
                            elem_id="chatt",
                            placeholder="Ställ en fråga om dokumenten nedan.",
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                label="Din fråga",
                                placeholder="Till exempel: Vad gör nämnden för elever med hög frånvaro?",
                                scale=5,
                                elem_id="fraga",
                                max_length=settings.max_question_chars,
                            )
                            send = gr.Button("Skicka", variant="primary", scale=1, elem_id="skicka")
                        # Shown when the conversation changed how the last question was read.
                        ask_alone = gr.Button(
                            "Fråga som en ny fråga", visible=False, size="sm", elem_id="ny-fraga", variant="secondary"
                        )
                        last_asked = gr.State("")
                        conversation = gr.State([])
                        with gr.Row():
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
                        gr.Examples(EXAMPLES, inputs=question, label="Exempel på frågor")
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
                    with gr.Column(scale=2):
                        sources = gr.HTML(render_sources(None), elem_id="kallor")
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
                    value=documents_table(ix), headers=COLUMNS, interactive=False, wrap=True, elem_id="dokumentlista"
                )
                outline_doc = gr.Dropdown(
                    document_choices(ix), label="Visa ett dokuments avsnitt", elem_id="disposition-val"
                )
                outline = gr.Textbox(label="Avsnitt", lines=14, interactive=False, elem_id="disposition")
                gr.Markdown(
                    "### Ladda upp ett dokument (för personal)\nPDF, DOCX, TXT eller MD, högst "
                    f"{settings.max_upload_mb} MB. Filen kontrolleras innan den läggs till."
                )
                upload_file = gr.File(
                    label="Fil", file_types=[".pdf", ".docx", ".txt", ".md"], type="filepath", elem_id="uppladdning"
                )
                with gr.Row():
                    up_title = gr.Textbox(label="Titel (frivillig)", elem_id="upp-titel")
                    up_kommun = gr.Textbox(label="Kommun (frivillig)", elem_id="upp-kommun")
                    up_datum = gr.Textbox(label="Beslutsdatum ÅÅÅÅ-MM-DD (frivillig)", elem_id="upp-datum")
                upload_btn = gr.Button("Lägg till och indexera", variant="primary", elem_id="ladda-upp")
                upload_status = gr.Textbox(label="Status", interactive=False, elem_id="uppladdning-status")

        inputs = [question, chatbot, kommun, dokument, conversation]
        outputs = [chatbot, question, sources, export, conversation, ask_alone, last_asked]
        send.click(respond, inputs, outputs, api_name="chatt").then(
            download, [export, chatbot], download_btn, api_visibility="private"
        )
        question.submit(respond, inputs, outputs, api_visibility="private").then(
            download, [export, chatbot], download_btn, api_visibility="private"
        )
        ask_alone.click(
            respond_alone, [last_asked, chatbot, kommun, dokument, conversation], outputs, api_visibility="private"
        ).then(download, [export, chatbot], download_btn, api_visibility="private")
        cleared = [chatbot, question, sources, export, conversation, ask_alone, last_asked, download_btn]
        clear_btn.click(clear, None, cleared, api_visibility="private")
        # The chat's own bin icon clears everything the conversation produced, not only the messages.
        chatbot.clear(clear, None, cleared, api_visibility="private")
        outline_doc.change(
            lambda d: outline_text(get_index(settings), d), outline_doc, outline, api_visibility="private"
        )
        upload_file.change(
            lambda path: prefill(path, settings),
            upload_file,
            [up_title, up_kommun, up_datum, upload_status],
            api_visibility="private",
        )
        upload_btn.click(
            run_upload, [upload_file, up_title, up_kommun, up_datum], upload_status, api_name="ladda_upp"
        ).then(refresh_documents, None, [info, table, outline_doc, kommun, dokument], api_visibility="private")
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
        demo.load(refresh_documents, None, [info, table, outline_doc, kommun, dokument], api_visibility="private")
        gr.api(api_ask, api_name="fraga")
    return demo
