"""Start the chat app as a subprocess on 127.0.0.1 and a free port, with a private corpus and data folder."""

from __future__ import annotations

from pathlib import Path

from conftest import SHIPPED, TEST_CACHE

from bench.common import launch_app, stop_app
from settings import ROOT


class AppServer:
    def __init__(self, tmp: Path, extra_env: dict[str, str] | None = None) -> None:
        self.corpus = tmp / "corpus"
        self.corpus.mkdir(parents=True, exist_ok=True)
        for f in SHIPPED.iterdir():
            (self.corpus / f.name).write_bytes(f.read_bytes())
        self.catalog = tmp / "catalog.toml"
        self.catalog.write_bytes((ROOT / "corpus" / "catalog.toml").read_bytes())
        self.url = ""
        self.env = {
            "NAMND_CORPUS_DIR": str(self.corpus),
            "NAMND_CATALOG_FILE": str(self.catalog),
            "NAMND_DATA_DIR": str(tmp / "data"),
            "NAMND_CACHE_DIR": str(TEST_CACHE),
            **(extra_env or {}),
        }
        self.log = tmp / "app.log"
        self.proc = None

    def __enter__(self) -> AppServer:
        try:
            self.proc, self.url = launch_app(self.env, self.log)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {self.log.read_text(errors='replace')[-2000:]}") from exc
        return self

    def __exit__(self, *exc) -> None:
        if self.proc:
            stop_app(self.proc)
