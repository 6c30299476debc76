"""Swedish throughout: Gradio's own strings in Swedish whatever the browser's language, and the page's small
scripts (citation links, the document view).

Gradio picks its interface language from the browser and has no setting to fix it, and some of its labels
("Copy conversation", "More tabs", "chatbot conversation") are not translatable at all. So the page switches
Gradio's locale store to Swedish on load, adds the strings Gradio's Swedish file lacks, and relabels the few
hard-coded attributes as they appear.
"""

from __future__ import annotations

import json

import gradio as gr

# Strings Gradio's Swedish translation file lacks (Gradio falls back to English for them).
GRADIO_SV: dict[str, dict[str, str]] = {
    "chatbot": {
        "copy_message": "Kopiera meddelandet",
        "copied_message": "Meddelandet kopierat",
        "clear": "Rensa samtalet",
        "like": "Bra svar",
        "dislike": "Dåligt svar",
        "retry": "Försök igen",
        "undo": "Ångra",
        "edit": "Redigera",
        "submit": "Skicka",
        "cancel": "Avbryt",
        "complete": "Klar",
    },
    "common": {
        "loading": "Laddar",
        "or": "eller",
        "clear": "Rensa",
        "download": "Ladda ner",
        "download_all": "Ladda ner alla",
        "remove": "Ta bort",
        "empty": "Tom",
        "error": "Fel",
        "progress": "Förlopp",
    },
    "upload_text": {"click_to_upload": "Klicka för att ladda upp", "drop_file": "Släpp filen här"},
    "file": {"uploading": "Laddar upp …"},
    "dataframe": {
        "sort_column": "Sortera kolumnen",
        "sort_ascending": "Sortera stigande",
        "sort_descending": "Sortera fallande",
        "clear_sort": "Ta bort sorteringen",
    },
    "dropdown": {"dropdown": "Rullgardinsmeny"},
}

# Hard-coded English attributes in Gradio's components, and what a Swedish reader hears or sees instead.
LABELS_SV: dict[str, str] = {
    "Copy": "Kopiera",
    "Copied": "Kopierat",
    "Copy message": "Kopiera meddelandet",
    "Copied message": "Meddelandet kopierat",
    "Copy conversation": "Kopiera samtalet",
    "Copied conversation": "Samtalet kopierat",
    "Copy table data": "Kopiera tabellen",
    "Copied to clipboard": "Kopierat",
    "Fullscreen": "Helskärm",
    "Exit fullscreen mode": "Lämna helskärm",
    "Exit fullscreen": "Lämna helskärm",
    "More tabs": "Fler flikar",
    "chatbot conversation": "Samtal",
    "Clear": "Rensa samtalet",
    "Scroll down": "Bläddra nedåt",
    "Scroll to bottom": "Bläddra till slutet",
    "Remove": "Ta bort",
    "Download": "Ladda ner",
    "Share": "Dela",
    "Loading": "Laddar",
    "Upload file": "Ladda upp fil",
    "Dropdown": "Rullgardinsmeny",
    "Sort column": "Sortera kolumnen",
    "Search": "Sök",
    "Close": "Stäng",
}
# Labels that start with English and end with the message ("user's message: Vad kostar …").
LABEL_PREFIXES_SV: dict[str, str] = {
    "user's message: ": "Din fråga: ",
    "bot's message: ": "Assistentens svar: ",
    "assistant's message: ": "Assistentens svar: ",
}


def translations() -> gr.I18n:
    """Gradio's missing Swedish strings, for whichever locale Gradio starts in before the page switches it."""
    return gr.I18n(sv=GRADIO_SV)  # type: ignore[arg-type]  # Gradio's front end merges nested dictionaries


PAGE_JS = """
() => {
  const labels = __LABELS__;
  const prefixes = Object.entries(__PREFIXES__);
  // Gradio's interface language follows the browser; its locale store lives in the core module.
  const core = performance.getEntriesByType('resource').map(e => e.name)
    .find(n => /\\/assets\\/core-[\\w-]+\\.js$/.test(n));
  if (core) import(core).then(m => m.changeLocale && m.changeLocale('sv')).catch(() => {});
  const relabel = () => {
    if (document.documentElement.lang !== 'sv') document.documentElement.lang = 'sv';
    document.querySelectorAll('[aria-label],[title]').forEach(el => {
      for (const attr of ['aria-label', 'title']) {
        const v = el.getAttribute(attr);
        if (!v) continue;
        if (labels[v]) { el.setAttribute(attr, labels[v]); continue; }
        for (const [en, sv] of prefixes) if (v.startsWith(en)) el.setAttribute(attr, sv + v.slice(en.length));
      }
    });
    // Status messages read to screen readers ("Loading"); the text node is changed in place for Gradio to keep.
    document.querySelectorAll('[role=status]').forEach(el => el.childNodes.forEach(n => {
      const t = n.nodeType === 3 ? n.nodeValue.trim() : '';
      if (labels[t]) n.nodeValue = labels[t];
    }));
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; relabel(); });
  }).observe(document.documentElement,
    {subtree: true, childList: true, characterData: true, attributes: true,
     attributeFilter: ['aria-label', 'title', 'lang']});
  relabel();
}
"""


def page_js() -> str:
    """The script run on page load (Gradio's ``launch(js=...)``)."""
    return PAGE_JS.replace("__LABELS__", json.dumps(LABELS_SV, ensure_ascii=False)).replace(
        "__PREFIXES__", json.dumps(LABEL_PREFIXES_SV, ensure_ascii=False)
    )


# The sources panel: the cards, and a dialog for the document view that the cards' buttons fill.
SOURCES_TEMPLATE = (
    '<div class="kallor-innehall">${value}</div>'
    '<dialog class="dokumentvy" aria-labelledby="dokumentvy-rubrik">'
    '<div class="dokumentvy-huvud"><button type="button" class="dokumentvy-stang">Stäng</button></div>'
    '<div class="dokumentvy-innehall"></div></dialog>'
)

SOURCES_JS = """
element.addEventListener('click', async (event) => {
  const close = event.target.closest('.dokumentvy-stang');
  if (close) { close.closest('dialog').close(); return; }
  const button = event.target.closest('.visa-dokument');
  if (!button) return;
  const dialog = element.querySelector('dialog.dokumentvy');
  const body = dialog.querySelector('.dokumentvy-innehall');
  body.textContent = 'Hämtar dokumentet …';
  dialog.showModal();
  body.innerHTML = await server.dokumentvy(button.dataset.chunk, button.dataset.quotes);
  const mark = body.querySelector('mark');
  if (mark) mark.scrollIntoView({block: 'center'});
});
// A new answer's sources arrive with the answer: the chat then shows the start of the newest exchange (the question
// on top) rather than the end of a long answer.
watch('value', () => setTimeout(() => {
  const asked = document.querySelectorAll('#chatt [data-testid=user]');
  const last = asked[asked.length - 1];
  let box = last && last.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight + 1
    && ['auto', 'scroll'].includes(getComputedStyle(box).overflowY))) box = box.parentElement;
  if (box) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
}, 100));
// "[n]" in an answer: open that answer's sources, scroll to the card and focus it.
if (!window.__kallLankar) {
  window.__kallLankar = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a.kalla-lank');
    if (!link) return;
    event.preventDefault();
    const card = document.getElementById((link.getAttribute('href') || '').slice(1));
    if (!card) return;
    const block = card.closest('details.svar-kallor');
    if (block) block.open = true;
    document.querySelectorAll('.kalla.vald').forEach(c => c.classList.remove('vald'));
    card.classList.add('vald');
    card.scrollIntoView({block: 'start', behavior: 'smooth'});
    card.focus({preventScroll: true});
  });
}
"""
