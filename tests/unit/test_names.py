"""Every lifecycle identifier has a name for people, in English and in Chinese."""

from __future__ import annotations

import pytest

from workflow import names
from workflow.lifecycle import FilingType, NotificationType, State, Trigger


@pytest.mark.parametrize(("table", "ids"), [
    (names.STATES, State), (names.TRIGGERS, Trigger), (names.FILING_TYPES, FilingType),
    (names.NOTIFICATION_TYPES, NotificationType)])
def test_every_identifier_has_an_english_and_a_chinese_name(table, ids):
    assert set(table) == {i.value for i in ids}
    for key, (en, zh) in table.items():
        assert en != key, key
        assert "_" not in en, key
        assert any("\u4e00" <= c <= "\u9fff" for c in zh), key


def test_names_follow_the_language():
    assert names.state("authority_review") == "Authority review"
    assert names.state("authority_review", "zh") == "管局审核中"
    assert names.trigger("verify_sms") == "Verify SMS"
    assert names.state("some_new_state") == "Some new state"  # readable, never blank
