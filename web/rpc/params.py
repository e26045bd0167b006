"""Parameters as the SDKs send them: query and form merged, lists flattened or as JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import invalid, missing

MAX_TEXT = 1000
_INDEX = re.compile(r"^(?P<name>[A-Za-z]+)\.(?P<index>\d+)$")


class Params:
    """Typed access to one request's parameters; a bad value is ``InvalidParameter``."""

    def __init__(self, raw: Mapping[str, str]):
        self.raw = dict(raw)

    def has(self, name: str) -> bool:
        return name in self.raw or any(k.startswith(name + ".") for k in self.raw)

    def text(self, name: str, *, required: bool = False, max_length: int = MAX_TEXT
             ) -> str | None:
        value = self.raw.get(name)
        if value is None or (required and value == ""):
            if required:
                raise missing(name)
            return None
        if len(value) > max_length:
            raise invalid(name, f"is longer than {max_length} characters")
        return value

    def number(self, name: str, *, required: bool = False, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
        value = self.text(name, required=required, max_length=30)
        if value is None or value == "":
            return None
        try:
            number = int(value)
        except ValueError:
            raise invalid(name, f"must be an integer, not {value!r}") from None
        if (minimum is not None and number < minimum) or (
                maximum is not None and number > maximum):
            raise invalid(name, f"must be between {minimum} and {maximum}")
        return number

    def flag(self, name: str) -> bool | None:
        value = self.text(name, max_length=10)
        if value is None or value == "":
            return None
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise invalid(name, "must be true or false")

    def numbers(self, name: str, *, max_items: int = 100) -> list[int] | None:
        """``Name.1=...&Name.2=...`` (flattened) or ``Name=[1,2]`` (a "shrink" JSON string)."""
        found: dict[int, str] = {}
        for key, value in self.raw.items():
            m = _INDEX.match(key)
            if m and m.group("name") == name:
                found[int(m.group("index"))] = value
        if found:
            items: list[Any] = [found[i] for i in sorted(found)]
        elif name in self.raw:
            items = _json_list(name, self.raw[name])
        else:
            return None
        if len(items) > max_items:
            raise invalid(name, f"holds more than {max_items} items")
        out = []
        for item in items:
            try:
                out.append(int(item))
            except (TypeError, ValueError):
                raise invalid(name, f"must hold integers, not {item!r}") from None
        return out


def _json_list(name: str, text: str) -> list[Any]:
    text = text.strip()
    if text == "":
        return []
    try:
        value = json.loads(text)
    except ValueError:
        value = [p for p in text.split(",") if p.strip()]
    if isinstance(value, int):
        value = [value]
    if not isinstance(value, list):
        raise invalid(name, "must be a list")
    return value


__all__ = ["MAX_TEXT", "Params"]
