"""``Database.atomic``: several service calls in one transaction, committed together or
not at all, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from notify.channel_errors import InvalidLimit
from notify.rulestore import RulesService
from notify.settings import SettingsService
from workflow.accounts import AccountService
from workflow.db import NestedTransaction


@pytest.fixture
def services(shared_db, clock):
    AccountService(shared_db, clock).create("acme", owner_name="Ann",
                                            owner_email="ann@acme.example")
    return SettingsService(shared_db, clock), RulesService(shared_db, clock)


def test_calls_inside_commit_together(shared_db, services):
    settings, rules = services
    with shared_db.atomic():
        settings.set_channels("acme", "icp_filing", ["internal"], actor="acme")
        rules.set_limit("acme", "icp_filing", "internal", 3, actor="acme")
    assert settings.channels("acme", "icp_filing")["email"] == "off"
    assert rules.limits("acme", "icp_filing") == {"internal": 3}


def test_a_refusal_inside_takes_back_what_the_earlier_calls_did(shared_db, services):
    settings, rules = services

    def three_calls() -> None:
        with shared_db.atomic():
            settings.set_channels("acme", "icp_filing", ["internal"], actor="acme")
            rules.set_limit("acme", "icp_filing", "email", 3, actor="acme")  # off: fine
            rules.set_limit("acme", "account_security", "email", 3, actor="acme")  # required

    with pytest.raises(InvalidLimit):
        three_calls()
    assert settings.channels("acme", "icp_filing")["email"] == "on"
    assert rules.limits("acme", "icp_filing") == {}


def test_a_refusal_caught_inside_takes_back_only_its_own_call(shared_db, services):
    settings, rules = services
    with shared_db.atomic():
        rules.set_limit("acme", "icp_filing", "email", 3, actor="acme")
        with pytest.raises(InvalidLimit):
            rules.set_limit("acme", "account_security", "email", 3, actor="acme")
    assert rules.limits("acme", "icp_filing") == {"email": 3}


def test_a_raw_or_second_atomic_transaction_inside_is_refused_at_once(shared_db, services):
    with shared_db.atomic():
        with pytest.raises(NestedTransaction, match="unit of work"), \
                shared_db.raw_transaction():
            pass
        with pytest.raises(NestedTransaction), shared_db.atomic():
            pass
    with shared_db.raw_transaction():  # and both work again after it
        pass
    with shared_db.atomic():
        pass
