"""python app.py [--host 127.0.0.1] [--port 7860]: the Swedish chat over the committee documents."""

from __future__ import annotations

import os

# Offline and private by default: set before gradio, chromadb or transformers are imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import index  # noqa: E402
from assistant import ask  # noqa: E402
from assistant.engine import set_index  # noqa: E402
from settings import Settings, get_settings  # noqa: E402

log = logging.getLogger("namnd.app")


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """ "anna:hemligt,bo:annat" -> [("anna", "hemligt"), ("bo", "annat")]."""
    if not value:
        return None
    pairs = []
    for item in value.split(","):
        user, sep, password = item.strip().partition(":")
        if not sep or not user or not password:
            raise ValueError("NAMND_AUTH ska vara användare:lösenord[,användare2:lösenord2]")
        pairs.append((user, password))
    return pairs


def prepare(settings: Settings) -> index.Index:
    """Open the index (building it first, with progress in the terminal) and warm it up."""
    started = time.perf_counter()
    ix = index.ensure(settings, progress=True)
    set_index(ix)
    ask("Vad gör nämnden?", settings=settings.model_copy(update={"answer_mode": "extractive"}), index=ix)
    log.info("Index ready in %.1f s (%d documents)", time.perf_counter() - started, len(ix.documents))
    return ix


def serve(settings: Settings, host: str, port: int, block: bool = True):
    """Build and launch the app; returns the Blocks (already serving when ``block`` is False)."""
    from starlette.middleware import Middleware

    from chat.login_guard import LoginForUnguardedRoutes
    from chat.page_script import page_js, translations
    from chat.style import CSS, theme
    from chat.ui import build_app

    prepare(settings)
    demo = build_app(settings)
    # Answers are computed concurrently; the index is shared read-only, uploads are serialised.
    demo.queue(default_concurrency_limit=8, max_size=200)
    demo.launch(
        server_name=host,
        server_port=port,
        auth=parse_auth(settings.auth),
        auth_message="Logga in för att använda Nämndassistenten.",
        theme=theme(),
        css=CSS,
        js=page_js(),
        i18n=translations(),
        show_error=False,
        quiet=False,
        prevent_thread_lock=not block,
        max_file_size=f"{settings.max_upload_mb}mb",
        footer_links=[],
        ssr_mode=False,
        app_kwargs={"middleware": [Middleware(LoginForUnguardedRoutes)]},
    )
    return demo


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Nämndassistenten: chatten över nämndsdokumenten.")
    parser.add_argument("--host", default=settings.host, help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        serve(settings, args.host, args.port)
    except (index.BuildError, index.StoreUnavailable, ValueError) as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
