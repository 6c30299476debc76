"""Several app processes on one index: two apps on two ports, one builder, a new build seen by both (both backends)."""

from __future__ import annotations

import time

import pytest
from app_server import AppServer

import index
from settings import Settings

NEW_DOCUMENT = (
    "# Läxhjälp\n\nNämnden beslutar att läxhjälp ska erbjudas på alla skolor från hösten. "
    "Satsningen på läxhjälpen kostar 450 tkr per år och följs upp av rektorerna.\n"
)
QUESTION = "Vad kostar satsningen på läxhjälpen?"


def _answer_cites(client, doc_id: str, deadline_s: float = 60.0) -> dict:
    """The app's answer once it cites ``doc_id`` (a new build is picked up within seconds), or the last one."""
    deadline = time.monotonic() + deadline_s
    while True:
        data = client.predict(question=QUESTION, api_name="/fraga")
        if any(c["doc_id"] == doc_id for c in data["citations"]) or time.monotonic() > deadline:
            return data
        time.sleep(1.0)


@pytest.fixture(params=["default", "postgres"])
def backend_env(request) -> dict[str, str]:
    """Extra environment of both apps and the builder: nothing for the default backend, NAMND_PG_URL for Postgres
    (both processes then search the same tables of one Postgres server)."""
    return {"NAMND_PG_URL": request.getfixturevalue("pg_url")} if request.param == "postgres" else {}


@pytest.mark.slow
def test_two_app_processes_see_a_new_build_without_restart(tmp_path, backend_env):
    from gradio_client import Client

    first = AppServer(tmp_path, extra_env=backend_env)
    with first:
        # The second process serves the same corpus, catalog and index folder on its own port.
        with AppServer(tmp_path / "second", extra_env=first.env) as second:
            clients = [Client(first.url, verbose=False), Client(second.url, verbose=False)]
            before = [c.predict(question=QUESTION, api_name="/fraga") for c in clients]
            assert all("450 tkr" not in b["answer"] for b in before)

            # One builder, outside both apps: a document added and the index rebuilt and swapped in.
            (first.corpus / "laxhjalp.md").write_text(NEW_DOCUMENT, encoding="utf-8")
            settings = Settings(
                corpus_dir=first.corpus,
                catalog_file=first.catalog,
                data_dir=tmp_path / "data",
                cache_dir=first.env["NAMND_CACHE_DIR"],
                pg_url=backend_env.get("NAMND_PG_URL"),
            )
            report = index.build(settings, progress=False)
            assert report.added == ["laxhjalp.md"]
            assert index.open(settings).manifest.get("store", "chroma") == ("postgres" if backend_env else "chroma")

            for client in clients:
                data = _answer_cites(client, "laxhjalp.md")
                assert "450 tkr" in data["answer"], data["answer"]
