"""The sign-in guard on SQLite files and PostgreSQL: limits and session versions hold for
every connection, and parallel guesses cannot slip past the limit."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from workflow.db import Database
from workflow.security_models import SignInFailure, SignInState
from workflow.signin_guard import SignInGuard, TooManyAttempts


def _guess(guard: SignInGuard, username: str) -> bool:
    """One wrong password; False when the guard refused to let it be checked."""
    try:
        guard.attempt(username)
    except TooManyAttempts:
        return False
    guard.failed(username)
    return True


def test_five_failures_lock_the_name_for_everyone_on_the_database(shared_db, clock):
    here = SignInGuard(shared_db, clock)
    there = SignInGuard(Database(str(shared_db.url.render_as_string(hide_password=False))),
                       clock)
    assert [_guess(here, "acme") for _ in range(3)] == [True] * 3
    assert [_guess(there, "acme") for _ in range(2)] == [True] * 2
    for guard in (here, there):
        with pytest.raises(TooManyAttempts) as err:
            guard.attempt("acme")
        assert err.value.code == "too_many_attempts"
    here.attempt("other")  # other names are not affected
    clock.advance(timedelta(minutes=15, seconds=1))
    there.attempt("acme")
    there.passed("acme")
    there.db.dispose()


def test_parallel_guesses_cannot_pass_the_limit(shared_db, clock):
    guard = SignInGuard(shared_db, clock)
    results: list[bool] = []
    start = threading.Barrier(12)

    def guess() -> None:
        start.wait()
        results.append(_guess(guard, "acme"))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 5
    with pytest.raises(TooManyAttempts):
        guard.attempt("acme")


def test_ending_sessions_raises_the_version_seen_by_every_connection(shared_db, clock):
    guard = SignInGuard(shared_db, clock)
    assert guard.session_version("acme") == 0
    assert guard.end_sessions("acme") == 1
    other = SignInGuard(Database(str(shared_db.url.render_as_string(hide_password=False))),
                        clock)
    assert other.session_version("acme") == 1
    assert other.end_sessions("acme") == 2
    assert guard.session_version("acme") == 2
    assert guard.session_version("reviewer") == 0
    other.db.dispose()


def test_names_tried_once_are_forgotten_once_out_of_the_window(shared_db, clock):
    guard = SignInGuard(shared_db, clock)
    for n in range(30):  # a spray of made-up ids
        _guess(guard, f"made-up-{n}")
    guard.end_sessions("acme")  # a signed-out user's version must be kept
    _guess(guard, "locked")
    for _ in range(4):
        _guess(guard, "locked")
    clock.advance(timedelta(minutes=15, seconds=1))
    guard.attempt("someone")
    with shared_db.transaction() as s:
        names = {row.username for row in s.exec(select(SignInState)).all()}
        failures = {row.username for row in s.exec(select(SignInFailure)).all()}
    assert names == {"acme", "someone"}  # the expired lock went too
    assert failures == {"someone"}  # the attempt in progress
    assert guard.session_version("acme") == 1


def test_concurrent_sign_ins_of_many_names_never_fail_or_deadlock(shared_db, clock):
    """Sign-ins that pass leave idle rows that other sign-ins forget at the same time."""
    guard = SignInGuard(shared_db, clock)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def sign_ins(worker: int) -> None:
        start.wait()
        for n in range(20):
            name = f"user-{(worker + n) % 4}"
            try:
                guard.attempt(name)
                if n % 3:
                    guard.passed(name)
                else:
                    guard.failed(name)
            except TooManyAttempts:
                pass
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)

    threads = [threading.Thread(target=sign_ins, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
