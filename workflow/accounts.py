"""Accounts (tenants) and their owner, the ICP filing owner."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from .clock import Clock
from .db import Database
from .errors import IcpsimError, UnknownAccount
from .limits import EMAIL, NAME, bounded_text, excerpt
from .models import Account, ConsolePreference

LANGUAGES = ("en", "zh")
_ACCOUNT_ID = re.compile(r"[a-z0-9-]{1,64}")


class InvalidLanguage(IcpsimError):
    code = "invalid_language"


class InvalidAccount(IcpsimError):
    code = "invalid_account"


def get_account(session: Session, account_id: str) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise UnknownAccount(f"account {account_id!r} does not exist")
    return account


class AccountService:
    def __init__(self, db: Database, clock: Clock):
        self.db = db
        self.clock = clock

    def create(
        self,
        account_id: str,
        *,
        owner_name: str,
        owner_email: str,
        language: str = "en",
        password_hash: str | None = None,
    ) -> Account:
        """Create an account; the owner's address is validated by the caller's rules."""
        if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
            raise InvalidAccount(
                f"account id {excerpt(account_id)} must be 1-64 of a-z, 0-9 and -", field="id"
            )
        owner_name = bounded_text(owner_name, NAME, error=InvalidAccount, field="owner_name",
                                  what="the owner's name")
        owner_email = bounded_text(owner_email, EMAIL, error=InvalidAccount,
                                   field="owner_email", what="the owner's email")
        if not owner_name or "@" not in owner_email:
            raise InvalidAccount("the owner needs a name and an email address",
                                 field="owner_name" if not owner_name else "owner_email")
        _check_language(language)
        with self.db.transaction() as s:
            if s.get(Account, account_id) is not None:
                raise InvalidAccount(f"account {account_id!r} already exists", field="id")
            account = Account(
                id=account_id,
                owner_name=owner_name,
                owner_email=owner_email,
                language=language,
                password_hash=password_hash,
                created_at=self.clock.now(),
            )
            s.add(account)
        return account

    def get(self, account_id: str) -> Account:
        with self.db.transaction() as s:
            return get_account(s, account_id)

    def list(self) -> list[Account]:
        with self.db.transaction() as s:
            return list(s.exec(select(Account).order_by(Account.id)).all())

    def set_language(self, account_id: str, language: str) -> Account:
        _check_language(language)
        with self.db.transaction() as s:
            account = get_account(s, account_id)
            account.language = language
            s.add(account)
        return account


    def console_language(self, username: str) -> str | None:
        """The console language ``username`` chose last (None: never chose one)."""
        with self.db.transaction() as s:
            chosen = s.get(ConsolePreference, username)
            return chosen.language if chosen is not None else None

    def set_console_language(self, username: str, language: str) -> None:
        """Keeps the console language of a user (an account id or ``reviewer``)."""
        _check_language(language)
        with self.db.transaction() as s:
            s.merge(ConsolePreference(username=username, language=language))


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidLanguage(
            f"language {excerpt(language)} is not supported: choose one of "
            f"{', '.join(LANGUAGES)}",
            field="language",
        )
