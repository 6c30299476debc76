"""The process-wide opened index, shared read-only by every request and swapped after a rebuild."""

from __future__ import annotations

import threading

import index
from settings import Settings, get_settings

_lock = threading.Lock()
_current: index.Index | None = None


def get_index(settings: Settings | None = None) -> index.Index:
    """The opened index (built first if there is none)."""
    global _current
    with _lock:
        if _current is None:
            _current = index.ensure(settings or get_settings())
        return _current


def reload_index(settings: Settings | None = None) -> index.Index:
    """Open the index CURRENT points to now; requests already running keep the old one."""
    global _current
    fresh = index.open(settings or get_settings())
    with _lock:
        _current = fresh
    return fresh


def set_index(ix: index.Index | None) -> None:
    """Use ``ix`` for all requests (tests and the app use this)."""
    global _current
    with _lock:
        _current = ix
