"""Web fixtures: the console on the assembled system, signed-in clients, CSRF-aware posts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from web.app import create_app

FAST_HASH = "pbkdf2:sha256:1000"  # tests only: the real default is slow on purpose
PASSWORDS = {"acme": "acme-pass", "other": "other-pass", "reviewer": "review-pass"}
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
_LINK = re.compile(r"https?://\S+/verify/[A-Za-z0-9_\-]+")


class Console:
    """A test client that signs in and sends the CSRF token with every form."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, **kw)

    def token(self) -> str:
        page = self.client.get("/signin").get_data(as_text=True)
        match = _CSRF.search(page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token()}, **kw)

    def signin(self, username: str, password: str | None = None) -> Any:
        return self.post("/signin", {"username": username,
                                     "password": password or PASSWORDS[username]})


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def content(response: Any) -> str:
    """The page's main content: no header, so no CSRF token that could spell a short name."""
    return text(response).split('<main class="content">', 1)[-1].split("</main>", 1)[0]


def field_error(response: Any, field: str) -> str:
    """The error shown next to ``field`` (empty when there is none)."""
    found = re.findall(rf'<p class="error" data-field="{field}">([^<]*)'
                       r'(?:<small class="error-code">.*?</small>)?</p>', text(response))
    return " ".join(f.strip() for f in found)


@pytest.fixture
def app(system: Any) -> Flask:
    for account, owner, email in (("acme", "Zhang Wei", "owner@acme.example"),
                                  ("other", "Li Na", "owner@other.example")):
        system.accounts.create(account, owner_name=owner, owner_email=email,
                               password_hash=generate_password_hash(PASSWORDS[account],
                                                                    FAST_HASH))
    flask_app = create_app(system=system)
    flask_app.config.update(
        TESTING=True,
        ICPSIM_REVIEWER_HASH=generate_password_hash(PASSWORDS["reviewer"], FAST_HASH),
    )
    return flask_app


@pytest.fixture
def anon(app: Flask) -> Console:
    return Console(app.test_client())


@pytest.fixture
def owner(app: Flask) -> Console:
    console = Console(app.test_client())
    assert console.signin("acme").status_code == 302
    return console


@pytest.fixture
def other(app: Flask) -> Console:
    console = Console(app.test_client())
    assert console.signin("other").status_code == 302
    return console


@pytest.fixture
def reviewer(app: Flask) -> Console:
    console = Console(app.test_client())
    assert console.signin("reviewer").status_code == 302
    return console


def verification_link(mail_sink: Any, address: str) -> str:
    """The link in the newest verification email to ``address``."""
    mails = mail_sink.to(address)
    assert mails, f"no email to {address}"
    match = _LINK.search(mails[-1].text)
    assert match, mails[-1].text
    return match.group(0)


def add_contact(console: Console, **fields: str) -> Any:
    data = {"name": "Wang Fang", "email": "wang@acme.example", "title": "CEO", "mobile": ""}
    data.update(fields)
    return console.post("/contacts/new", data)


def verified_contact(console: Console, system: Any, mail_sink: Any,
                     email: str = "wang@acme.example", name: str = "Wang Fang") -> int:
    """Add a contact, deliver its email and open the link: its id."""
    assert add_contact(console, name=name, email=email).status_code == 302
    system.run_due()
    link = verification_link(mail_sink, email)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert console.get("/" + path).status_code == 200
    return next(c.id for c in system.contacts.list("acme") if c.email == email)
