"""Filings: creation with validation, look-ups, history, and firing triggers in one transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .accounts import get_account
from .clock import Clock
from .config import Config
from .db import Database
from .deadlines import schedule_created
from .errors import IcpsimError, InvalidData, UnknownFiling
from .lifecycle import FilingType, State, manual_triggers
from .limits import DOMAIN, WEBSITE, bounded_text, excerpt
from .models import Filing, TransitionLog
from .transition import apply_trigger, load_row

_FILING_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")


class DuplicateFiling(IcpsimError):
    code = "duplicate_filing"


class FilingService:
    """Filings of one database, on one clock and configuration."""

    def __init__(self, db: Database, clock: Clock, config: Config):
        self.db = db
        self.clock = clock
        self.config = config

    def create(
        self, account_id: str, filing_id: str, *, type: str, domain: str, website: str, actor: str
    ) -> Filing:
        """A new filing in ``draft``, with its expiry and reminder timers."""
        domain, website = check_new_filing(filing_id, type=type, domain=domain, website=website)
        now = self.clock.now()
        with self.db.transaction() as s:
            get_account(s, account_id)
            duplicate = DuplicateFiling(f"filing {filing_id!r} already exists in {account_id!r}",
                                        field="filing_id")
            if _find(s, account_id, filing_id) is not None:
                raise duplicate
            filing = Filing(account_id=account_id, filing_id=filing_id, type=type, domain=domain,
                            website=website, state=State.draft.value, created_at=now,
                            updated_at=now, created_by=actor)
            s.add(filing)
            try:
                s.flush()
            except IntegrityError as exc:  # a concurrent create won the unique constraint
                raise duplicate from exc
            schedule_created(s.connection(), filing.pk, filing.created_at, config=self.config)
        return filing

    def get(self, account_id: str, filing_id: str) -> Filing:
        with self.db.transaction() as s:
            return _load(s, account_id, filing_id)

    def find(self, filing_id: str) -> Filing:
        """A filing of any account (reviewer, scenario runner); the oldest if ids repeat."""
        with self.db.transaction() as s:
            found = s.exec(select(Filing).where(Filing.filing_id == filing_id)
                           .order_by(Filing.pk)).first()  # type: ignore[arg-type]
            if found is None:
                raise UnknownFiling(f"filing {filing_id!r} does not exist")
            return found

    def history(self, account_id: str, filing_id: str) -> list[TransitionLog]:
        with self.db.transaction() as s:
            filing = _load(s, account_id, filing_id)
            query = (select(TransitionLog).where(TransitionLog.filing_pk == filing.pk)
                     .order_by(TransitionLog.id))  # type: ignore[arg-type]
            return list(s.exec(query).all())

    def allowed_triggers(self, filing: Filing) -> list[str]:
        return manual_triggers(filing.state, once_used=filing.deadline_extended)

    def fire(
        self,
        account_id: str,
        filing_id: str,
        trigger: str,
        data: Mapping[str, Any] | None = None,
        *,
        actor: str,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> Filing:
        """Apply ``trigger`` in one transaction; a refusal raises and writes nothing.

        Returns the filing as it now is, a value to read: load it with ``get`` to change
        it in a session."""
        at = self.clock.now() if now is None else now
        with self.db.raw_transaction() as tx:
            row = load_row(tx, account_id=account_id, filing_id=filing_id)
            moved = apply_trigger(tx, row, trigger, data, actor=actor, now=at,
                                  config=self.config, expected_version=expected_version)
        return _as_filing(moved)

    # last: the name shadows the builtin for annotations below it in the class
    def list(self, account_id: str | None = None) -> list[Filing]:
        with self.db.transaction() as s:
            query = select(Filing).order_by(Filing.account_id, Filing.pk)  # type: ignore[arg-type]
            if account_id is not None:
                query = query.where(Filing.account_id == account_id)
            return list(s.exec(query).all())


def check_new_filing(filing_id: str, *, type: str, domain: str, website: str) -> tuple[str, str]:
    """Validate a new filing's fields; the normalized domain and website, or InvalidData."""
    if not isinstance(filing_id, str) or not _FILING_ID.fullmatch(filing_id):
        raise InvalidData(f"filing id {excerpt(filing_id)} must be 1-64 of A-Z, a-z, 0-9, _ "
                          "and -", field="filing_id")
    if type not in set(FilingType):
        raise InvalidData(f"filing type {excerpt(type)} is not one of "
                          f"{', '.join(FilingType)}", field="type")
    domain = normalize_domain(domain)
    website = bounded_text(website, WEBSITE, field="website", what="the website name")
    if not website:
        raise InvalidData("the website name must not be empty", field="website")
    return domain, website


def normalize_domain(domain: str) -> str:
    """A plausible domain name (IDN allowed), lower-cased; InvalidData otherwise."""
    text = domain.strip().lower().rstrip(".") if isinstance(domain, str) else ""
    if len(text) > DOMAIN.maximum:
        text = ""
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_name = ""
    labels = ascii_name.split(".")
    if (not ascii_name or len(ascii_name) > DOMAIN.maximum or len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels)
            or not _TLD.fullmatch(labels[-1])):
        raise InvalidData(f"{excerpt(domain)} is not a domain name such as example.cn",
                          field="domain")
    return text


def _as_filing(row: dict[str, Any]) -> Filing:
    """The filing ``row`` as a Filing value, for reading (not attached to any session).

    ``model_construct`` is pydantic's way to build a model from trusted data: a
    twentieth of the time ``Filing(**row)`` takes with its per-field ORM events, which
    would cost as much as the transition's SQL.
    """
    return Filing.model_construct(**row)


def _find(session: Session, account_id: str, filing_id: str) -> Filing | None:
    query = select(Filing).where(Filing.account_id == account_id, Filing.filing_id == filing_id)
    return session.exec(query).first()


def _load(session: Session, account_id: str, filing_id: str) -> Filing:
    filing = _find(session, account_id, filing_id)
    if filing is None:
        raise UnknownFiling(f"filing {filing_id!r} does not exist in account {account_id!r}")
    session.expunge(filing)
    return filing
