"""Sessions: signed with a generated key, ended everywhere by signing out, cookie flags."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import generate_password_hash

from notify.system import build_system
from tests.web.conftest import FAST_HASH, PASSWORDS, Console
from tests.web.two_processes import two_consoles
from web.app import create_app
from web.server import with_secret_key
from workflow.config import Config, ConfigError
from workflow.models import Account

# Keys an attacker would try: the old built-in default, the test and helper keys, guesses.
KNOWN_KEYS = ["dev-secret-change-me", "test", "live-console", "scenario-runner", "secret",
              "changeme", "", "icpsim"]
FORGED_SESSIONS = [
    {"user": ["reviewer", None, "Reviewer"]},  # the session of the console before
    {"user": ["owner", "acme", "Zhang Wei"]},
    {"user": ["operator", None, "Reviewer"], "auth": [0, "0" * 32]},
    {"user": ["owner", "acme", "Zhang Wei"], "auth": [0, "0" * 32]},
]


def _cookie(secret_key: str, data: dict) -> str:
    """A session cookie as Flask signs it, with ``secret_key``."""
    forger = Flask("forger")
    forger.secret_key = secret_key or "x"  # Flask refuses to sign with an empty key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    return serializer.dumps(data)


@pytest.fixture
def served(tmp_path, system) -> Flask:
    """The console as `icpsim serve` configures it: no ICPSIM_SECRET_KEY in the environment."""
    config, announced = with_secret_key(Config.from_env({}, instance_path=tmp_path / "inst",
                                                        smtp_url=system.config.smtp_url))
    assert announced  # a new key, shown once
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example",
                           password_hash=generate_password_hash("acme-pass", FAST_HASH))
    app = create_app(system=build_system(config, clock=system.clock, db=system.db))
    app.config.update(TESTING=True,
                      ICPSIM_REVIEWER_HASH=generate_password_hash("review-pass", FAST_HASH))
    return app


def test_the_console_refuses_to_start_without_a_secret_key(system):
    unkeyed = build_system(system.config.with_(secret_key=""), clock=system.clock, db=system.db)
    with pytest.raises(ConfigError) as err:
        create_app(system=unkeyed)
    assert err.value.code == "invalid_config"
    assert "ICPSIM_SECRET_KEY" in err.value.message


def test_serve_uses_a_generated_key_and_the_environment_overrides_it(tmp_path):
    first, announced = with_secret_key(Config.from_env({}, instance_path=tmp_path))
    again, silent = with_secret_key(Config.from_env({}, instance_path=tmp_path))
    assert len(first.secret_key) >= 40
    assert first.secret_key in announced[0]
    assert again.secret_key == first.secret_key
    assert silent == []  # printed once, never again
    other, _ = with_secret_key(Config.from_env({}, instance_path=tmp_path / "other"))
    assert other.secret_key != first.secret_key
    env = Config.from_env({"ICPSIM_SECRET_KEY": "from-the-environment"}, instance_path=tmp_path)
    assert with_secret_key(env) == (env, [])


@pytest.mark.parametrize("key", KNOWN_KEYS)
@pytest.mark.parametrize("data", FORGED_SESSIONS)
def test_a_cookie_forged_with_a_known_key_is_refused(served, key, data):
    client = served.test_client()
    client.set_cookie("session", _cookie(key, data))
    for page in ("/filings/", "/settings/", "/mailbox/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/signin")


def test_a_real_session_re_signed_with_a_known_key_is_refused(served):
    console = Console(served.test_client())
    assert console.signin("acme").status_code == 302
    serializer = SecureCookieSessionInterface().get_signing_serializer(served)
    data = serializer.loads(console.client.get_cookie("session").value)
    for key, status in [("dev-secret-change-me", 302), ("test", 302),
                        (served.secret_key, 200)]:  # the instance's own key: the control
        client = served.test_client()
        client.set_cookie("session", _cookie(key, data))
        assert client.get("/settings/").status_code == status


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, owner):
    thief = app.test_client()
    thief.set_cookie("session", owner.client.get_cookie("session").value)
    assert thief.get("/settings/").status_code == 200
    assert owner.post("/signout").status_code == 302
    response = thief.get("/settings/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")
    assert thief.get("/contacts/").status_code == 302


def test_signing_out_ends_every_session_of_that_user_only(app, owner, other):
    second = Console(app.test_client())
    assert second.signin("acme").status_code == 302
    owner.post("/signout")
    assert second.get("/settings/").status_code == 302
    assert other.get("/settings/").status_code == 200
    assert owner.signin("acme").status_code == 302  # signing in again works
    assert owner.get("/settings/").status_code == 200


def test_a_reviewer_cookie_copied_before_sign_out_is_refused_after_it(app, reviewer):
    thief = app.test_client()
    thief.set_cookie("session", reviewer.client.get_cookie("session").value)
    assert thief.get("/filings/").status_code == 200
    reviewer.post("/signout")
    assert thief.get("/filings/").status_code == 302


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(owner, system):
    assert owner.get("/settings/").status_code == 200
    with system.db.transaction() as s:
        account = s.get(Account, "acme")
        account.password_hash = generate_password_hash("new-pass", FAST_HASH)
        s.add(account)
    assert owner.get("/settings/").status_code == 302
    assert owner.signin("acme", "new-pass").status_code == 302
    assert owner.get("/settings/").status_code == 200


def test_a_new_reviewer_password_ends_the_reviewer_sessions(app, reviewer):
    assert reviewer.get("/filings/").status_code == 200
    app.config["ICPSIM_REVIEWER_HASH"] = generate_password_hash("new-review", FAST_HASH)
    assert reviewer.get("/filings/").status_code == 302


def test_session_cookies_are_httponly_and_samesite_lax_but_not_secure_on_http(anon):
    cookie = anon.signin("acme").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookies_are_secure_when_the_base_url_is_https(system):
    https = build_system(system.config.with_(base_url="https://console.example"),
                         clock=system.clock, db=system.db)
    system.accounts.create("acme", owner_name="Zhang Wei", owner_email="owner@acme.example",
                           password_hash=generate_password_hash(PASSWORDS["acme"], FAST_HASH))
    app = create_app(system=https)
    app.config["TESTING"] = True
    cookie = Console(app.test_client()).signin("acme").headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


@pytest.fixture
def two_processes(tmp_path, system) -> Iterator[tuple[Flask, Flask]]:
    with two_consoles(tmp_path, system) as apps:
        yield apps


def test_signing_out_in_one_process_ends_the_session_in_another(two_processes):
    here, there = two_processes
    console = Console(here.test_client())
    assert console.signin("acme").status_code == 302
    elsewhere = there.test_client()
    elsewhere.set_cookie("session", console.client.get_cookie("session").value)
    assert elsewhere.get("/settings/").status_code == 200
    console.post("/signout")
    assert elsewhere.get("/settings/").status_code == 302
