"""The assembled System of the current app, as the views reach it (no import of the app factory)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import current_app

if TYPE_CHECKING:
    from notify.system import System

EXTENSION = "icpsim"


def services() -> System:
    """The assembled System of the current app (``app.extensions``)."""
    return cast("System", current_app.extensions[EXTENSION])


__all__ = ["EXTENSION", "services"]
