"""The planner: which deliveries one event makes, with which keys, for which receivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from notify.planner import Owner, PlannedDelivery, dedup_key, plan

OWNER = Owner(name="Zhang Wei", email="owner@acme.example", language="zh")


@dataclass
class Event:
    id: int | None = 7
    notification_type: str = "application_progress"
    facts: dict[str, Any] = field(default_factory=lambda: {"filing_id": "F1"})


@dataclass
class Contact:
    id: int
    name: str
    email: str
    status: str = "verified"


def by_key(planned: list[PlannedDelivery]) -> dict[str, PlannedDelivery]:
    return {p.dedup_key: p for p in planned}


def test_the_owner_alone_gets_one_email_and_the_account_one_internal_message():
    planned = plan(Event(), channels=["email", "internal"], owner=OWNER, contacts=[])
    assert [p.dedup_key for p in planned] == ["event:7:email:owner", "event:7:internal:account"]
    email, internal = planned
    assert (email.to_address, email.to_name, email.receiver) == (
        "owner@acme.example", "Zhang Wei", "owner")
    assert (internal.receiver, internal.to_address) == ("account", None)
    assert {p.status for p in planned} == {"pending"}


def test_each_verified_contact_gets_its_own_email_and_unverified_ones_are_skipped_with_why():
    contacts = [Contact(1, "Li Na", "li@acme.example"),
                Contact(2, "Wang Fang", "wang@acme.example", status="pending"),
                Contact(3, "Chen Jie", "chen@acme.example", status="expired"),
                Contact(4, "Zhao Lei", "zhao@acme.example")]
    planned = by_key(plan(Event(), channels=["email"], owner=OWNER, contacts=contacts))
    assert set(planned) == {"event:7:email:owner", "event:7:email:contact:1",
                            "event:7:email:contact:2", "event:7:email:contact:3",
                            "event:7:email:contact:4"}
    assert planned["event:7:email:contact:1"].status == "pending"
    assert planned["event:7:email:contact:4"].to_address == "zhao@acme.example"
    pending = planned["event:7:email:contact:2"]
    assert (pending.status, pending.reason) == ("skipped", "contact is pending verification")
    assert planned["event:7:email:contact:3"].status == "skipped"
    assert "expired" in (planned["event:7:email:contact:3"].reason or "")


def test_internal_messages_only_send_no_email_to_anyone():
    contacts = [Contact(1, "Li Na", "li@acme.example")]
    planned = plan(Event(), channels=["internal"], owner=OWNER, contacts=contacts)
    assert [(p.channel, p.receiver) for p in planned] == [("internal", "account")]


def test_email_only_writes_no_internal_message():
    contacts = [Contact(1, "Li Na", "li@acme.example")]
    planned = plan(Event(), channels=["email"], owner=OWNER, contacts=contacts)
    assert {p.channel for p in planned} == {"email"}
    assert len(planned) == 2


def test_no_channel_plans_nothing():
    assert plan(Event(), channels=[], owner=OWNER, contacts=[Contact(1, "Li", "l@a.example")]) == []


def test_the_account_language_is_captured_on_every_planned_delivery():
    planned = plan(Event(), channels=["email", "internal"], owner=OWNER,
                   contacts=[Contact(1, "Li Na", "li@acme.example")])
    assert {p.language for p in planned} == {"zh"}


def test_keys_are_deterministic_so_planning_twice_gives_the_same_keys():
    contacts = [Contact(1, "Li Na", "li@acme.example")]
    first = plan(Event(), channels=["email", "internal"], owner=OWNER, contacts=contacts)
    again = plan(Event(), channels=["internal", "email"], owner=OWNER, contacts=contacts)
    assert [p.dedup_key for p in first] == [p.dedup_key for p in again]
    assert dedup_key(7, "email", "contact", 1) == "event:7:email:contact:1"


def test_a_contact_sharing_the_owners_address_is_not_mailed_twice():
    contacts = [Contact(1, "Boss", "OWNER@acme.example")]
    planned = by_key(plan(Event(), channels=["email"], owner=OWNER, contacts=contacts))
    assert planned["event:7:email:contact:1"].status == "skipped"


def test_an_unsaved_event_cannot_be_planned():
    with pytest.raises(ValueError, match="stored"):
        plan(Event(id=None), channels=["email"], owner=OWNER, contacts=[])
