"""Start the chat app as a subprocess on 127.0.0.1 and a free port, with a private corpus and data folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import SHIPPED, TEST_CACHE, free_port

from settings import ROOT


class AppServer:
    def __init__(self, tmp: Path, extra_env: dict[str, str] | None = None) -> None:
        self.corpus = tmp / "corpus"
        self.corpus.mkdir(parents=True, exist_ok=True)
        for f in SHIPPED.iterdir():
            (self.corpus / f.name).write_bytes(f.read_bytes())
        self.catalog = tmp / "catalog.toml"
        self.catalog.write_bytes((ROOT / "corpus" / "catalog.toml").read_bytes())
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "NAMND_CORPUS_DIR": str(self.corpus),
            "NAMND_CATALOG_FILE": str(self.catalog),
            "NAMND_DATA_DIR": str(tmp / "data"),
            "NAMND_CACHE_DIR": str(TEST_CACHE),
            **(extra_env or {}),
        }
        self.log = tmp / "app.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> AppServer:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url, timeout=2).status_code in (200, 401):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("app did not start")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
