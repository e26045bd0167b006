"""The control API of a served instance: token, validation, filings, clock, scenarios."""

from __future__ import annotations

import itertools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_ids = itertools.count(1)


def _account(served, prefix="ctl"):
    account = f"{prefix}{next(_ids)}"
    status, body = served.control("POST", "/_icpsim/v1/accounts", {
        "id": account, "owner": {"name": "Zhang Wei", "email": f"zw@{account}.example"},
        "language": "zh"})
    assert status == 201, body
    return account


def test_health_needs_no_token_and_everything_else_needs_the_admin_token(served):
    assert served.control("GET", "/_icpsim/v1/health", token="") == (200, {"status": "ok"})
    for token in ("", "wrong-token"):
        status, body = served.control("GET", "/_icpsim/v1/clock", token=token)
        assert (status, body["code"]) == (401, "unauthorized")
        status, body = served.control("POST", "/_icpsim/v1/accounts", {
            "id": "sneaky", "owner": {"name": "X Y", "email": "x@y.example"}}, token=token)
        assert status == 401
    status, _ = served.control("POST", "/_icpsim/v1/accounts/sneaky/access-keys")
    assert status == 404  # the 401s above created nothing


def test_accounts_are_created_once_with_their_owner_and_language(served):
    account = _account(served)
    status, body = served.control("POST", "/_icpsim/v1/accounts", {
        "id": account, "owner": {"name": "Zhang Wei", "email": "zw@x.example"}})
    assert (status, body["code"]) == (400, "invalid_account")
    status, body = served.control("POST", "/_icpsim/v1/accounts", {
        "id": "bad-email", "owner": {"name": "Zhang Wei", "email": "not an email"}})
    assert (status, body["code"]) == (400, "invalid_email")
    status, body = served.control("POST", "/_icpsim/v1/accounts", {"id": "x"})
    assert (status, body["code"]) == (400, "invalid_data")
    assert "owner" in body["message"]


def test_malformed_json_and_unknown_routes_get_json_errors(served):
    status, body = served.control("POST", "/_icpsim/v1/accounts", raw=b"{not json")
    assert status == 400
    assert body["code"] == "invalid_data"
    status, body = served.control("GET", "/_icpsim/v1/nothing-here")
    assert (status, body["code"]) == (404, "not_found")
    status, body = served.control("DELETE", "/_icpsim/v1/clock")
    assert (status, body["code"]) == (405, "method_not_allowed")


def test_a_filing_is_created_fired_and_read_back_with_its_history(served):
    account = _account(served)
    status, filing = served.control("POST", f"/_icpsim/v1/accounts/{account}/filings", {
        "id": "F-9", "type": "first_filing", "domain": "shop.example", "website": "Shop"})
    assert status == 201, filing
    assert (filing["state"], filing["account"]) == ("draft", account)
    assert "submit" in filing["allowed_triggers"]
    status, filing = served.control("POST", f"/_icpsim/v1/filings/F-9/fire?account={account}",
                                    {"trigger": "submit", "actor": "qa"})
    assert (status, filing["state"]) == (200, "submitted")
    assert filing["history"][-1]["actor"] == "qa"
    status, body = served.control("POST", f"/_icpsim/v1/filings/F-9/fire?account={account}",
                                  {"trigger": "approve", "data": {"icp_number": "X"}})
    assert (status, body["code"]) == (409, "invalid_transition")
    status, body = served.control("POST", f"/_icpsim/v1/filings/F-9/fire?account={account}",
                                  {"trigger": "no_such_trigger"})
    assert (status, body["code"]) == (409, "invalid_transition")
    status, body = served.control("GET", "/_icpsim/v1/filings/F-404")
    assert (status, body["code"]) == (404, "unknown_filing")
    status, filing = served.control("GET", f"/_icpsim/v1/filings/F-9?account={account}")
    assert [h["trigger"] for h in filing["history"]] == ["submit"]
    status, body = served.control("POST", f"/_icpsim/v1/accounts/{account}/filings", {
        "id": "F-10", "type": "no_such_type", "domain": "shop.example", "website": "Shop"})
    assert (status, body["code"]) == (400, "invalid_data")


def test_the_system_clock_cannot_be_advanced(served):
    status, clock = served.control("GET", "/_icpsim/v1/clock")
    assert (status, clock["simulated"]) == (200, False)
    status, body = served.control("POST", "/_icpsim/v1/clock/advance", {"by": "1d"})
    assert (status, body["code"]) == (409, "clock_not_simulated")


def test_a_posted_scenario_runs_in_its_own_world_and_returns_the_json_report(served):
    text = (ROOT / "scenarios/library/03_sms_verification_timeout.yaml").read_bytes()
    status, report = served.control("POST", "/_icpsim/v1/scenarios/run", raw=text,
                                    content_type="application/yaml")
    assert status == 200, report
    assert report["summary"]["passed"] == 1
    assert report["scenarios"][0]["verdict"] == "passed"
    status, body = served.control("POST", "/_icpsim/v1/scenarios/run",
                                  raw=b"name: broken\nsteps: 3\n",
                                  content_type="application/yaml")
    assert (status, body["code"]) == (422, "invalid_scenario")
    assert body["problems"][0]["line"] >= 1
    status, body = served.control("GET", "/_icpsim/v1/filings/F-1?account=acme")
    assert status == 404  # the scenario's accounts and filings stayed in its world


def test_the_openapi_document_is_31_and_describes_every_route(served):
    status, doc = served.control("GET", "/_icpsim/openapi.json", token="")
    assert status == 200
    assert doc["openapi"].startswith("3.1")
    paths = set(doc["paths"])
    assert {"/_icpsim/v1/health", "/_icpsim/v1/accounts", "/_icpsim/v1/clock/advance",
            "/_icpsim/v1/accounts/{id}/access-keys", "/_icpsim/v1/filings/{filing}/fire",
            "/_icpsim/v1/mailbox", "/_icpsim/v1/sms", "/_icpsim/v1/webhook-calls",
            "/_icpsim/v1/scenarios/run", "/_icpsim/v1/filings/{filing}",
            "/_icpsim/v1/accounts/{id}/filings", "/_icpsim/v1/clock"} <= paths
    body = doc["paths"]["/_icpsim/v1/accounts"]["post"]["requestBody"]
    assert "application/json" in body["content"]
