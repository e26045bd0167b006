"""Every error code has a sentence for people, in English and Chinese (web/error_messages.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from web import error_messages
from workflow.errors import InvalidData

ROOT = Path(__file__).resolve().parents[2]
ERRORS = (ROOT / "docs" / "behaviour.md").read_text(encoding="utf-8").split("## Errors")[1]
TABLE = ERRORS.split("\n## ")[0]
CODES = sorted({code for row in TABLE.splitlines() if row.startswith("| `")
                for code in re.findall(r"`([a-z_]+)`", row.split("|")[1])})
SENTENCES = [*error_messages.MESSAGES.values(), *error_messages.BY_FIELD.values(),
             *(pair for _, pair in error_messages.BY_FACT.values())]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def test_the_error_table_was_read():
    assert {"invalid_name", "contact_limit_reached", "action_not_permitted"} <= set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_every_error_code_has_an_english_and_a_chinese_sentence(code):
    english, chinese = error_messages.sentence(code), error_messages.sentence(code,
                                                                              language="zh")
    assert english, code
    assert any("\u4e00" <= c <= "\u9fff" for c in chinese or ""), code


@pytest.mark.parametrize(("english", "chinese"), SENTENCES)
def test_sentences_name_no_internal_keys_and_quote_the_same_numbers(english, chinese):
    assert _placeholders(english) == _placeholders(chinese)
    said = english % {**error_messages.facts(), "again": "22:00:00 (UTC+8)", "minutes": 3}
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", said)  # no snake_case ids or keys
    assert not re.search(r"'[^' ]+'|\"", said)  # no quoted values
    assert said.endswith(".")


def test_the_sentences_the_issue_asks_for():
    assert error_messages.describe(InvalidData("reject needs 'reason'", field="reason")) == \
        "Add a reason for the rejection."
    assert error_messages.sentence("contact_limit_reached") == \
        "You already have 15 contacts, the most allowed. Delete one to add another."
    assert "请填写驳回原因" in error_messages.sentence("invalid_data", "reason", "zh")


def test_an_unknown_code_falls_back_to_the_services_message():
    assert error_messages.describe(InvalidData("x", code="brand_new")) == "x"
