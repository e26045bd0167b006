"""A quiet threaded WSGI server on loopback (Werkzeug) for the local SMS gateway and
webhook receiver: started and stopped from a thread, no request log on stderr."""

from __future__ import annotations

import contextlib
import io
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class LocalServer:
    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str):
        self.app, self.host, self.port, self.name = app, host, port, name
        self._server: BaseWSGIServer | None = None

    def start(self) -> LocalServer:
        try:  # Werkzeug prints a notice and exits when the port is taken: say it once
            with contextlib.redirect_stderr(io.StringIO()):
                self._server = make_server(self.host, self.port, self.app, threaded=True,
                                           request_handler=_QuietHandler)
        except SystemExit:
            raise OSError(f"the {self.name} cannot listen on {self.host}:{self.port} "
                          "(the port is taken)") from None
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, name=self.name,
                         daemon=True).start()
        return self

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()


__all__ = ["LocalServer"]
