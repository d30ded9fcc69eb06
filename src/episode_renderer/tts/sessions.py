"""Loaded model sessions, one per model file, held by whoever owns the voices."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class Sessions:
    """Each model is loaded once per owner (loading costs 0.4 s to seconds); voices that share a
    model share its session, so one copy of the weights serves every voice and thread."""

    def __init__(self) -> None:
        self._open: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        """The session under ``key``, made by ``load`` the first time (two threads never load one twice)."""
        with self._lock:
            if key not in self._open:
                self._open[key] = load()
            return self._open[key]  # type: ignore[return-value]

    def clear(self) -> None:
        """Forget every session, so its memory is freed once no voice holds it."""
        with self._lock:
            self._open.clear()
