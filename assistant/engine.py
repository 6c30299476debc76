"""The process-wide opened index, shared read-only by every request and swapped when a new build appears."""

from __future__ import annotations

import logging
import threading
import time

import index
from index.layout import current_build
from settings import Settings, get_settings

log = logging.getLogger(__name__)
CHECK_EVERY_S = 2.0

_lock = threading.Lock()
_current: index.Index | None = None
_checked = 0.0


def get_index(settings: Settings | None = None) -> index.Index:
    """The opened index (built first if there is none). A build swapped in by another process, such as
    `python -m index add`, is picked up within a few seconds; requests already running keep the old one."""
    global _current, _checked
    settings = settings or get_settings()
    with _lock:
        if _current is None:
            _current = index.ensure(settings)
            _checked = time.monotonic()
            return _current
        ix = _current
        if time.monotonic() - _checked < CHECK_EVERY_S:
            return ix
        _checked = time.monotonic()
    try:
        latest = current_build(ix.settings.index_dir)
    except index.IndexDamaged:
        return ix
    if latest is not None and latest != ix.build_dir:
        try:
            return reload_index(ix.settings)
        except (index.IndexDamaged, index.IndexMissing, index.StoreUnavailable) as exc:
            log.warning("New build could not be opened, keeping the current one: %s", exc)
    return ix


def reload_index(settings: Settings | None = None) -> index.Index:
    """Open the index CURRENT points to now and make it the shared one."""
    global _current, _checked
    fresh = index.open(settings or get_settings())
    with _lock:
        _current = fresh
        _checked = time.monotonic()
    log.info("Index %s in use", fresh.manifest["build_id"])
    return fresh


def set_index(ix: index.Index | None) -> None:
    """Use ``ix`` for all requests (tests and the app use this)."""
    global _current, _checked
    with _lock:
        _current = ix
        _checked = time.monotonic()
