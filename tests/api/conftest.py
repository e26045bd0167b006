"""One real `icpsim serve` per test module; each test gets its own account and key."""

from __future__ import annotations

import itertools
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from .served import Key, Served

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    server = Served(tmp_path_factory.mktemp("serve"))
    yield server
    server.stop()


@dataclass
class Tenant:
    """An account of the served instance with an access key and the three SDK clients."""

    id: str
    key: Key
    served: Served
    subscription: Any
    notifications: Any
    common_query: Any

    def verify(self, email: str) -> str:
        """Open the newest verification link sent to ``email``; the page's text."""
        mails = self.served.mails(to=email, kind="verification")
        assert mails, f"no verification email to {email}"
        link = mails[-1]["links"][0]
        with urllib.request.urlopen(link, timeout=30) as page:
            return page.read().decode()


def new_tenant(served: Served, prefix: str = "t") -> Tenant:
    account = f"{prefix}{next(_numbers)}-{id(served) % 10000}"
    key = served.account(account)
    return Tenant(account, key, served, served.subscription(key), served.notifications(key),
                  served.common_query(key))


@pytest.fixture
def tenant(served) -> Tenant:
    return new_tenant(served)


def refusal(call: Any) -> Any:
    """The SDK's exception for a refused call (its ``code``, ``status_code``, ``data``)."""
    from Tea.exceptions import TeaException

    try:
        call()
    except TeaException as exc:
        return exc
    raise AssertionError("the call was not refused")
