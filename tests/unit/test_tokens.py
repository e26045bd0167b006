"""Verification tokens: random, stored as a hash, expiring, single-use."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from notify.tokens import LinkState, expiry, hash_token, link_state, new_token

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=72)


def test_a_token_carries_at_least_128_random_bits_and_is_url_safe():
    token = new_token()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128
    assert token.replace("-", "").replace("_", "").isalnum()


def test_tokens_never_repeat():
    assert len({new_token() for _ in range(1000)}) == 1000


def test_only_the_sha256_of_a_token_is_stored():
    token = new_token()
    digest = hash_token(token)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in digest
    assert len(digest) == 64


def test_a_link_expires_a_lifetime_after_it_was_created():
    assert expiry(NOW, timedelta(hours=72)) == LATER


def test_a_fresh_link_is_valid_until_just_before_it_expires():
    assert link_state(NOW, expires_at=LATER) is LinkState.VALID
    assert link_state(LATER - timedelta(microseconds=1), expires_at=LATER) is LinkState.VALID


def test_a_link_is_expired_from_its_expiry_time_on():
    assert link_state(LATER, expires_at=LATER) is LinkState.EXPIRED


@pytest.mark.parametrize("when", [NOW, LATER + timedelta(days=1)])
def test_a_used_link_stays_used_even_after_it_would_have_expired(when):
    assert link_state(when, expires_at=LATER, used_at=NOW) is LinkState.USED


def test_a_revoked_link_is_superseded():
    assert link_state(NOW, expires_at=LATER, revoked_at=NOW) is LinkState.SUPERSEDED
