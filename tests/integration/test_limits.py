"""Sizes and shapes are checked by the services, so every surface refuses them alike.

Each refusal has the field's code, and nothing is stored or sent: a wrong shape is
refused when the trigger fires, never left to fail as a delivery later.
"""

from __future__ import annotations

from typing import Any

import pytest

from workflow.accounts import InvalidAccount
from workflow.errors import IcpsimError
from workflow.limits import LIMITS


@pytest.fixture
def acme(system: Any) -> Any:
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    return system


def filing_in(system: Any, trigger_path: tuple[str, ...]) -> str:
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme Shop", actor="owner")
    data = {"approve": {"icp_number": "京ICP备2026000001号"},
            "fail_inspection": {"items": ["title"]}}
    for trigger in trigger_path:
        system.filings.fire("acme", "F1", trigger, data.get(trigger), actor="reviewer")
    system.run_due()
    return "F1"


def snapshot(system: Any) -> tuple[Any, ...]:
    filing = system.filings.get("acme", "F1")
    return (filing.state, filing.version, len(system.filings.history("acme", "F1")),
            len(system.deliveries.list("acme")))


UNDER_REVIEW = ("submit", "start_review")
IN_REVIEW_OF_ITEMS = ("submit", "start_review", "pass_review", "verify_sms", "approve",
                      "start_inspection")
REFUSED_DATA = [
    # (state path, trigger, data, field named)
    (UNDER_REVIEW, "reject", ["the", "reason"], "data"),
    (UNDER_REVIEW, "reject", "a reason", "data"),
    (("submit",), "start_review", {"deadline": "2026-01-01"}, "deadline"),
    (UNDER_REVIEW, "reject", {"reason": "blurry", "deadline": "tomorrow"}, "deadline"),
    (UNDER_REVIEW, "reject", {"reason": "x" * 501}, "reason"),
    (UNDER_REVIEW, "reject", {"reason": "x" * 5_000_000}, "reason"),
    (UNDER_REVIEW, "reject", {"reason": "null \x00 byte"}, "reason"),
    (UNDER_REVIEW, "reject", {"reason": ["blurry"]}, "reason"),
    (IN_REVIEW_OF_ITEMS, "fail_inspection", {"items": ["t"] * 51}, "items"),
    (IN_REVIEW_OF_ITEMS, "fail_inspection", {"items": ["x" * 501]}, "items"),
    (IN_REVIEW_OF_ITEMS, "fail_inspection", {"items": ["line\nbreak"]}, "items"),
    (IN_REVIEW_OF_ITEMS, "fail_inspection", {"items": ["t"], "deadline_days": 99999999999},
     "deadline_days"),
    (IN_REVIEW_OF_ITEMS, "fail_inspection", {"items": ["t"], "deadline_days": 366},
     "deadline_days"),
    (IN_REVIEW_OF_ITEMS, "fail_inspection", {"items": ["t"], "deadline": "soon"}, "deadline"),
]


@pytest.mark.parametrize(("path", "trigger", "data", "field"), REFUSED_DATA,
                         ids=[f"{t}-{f}-{i}" for i, (_, t, _, f) in enumerate(REFUSED_DATA)])
def test_trigger_data_of_the_wrong_shape_or_size_is_invalid_data_and_changes_nothing(
        acme, path, trigger, data, field):
    filing_in(acme, path)
    before = snapshot(acme)
    with pytest.raises(IcpsimError) as refused:
        acme.filings.fire("acme", "F1", trigger, data, actor="reviewer")
    assert refused.value.code == "invalid_data"
    assert refused.value.field == field
    assert len(refused.value.message) < 300  # it never quotes the whole input back
    acme.run_due()
    assert snapshot(acme) == before


def test_the_largest_documented_values_are_accepted(acme):
    filing_in(acme, IN_REVIEW_OF_ITEMS)
    acme.filings.fire("acme", "F1", "fail_inspection",
                      {"items": ["i" * 500] * 50, "deadline_days": 365}, actor="reviewer")
    assert acme.filings.get("acme", "F1").state == "rectification"
    acme.run_due()
    assert {d.status for d in acme.deliveries.list("acme")} == {"sent"}


def test_a_rejection_reason_keeps_its_line_breaks(acme):
    filing_in(acme, UNDER_REVIEW)
    acme.filings.fire("acme", "F1", "reject", {"reason": "photo blurry\nname wrong"},
                      actor="reviewer")
    acme.run_due()
    (log,) = [h for h in acme.filings.history("acme", "F1") if h.trigger == "reject"]
    assert log.data["reason"] == "photo blurry\nname wrong"


FILING_FIELDS = [
    ({"website": "w" * 101}, "website"),
    ({"website": "Shop\r\nX-Header: 1"}, "website"),
    ({"domain": "a" * 300 + ".cn"}, "domain"),
    ({"filing_id": "F1\n"}, "filing_id"),
    ({"filing_id": "F" * 65}, "filing_id"),
    ({"filing_id": "x" * 1_000_000}, "filing_id"),
]


@pytest.mark.parametrize(("given", "field"), FILING_FIELDS,
                         ids=[f for _, f in FILING_FIELDS])
def test_filing_fields_over_their_maximum_are_refused(acme, given, field):
    values = {"filing_id": "F1", "type": "first_filing", "domain": "acme.cn",
              "website": "Acme Shop", **given}
    with pytest.raises(IcpsimError) as refused:
        acme.filings.create("acme", values.pop("filing_id"), actor="owner", **values)
    assert refused.value.code == "invalid_data"
    assert refused.value.field == field
    assert len(refused.value.message) < 300
    assert acme.filings.list("acme") == []


CONTACT_FIELDS = [
    ({"name": "x" * 1_000_000}, "invalid_name"),
    ({"name": "Li Lei" * 3}, "invalid_name"),
    ({"email": "a" * 250 + "@acme.example"}, "invalid_email"),
    ({"email": "x" * 1_000_000}, "invalid_email"),
    ({"mobile": "１３８００１３８０００"}, "invalid_mobile"),  # fullwidth digits
    ({"mobile": "13800138000\n"}, "invalid_mobile"),
    ({"mobile": "1" * 1_000_000}, "invalid_mobile"),
    ({"title": "x" * 1_000_000}, "invalid_title"),
]


@pytest.mark.parametrize(("given", "code"), CONTACT_FIELDS,
                         ids=[f"{next(iter(g))}-{i}" for i, (g, _) in enumerate(CONTACT_FIELDS)])
def test_contact_fields_over_their_maximum_are_refused_with_the_field_code(acme, given, code):
    values = {"name": "Li Lei", "email": "lilei@acme.example", "title": "CEO", **given}
    with pytest.raises(IcpsimError) as refused:
        acme.contacts.add("acme", actor="owner", **values)
    assert refused.value.code == code
    assert len(refused.value.message) < 300
    assert acme.contacts.list("acme") == []
    acme.run_due()
    assert acme.deliveries.list("acme", kind="verification") == []


@pytest.mark.parametrize(("name", "email"), [("Zhang Wei" * 2, "owner@x.example"),
                                             ("", "owner@x.example"),
                                             ("Zhang Wei", "o" * 250 + "@x.example"),
                                             ("Zhang Wei", "owner@x.example\r\nBcc: y@z"),
                                             ("Zhang Wei", "not an address")])
def test_an_account_owner_over_the_maximum_is_refused(system, name, email):
    with pytest.raises(InvalidAccount):
        system.accounts.create("acme", owner_name=name, owner_email=email)
    assert system.accounts.list() == []


def test_every_limit_is_documented(tmp_path):
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "LIMITS.md").read_text(encoding="utf-8")
    for limit in LIMITS:
        assert f"| `{limit.field}` | {limit.maximum} |" in doc, limit


def test_refusals_quote_at_most_an_excerpt_of_a_huge_value(acme):
    huge = "z" * 1_000_000
    for attempt in (lambda: acme.accounts.set_language("acme", huge),
                    lambda: acme.settings.set_channels("acme", huge, ["email"], actor="o"),
                    lambda: acme.settings.set_channels("acme", ["a", "list"], ["email"],
                                                       actor="o")):
        with pytest.raises(IcpsimError) as refused:
            attempt()
        assert len(refused.value.message) < 300


def test_refusals_of_a_300_character_value_quote_it_shortened(acme):
    """A long bad value is quoted cut short, so its error message fits on a page."""
    long = "x" * 300
    acme.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                        website="Acme Shop", actor="owner")
    for attempt in (lambda: acme.filings.fire("acme", "F1", long, None, actor="reviewer"),
                    lambda: acme.settings.set_channels("acme", "icp_filing", ["email", long],
                                                       actor="o"),
                    lambda: acme.rules.set_limit("acme", "icp_filing", long, 3, actor="o"),
                    lambda: acme.contacts.add("acme", name="Li Na", email=long[:200] + "@",
                                              title="CEO", actor="o")):
        with pytest.raises(IcpsimError) as refused:
            attempt()
        assert "xxx..." in refused.value.message
        assert len(refused.value.message) < 200, refused.value.message


def test_an_excerpt_keeps_its_closing_quote():
    from workflow.limits import excerpt

    assert excerpt("a" * 300) == "'" + "a" * 35 + "...'"
    assert excerpt("it's " * 60).endswith('..."')
    assert len(excerpt("it's " * 60)) == 40
    assert excerpt("short") == "'short'"
