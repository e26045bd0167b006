"""Contacts: adding, limits, verification links, resend, modify, delete, tenancy, audit."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import func, select

from notify.audit import AuditService
from notify.contacts import ContactService, expire_contacts, next_expiry_at
from notify.models import AuditEntry, Contact, Delivery, ReceiverSelection, VerificationLink
from notify.settings import SettingsService
from notify.tokens import hash_token
from workflow.accounts import AccountService
from workflow.clock import SystemClock
from workflow.config import Config
from workflow.errors import IcpsimError

CONFIG = Config(secret_key="test", base_url="https://console.icpsim.example")
TABLES = (Contact, VerificationLink, Delivery, AuditEntry, ReceiverSelection)


def counts(db) -> dict[str, int]:
    with db.transaction() as s:
        return {t.__name__: s.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def links_in(db, address: str) -> list[str]:
    """Tokens of the verification emails queued for ``address``, oldest first."""
    with db.transaction() as s:
        rows = s.exec(select(Delivery).where(Delivery.kind == "verification",
                                             Delivery.to_address == address,
                                             Delivery.status == "pending")
                      .order_by(Delivery.id)).all()
        return [re.search(r"/verify/(\S+)", d.body).group(1) for d in rows]


def make_accounts(db, clock, *ids: str) -> None:
    accounts = AccountService(db, clock)
    for account_id in ids:
        accounts.create(account_id, owner_name="Zhang Wei",
                        owner_email=f"owner@{account_id}.example")


@pytest.fixture
def contacts(db, clock) -> ContactService:
    make_accounts(db, clock, "acme", "beta")
    return ContactService(db, clock, CONFIG)


def add(contacts: ContactService, email: str = "li.na@acme.example", account: str = "acme",
        **fields) -> Contact:
    values = {"name": "Li Na", "title": "Technical Director", **fields}
    return contacts.add(account, email=email, actor="owner", **values)


def test_adding_a_contact_stores_it_pending_and_queues_its_verification_email(contacts, db):
    contact = add(contacts, mobile="138 0013 8000")
    assert (contact.status, contact.mobile) == ("pending", "13800138000")
    with db.transaction() as s:  # the mobile's own SMS link: tests/integration/test_mobile*
        mail = s.exec(select(Delivery).where(Delivery.channel == "email")).one()
        link = s.exec(select(VerificationLink).where(VerificationLink.channel == "email")).one()
    assert (mail.kind, mail.channel, mail.receiver, mail.status) == (
        "verification", "email", "contact", "pending")
    assert (mail.contact_id, mail.to_address, mail.language) == (
        contact.id, "li.na@acme.example", "en")
    assert mail.dedup_key == f"verification:{link.id}"
    assert mail.next_attempt_at == contacts.clock.now()
    token = links_in(db, "li.na@acme.example")[0]
    assert f"https://console.icpsim.example/verify/{token}" in mail.body
    assert link.token_hash == hash_token(token)
    assert token not in str(link.model_dump())
    assert link.expires_at == contacts.clock.now() + timedelta(hours=72)


def test_the_sixteenth_contact_is_refused_and_nothing_is_stored(contacts, db):
    for i in range(15):
        add(contacts, f"c{i}@acme.example")
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        add(contacts, "c15@acme.example")
    assert exc.value.code == "contact_limit_reached"
    assert "15" in exc.value.message
    assert counts(db) == before
    assert add(contacts, "c15@beta.example", account="beta").status == "pending"


def test_two_threads_adding_the_fifteenth_contact_at_once_only_one_wins(shared_db, clock):
    make_accounts(shared_db, clock, "acme")
    contacts = ContactService(shared_db, clock, CONFIG)
    for i in range(14):
        add(contacts, f"c{i}@acme.example")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def add_one(n: int) -> None:
        start.wait()
        try:
            add(contacts, f"racer{n}@acme.example")
            outcomes.append("added")
        except IcpsimError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=add_one, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["added", "contact_limit_reached"]
    assert len(contacts.list("acme")) == 15


def test_an_address_already_in_the_account_is_refused_whatever_its_case(contacts, db):
    add(contacts, "li.na@acme.example")
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        add(contacts, "LI.NA@ACME.EXAMPLE", name="Li Na Two")
    assert (exc.value.code, exc.value.field) == ("duplicate_contact", "email")
    assert counts(db) == before


def test_the_same_address_may_be_a_contact_of_two_accounts(contacts):
    add(contacts, "shared@ops.example")
    assert add(contacts, "shared@ops.example", account="beta").account_id == "beta"


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"name": "L"}, "invalid_name", "name"),
    ({"name": "Li\r\nBcc: victim@evil.example"}, "invalid_name", "name"),
    ({"email": "li.na@acme.example\r\nBcc: victim@evil.example"}, "invalid_email", "email"),
    ({"email": "Li Na <li.na@acme.example>"}, "invalid_email", "email"),
    ({"email": "not-an-address"}, "invalid_email", "email"),
    ({"title": "CTO"}, "invalid_title", "title"),
    ({"mobile": "23800138000"}, "invalid_mobile", "mobile"),
])
def test_bad_fields_are_refused_and_nothing_is_stored(contacts, db, fields, code, field):
    values = {"email": "li.na@acme.example", **fields}
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        add(contacts, **values)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert counts(db) == before


def test_opening_the_link_verifies_the_contact(contacts, db):
    contact = add(contacts)
    result = contacts.verify(links_in(db, contact.email)[0])
    assert (result.status, result.contact_id, result.account_id) == (
        "verified", contact.id, "acme")
    again = contacts.get("acme", contact.id)
    assert (again.status, again.verified_at) == ("verified", contacts.clock.now())


def refused(contacts, db, token: str) -> str:
    """Open a link that must be refused; return the reason and check nothing changed."""
    before_rows = counts(db)
    before = [(c.id, c.status) for c in contacts.list("acme")]
    with pytest.raises(IcpsimError) as exc:
        contacts.verify(token)
    assert exc.value.code == "link_invalid"
    assert counts(db) == before_rows
    assert [(c.id, c.status) for c in contacts.list("acme")] == before
    return exc.value.reason


def test_a_used_link_is_refused_as_already_used(contacts, db):
    token = links_in(db, add(contacts).email)[0]
    contacts.verify(token)
    assert refused(contacts, db, token) == "used"


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 43])
def test_an_unknown_link_is_refused_as_invalid(contacts, db, token):
    add(contacts)
    assert refused(contacts, db, token) == "unknown"


def test_a_link_works_until_72_hours_and_is_refused_as_expired_from_then(contacts, db, clock):
    first, second = add(contacts, "a@acme.example"), add(contacts, "b@acme.example")
    clock.advance(timedelta(hours=72) - timedelta(seconds=1))
    contacts.verify(links_in(db, first.email)[0])
    clock.advance(timedelta(seconds=1))
    assert refused(contacts, db, links_in(db, second.email)[0]) == "expired"
    assert contacts.get("acme", second.id).status == "pending"


def test_a_link_expires_on_the_real_clock_too(db, clock):
    make_accounts(db, clock, "acme")
    contacts = ContactService(db, SystemClock(), CONFIG)
    with freeze_time("2026-03-02 01:00:00") as frozen:
        token = links_in(db, add(contacts).email)[0]
        frozen.tick(timedelta(hours=72))
        assert refused(contacts, db, token) == "expired"


def test_resending_supersedes_every_older_link(contacts, db, clock):
    contact = add(contacts)
    old = links_in(db, contact.email)[0]
    contacts.resend("acme", contact.id, actor="owner")
    assert refused(contacts, db, old) == "superseded"
    with db.transaction() as s:
        first = s.exec(select(Delivery).order_by(Delivery.id)).first()
    assert (first.status, first.body) == ("skipped", None)  # never sends a dead link
    new = links_in(db, contact.email)
    assert len(new) == 1
    assert contacts.verify(new[0]).status == "verified"


def test_the_expiry_job_marks_contacts_not_verified_in_72_hours_as_expired(contacts, db, clock):
    late, quick = add(contacts, "late@acme.example"), add(contacts, "quick@acme.example")
    contacts.verify(links_in(db, quick.email)[0])
    assert next_expiry_at(db) == clock.now() + timedelta(hours=72)
    assert expire_contacts(db, now=clock.now() + timedelta(hours=71)) == 0
    assert expire_contacts(db, now=clock.now() + timedelta(hours=72)) == 1
    assert contacts.get("acme", late.id).status == "expired"
    assert contacts.get("acme", quick.id).status == "verified"
    assert next_expiry_at(db) is None
    assert AuditService(db).history("acme", f"contact:{late.id}")[0].action == "expire"


def test_resend_brings_an_expired_contact_back_to_pending_with_a_fresh_link(contacts, db, clock):
    contact = add(contacts)
    clock.advance(timedelta(hours=73))
    expire_contacts(db, now=clock.now())
    assert contacts.resend("acme", contact.id, actor="owner").status == "pending"
    assert next_expiry_at(db) == clock.now() + timedelta(hours=72)
    assert contacts.verify(links_in(db, contact.email)[-1]).status == "verified"


def test_resend_is_limited_to_one_per_contact_per_minute(contacts, db, clock):
    contact = add(contacts)
    contacts.resend("acme", contact.id, actor="owner")  # right after adding: allowed
    clock.advance(timedelta(seconds=59))
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        contacts.resend("acme", contact.id, actor="owner")
    assert exc.value.code == "resend_limited"
    assert counts(db) == before
    clock.advance(timedelta(seconds=1))
    contacts.resend("acme", contact.id, actor="owner")


def test_resend_is_limited_to_ten_per_account_per_day(contacts, db, clock):
    people = [add(contacts, f"c{i}@acme.example") for i in range(11)]
    for person in people[:10]:
        contacts.resend("acme", person.id, actor="owner")
        clock.advance(timedelta(minutes=30))
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        contacts.resend("acme", people[10].id, actor="owner")
    assert exc.value.code == "resend_limited"
    assert counts(db) == before
    contacts.resend("beta", add(contacts, "x@beta.example", account="beta").id, actor="owner")
    clock.advance(timedelta(hours=24) - timedelta(minutes=30 * 10) + timedelta(seconds=1))
    contacts.resend("acme", people[10].id, actor="owner")  # the first resend left the window


def test_emails_sent_on_add_and_modify_are_never_limited(contacts, db):
    contact = add(contacts)
    for n in range(12):
        contacts.modify("acme", contact.id, name=f"Li Na {'x' * (n % 5 + 1)}", actor="owner")
    add(contacts, "other@acme.example")
    with db.transaction() as s:
        assert s.exec(select(func.count()).select_from(Delivery)).one() == 14


def test_resend_to_a_verified_contact_is_refused(contacts, db):
    contact = add(contacts)
    contacts.verify(links_in(db, contact.email)[0])
    with pytest.raises(IcpsimError) as exc:
        contacts.resend("acme", contact.id, actor="owner")
    assert exc.value.code == "contact_already_verified"


def test_modifying_a_contact_needs_a_new_verification_sent_to_the_new_address(contacts, db):
    contact = add(contacts)
    old_link = links_in(db, contact.email)[0]
    contacts.verify(old_link)
    changed = contacts.modify("acme", contact.id, email="Li.Na@New.Example", actor="owner")
    assert (changed.status, changed.email, changed.verified_at) == (
        "pending", "Li.Na@new.example", None)
    assert contacts.find_by_email("acme", "li.na@NEW.example").id == contact.id
    assert contacts.find_by_email("acme", "li.na@acme.example") is None
    new_link = links_in(db, "Li.Na@new.example")
    assert len(new_link) == 1
    assert refused(contacts, db, old_link) == "used"
    assert contacts.verify(new_link[0]).email == "Li.Na@new.example"


def test_modifying_any_field_puts_the_contact_back_to_pending(contacts, db):
    contact = add(contacts)
    contacts.verify(links_in(db, contact.email)[0])
    changed = contacts.modify("acme", contact.id, mobile="13900139000", actor="owner")
    assert changed.status == "pending"
    assert len(links_in(db, contact.email)) == 1
    history = AuditService(db).history("acme", f"contact:{contact.id}")
    assert history[0].action == "modify"
    assert history[0].changes == {"mobile": {"old": None, "new": "13900139000"},
                                  "status": {"old": "verified", "new": "pending"},
                                  "mobile_status": {"old": None, "new": "pending"}}


def test_modifying_nothing_changes_nothing(contacts, db):
    contact = add(contacts, mobile="13800138000")
    contacts.verify(links_in(db, contact.email)[0])
    before = counts(db)
    same = contacts.modify("acme", contact.id, name="Li Na", title="technical director",
                           mobile="138 0013 8000", actor="owner")
    assert same.status == "verified"
    assert counts(db) == before


def test_modifying_to_another_contacts_address_is_refused(contacts, db):
    add(contacts, "a@acme.example")
    b = add(contacts, "b@acme.example")
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        contacts.modify("acme", b.id, email="A@acme.example", actor="owner")
    assert exc.value.code == "duplicate_contact"
    assert counts(db) == before
    assert contacts.get("acme", b.id).email == "b@acme.example"


def test_a_modified_contact_stays_in_its_receiver_lists(contacts, db, clock):
    contact = add(contacts)
    contacts.verify(links_in(db, contact.email)[0])
    settings = SettingsService(db, clock)
    settings.select_receivers("acme", "icp_filing", [contact.id], actor="owner")
    contacts.modify("acme", contact.id, name="Li Xiaona", actor="owner")
    assert [c.status for c in settings.receivers("acme", "icp_filing")] == ["pending"]


def test_deleting_a_contact_removes_it_from_receiver_lists_but_keeps_its_deliveries(
        contacts, db, clock):
    stay, leave = add(contacts, "stay@acme.example"), add(contacts, "leave@acme.example")
    for person in (stay, leave):
        contacts.verify(links_in(db, person.email)[0])
    settings = SettingsService(db, clock)
    settings.select_receivers("acme", "icp_filing", [stay.id, leave.id], actor="owner")
    settings.select_receivers("acme", "ticket_updates", [leave.id], actor="owner")
    with db.transaction() as s:
        s.add(Delivery(dedup_key="event:1:contact", account_id="acme", channel="email",
                       receiver="contact", contact_id=leave.id, status="sent",
                       created_at=clock.now()))
    contacts.delete("acme", leave.id, actor="owner")
    assert [c.id for c in settings.receivers("acme", "icp_filing")] == [stay.id]
    assert settings.receivers("acme", "ticket_updates") == []
    assert [c.id for c in contacts.list("acme")] == [stay.id]
    with db.transaction() as s:
        kept = s.exec(select(Delivery).where(Delivery.contact_id == leave.id)).all()
        assert s.exec(select(VerificationLink).where(
            VerificationLink.contact_id == leave.id)).all() == []
    assert len(kept) == 2  # its verification email and the notification stay in the log
    history = AuditService(db).history("acme")
    assert [(e.subject, e.action) for e in history[:3]] == [
        (f"contact:{leave.id}", "delete"),
        ("receivers:ticket_updates", "contact_deleted"),
        ("receivers:icp_filing", "contact_deleted"),
    ]
    assert history[2].changes == {"contacts": {"old": [stay.id, leave.id], "new": [stay.id]}}


def test_deleting_a_pending_contact_cancels_its_unsent_verification_email(contacts, db):
    contact = add(contacts)
    token = links_in(db, contact.email)[0]
    contacts.delete("acme", contact.id, actor="owner")
    with db.transaction() as s:
        mail = s.exec(select(Delivery)).one()
    assert (mail.status, mail.body) == ("skipped", None)
    with pytest.raises(IcpsimError) as exc:
        contacts.verify(token)
    assert exc.value.reason == "unknown"


def test_one_account_cannot_read_or_change_another_accounts_contacts(contacts, db):
    theirs = add(contacts, "b@beta.example", account="beta")
    before = counts(db)
    attempts = [
        lambda: contacts.get("acme", theirs.id),
        lambda: contacts.modify("acme", theirs.id, name="Mallory", actor="owner"),
        lambda: contacts.delete("acme", theirs.id, actor="owner"),
        lambda: contacts.resend("acme", theirs.id, actor="owner"),
    ]
    for attempt in attempts:
        with pytest.raises(IcpsimError) as exc:
            attempt()
        assert exc.value.code == "unknown_contact"
        assert exc.value.http_status == 404
    assert contacts.list("acme") == []
    assert contacts.find_by_email("acme", "b@beta.example") is None
    assert counts(db) == before
    assert contacts.get("beta", theirs.id).name == "Li Na"


def test_an_unknown_contact_or_account_is_refused(contacts):
    with pytest.raises(IcpsimError) as exc:
        contacts.get("acme", 999)
    assert exc.value.code == "unknown_contact"
    with pytest.raises(IcpsimError) as exc:
        add(contacts, account="nobody")
    assert exc.value.code == "unknown_account"


def test_every_contact_change_is_recorded_with_who_and_when(contacts, db, clock):
    contact = add(contacts)
    clock.advance(timedelta(minutes=5))
    contacts.modify("acme", contact.id, title="CEO", actor="alice")
    clock.advance(timedelta(minutes=5))
    contacts.verify(links_in(db, contact.email)[0])
    history = AuditService(db).history("acme", f"contact:{contact.id}")
    assert [(e.action, e.actor) for e in history] == [
        ("verify", "li.na@acme.example"), ("modify", "alice"), ("add", "owner")]
    assert history[1].changes["title"] == {"old": "Technical Director", "new": "CEO"}
    assert history[2].at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert AuditService(db).history("beta") == []


@pytest.mark.parametrize("address", ["owner@acme.example", "OWNER@Acme.Example"])
def test_a_contact_at_the_owners_address_is_refused_in_any_letter_case(contacts, db, address):
    before = counts(db)
    with pytest.raises(IcpsimError) as exc:
        add(contacts, address)
    assert (exc.value.code, exc.value.field) == ("duplicate_contact", "email")
    assert "owner" in exc.value.message
    assert counts(db) == before
    other = add(contacts, "li.na@acme.example")
    with pytest.raises(IcpsimError) as exc:
        contacts.modify("acme", other.id, email=address, actor="owner")
    assert exc.value.code == "duplicate_contact"
    assert contacts.get("acme", other.id).email == "li.na@acme.example"
