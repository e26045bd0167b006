"""The assembled System of the current app, as the views reach it (no import of the app factory)."""

from __future__ import annotations

from typing import Any

from flask import current_app

EXTENSION = "icpsim"


def services() -> Any:
    """The assembled System of the current app (``app.extensions``)."""
    return current_app.extensions[EXTENSION]


__all__ = ["EXTENSION", "services"]
