"""The console's version 2 pages: Webhooks, delivery rules, the mobile's resend, and the
SMS and webhook viewers, which show an owner only its own account's messages."""

from __future__ import annotations

import re

import pytest
from werkzeug.security import generate_password_hash

from tests.web.conftest import FAST_HASH, PASSWORDS, Console, text
from web.app import create_app
from workflow.models import Account


@pytest.fixture
def app(csystem, sms_gateway, webhook_sink, tmp_path):
    with csystem.db.transaction() as s:
        s.get(Account, "acme").password_hash = generate_password_hash(PASSWORDS["acme"],
                                                                      FAST_HASH)
    csystem.accounts.create("other", owner_name="Li Na", owner_email="owner@other.example",
                            password_hash=generate_password_hash(PASSWORDS["other"], FAST_HASH))
    sms_gateway.store = tmp_path / "sms.jsonl"
    webhook_sink.store = tmp_path / "calls.jsonl"
    flask_app = create_app(system=csystem)
    flask_app.config.update(
        TESTING=True, ICPSIM_SMS_STORE=sms_gateway.store,
        ICPSIM_WEBHOOK_STORE=webhook_sink.store,
        ICPSIM_REVIEWER_HASH=generate_password_hash(PASSWORDS["reviewer"], FAST_HASH))
    return flask_app


def signed_in(app, who):
    console = Console(app.test_client())
    assert console.signin(who).status_code == 302
    return console


@pytest.fixture
def owner(app):
    return signed_in(app, "acme")


def test_an_owner_adds_tests_modifies_and_deletes_a_webhook(owner, csystem, webhook_sink,
                                                           robots):
    url = webhook_sink.hook_url("ops")
    robots[url] = ("dingtalk", "SEC-never-shown")
    response = owner.post("/webhooks/", {"name": "ops", "type": "dingtalk", "url": url,
                                         "secret": "SEC-never-shown"})
    assert response.status_code == 302
    [hook] = csystem.webhooks.list("acme")
    page = text(owner.get("/webhooks/"))
    assert "ops" in page
    assert "SEC-never-shown" not in page  # the secret is never shown
    sent = owner.post(f"/webhooks/{hook.id}/test", follow_redirects=True)
    assert "accepted by the robot" in text(sent)
    [call] = webhook_sink.received()
    assert (call.robot, call.signature) == ("dingtalk", "valid")
    owner.post(f"/webhooks/{hook.id}/edit", {"name": "ops2", "type": "dingtalk", "url": url})
    assert csystem.webhooks.get("acme", hook.id).secret == "SEC-never-shown"  # kept
    assert csystem.webhooks.get("acme", hook.id).name == "ops2"
    owner.post(f"/webhooks/{hook.id}/delete")
    assert csystem.webhooks.list("acme") == []


def test_a_private_webhook_url_is_refused_with_its_message_and_nothing_stored(owner,
                                                                             csystem):
    response = owner.post("/webhooks/", {"name": "meta", "type": "custom",
                                         "url": "http://169.254.169.254/latest"})
    assert response.status_code == 400
    assert "a public http:// or https:// address" in text(response)
    assert csystem.webhooks.list("acme") == []


def test_delivery_rules_are_saved_from_the_page(owner, csystem, webhook_sink):
    hook = csystem.webhooks.add("acme", name="ops", type="custom",
                                url=webhook_sink.hook_url("ops"), actor="acme")
    page = text(owner.get("/settings/icp_filing/rules"))
    assert 'name="limit_sms"' in page
    response = owner.post("/settings/icp_filing/rules", {
        "webhooks": [str(hook.id)], "limit_email": "3", "limit_sms": "", "hours": ["9", "10"],
        "receiver": "owner", "allow": "approved, rejected", "deny": ""})
    assert response.status_code == 302
    assert csystem.rules.limits("acme", "icp_filing") == {"email": 3}
    assert sorted(csystem.rules.receive_hours("acme", "icp_filing").hours) == [9, 10]
    [kw] = csystem.rules.keywords("acme", "icp_filing")
    assert kw.allow == ("approved", "rejected")
    assert [h.id for h in csystem.webhooks.selected("acme", "icp_filing")] == [hook.id]


def test_a_bad_limit_is_refused_and_nothing_is_saved(owner, csystem):
    response = owner.post("/settings/icp_filing/rules", {"limit_email": "-1"})
    assert response.status_code == 400
    assert "a whole number from 1 to 1000" in text(response)
    assert csystem.rules.limits("acme", "icp_filing") == {}


def test_manage_contacts_shows_the_mobile_state_and_resends_its_sms(owner, csystem,
                                                                    sms_gateway):
    csystem.contacts.add("acme", name="Li Na", email="li@acme.example", title="CEO",
                         mobile="13800138000", actor="acme")
    csystem.dispatch_due()
    page = text(owner.get("/contacts/"))
    assert "Resend SMS verification" in page
    contact = csystem.contacts.list("acme")[0]
    owner.post(f"/contacts/{contact.id}/resend-sms")
    csystem.dispatch_due()
    assert len(sms_gateway.messages("13800138000")) == 2
    refused = owner.post(f"/contacts/{contact.id}/resend-sms")
    assert refused.status_code == 429
    assert "Try again after" in text(refused)


def test_the_sms_viewer_shows_an_owner_only_its_own_accounts_messages(app, csystem,
                                                                      sms_gateway):
    for account, mobile in (("acme", "13800138000"), ("other", "13900139000")):
        csystem.contacts.add(account, name="Li Na", email=f"li@{account}.example",
                             title="CEO", mobile=mobile, actor=account)
    csystem.dispatch_due()
    acme = text(signed_in(app, "acme").get("/sms/"))
    assert "13800138000" in acme
    assert "13900139000" not in acme
    everything = text(signed_in(app, "reviewer").get("/sms/"))
    assert "13800138000" in everything
    assert "13900139000" in everything


def test_the_webhook_viewer_shows_an_owner_only_its_own_calls(app, csystem, webhook_sink):
    for account in ("acme", "other"):
        hook = csystem.webhooks.add(account, name=f"{account}-ops", type="custom",
                                    url=webhook_sink.hook_url(f"{account}-ops"),
                                    actor=account)
        signed_in(app, account).post(f"/webhooks/{hook.id}/test")
    acme = text(signed_in(app, "acme").get("/webhook-calls/"))
    assert "/hook/acme-ops" in acme
    assert "/hook/other-ops" not in acme
    everything = text(signed_in(app, "reviewer").get("/webhook-calls/"))
    assert len(re.findall("/hook/", everything)) == 2


def test_opening_the_sms_link_says_the_mobile_is_verified(app, csystem, sms_gateway):
    csystem.contacts.add("acme", name="Li Na", email="li@acme.example", title="CEO",
                         mobile="13800138000", actor="acme")
    csystem.dispatch_due()
    link = re.search(r"/verify/\S+?(?= |$)", sms_gateway.messages()[0].content).group(0)
    page = Console(app.test_client()).get(link)
    assert page.status_code == 200
    assert "Mobile verified" in text(page)
    assert csystem.contacts.list("acme")[0].mobile_status == "verified"


@pytest.mark.parametrize(("bad", "says"), [
    ({"hours": ["9", "25"]}, "receive hours from 00 to 23"),
    ({"receiver": "contact:999", "deny": "x"}, "unknown_contact"),
    ({"webhooks": ["999"]}, "unknown_webhook"),
    ({"limit_sms": "5000"}, "from 1 to 1000"),
])
def test_one_bad_rule_field_refuses_the_whole_form_and_saves_nothing(owner, csystem, bad,
                                                                     says):
    csystem.settings.set_channels("acme", "icp_filing", ["email", "webhook"], actor="acme")
    response = owner.post("/settings/icp_filing/rules", {"limit_email": "3", **bad})
    assert response.status_code in (400, 404)
    assert says in text(response)
    assert csystem.rules.limits("acme", "icp_filing") == {}
    assert csystem.rules.receive_hours("acme", "icp_filing") is None


def test_the_owner_sets_and_removes_its_mobile_on_manage_contacts(owner, csystem):
    assert owner.post("/contacts/owner-mobile", {"mobile": "139 0000 0000"}).status_code == 302
    assert csystem.rules.owner_mobile("acme") == "13900000000"
    assert 'value="13900000000"' in text(owner.get("/contacts/"))
    refused = owner.post("/contacts/owner-mobile", {"mobile": "12345"})
    assert refused.status_code == 400
    assert "11 digits" in text(refused)
    assert csystem.rules.owner_mobile("acme") == "13900000000"
    owner.post("/contacts/owner-mobile", {"mobile": ""})
    assert csystem.rules.owner_mobile("acme") is None
