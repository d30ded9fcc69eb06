"""Causal processing on every core: split a long signal, run the pieces at once, join them.

Filters, compressors and limiters carry state from one sample to the next, so each piece after
the first starts a little early (its pre-roll) and that lead-in is dropped again: by the join the
state has settled to what one uninterrupted run would have had. pedalboard, scipy and numpy
release the GIL while they work, so threads are enough.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def pieces(size: int, length: int) -> list[tuple[int, int]]:
    """Consecutive (start, end) ranges of ``length`` samples covering ``size`` (the last one shorter).

    The cuts depend on the signal alone, never on how many cores run the pieces: a master is the
    same bytes on a laptop, a two-core worker and a cluster node."""
    length = max(1, length)
    return [(begin, min(begin + length, size)) for begin in range(0, size, length)] or [(0, 0)]


def each(work: Callable[[tuple[int, int]], T], ranges: list[tuple[int, int]], workers: int | None = None) -> list[T]:
    """``work`` on every range, on ``workers`` threads (default: one per range), results in order."""
    workers = min(len(ranges), workers or len(ranges))
    if workers <= 1:
        return [work(r) for r in ranges]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, ranges))


def streamed(make: Callable[[], Callable[[np.ndarray], np.ndarray]], audio: np.ndarray, *, parts: int,
             preroll: int, piece: int, out: np.ndarray | None = None, block: int = 441000) -> np.ndarray:
    """A process that carries its state from call to call (pedalboard with ``reset=False``) over
    ``audio`` in pieces of ``piece`` samples, ``parts`` at once; each piece after the first is
    started ``preroll`` samples early and that lead-in dropped. It is fed ``block`` samples at a
    time and written straight into ``out``, which may be ``audio`` itself, so no temporary is
    longer than a block. ``make`` builds a fresh process per piece. Fed in blocks, pedalboard gives
    the same samples as in one call. A ``(channels, samples)`` signal is cut along its samples."""
    out = np.empty(audio.shape, dtype=np.float32) if out is None else out
    ranges = pieces(audio.shape[-1], piece)
    leads = [audio[..., max(0, begin - preroll):begin].copy() for begin, _ in ranges]  # before ``out`` overwrites them

    def run(index: int) -> None:
        process = make()
        if leads[index].size:
            process(leads[index])
        begin, end = ranges[index]
        for start in range(begin, end, block):
            stop = min(start + block, end)
            out[..., start:stop] = process(audio[..., start:stop])

    each(lambda r: run(r[0]), [(i, i + 1) for i in range(len(ranges))], workers=parts)
    return out


def ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """``items`` in order, produced on a second thread up to ``depth`` ahead of the consumer: the
    next block is mastered while the encoder (one core) works on this one. An error in the producer
    is raised here; if the consumer stops early, the producer stops at its next block."""
    import queue
    import threading

    done = object()
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((item, None)):
                    return
            offer((done, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            offer((done, exc))

    threading.Thread(target=produce, daemon=True).start()
    try:
        while True:
            item, error = slots.get()
            if item is done:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
