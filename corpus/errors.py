"""The one error a file that cannot be read raises."""

from __future__ import annotations

from pathlib import Path


class CorpusError(Exception):
    """A file that cannot be read; the message is Swedish and names the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")
