"""The message catalog: sections, categories, channel states and effective channels."""

from __future__ import annotations

import pytest

from notify.catalog import (
    CHANNELS,
    ICP_FILING,
    SECTIONS,
    STATES,
    categories,
    effective_channels,
    enabled,
    get_category,
)
from notify.errors import UnknownCategory


def test_the_sections_are_those_of_the_console_in_order():
    assert [s.name("en") for s in SECTIONS] == [
        "Account Message", "Product Message", "Security Message", "Fault Message",
        "Activity Message", "Service Message",
    ]
    assert all(s.categories for s in SECTIONS)


def test_icp_filing_notifications_sit_under_product_message_with_both_channels_on():
    icp = get_category(ICP_FILING)
    assert icp.name("en") == "ICP filing notifications"
    assert icp.name("zh") == "ICP备案通知"
    assert icp.section == "product"
    assert icp.defaults == {"email": "on", "internal": "on", "sms": "off", "webhook": "off"}


def test_every_category_has_names_in_both_languages_and_known_states():
    keys = [c.key for c in categories()]
    assert len(keys) == len(set(keys))
    for cat in categories():
        assert cat.name_en
        assert cat.name_zh
        assert set(cat.defaults) == set(CHANNELS)
        assert set(cat.defaults.values()) <= set(STATES)


def test_the_catalog_has_required_and_unavailable_channels_somewhere():
    states = {state for cat in categories() for state in cat.defaults.values()}
    assert states == set(STATES)


def test_an_unknown_category_is_refused():
    with pytest.raises(UnknownCategory) as exc:
        get_category("icp")
    assert exc.value.code == "unknown_category"


def test_without_saved_choices_the_defaults_apply():
    assert effective_channels(get_category(ICP_FILING), {}) == {
        "email": "on", "internal": "on", "sms": "off", "webhook": "off"}


def test_saved_choices_set_selectable_channels():
    states = effective_channels(get_category(ICP_FILING), {"internal": False})
    assert states == {"email": "on", "internal": "off", "sms": "off", "webhook": "off"}
    assert enabled(states) == ["email"]


def test_saved_choices_never_override_required_or_unavailable_channels():
    security = get_category("account_security")
    assert effective_channels(security, {"email": False}) == {
        "email": "required", "internal": "required", "sms": "required",
        "webhook": "unavailable"}
    events = get_category("events")
    assert effective_channels(events, {"email": True})["email"] == "unavailable"
    assert enabled(effective_channels(events, {})) == ["internal"]
