"""Problems found in a scenario file, each with its line, and helpers to locate them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class InvalidScenario(Exception):
    """A file that is not a valid scenario; ``problems`` lists every reason, with lines."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def line_of(container: Any, key: Any, default: int) -> int:
    """The line of ``key`` in a loaded mapping or list, else ``default``."""
    get = getattr(container, "line_of", None)
    return get(key) if get is not None else default


def hint(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (expected one of: {', '.join(known)})"
