"""The production HTTP server of `icpsim serve`: waitress, threads in one process.

One process per `icpsim serve` keeps the console, the jobs and their in-process
wake-up together (a console transition on SQLite wakes the dispatch in the same
process), and keeps one Prometheus registry per process. More capacity is more
`icpsim serve` processes behind a load balancer (docs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from waitress.server import create_server

from workflow.errors import IcpsimError

DEFAULT_THREADS = 8


class CannotListen(IcpsimError):
    code = "cannot_listen"


def make_wsgi_server(app: Any, *, host: str, port: int, threads: int = DEFAULT_THREADS) -> Any:
    """A waitress server bound now (a taken port fails here); ``run()`` serves until
    ``close()`` or an exception (KeyboardInterrupt) in the calling thread."""
    try:
        return create_server(app, host=host, port=port, threads=threads, ident="icpsim")
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


__all__ = ["DEFAULT_THREADS", "CannotListen", "make_wsgi_server"]
