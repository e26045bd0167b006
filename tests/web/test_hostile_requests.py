"""Every route of the console, fed hostile values, answers below 500 with a normal page.

The walk takes the routes from ``app.url_map``, so a new route is walked too: each path
argument, query string and form field gets huge and negative numbers, non-numbers,
CR/LF and a megabyte of text, signed out, as the owner and as the reviewer.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from .conftest import Console, add_contact, text

HUGE = "9" * 25
HOSTILE = [HUGE, str(2**63), str(2**64), "-1", "0", "abc", "１２", "a\r\nSet-Cookie: x=1",
           "%0d%0a", "x" * 1_000_000, "", " ", "\x00", "../../etc/passwd", "<script>"]
FORM_FIELDS = ("username", "password", "name", "email", "title", "mobile", "filing_id", "type",
               "domain", "website", "trigger", "expected_version", "reason", "icp_number",
               "items", "deadline_days", "channels", "contacts")
QUERY_KEYS = ("next", "type", "page")
VALID = {"category": "icp_filing", "contact_id": "1", "message_id": "1", "account_id": "acme",
         "filing_id": "F1", "delivery_id": "1", "key": "nothing", "token": "nothing",
         "filename": "style.css", "webhook_id": "1", "code": "zh"}


@pytest.fixture
def walked(app: Flask, owner: Console, system: Any, mail_sink: Any) -> Flask:
    """Some data for the hostile values to meet: a contact, a filing, a message."""
    assert add_contact(owner).status_code == 302
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme", actor="acme")
    system.filings.fire("acme", "F1", "submit", actor="acme")
    system.run_due()
    return app


def rules(app: Flask) -> list[Any]:
    """Every route but static files; signing out last, so the rest is walked signed in."""
    found = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    return sorted(found, key=lambda r: r.endpoint == "auth.signout")


def url_for_rule(rule: Any, **values: str) -> str:
    """The rule's path with each argument as given (or valid), whatever its converter."""
    out = rule.rule
    for arg in rule.arguments:
        raw = quote(values.get(arg, VALID[arg]), safe="")
        out = re.sub(rf"<(?:[a-z]+(?:\(.*?\))?:)?{arg}>", raw.replace("\\", r"\\"), out)
    return out


def assert_not_5xx(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    if response.status_code >= 400 and response.mimetype == "text/html":
        assert "<html" in text(response).lower()  # the normal error page, not a bare text


def request_all(console: Console, app: Flask, who: str) -> int:
    count = 0
    for rule in rules(app):
        methods = sorted(rule.methods & {"GET", "POST"})
        cases: list[tuple[dict[str, str], str]] = [({}, "")]
        cases += [({arg: value}, "") for arg in rule.arguments for value in HOSTILE]
        cases += [({}, value) for value in HOSTILE]
        for args, value in cases:
            url = url_for_rule(rule, **args)
            for method in methods:
                what = f"{who} {method} {rule.rule} {args and list(args.items())[0][1][:30]!r} " \
                       f"{value[:30]!r}"
                if method == "GET":
                    query = "&".join(f"{k}={quote(value, safe='')}" for k in QUERY_KEYS)
                    response = console.get(f"{url}?{query}" if value else url)
                else:
                    form = {f: value for f in FORM_FIELDS} if value else {}
                    response = console.post(url, form)
                assert_not_5xx(response, what)
                count += 1
    return count


@pytest.mark.parametrize("who", ["anon", "owner", "reviewer"])
def test_every_route_answers_hostile_values_without_a_5xx(walked, request, who):
    console = request.getfixturevalue(who)
    count = request_all(console, walked, who)
    assert count > 300
    if who != "anon":  # the walk ran signed in until it signed out, last
        assert console.get("/filings/").status_code == 302


LISTED = [
    ("owner", "GET", f"/contacts/{2**63}/edit", None),
    ("owner", "GET", f"/contacts/{HUGE}/edit", None),
    ("owner", "POST", f"/contacts/{HUGE}/edit", {"name": "Li Lei"}),
    ("owner", "GET", f"/messages/{2**63}", None),
    ("owner", "POST", f"/messages/{2**64}/delete", {}),
    ("owner", "POST", "/settings/icp_filing/receivers", {"contacts": HUGE}),
    ("reviewer", "POST", f"/filings/acme/F1/deliveries/{HUGE}/retry", {}),
]


@pytest.mark.parametrize(("who", "method", "url", "form"), LISTED,
                         ids=[f"{m} {u[:40]}" for _, m, u, _ in LISTED])
def test_the_requests_that_answered_500_now_answer_400_or_404(walked, request, who, method,
                                                             url, form):
    console = request.getfixturevalue(who)
    response = console.get(url) if method == "GET" else console.post(url, form)
    assert response.status_code in (302, 400, 404), response.status_code


def test_signin_with_a_crlf_next_lands_on_the_console(anon):
    response = anon.client.post("/signin?next=/settings/%0d%0aSet-Cookie:%20x=1",
                                data={"username": "acme", "password": "acme-pass",
                                      "csrf_token": anon.token()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_a_huge_deadline_is_shown_next_to_its_field(walked, reviewer, system):
    for trigger in ("start_review", "pass_review", "verify_sms"):
        system.filings.fire("acme", "F1", trigger, actor="reviewer")
    system.filings.fire("acme", "F1", "approve", {"icp_number": "京ICP备1号"}, actor="reviewer")
    system.filings.fire("acme", "F1", "start_inspection", actor="reviewer")
    version = system.filings.get("acme", "F1").version
    response = reviewer.post("/filings/acme/F1/fire", {
        "trigger": "fail_inspection", "expected_version": str(version), "items": "title",
        "deadline_days": "99999999999"})
    assert response.status_code == 400
    assert "deadline_days" in text(response) or "deadline" in text(response).lower()
    assert system.filings.get("acme", "F1").state == "item_review"
