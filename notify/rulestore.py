"""Stored delivery rules per account and category: daily limits (the API's
``FatigueDayLimit``), keyword filters (``KeywordWhitelist``/``KeywordBlacklist``), receive
hours (``ReceiveTimeList``) and the owner's mobile. The RulesService is their one door."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from workflow.accounts import get_account
from workflow.clock import Clock
from workflow.db import Database
from workflow.limits import excerpt

from . import audit
from .catalog import get_category
from .channel_errors import InvalidHours, InvalidKeywords, InvalidLimit
from .contacts import get_contact
from .models import ChannelLimit, KeywordRule, OwnerMobile, ReceiveWindow
from .rules import (
    ALL_DAYS,
    MAX_PER_DAY,
    KeywordFilter,
    ReceiveHours,
    Rules,
    clean_hours,
    clean_words,
)
from .settings import channel_states
from .validation import clean_mobile
from .webhooks import get_webhook


@dataclass(frozen=True)
class KeywordSetting:
    receiver: str  # owner | contact:<id> | webhook:<id>
    allow: tuple[str, ...]
    deny: tuple[str, ...]


def rules_for(s: Session, account_id: str, category: str, *,
              states: dict[str, str] | None = None) -> Rules:
    """What the planner needs besides channels and receivers, in one snapshot
    (``states``: the account's channel states, when the caller has read them already)."""
    if states is None:
        states = channel_states(s, account_id, category)
    limits = s.exec(select(ChannelLimit).where(ChannelLimit.account_id == account_id,
                                               ChannelLimit.category == category)).all()
    words = s.exec(select(KeywordRule).where(KeywordRule.account_id == account_id,
                                             KeywordRule.category == category)).all()
    window = s.get(ReceiveWindow, (account_id, category))
    return Rules(
        required=frozenset(c for c, state in states.items() if state == "required"),
        per_day={row.channel: row.per_day for row in limits},
        keywords={row.receiver: KeywordFilter(tuple(row.allow), tuple(row.deny))
                  for row in words},
        hours=None if window is None else ReceiveHours(frozenset(window.hours),
                                                       frozenset(window.days)))


def owner_mobile(s: Session, account_id: str) -> str | None:
    row = s.get(OwnerMobile, account_id)
    return None if row is None else row.mobile


class RulesService:
    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    # daily limits ------------------------------------------------------------------
    def limits(self, account_id: str, category: str) -> dict[str, int]:
        get_category(category)
        with self.db.transaction() as s:
            get_account(s, account_id)
            return dict(rules_for(s, account_id, category).per_day)

    def set_limit(self, account_id: str, category: str, channel: str, per_day: int | None, *,
                  actor: str) -> int | None:
        """At most ``per_day`` messages per receiver and local day; None removes the limit."""
        get_category(category)
        if per_day is not None and (isinstance(per_day, bool) or not isinstance(per_day, int)
                                    or not 1 <= per_day <= MAX_PER_DAY):
            raise InvalidLimit(f"a daily limit is a whole number from 1 to {MAX_PER_DAY}, "
                               f"not {excerpt(per_day)}")
        with self.db.transaction() as s:
            get_account(s, account_id)
            state = channel_states(s, account_id, category).get(channel)
            if state is None or state == "unavailable":
                raise InvalidLimit(f"{category!r} does not offer a {excerpt(channel)} channel",
                                   field="channel")
            if state == "required":
                raise InvalidLimit(f"the {channel} channel of {category!r} is required and "
                                   "has no daily limit", field="channel")
            row = s.get(ChannelLimit, (account_id, category, channel))
            old = None if row is None else row.per_day
            if per_day is None:
                if row is not None:
                    s.delete(row)
            else:
                s.merge(ChannelLimit(account_id=account_id, category=category,
                                     channel=channel, per_day=per_day))
            if old != per_day:
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"limits:{category}", action="set_limit",
                             changes={channel: {"old": old, "new": per_day}},
                             at=self.clock.now())
        return per_day

    # keyword filters ---------------------------------------------------------------
    def keywords(self, account_id: str, category: str) -> list[KeywordSetting]:
        get_category(category)
        with self.db.transaction() as s:
            get_account(s, account_id)
            rows = s.exec(select(KeywordRule).where(
                KeywordRule.account_id == account_id, KeywordRule.category == category)
                .order_by(col(KeywordRule.receiver))).all()
            return [KeywordSetting(r.receiver, tuple(r.allow), tuple(r.deny)) for r in rows]

    def set_keywords(self, account_id: str, category: str, receiver: str, *,
                     allow: Iterable[str] | None = None, deny: Iterable[str] | None = None,
                     actor: str) -> KeywordSetting:
        """The receiver's filter (``owner``, ``contact:<id>`` or ``webhook:<id>``);
        no words at all removes it."""
        get_category(category)
        try:
            allow_words, deny_words = clean_words(allow, "allow"), clean_words(deny, "deny")
        except ValueError as exc:
            raise InvalidKeywords(str(exc)) from None
        with self.db.transaction() as s:
            get_account(s, account_id)
            _check_receiver(s, account_id, receiver)
            row = s.get(KeywordRule, (account_id, category, receiver))
            old = None if row is None else {"allow": row.allow, "deny": row.deny}
            new = {"allow": list(allow_words), "deny": list(deny_words)}
            if not allow_words and not deny_words:
                if row is not None:
                    s.delete(row)
                new_value = None
            else:
                s.merge(KeywordRule(account_id=account_id, category=category,
                                    receiver=receiver, **new))
                new_value = new
            if old != new_value:
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"keywords:{category}", action="set_keywords",
                             changes={receiver: {"old": old, "new": new_value}},
                             at=self.clock.now())
        return KeywordSetting(receiver, allow_words, deny_words)

    # receive hours -----------------------------------------------------------------
    def receive_hours(self, account_id: str, category: str) -> ReceiveHours | None:
        get_category(category)
        with self.db.transaction() as s:
            get_account(s, account_id)
            return rules_for(s, account_id, category).hours

    def set_receive_hours(self, account_id: str, category: str,
                          hours: Iterable[int] | None, days: Iterable[int] | None = None, *,
                          actor: str) -> ReceiveHours | None:
        """Local hours (0-23) and weekdays (0 Monday - 6 Sunday, default all);
        ``hours=None`` delivers at any time again."""
        get_category(category)
        window = None
        if hours is not None:
            try:
                hs, ds = clean_hours(list(hours), None if days is None else list(days))
            except (TypeError, ValueError) as exc:
                raise InvalidHours(str(exc)) from None
            window = ReceiveHours(hs, ds)
        with self.db.transaction() as s:
            get_account(s, account_id)
            row = s.get(ReceiveWindow, (account_id, category))
            old = None if row is None else {"hours": row.hours, "days": row.days}
            s.execute(delete(ReceiveWindow).where(col(ReceiveWindow.account_id) == account_id,
                                                  col(ReceiveWindow.category) == category))
            new = None
            if window is not None:
                new = {"hours": sorted(window.hours), "days": sorted(window.days)}
                s.add(ReceiveWindow(account_id=account_id, category=category, **new))
            if old != new:
                audit.record(s, account_id=account_id, actor=actor,
                             subject=f"hours:{category}", action="set_receive_hours",
                             changes={"hours": {"old": old, "new": new}},
                             at=self.clock.now())
        return window

    # the owner's mobile ------------------------------------------------------------
    def owner_mobile(self, account_id: str) -> str | None:
        with self.db.transaction() as s:
            get_account(s, account_id)
            return owner_mobile(s, account_id)

    def set_owner_mobile(self, account_id: str, mobile: str | None, *, actor: str) -> str | None:
        """The owner's mobile (verified with the account itself); None or "" removes it."""
        cleaned = clean_mobile(mobile)
        with self.db.transaction() as s:
            get_account(s, account_id)
            old = owner_mobile(s, account_id)
            s.execute(delete(OwnerMobile).where(col(OwnerMobile.account_id) == account_id))
            if cleaned:
                s.add(OwnerMobile(account_id=account_id, mobile=cleaned))
            if old != cleaned:
                audit.record(s, account_id=account_id, actor=actor, subject="owner",
                             action="set_mobile", changes={"mobile": {"old": old,
                                                                      "new": cleaned}},
                             at=self.clock.now())
        return cleaned


def _check_receiver(s: Session, account_id: str, receiver: str) -> None:
    kind, _, ident = (receiver or "").partition(":")
    if receiver == "owner":
        return
    if kind in ("contact", "webhook") and ident.isdigit():
        if kind == "contact":
            get_contact(s, account_id, int(ident))
        else:
            get_webhook(s, account_id, int(ident))
        return
    raise InvalidKeywords(f"{str(receiver)[:40]!r} is not a receiver: use owner, "
                          "contact:<id> or webhook:<id>", field="receiver")


__all__ = ["ALL_DAYS", "KeywordSetting", "RulesService", "owner_mobile", "rules_for"]
