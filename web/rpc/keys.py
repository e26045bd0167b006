"""Access keys of accounts: made once, secrets encrypted at rest, looked up per request.

ACS3 signatures are HMACs keyed with the secret itself, so the server needs the secret
back: it is stored encrypted (Fernet) under a key kept in a 0600 instance file
(``access_key_encryption_key``, or ``ICPSIM_ACCESS_KEY_ENCRYPTION_KEY``). A copy of the
database alone gives no usable secret; a hash would make verification impossible.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import bindparam
from sqlmodel import col, select

from web.secret_files import instance_secret
from workflow.accounts import get_account
from workflow.api_models import AccessKey
from workflow.clock import Clock
from workflow.db import Database
from workflow.errors import NotFound
from workflow.fastsql import Prepared, RawTransaction

ALPHABET = string.ascii_letters + string.digits
KEY_FILE = "access_key_encryption_key"
KEY_ENV = "ICPSIM_ACCESS_KEY_ENCRYPTION_KEY"


class UnknownAccessKey(NotFound):
    code = "unknown_access_key"


@dataclass(frozen=True)
class NewKey:
    """A key as made: the only time its secret is shown."""

    id: str
    secret: str
    account_id: str


@dataclass(frozen=True)
class KeyInfo:
    id: str
    account_id: str
    secret: str


class AccessKeyStore:
    def __init__(self, db: Database, clock: Clock, encryption_key: Callable[[], str]):
        self.db = db
        self.clock = clock
        self._encryption_key = encryption_key  # read on first use, not when the app is made
        self._opened: dict[str, str] = {}

    @classmethod
    def for_instance(cls, db: Database, clock: Clock, instance_path: Path | str
                     ) -> AccessKeyStore:
        return cls(db, clock,
                   lambda: instance_secret(instance_path, KEY_FILE, env_var=KEY_ENV).value)

    @cached_property
    def _fernet(self) -> Fernet:
        digest = hashlib.sha256(self._encryption_key().encode("utf-8")).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    def create(self, account_id: str) -> NewKey:
        key_id = "LTAI" + "".join(secrets.choice(ALPHABET) for _ in range(20))
        secret = "".join(secrets.choice(ALPHABET) for _ in range(30))
        sealed = self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")
        with self.db.transaction() as s:
            get_account(s, account_id)
            s.add(AccessKey(id=key_id, account_id=account_id, secret_encrypted=sealed,
                            created_at=self.clock.now()))
        return NewKey(key_id, secret, account_id)

    def list(self, account_id: str) -> list[AccessKey]:
        with self.db.transaction() as s:
            get_account(s, account_id)
            query = select(AccessKey).where(AccessKey.account_id == account_id)
            return list(s.exec(query.order_by(col(AccessKey.created_at))).all())

    def delete(self, key_id: str) -> None:
        with self.db.transaction() as s:
            row = s.get(AccessKey, key_id)
            if row is None:
                raise UnknownAccessKey(f"access key {key_id!r} does not exist")
            s.delete(row)

    def lookup(self, key_id: str, tx: RawTransaction | None = None) -> KeyInfo | None:
        """The key and its secret, or None for an unknown (or unreadable) key.

        Read on every request (a deleted key stops working at once), in ``tx`` when
        given; decrypted secrets are remembered by their sealed text.
        """
        if tx is None:
            with self.db.raw_transaction() as own:
                return self.lookup(key_id, own)
        row = tx.fetch_one(_BY_ID, {"kid": key_id})
        if row is None:
            return None
        sealed = row["secret_encrypted"]
        secret = self._opened.get(sealed)
        if secret is None:
            try:
                secret = self._fernet.decrypt(sealed.encode("ascii")).decode()
            except InvalidToken:  # sealed under another encryption key: as good as unknown
                return None
            self._opened[sealed] = secret
        return KeyInfo(key_id, row["account_id"], secret)


_TABLE = AccessKey.__table__  # type: ignore[attr-defined]
_BY_ID = Prepared(select(_TABLE.c.account_id, _TABLE.c.secret_encrypted)
                  .where(_TABLE.c.id == bindparam("kid")))


__all__ = ["AccessKeyStore", "KeyInfo", "NewKey", "UnknownAccessKey"]
