"""The read-only commands' way into the store, and a console's: one store kept open.

A command opens the store, reads, and closes it. A console answering many requests would pay
for that on each (the setup check, the application and its pool: ~160 ms a request on the
development machine), so `serve` keeps one reader store open for its life, shared by its
threads; the reads themselves are the same.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from infra.services import reader_url
from infra.settings import Settings
from infra.store import READER_ROLE, Ledger, open_ledger


class _Kept:
    """The stores kept open, by settings, while `kept_open` lasts (None: not in one)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool_size = 0
        self.stores: dict[Settings, Ledger] | None = None


_KEPT = _Kept()


def reading(settings: Settings) -> contextlib.AbstractContextManager[Ledger]:
    """The store as the reader role, for `with reading(settings) as ledger:`: opened and
    closed around the block, or the one `kept_open` keeps."""
    with _KEPT.lock:
        if _KEPT.stores is None:
            return open_ledger(reader_url(settings), role=READER_ROLE)
        store = _KEPT.stores.get(settings)
        if store is None:
            store = open_ledger(reader_url(settings), pool_size=_KEPT.pool_size, role=READER_ROLE)
            _KEPT.stores[settings] = store
    return contextlib.nullcontext(store)


@contextlib.contextmanager
def kept_open(pool_size: int) -> Iterator[None]:
    """Within the block, `reading` shares one store per settings (with `pool_size`
    connections, one per thread that reads); closed at its end."""
    with _KEPT.lock:
        _KEPT.stores, _KEPT.pool_size = {}, pool_size
    try:
        yield
    finally:
        with _KEPT.lock:
            stores, _KEPT.stores = _KEPT.stores or {}, None
        for store in stores.values():
            store.close()
