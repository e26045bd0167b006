"""How long-running commands stop: Ctrl-C and SIGTERM take the same way out."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside, SIGTERM raises KeyboardInterrupt in the main thread, as Ctrl-C does."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_until_stopped(announce: str = "") -> None:
    """Print ``announce``, then block the main thread until Ctrl-C or SIGTERM.

    The handler is in place before the announcement, so a supervisor that stops the
    process as soon as it has read it still gets a clean stop.
    """
    with sigterm_as_interrupt():
        try:
            if announce:
                print(announce, flush=True)
            while not threading.Event().wait(3600):
                pass
        except KeyboardInterrupt:
            pass
