"""Channels and receivers per account and category, with their revision history."""

from __future__ import annotations

import re

import pytest
from sqlmodel import func, select

from notify.audit import AuditService
from notify.contacts import ContactService
from notify.models import AuditEntry, ChannelSetting, Delivery, ReceiverSelection
from notify.settings import SettingsService, enabled_channels, receiver_contacts
from workflow.accounts import AccountService
from workflow.config import Config
from workflow.errors import IcpsimError

TABLES = (ChannelSetting, ReceiverSelection, AuditEntry)

NEW_OFF = {"sms": "off", "webhook": "off"}  # offered, off until chosen


def counts(db) -> dict[str, int]:
    with db.transaction() as s:
        return {t.__name__: s.exec(select(func.count()).select_from(t)).one() for t in TABLES}


@pytest.fixture
def settings(db, clock) -> SettingsService:
    accounts = AccountService(db, clock)
    accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example")
    accounts.create("beta", owner_name="Wang Fang", owner_email="owner@beta.example")
    return SettingsService(db, clock)


@pytest.fixture
def contacts(db, clock, settings) -> ContactService:
    return ContactService(db, clock, Config(secret_key="test"))


def verified(contacts, db, email: str, account: str = "acme"):
    contact = contacts.add(account, name="Li Na", email=email, title="CEO", actor="owner")
    with db.transaction() as s:
        body = s.exec(select(Delivery).where(Delivery.contact_id == contact.id)).one().body
    contacts.verify(re.search(r"/verify/(\S+)", body).group(1))
    return contacts.get(account, contact.id)


def test_icp_filing_notifications_go_by_email_and_internal_message_by_default(settings, db):
    assert settings.channels("acme", "icp_filing") == {"email": "on", "internal": "on", **NEW_OFF}
    with db.transaction() as s:
        assert enabled_channels(s, "acme", "icp_filing") == ["email", "internal"]


@pytest.mark.parametrize(("chosen", "states", "enabled"), [
    (["email"], {"email": "on", "internal": "off", **NEW_OFF}, ["email"]),
    (["internal"], {"email": "off", "internal": "on", **NEW_OFF}, ["internal"]),
    (["internal", "email", "email"], {"email": "on", "internal": "on", **NEW_OFF},
     ["email", "internal"]),
])
def test_the_user_chooses_email_internal_messages_or_both(settings, db, chosen, states,
                                                          enabled):
    assert settings.set_channels("acme", "icp_filing", chosen, actor="owner") == states
    assert settings.channels("acme", "icp_filing") == states
    with db.transaction() as s:
        assert enabled_channels(s, "acme", "icp_filing") == enabled


def test_channel_choices_belong_to_one_account(settings):
    settings.set_channels("acme", "icp_filing", ["internal"], actor="owner")
    assert settings.channels("beta", "icp_filing") == {"email": "on", "internal": "on", **NEW_OFF}


@pytest.mark.parametrize(("category", "chosen", "code"), [
    ("icp_filing", [], "no_channel_selected"),
    ("account_security", ["email"], "channel_required"),
    ("product_expiration", ["internal"], "channel_required"),
    ("events", ["email", "internal"], "channel_unavailable"),
    ("icp_filing", ["fax"], "invalid_channel"),
    ("icp", ["email"], "unknown_category"),
])
def test_channel_rules_refuse_and_change_nothing(settings, db, category, chosen, code):
    settings.set_channels("acme", "icp_filing", ["email"], actor="owner")
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        settings.set_channels("acme", category, chosen, actor="owner")
    assert exc.value.code == code
    assert counts(db) == before
    assert settings.channels("acme", "icp_filing") == {"email": "on", "internal": "off", **NEW_OFF}


def test_channel_errors_belong_to_the_channels_field(settings):
    with pytest.raises(IcpsimError) as exc:
        settings.set_channels("acme", "icp_filing", [], actor="owner")
    assert exc.value.field == "channels"


def test_a_required_channel_is_always_on_and_the_other_one_is_the_users_choice(settings, db):
    states = settings.set_channels("acme", "product_expiration", ["email"], actor="owner")
    assert states == {"email": "required", "internal": "off",
                      "sms": "unavailable", "webhook": "unavailable"}
    with db.transaction() as s:
        assert enabled_channels(s, "acme", "product_expiration") == ["email"]


def test_a_channel_change_is_recorded_old_to_new_and_a_same_save_records_nothing(settings, db,
                                                                                 clock):
    settings.set_channels("acme", "icp_filing", ["email"], actor="alice")
    settings.set_channels("acme", "icp_filing", ["email"], actor="alice")
    history = AuditService(db).history("acme", "channels:icp_filing")
    assert len(history) == 1
    assert (history[0].actor, history[0].at) == ("alice", clock.now())
    assert history[0].changes == {"internal": {"old": "on", "new": "off"}}


def test_saving_receivers_replaces_the_saved_set_and_is_recorded(settings, contacts, db):
    a, b, c = (verified(contacts, db, f"{n}@acme.example") for n in "abc")
    settings.select_receivers("acme", "icp_filing", [a.id, b.id], actor="owner")
    chosen = settings.select_receivers("acme", "icp_filing", [c.id, b.id], actor="alice")
    assert [x.id for x in chosen] == [b.id, c.id]
    assert [x.id for x in settings.receivers("acme", "icp_filing")] == [b.id, c.id]
    assert settings.receivers("acme", "ticket_updates") == []
    entry = AuditService(db).history("acme", "receivers:icp_filing")[0]
    assert entry.actor == "alice"
    assert entry.changes == {"contacts": {"old": [a.id, b.id], "new": [b.id, c.id]}}


def test_selecting_an_unverified_contact_is_refused_and_changes_nothing(settings, contacts, db):
    ok = verified(contacts, db, "ok@acme.example")
    waiting = contacts.add("acme", name="Wang Fang", email="wait@acme.example", title="Other",
                           actor="owner")
    settings.select_receivers("acme", "icp_filing", [ok.id], actor="owner")
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        settings.select_receivers("acme", "icp_filing", [ok.id, waiting.id], actor="owner")
    assert (exc.value.code, exc.value.field) == ("contact_not_verified", "contacts")
    assert str(waiting.id) in exc.value.message
    assert counts(db) == before
    assert [x.id for x in settings.receivers("acme", "icp_filing")] == [ok.id]


def test_an_already_selected_contact_that_became_pending_may_stay(settings, contacts, db):
    a, b = verified(contacts, db, "a@acme.example"), verified(contacts, db, "b@acme.example")
    settings.select_receivers("acme", "icp_filing", [a.id], actor="owner")
    contacts.modify("acme", a.id, name="Li Xiaona", actor="owner")
    chosen = settings.select_receivers("acme", "icp_filing", [a.id, b.id], actor="owner")
    assert [(x.id, x.status) for x in chosen] == [(a.id, "pending"), (b.id, "verified")]


def test_the_relay_sees_every_selected_contact_whatever_its_status(settings, contacts, db):
    a, b = verified(contacts, db, "a@acme.example"), verified(contacts, db, "b@acme.example")
    settings.select_receivers("acme", "icp_filing", [a.id, b.id], actor="owner")
    contacts.modify("acme", b.id, email="b2@acme.example", actor="owner")
    with db.transaction() as s:
        selected = receiver_contacts(s, "acme", "icp_filing")
    assert [(x.id, x.status) for x in selected] == [(a.id, "verified"), (b.id, "pending")]


def test_another_accounts_contact_cannot_be_selected(settings, contacts, db):
    theirs = verified(contacts, db, "b@beta.example", account="beta")
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        settings.select_receivers("acme", "icp_filing", [theirs.id], actor="owner")
    assert exc.value.code == "unknown_contact"
    assert counts(db) == before


def test_receivers_of_an_unknown_category_are_refused(settings):
    for attempt in (lambda: settings.receivers("acme", "nope"),
                    lambda: settings.select_receivers("acme", "nope", [], actor="owner")):
        with pytest.raises(IcpsimError) as exc:
            attempt()
        assert exc.value.code == "unknown_category"


def test_common_settings_show_every_section_with_the_owner_as_fixed_default_receiver(
        settings, contacts, db):
    a = verified(contacts, db, "a@acme.example")
    settings.select_receivers("acme", "icp_filing", [a.id], actor="owner")
    settings.set_channels("acme", "icp_filing", ["internal"], actor="owner")
    sections = settings.common_settings("acme")
    assert [s.section.key for s in sections] == [
        "account", "product", "security", "fault", "activity", "service"]
    rows = {row.category.key: row for s in sections for row in s.categories}
    icp = rows["icp_filing"]
    assert icp.channels == {"email": "off", "internal": "on", **NEW_OFF}
    owner, contact = icp.receivers
    assert (owner.kind, owner.email, owner.status, owner.is_default) == (
        "owner", "owner@acme.example", "verified", True)
    assert (contact.contact_id, contact.is_default) == (a.id, False)
    assert [r.kind for r in rows["surveys"].receivers] == ["owner"]
    assert rows["events"].channels["email"] == "unavailable"


def test_settings_of_an_unknown_account_are_refused(settings):
    with pytest.raises(IcpsimError) as exc:
        settings.common_settings("nobody")
    assert exc.value.code == "unknown_account"
