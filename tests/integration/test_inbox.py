"""The inbox service: newest first, unread count, filter, open, read and delete, per account."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notify.inbox import InboxService
from notify.models import InboxMessage
from workflow.accounts import AccountService
from workflow.errors import NotFound


@pytest.fixture
def inbox(db, clock) -> InboxService:
    accounts = AccountService(db, clock)
    for account in ("acme", "other"):
        accounts.create(account, owner_name="Zhang Wei", owner_email=f"o@{account}.example")
    return InboxService(db, clock)


def put(db, clock, account: str, title: str, type_: str = "application_progress") -> int:
    clock.advance(timedelta(minutes=1))
    with db.transaction() as s:
        message = InboxMessage(account_id=account, category="icp_filing", type=type_,
                               filing_id="F1", title=title, body=f"{title} body",
                               created_at=clock.now())
        s.add(message)
        s.flush()
        assert message.id is not None
        return message.id


def titles(inbox: InboxService, account: str = "acme", **filters) -> list[str]:
    return [m.title for m in inbox.list(account, **filters)]


def test_messages_are_listed_newest_first_with_the_unread_count(inbox, db, clock):
    for title in ("first", "second", "third"):
        put(db, clock, "acme", title)
    assert titles(inbox) == ["third", "second", "first"]
    assert inbox.unread_count("acme") == 3


def test_messages_filter_by_type(inbox, db, clock):
    put(db, clock, "acme", "progress")
    put(db, clock, "acme", "rejected", "application_review_result")
    assert titles(inbox, type="application_review_result") == ["rejected"]
    assert inbox.unread_count("acme", type="application_progress") == 1
    assert titles(inbox, type="item_review_result") == []


def test_opening_a_message_marks_it_read(inbox, db, clock):
    first = put(db, clock, "acme", "first")
    put(db, clock, "acme", "second")
    opened = inbox.open("acme", first)
    assert (opened.title, opened.read) == ("first", True)
    assert inbox.unread_count("acme") == 1
    assert titles(inbox, unread_only=True) == ["second"]


def test_mark_one_and_mark_all_read(inbox, db, clock):
    first = put(db, clock, "acme", "first")
    put(db, clock, "acme", "second")
    put(db, clock, "other", "not mine")
    inbox.mark_read("acme", first)
    assert inbox.unread_count("acme") == 1
    assert inbox.mark_all_read("acme") == 1
    assert inbox.unread_count("acme") == 0
    assert inbox.unread_count("other") == 1


def test_delete_one_and_delete_all(inbox, db, clock):
    first = put(db, clock, "acme", "first")
    put(db, clock, "acme", "second")
    put(db, clock, "other", "not mine")
    inbox.delete("acme", first)
    assert titles(inbox) == ["second"]
    assert inbox.delete_all("acme") == 1
    assert titles(inbox) == []
    assert titles(inbox, "other") == ["not mine"]


def test_another_accounts_message_is_not_found_and_stays_untouched(inbox, db, clock):
    theirs = put(db, clock, "other", "theirs")
    for action in (inbox.get, inbox.open, inbox.mark_read, inbox.delete):
        with pytest.raises(NotFound) as refused:
            action("acme", theirs)
        assert refused.value.code == "unknown_message"
    assert titles(inbox, "other") == ["theirs"]
    assert inbox.unread_count("other") == 1


def test_an_unknown_message_is_not_found(inbox):
    with pytest.raises(NotFound):
        inbox.open("acme", 999)
