"""Sign-in limits: 5 failures in 15 minutes lock an account id for 15 minutes, in every
process; an unknown id is refused as slowly as a wrong password."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from tests.web.conftest import Console, text
from tests.web.two_processes import two_consoles

LOCKED = 'data-code="too_many_attempts"'


def _fail(console: Console, username: str, times: int) -> None:
    for _ in range(times):
        response = console.signin(username, "wrong")
        assert response.status_code == 400
        assert "incorrect" in text(response)


def test_the_sixth_attempt_within_15_minutes_is_refused_even_with_the_right_password(
        anon, clock):
    for _ in range(5):
        _fail(anon, "acme", 1)
        clock.advance(timedelta(minutes=2))
    response = anon.signin("acme")
    assert response.status_code == 429
    assert LOCKED in text(response)
    assert "Try again in" in text(response)
    assert anon.get("/settings/").status_code == 302  # not signed in


def test_the_lock_ends_after_15_minutes(anon, clock):
    _fail(anon, "acme", 5)
    clock.advance(timedelta(minutes=14))
    assert anon.signin("acme").status_code == 429
    clock.advance(timedelta(minutes=1, seconds=1))
    assert anon.signin("acme").status_code == 302
    assert anon.get("/settings/").status_code == 200


def test_failures_more_than_15_minutes_apart_do_not_add_up(anon, clock):
    _fail(anon, "acme", 4)
    clock.advance(timedelta(minutes=15, seconds=1))
    _fail(anon, "acme", 4)
    assert anon.signin("acme").status_code == 302


def test_a_successful_sign_in_forgives_the_earlier_failures(app, anon):
    _fail(anon, "acme", 4)
    assert anon.signin("acme").status_code == 302
    _fail(Console(app.test_client()), "acme", 4)
    assert Console(app.test_client()).signin("acme").status_code == 302


def test_the_lock_holds_whatever_the_source_address_and_only_for_that_id(app, anon, clock):
    def client_from(address: str) -> Console:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return Console(client)

    for n in range(5):
        _fail(client_from(f"203.0.113.{n}"), "acme", 1)
    elsewhere = client_from("198.51.100.7")
    assert elsewhere.signin("acme").status_code == 429
    assert elsewhere.signin("other").status_code == 302  # another account signs in


def test_an_unknown_account_id_is_locked_like_a_known_one(anon):
    for _ in range(5):
        assert anon.signin("nobody", "x").status_code == 400
    assert anon.signin("nobody", "x").status_code == 429


def test_the_reviewer_is_locked_too(anon):
    _fail(anon, "reviewer", 5)
    assert anon.signin("reviewer").status_code == 429


def test_an_overlong_account_id_is_refused_next_to_the_field(anon):
    response = anon.signin("a" * 65, "x")
    assert response.status_code == 400
    assert "at most 64 characters" in text(response)


@pytest.fixture
def two_processes(tmp_path, system) -> Iterator[tuple[Flask, Flask]]:
    with two_consoles(tmp_path, system) as apps:
        yield apps


def test_a_lock_made_in_one_process_holds_in_another(two_processes):
    here, there = two_processes
    console = Console(here.test_client())
    _fail(console, "acme", 3)
    _fail(Console(there.test_client()), "acme", 2)  # failures add up across processes
    assert console.signin("acme").status_code == 429  # the 6th
    response = Console(there.test_client()).signin("acme")  # the 7th, elsewhere
    assert response.status_code == 429
    assert LOCKED in text(response)


def test_an_unknown_account_takes_as_long_to_refuse_as_a_wrong_password(system, anon):
    """Median of 10 each, taken in turns; the hashes use the real (slow) default method."""
    slow_hash = generate_password_hash("right-password")  # werkzeug's default, as in serve
    for n in range(10):  # ten accounts: ten failures on one would lock it
        system.accounts.create(f"timed-{n}", owner_name="Zhang Wei",
                               owner_email=f"owner{n}@timed.example", password_hash=slow_hash)
    anon.signin("warm-up", "x")
    known, unknown = [], []
    for n in range(10):
        for username, times in ((f"timed-{n}", known), (f"missing-{n}", unknown)):
            data = {"username": username, "password": "wrong", "csrf_token": anon.token()}
            started = time.perf_counter()
            response = anon.client.post("/signin", data=data)
            times.append(time.perf_counter() - started)
            assert response.status_code == 400
    a, b = statistics.median(known), statistics.median(unknown)
    assert abs(a - b) / max(a, b) < 0.20, (a, b)
