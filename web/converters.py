"""URL converters: ``<int:...>`` ids stop at what a database integer holds."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from workflow.limits import MAX_ROW_ID


class RowId(IntegerConverter):
    """An ``int`` path argument of at most MAX_ROW_ID: a larger one is a 404, as a missing
    row is, instead of an overflow in the database driver."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def install(app: Flask) -> None:
    """Call before the blueprints are registered: rules take their converters then."""
    app.url_map.converters["int"] = RowId
