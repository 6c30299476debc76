"""Reading an untrusted file within a budget of time and memory, in a worker process that can be stopped.

Uploads and ``index add`` read each file here, so one file (a DOCX whose XML inflates to hundreds of MB, a PDF
that decompresses to gigabytes, a pathological text) can neither hold the upload lock for minutes nor take the
server's memory: past the budget the worker is killed and the file is refused with a Swedish reason.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from dataclasses import dataclass
from pathlib import Path

from corpus.loader import read_document
from corpus.models import Document
from corpus.readers import CorpusError


@dataclass(frozen=True)
class ReadBudget:
    """How long and how much memory (beyond what the process already uses) reading one file may take."""

    seconds: float = 60.0
    memory_mb: int = 1024


def _mapped_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _worker(conn, path: Path, entry: dict[str, str] | None, raw: bytes, limit: int) -> None:  # noqa: ANN001
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("ok", read_document(path, entry, raw=raw)))
    except CorpusError as exc:
        conn.send(("refused", exc.reason))
    except MemoryError:
        conn.send(("memory", ""))
    except Exception as exc:  # reported as unreadable, never raised into the server
        conn.send(("error", type(exc).__name__))
    finally:
        conn.close()


def read_within_budget(path: Path, entry: dict[str, str] | None, raw: bytes, budget: ReadBudget) -> Document:
    """``read_document`` in a worker process; raises CorpusError (Swedish) for a bad file or a blown budget."""
    context = multiprocessing.get_context("fork")  # the worker starts at once, with the readers already imported
    receive, send = context.Pipe(duplex=False)
    limit = _mapped_bytes() + budget.memory_mb * 1024 * 1024
    worker = context.Process(target=_worker, args=(send, Path(path), entry, raw, limit), daemon=True)
    worker.start()
    send.close()
    try:
        if not receive.poll(budget.seconds):
            raise CorpusError(
                path,
                f"filen tog för lång tid att läsa (mer än {budget.seconds:.0f} sekunder). "
                "Dela upp den eller spara om den, till exempel som PDF.",
            )
        try:
            kind, value = receive.recv()
        except EOFError:
            kind, value = "memory", ""
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receive.close()
    if kind == "ok":
        return value
    if kind == "refused":
        raise CorpusError(path, value)
    if kind == "memory":
        raise CorpusError(path, f"filen kräver för mycket minne för att läsas (mer än {budget.memory_mb} MB).")
    raise CorpusError(path, f"filen kunde inte läsas ({value}).")
