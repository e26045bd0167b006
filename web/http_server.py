"""The production HTTP server of `icpsim serve`: waitress, request threads in each process.

One process by default keeps the console, the jobs and their in-process wake-up
together. `serve --workers N` forks N such processes sharing one listening socket
(web/server.py); more machines are more `icpsim serve` behind a load balancer
(docs/deploy.md).
"""

from __future__ import annotations

import socket
from typing import Any

from waitress.server import create_server

from workflow.errors import IcpsimError

DEFAULT_THREADS = 8


class CannotListen(IcpsimError):
    code = "cannot_listen"


def make_wsgi_server(app: Any, *, host: str, port: int, threads: int = DEFAULT_THREADS,
                     sockets: list[socket.socket] | None = None) -> Any:
    """A waitress server bound now (a taken port fails here), or serving ``sockets``
    already bound (``bind``); ``run()`` serves until ``close()`` or an exception
    (KeyboardInterrupt) in the calling thread."""
    if sockets is not None:
        return create_server(app, sockets=sockets, threads=threads, ident="icpsim")
    try:
        return create_server(app, host=host, port=port, threads=threads, ident="icpsim")
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket several serving processes share (`serve --workers N`)."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
            sock.listen(1024)
        except BaseException:
            sock.close()
            raise
    except OSError as exc:
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


__all__ = ["DEFAULT_THREADS", "CannotListen", "bind", "make_wsgi_server"]
