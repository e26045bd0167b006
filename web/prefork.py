"""`icpsim serve --workers N`: forked serving processes on one socket, kept running."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from notify.stopping import sigterm_as_interrupt

RESTART_PAUSE = 1.0  # a process that died is started again after this long


def serve_forked(serve_child: Callable[[], None], *, workers: int,
                 announce: Callable[[], None]) -> None:
    """``workers`` forked processes, each running ``serve_child`` (which serves a listening
    socket made before the fork: the kernel hands each connection to one of them). This
    process only starts them, starts one again if it dies, and on Ctrl-C or SIGTERM stops
    them all.
    """
    children: dict[int, int] = {}  # pid -> slot
    parent = os.getpid()

    def start(slot: int) -> None:
        pid = os.fork()
        if pid == 0:  # the child: serve until stopped, then leave without cleanup of ours
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.default_int_handler)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                _stop_with(parent)
                serve_child()
            except BaseException as exc:  # noqa: BLE001  (one line, then out)
                print(f"icpsim serve: process {os.getpid()}: {type(exc).__name__}: {exc}",
                      file=sys.stderr, flush=True)
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        children[pid] = slot

    stopping = False
    with sigterm_as_interrupt():
        try:
            for slot in range(workers):
                start(slot)
            announce()
            print(f"serving from {workers} processes: {', '.join(map(str, children))}",
                  flush=True)
            while True:
                pid, status = os.waitpid(-1, 0)
                if pid not in children:
                    continue
                slot = children.pop(pid)
                print(f"icpsim serve: process {pid} ended ({_how(status)}); starting "
                      "another", file=sys.stderr, flush=True)
                time.sleep(RESTART_PAUSE)
                start(slot)
        except KeyboardInterrupt:
            stopping = True
        finally:
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 60
            while children and time.monotonic() < deadline:
                try:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    break
                if pid == 0:
                    time.sleep(0.05)
                else:
                    children.pop(pid, None)
            for pid in children:  # still there after a minute
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            print("icpsim console stopped" if stopping else "icpsim serve: stopping",
                  flush=True)


def _stop_with(parent: int) -> None:
    """In a serving process: stop cleanly (as on SIGTERM) once ``parent`` is gone, even
    when it was killed outright and could not stop us itself."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="icpsim-parent-watch", daemon=True).start()


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
