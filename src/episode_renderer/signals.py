"""Signals: SIGTERM (and SIGHUP) unwind like Ctrl-C, and season workers never outlive their parent.

Raising an exception from the handler, instead of dying, lets every ``finally`` run: atomic
writes remove their temp files and the season cancels its workers. A parent killed outright
(SIGKILL) cannot clean up, so each worker watches for it itself.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

#: Exit status of a process ended by SIGTERM, as shells report it (128 + 15).
TERMINATED_EXIT = 128 + signal.SIGTERM
_PR_SET_PDEATHSIG = 1


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: a KeyboardInterrupt, so the cleanup written for Ctrl-C runs."""


def _raise_terminated(signum: int, _frame: FrameType | None) -> None:
    raise Terminated(signal.Signals(signum).name)


def install_termination_handler() -> None:
    """In the main thread: SIGTERM and SIGHUP raise Terminated (elsewhere this does nothing)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _raise_terminated)


def die_with_parent(parent: int, poll: float = 0.5) -> None:
    """Make this process receive SIGTERM when ``parent`` goes away, however it died.

    On Linux the kernel sends it (prctl PR_SET_PDEATHSIG); everywhere a daemon thread also polls
    os.getppid(), which changes when the parent is gone.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(poll)
        os.kill(os.getpid(), signal.SIGTERM)

    if os.getppid() != parent:  # the parent died before the watch began
        os.kill(os.getpid(), signal.SIGTERM)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
