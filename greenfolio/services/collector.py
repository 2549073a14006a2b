"""Python's cycle collector held back during work that allocates many short-lived objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a bulk load, an export or a
    report's figures hold many objects.

    They allocate hundreds of thousands of short-lived objects (records, rows as tuples)
    that reference counting frees by itself and that form no cycles; with the default
    thresholds the collector keeps re-scanning them, and its full passes over the whole
    process cost a fifth of an import and, in a fresh process, as much as the figures of
    a report themselves. The thresholds are restored as they were found."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
