"""Nonces and ClientTokens live in the database: every process serving one instance agrees,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from web.rpc.errors import ApiError
from web.rpc.idempotency import Answer, IdempotencyBook, params_hash
from web.rpc.replay import NonceBook
from workflow.accounts import AccountService


def test_a_nonce_is_refused_within_15_minutes_and_free_again_after(shared_db, clock):
    book = NonceBook(shared_db, clock)
    book.claim("n-1", "LTAIkey")
    with pytest.raises(ApiError) as refused:
        NonceBook(shared_db, clock).claim("n-1", "LTAIother")  # another process, same db
    assert refused.value.code == "SignatureNonceUsed"
    clock.advance(timedelta(minutes=16))
    book.claim("n-1", "LTAIkey")
    with pytest.raises(ApiError):
        book.claim("n-1", "LTAIkey")


def test_of_many_threads_sending_one_nonce_exactly_one_gets_through(shared_db, clock):
    results: list[str] = []

    def claim() -> None:
        try:
            NonceBook(shared_db, clock).claim("race", "LTAIkey")
            results.append("ok")
        except ApiError as exc:
            results.append(exc.code)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["SignatureNonceUsed"] * 7 + ["ok"]


def test_a_client_token_answers_once_refuses_other_parameters_and_expires(shared_db, clock):
    AccountService(shared_db, clock).create("acme", owner_name="Zhang Wei",
                                            owner_email="zw@acme.example")
    book = IdempotencyBook(shared_db, clock)
    digest = params_hash({"Email": "a@acme.example", "ClientToken": "t"})
    assert book.begin("acme", "CreateContact", "t", digest) is None
    with pytest.raises(ApiError) as busy:  # a second process while the first still runs
        IdempotencyBook(shared_db, clock).begin("acme", "CreateContact", "t", digest)
    assert (busy.value.code, busy.value.status) == ("IdempotentRequestInProgress", 409)
    book.finish("acme", "CreateContact", "t", Answer(200, {"ContactId": 7}))
    again = book.begin("acme", "CreateContact", "t", digest)
    assert again == Answer(200, {"ContactId": 7})
    other = params_hash({"Email": "b@acme.example"})
    with pytest.raises(ApiError) as mismatch:
        book.begin("acme", "CreateContact", "t", other)
    assert mismatch.value.code == "IdempotentParameterMismatch"
    clock.advance(timedelta(hours=24, seconds=1))
    assert book.begin("acme", "CreateContact", "t", other) is None  # a day later: new call


def test_an_abandoned_token_can_be_used_again(shared_db, clock):
    AccountService(shared_db, clock).create("acme", owner_name="Zhang Wei",
                                            owner_email="zw@acme.example")
    book = IdempotencyBook(shared_db, clock)
    assert book.begin("acme", "UpdateContact", "t", "h1") is None
    book.abandon("acme", "UpdateContact", "t")
    assert book.begin("acme", "UpdateContact", "t", "h2") is None
