"""Per-category delivery rules, pure: daily limits, keyword filters, receive hours.

The planner applies them; storage lives in ``notify.rulestore``. Times are UTC datetimes;
"local" means the account's time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from workflow.limits import excerpt

DEFAULT_ZONE = "Asia/Shanghai"
ALL_DAYS = frozenset(range(7))  # Monday 0 .. Sunday 6, as datetime.weekday()
MAX_KEYWORDS = 20
MAX_KEYWORD_LENGTH = 50
MAX_PER_DAY = 1000


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(moment: datetime, zone_name: str = DEFAULT_ZONE) -> tuple[datetime, datetime]:
    """The UTC bounds [start, end) of the local day holding ``moment``."""
    tz = zone(zone_name)
    local = moment.astimezone(tz)
    start = datetime(local.year, local.month, local.day, tzinfo=tz)
    end = start + timedelta(days=1)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class KeywordFilter:
    """One receiver's words: deliver only messages holding an ``allow`` word (when there
    are any), never one holding a ``deny`` word. Matching ignores case."""

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    def refusal(self, title: str, body: str) -> str | None:
        """Why a message with this title and body is filtered out, or None to deliver it."""
        text = f"{title}\n{body}".casefold()
        for word in self.deny:
            if word.casefold() in text:
                return f"message holds the denied keyword {word!r}"
        if self.allow and not any(word.casefold() in text for word in self.allow):
            return "message holds none of the allowed keywords " + ", ".join(
                repr(w) for w in self.allow)
        return None

    @property
    def empty(self) -> bool:
        return not self.allow and not self.deny


@dataclass(frozen=True)
class ReceiveHours:
    """The local hours (0-23) and weekdays (0 Monday - 6 Sunday) messages are delivered in."""

    hours: frozenset[int]
    days: frozenset[int] = ALL_DAYS
    zone_name: str = DEFAULT_ZONE

    def allows(self, moment: datetime) -> bool:
        local = moment.astimezone(zone(self.zone_name))
        return local.hour in self.hours and local.weekday() in self.days

    def next_allowed(self, moment: datetime) -> datetime:
        """``moment`` itself when allowed, else the start of the next allowed local hour."""
        if self.allows(moment):
            return moment
        tz = zone(self.zone_name)
        local = moment.astimezone(tz)
        start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        for step in range(1, 8 * 24 + 2):  # a week and a bit: every weekday and hour
            candidate = start + timedelta(hours=step)
            if self.allows(candidate):
                return candidate
        raise ValueError("receive hours allow no hour at all")


@dataclass(frozen=True)
class Rules:
    """Everything besides channels and receivers that decides a category's deliveries."""

    required: frozenset[str] = frozenset()  # required channels: no limit, filter or hours
    per_day: Mapping[str, int] = field(default_factory=dict)  # channel -> limit
    keywords: Mapping[str, KeywordFilter] = field(default_factory=dict)  # receiver key
    hours: ReceiveHours | None = None

    def exempt(self, channel: str) -> bool:
        """Internal messages are never filtered, and required channels ignore every rule."""
        return channel == "internal" or channel in self.required

    @property
    def needs_text(self) -> bool:
        return any(not f.empty for f in self.keywords.values())


class Plannable(Protocol):
    """What the rules look at in a planned delivery (a frozen dataclass)."""

    @property
    def status(self) -> str: ...

    @property
    def channel(self) -> str: ...

    @property
    def receiver_key(self) -> str: ...


P = TypeVar("P", bound=Plannable)


def apply_rules(planned: list[P], rules: Rules | None, *, now: datetime | None,
                title: str, body: str, sent_today: Mapping[tuple[str, str], int]) -> list[P]:
    """Keyword filter, then daily limit, then receive hours, for each pending delivery on a
    channel the rules do not exempt; skipped ones get ``status="skipped"`` and a reason,
    held ones a later ``due_at``."""
    if rules is None or rules == Rules():
        return planned
    counts = dict(sent_today)
    out: list[P] = []
    for p in planned:
        if p.status != "pending" or rules.exempt(p.channel):
            out.append(p)
            continue
        reason = None
        words = rules.keywords.get(p.receiver_key)
        if words is not None:
            reason = words.refusal(title, body)
        limit = rules.per_day.get(p.channel)
        key = (p.channel, p.receiver_key)
        if reason is None and limit is not None:
            if counts.get(key, 0) >= limit:
                reason = f"daily limit of {limit} {p.channel} messages per receiver reached"
            else:
                counts[key] = counts.get(key, 0) + 1
        if reason is not None:
            out.append(replace(p, status="skipped", reason=reason))  # type: ignore[type-var]
        elif rules.hours is not None and now is not None:
            due = rules.hours.next_allowed(now)
            out.append(p if due == now else replace(p, due_at=due))  # type: ignore[type-var]
        else:
            out.append(p)
    return out


def clean_hours(hours: Iterable[object], days: Iterable[object] | None = None
                ) -> tuple[frozenset[int], frozenset[int]]:
    """Validated hours and weekdays; ValueError names what is wrong."""
    hs = _ints(hours, 0, 23, "hours")
    ds = ALL_DAYS if days is None else _ints(days, 0, 6, "days")
    return hs, ds


def _ints(values: Iterable[object], low: int, high: int, what: str) -> frozenset[int]:
    out = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{what} must be whole numbers from {low} to {high}, "
                             f"not {excerpt(value)}")
        out.add(value)
    if not out:
        raise ValueError(f"give at least one of the {what} ({low}-{high})")
    return frozenset(out)


def clean_words(words: Iterable[object] | None, what: str) -> tuple[str, ...]:
    """Distinct non-empty keywords, bounded in number and length; ValueError if not."""
    out: list[str] = []
    for word in words or ():
        if not isinstance(word, str) or not word.strip():
            raise ValueError(f"{what} keywords must be non-empty text, not {excerpt(word)}")
        word = " ".join(word.split())
        if len(word) > MAX_KEYWORD_LENGTH:
            raise ValueError(f"{what} keyword {word[:20]!r}... is longer than "
                             f"{MAX_KEYWORD_LENGTH} characters")
        if word.casefold() not in {w.casefold() for w in out}:
            out.append(word)
    if len(out) > MAX_KEYWORDS:
        raise ValueError(f"at most {MAX_KEYWORDS} {what} keywords, not {len(out)}")
    return tuple(out)


__all__ = ["ALL_DAYS", "DEFAULT_ZONE", "KeywordFilter", "ReceiveHours", "Rules",
           "apply_rules", "clean_hours", "clean_words", "local_day", "zone"]
