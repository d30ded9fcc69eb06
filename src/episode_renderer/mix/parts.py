"""Causal processing on every core: split a long signal, run the pieces at once, join them.

Filters, compressors and limiters carry state from one sample to the next, so each piece after
the first starts a little early (its pre-roll) and that lead-in is dropped again: by the join the
state has settled to what one uninterrupted run would have had. pedalboard, scipy and numpy
release the GIL while they work, so threads are enough.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def spans(size: int, parts: int, align: int = 1) -> list[tuple[int, int]]:
    """``parts`` consecutive (start, end) ranges covering ``size``, each start a multiple of ``align``."""
    parts = max(1, min(parts, size // max(align, 1) or 1))
    cuts = [0] + [(size * k // parts) // align * align for k in range(1, parts)] + [size]
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def each(work: Callable[[tuple[int, int]], T], ranges: list[tuple[int, int]], workers: int | None = None) -> list[T]:
    """``work`` on every range, on ``workers`` threads (default: one per range), results in order."""
    workers = min(len(ranges), workers or len(ranges))
    if workers <= 1:
        return [work(r) for r in ranges]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, ranges))


def in_parts(process: Callable[[np.ndarray], np.ndarray], audio: np.ndarray, *, parts: int,
             preroll: int) -> np.ndarray:
    """``process`` (same length out as in) over ``audio`` in ``parts`` pieces, each with ``preroll``
    samples of lead-in; equal to one run wherever the process forgets within ``preroll``."""
    if parts <= 1 or audio.size < 4 * preroll * parts:
        return process(audio)
    out = np.empty(audio.shape, dtype=np.float32)  # filled in place: no second full-length copy

    def piece(span: tuple[int, int]) -> None:
        begin, end = span
        lead = min(preroll, begin)
        out[begin:end] = process(audio[begin - lead:end])[lead:]

    each(piece, spans(audio.size, parts))
    return out
