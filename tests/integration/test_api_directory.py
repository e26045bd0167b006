"""The API's one-transaction contact list reads what the services read, field for field,
on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from notify.system import build_system
from web.rpc import shapes
from web.rpc.directory import contact_list
from web.rpc.params import Params
from web.rpc.registry import Call
from workflow.config import Config


def test_the_contact_list_is_the_services_view(shared_db, clock):
    system = build_system(Config(secret_key="test"), clock=clock, db=shared_db)
    system.accounts.create("acme", owner_name="Ann Owner", owner_email="ann@acme.example")
    system.accounts.create("other", owner_name="Bob", owner_email="bob@other.example")
    system.rules.set_owner_mobile("acme", "13800138000", actor="acme")
    for i, mobile in enumerate((None, "13900139000", None)):
        system.contacts.add("acme", name=f"Contact {chr(65 + i)}", email=f"c{i}@acme.example",
                            title="CEO", mobile=mobile, actor="acme")
        clock.advance(timedelta(seconds=1))
    system.contacts.add("other", name="Not Mine", email="x@other.example", title="CEO",
                        actor="other")
    call = Call("acme", Params({}), system, clock.now(), "ListContacts")

    account = system.accounts.get("acme")
    expected = [shapes.owner_contact(account, mobile=system.rules.owner_mobile("acme"),
                                     name_key="Name")]
    expected += [shapes.contact(c, "acme", name_key="Name")
                 for c in system.contacts.list("acme")]
    got = contact_list(call, name_key="Name")
    assert got == expected
    assert [r["Email"] for r in got] == ["ann@acme.example", "c0@acme.example",
                                         "c1@acme.example", "c2@acme.example"]
    assert (got[0]["Mobile"], got[0]["IsVerifiedMobile"]) == ("13800138000", True)
    assert got[0]["LastEmailVerificationTimeStamp"] == shapes.ms(account.created_at)
