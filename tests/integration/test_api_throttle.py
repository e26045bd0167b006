"""Each account's API call allowance lives in the database: every process serving one
instance takes from the same bucket, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from web.rpc.errors import ApiError
from web.rpc.throttle import Throttle


class Seconds:
    """The machine's time as the throttle reads it, moved by hand."""

    def __init__(self, at: float = 1_800_000_000.0):
        self.at = at

    def __call__(self) -> float:
        return self.at


def _take(throttle: Throttle, account: str) -> None:
    with throttle.db.raw_transaction() as tx:
        throttle.take(account, tx)


def _refused(throttle: Throttle, account: str) -> ApiError:
    with pytest.raises(ApiError) as refused:
        _take(throttle, account)
    return refused.value


def test_a_burst_then_the_rate_and_a_refused_call_takes_nothing(shared_db):
    now = Seconds()
    one = Throttle(shared_db, rate=2, burst=3, now=now)
    other = Throttle(shared_db, rate=2, burst=3, now=now)  # another process, same database
    _take(one, "acme")
    _take(other, "acme")
    _take(one, "acme")
    err = _refused(other, "acme")
    assert (err.code, err.status) == ("Throttling.User", 429)
    assert err.headers == {"Retry-After": "1", "x-acs-retry-after": "500"}
    assert "2 calls per second (3 at once)" in err.message
    _take(one, "globex")  # another account has its own allowance
    now.at += 0.25  # half a call back: still refused, and the refusals took nothing
    assert _refused(one, "acme").headers["x-acs-retry-after"] == "250"
    assert _refused(one, "acme").headers["x-acs-retry-after"] == "250"
    now.at += 0.25
    _take(other, "acme")
    _refused(one, "acme")
    now.at += 3600  # an hour idle refills to the burst, not beyond
    for _ in range(3):
        _take(one, "acme")
    _refused(one, "acme")


def test_a_clock_stepped_back_refills_nothing(shared_db):
    now = Seconds()
    throttle = Throttle(shared_db, rate=1, burst=1, now=now)
    _take(throttle, "acme")
    now.at -= 30
    _refused(throttle, "acme")
    now.at += 30.5
    _refused(throttle, "acme")  # half a second after the last call, not 30.5 s
    now.at += 0.5
    _take(throttle, "acme")


def test_rate_zero_is_no_limit(shared_db):
    throttle = Throttle(shared_db, rate=0, burst=1)
    for _ in range(5):
        _take(throttle, "acme")


def test_of_many_threads_calling_at_once_exactly_the_burst_gets_through(shared_db):
    now = Seconds()
    results: list[str] = []

    def call() -> None:
        try:
            _take(Throttle(shared_db, rate=0.001, burst=5, now=now), "acme")
            results.append("ok")
        except ApiError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["Throttling.User"] * 7 + ["ok"] * 5
