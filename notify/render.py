"""Render messages from Jinja templates in the account's language.

A template ``templates/<language>/<name>.txt`` defines two blocks, ``subject`` and
``body``; rendering is pure (no clock, no database).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape

from workflow.accounts import LANGUAGES


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@cache
def environment() -> Environment:
    # The templates ship inside the package and never change while it runs: with
    # auto_reload every render would stat its file twice to see whether it changed.
    env = Environment(
        loader=PackageLoader("notify", "templates"),
        auto_reload=False,
        autoescape=select_autoescape(enabled_extensions=("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clause"] = clause
    return env


def clause(text: object) -> str:
    """Text that a template ends with its own full stop: its final stops dropped, so a
    reason written as a sentence ("... entity.") does not end in two ("... entity..")."""
    return str(text).rstrip().rstrip(".。!！ ").rstrip()


@cache
def _template(name: str, language: str) -> Template:
    return environment().get_template(f"{language}/{name}.txt")


def load_templates() -> int:
    """Compile every template in every language now, not on first use (a serving process
    does at start: its first notifications would each wait 5-10 ms for a compile)."""
    found = [t.removesuffix(".txt").split("/", 1) for t in environment().list_templates()]
    for language, name in found:
        _template(name, language)
    return len(found)


def render(name: str, language: str, **facts: Any) -> Rendered:
    """Render template ``name`` in ``language`` (falls back to English)."""
    template = _template(name, language if language in LANGUAGES else "en")
    # shared: the facts as they are, without the environment globals copied in beside them
    # (the templates use none): half the cost of a render
    ctx = template.new_context(facts, shared=True)
    subject = "".join(template.blocks["subject"](ctx)).strip()
    body = "".join(template.blocks["body"](ctx)).strip() + "\n"
    # Headers must never carry CR/LF, whatever the facts held.
    return Rendered(subject=" ".join(subject.split()), body=body)
