"""The page's look: the Gradio theme (system fonts, AA contrast in light and dark) and the CSS for the layout."""

from __future__ import annotations

import gradio as gr

PHONE_MAX_PX = 640  # below this width the page is laid out for a phone


def theme() -> gr.themes.Base:
    """System fonts only (the page must not load fonts from other hosts); the colours that Gradio's defaults
    give too little contrast (primary buttons, the selected tab, subdued text) darkened to WCAG AA."""
    base = gr.themes.Base(
        primary_hue="blue",
        neutral_hue="slate",
        font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
    )
    return base.set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_background_fill_dark="*primary_700",
        button_primary_background_fill_hover_dark="*primary_600",
        button_primary_text_color="white",
        button_primary_text_color_dark="white",
        body_text_color_subdued="*neutral_600",
        body_text_color_subdued_dark="*neutral_300",
        block_label_text_color="*neutral_700",
        block_label_text_color_dark="*neutral_200",
        block_info_text_color="*neutral_600",
        block_info_text_color_dark="*neutral_300",
        link_text_color="*primary_700",
        link_text_color_dark="*primary_300",
        link_text_color_visited="*primary_800",
        link_text_color_visited_dark="*primary_200",
        input_placeholder_color="*neutral_500",
        input_placeholder_color_dark="*neutral_400",
        color_accent="*primary_700",
        color_accent_soft="*primary_100",
        color_accent_soft_dark="*primary_900",
    )


CSS = f"""
/* Selected tab: Gradio's accent colour on white is below AA; a darker blue and an underline. */
button[role="tab"][aria-selected="true"] {{ color: var(--primary-700) !important; }}
.dark button[role="tab"][aria-selected="true"] {{ color: var(--primary-300) !important; }}
button[role="tab"] {{ color: var(--body-text-color) !important; }}

/* A focus ring you can see on the question box and on every control reached by keyboard. */
#fraga textarea:focus-visible, #fraga textarea:focus {{
  outline: 3px solid var(--primary-600) !important; outline-offset: 2px;
}}
.dark #fraga textarea:focus-visible, .dark #fraga textarea:focus {{ outline-color: var(--primary-300) !important; }}
button:focus-visible, a:focus-visible, summary:focus-visible, .kalla:focus {{
  outline: 3px solid var(--primary-600); outline-offset: 2px;
}}

/* The chat grows with the screen: on a phone the question box stays on the first screen. */
#chatt {{ height: min(460px, 52vh) !important; }}
#chatt .message {{ scroll-margin-top: 8px; }}
a.kalla-lank {{ color: var(--link-text-color); font-weight: 600; text-decoration: underline; padding: 0 1px; }}

/* Example chips: one row of small buttons that ask at once. */
#exempel {{ flex-wrap: wrap; gap: 6px; }}
#exempel button {{ flex: 0 1 auto; min-width: 0; white-space: normal; text-align: left; }}

/* Sources: one card per citation, readable in light and dark. */
.kallor-rubrik {{ font-size: 1.15rem; margin: 0 0 6px; }}
.svar-kallor {{ border-top: 1px solid var(--border-color-primary); padding: 4px 0; }}
.svar-kallor > summary {{ cursor: pointer; padding: 6px 0; font-weight: 600; display: flex; flex-wrap: wrap;
  gap: 4px 10px; }}
.svar-kallor-typ {{ font-weight: 400; color: var(--body-text-color-subdued); }}
.kalla {{ border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 8px 0;
  background: var(--background-fill-primary); color: var(--body-text-color); scroll-margin-top: 12px; }}
.kalla.vald {{ box-shadow: 0 0 0 3px var(--primary-500); }}
.kalla-rubrik {{ font-size: 1rem; }}
.kalla-nr {{ display: inline-block; min-width: 2.2em; font-weight: 700; color: var(--primary-700); }}
.dark .kalla-nr {{ color: var(--primary-300); }}
.kalla-avsnitt, .kallor-not, .kallor-tom {{ color: var(--body-text-color-subdued); font-size: 0.9rem; }}
.kalla-avsnitt {{ margin: 2px 0 6px; }}
.kalla-citat {{ margin: 6px 0; padding: 2px 0 2px 10px; border-left: 3px solid var(--border-color-accent);
  font-size: 0.95rem; line-height: 1.5; }}
.kalla-text {{ font-size: 0.92rem; line-height: 1.45; max-height: 24rem; overflow: auto; }}
.kalla details > summary, .kalla-hela > summary {{ cursor: pointer; color: var(--link-text-color); margin: 4px 0; }}
.kalla mark, .dokumentvy mark {{ background: #fff1a8; color: #1a1a1a; padding: 0 2px; }}
.dark .kalla mark, .dark .dokumentvy mark {{ background: #6b5400; color: #fff; }}
.visa-dokument {{ margin-top: 6px; padding: 4px 10px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color); }}

/* The document view: a dialog over the page, the cited section marked. */
dialog.dokumentvy {{ width: min(900px, 94vw); max-height: 88vh; padding: 0; border: 1px solid
  var(--border-color-primary); border-radius: 10px; background: var(--background-fill-primary);
  color: var(--body-text-color); }}
dialog.dokumentvy::backdrop {{ background: rgb(0 0 0 / 0.45); }}
.dokumentvy-huvud {{ position: sticky; top: 0; display: flex; justify-content: flex-end; padding: 8px;
  background: var(--background-fill-primary); border-bottom: 1px solid var(--border-color-primary); }}
.dokumentvy-innehall {{ padding: 4px 18px 18px; line-height: 1.5; }}
.dokumentvy-innehall h2 {{ font-size: 1.2rem; }}
.dokumentvy-innehall h3 {{ font-size: 1rem; margin-top: 14px; }}
.dokumentvy-aktuell {{ border-left: 3px solid var(--primary-500); padding-left: 10px; }}

/* Dokument tab: the page's font (Gradio's table font is monospace and wide); words break only where they may. */
#dokumentlista table, #dokumentlista th, #dokumentlista td {{ font-family: var(--font) !important; }}
#dokumentlista th, #dokumentlista th * {{ word-break: normal !important; overflow-wrap: normal !important;
  hyphens: none; white-space: normal !important; }}
#dokumentlista td, #dokumentlista td * {{ word-break: normal !important; overflow-wrap: break-word !important; }}

@media (max-width: {PHONE_MAX_PX}px) {{
  #chatt {{ height: min(420px, 48vh) !important; }}
}}
"""
