"""Two `icpsim serve` processes on one database: an account's calls are limited across
both (``Throttling.User``, read by the SDK with the time to wait), and a nonce seen by one
is a replay on the other."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from alibabacloud_mscopensubscription20210713 import models as m
from alibabacloud_tea_openapi.exceptions import ThrottlingException

from .conftest import new_tenant, refusal
from .served import Served
from .signing import send

RATE, BURST = 0.5, 4  # 4 calls at once, then one every 2 s


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory) -> Iterator[tuple[Served, Served]]:
    """Two `icpsim serve` processes on one SQLite database, as behind a load balancer."""
    shared = tmp_path_factory.mktemp("shared")
    env = {"ICPSIM_DATABASE_URL": f"sqlite:///{shared / 'icpsim.db'}",
           "ICPSIM_ACCESS_KEY_ENCRYPTION_KEY": "one-key-for-every-process",
           "ICPSIM_API_RATE_LIMIT": str(RATE), "ICPSIM_API_BURST": str(BURST)}
    first = Served(tmp_path_factory.mktemp("serve-a"), env=env)
    try:
        second = Served(tmp_path_factory.mktemp("serve-b"), env=env)
    except BaseException:
        first.stop()
        raise
    yield first, second
    second.stop()
    first.stop()


def test_the_limit_holds_across_processes_and_a_refused_call_changes_nothing(two_servers):
    first, second = two_servers
    tenant = new_tenant(first)
    on_first, on_second = tenant.subscription, second.subscription(tenant.key)
    neighbour = new_tenant(first)
    started = time.monotonic()
    for client in (on_first, on_second, on_first, on_second):
        client.list_contacts(m.ListContactsRequest())
    err = refusal(lambda: on_second.create_contact(m.CreateContactRequest(
        contact_name="Li Lei", email=f"li@{tenant.id}.example", position="CEO")))
    assert time.monotonic() - started < 1 / RATE, "too slow to test the burst"
    assert (err.code, err.status_code) == ("Throttling.User", 429)
    assert isinstance(err, ThrottlingException)
    assert 0 < err.retry_after <= 1000 / RATE  # milliseconds, from x-acs-retry-after
    assert err.data["Code"] == "Throttling.User"
    assert err.data["RequestId"]
    assert refusal(lambda: on_first.list_contacts(m.ListContactsRequest())).status_code == 429
    # Another account's allowance is its own.
    assert neighbour.subscription.list_contacts(m.ListContactsRequest()).body.total_count == 1
    time.sleep(err.retry_after / 1000 + 0.2)  # the wait the refusal named
    listed = on_first.list_contacts(m.ListContactsRequest())
    assert listed.body.total_count == 1  # the refused CreateContact created nothing
    assert first.mails(to=f"li@{tenant.id}.example") == []


def test_a_nonce_used_on_one_process_is_a_replay_on_the_other(two_servers):
    first, second = two_servers
    tenant = new_tenant(first)
    nonce = f"once-{tenant.id}"
    status, _ = send(first.base, tenant.key, "ListContacts", method="GET", nonce=nonce)
    assert status == 200
    status, body = send(second.base, tenant.key, "ListContacts", method="GET", nonce=nonce)
    assert (status, body["Code"]) == (400, "SignatureNonceUsed")
