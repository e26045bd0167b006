"""The production HTTP server of `icpsim serve`: waitress, threads in one process.

One process per `icpsim serve` keeps the console, the jobs and their in-process
wake-up together (a console transition on SQLite wakes the dispatch in the same
process), and keeps one Prometheus registry per process. More capacity is more
`icpsim serve` processes behind a load balancer (docs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from waitress.server import create_server

DEFAULT_THREADS = 8


def make_wsgi_server(app: Any, *, host: str, port: int, threads: int = DEFAULT_THREADS) -> Any:
    """A waitress server bound now (a taken port fails here); ``run()`` serves until
    ``close()`` or an exception (KeyboardInterrupt) in the calling thread."""
    return create_server(app, host=host, port=port, threads=threads, ident="icpsim")


__all__ = ["DEFAULT_THREADS", "make_wsgi_server"]
