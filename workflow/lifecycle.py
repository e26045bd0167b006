"""The ICP filing lifecycle as one data table, and the pure functions derived from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from transitions import Machine, MachineError

from . import limits
from .errors import InvalidData, InvalidTransition


class State(StrEnum):
    draft = "draft"
    submitted = "submitted"
    under_review = "under_review"
    sms_verification = "sms_verification"
    authority_review = "authority_review"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    expired = "expired"
    item_review = "item_review"
    rectification = "rectification"
    cancelled = "cancelled"


class Trigger(StrEnum):
    submit = "submit"
    start_review = "start_review"
    pass_review = "pass_review"
    reject = "reject"
    verify_sms = "verify_sms"
    sms_timeout = "sms_timeout"
    approve = "approve"
    withdraw = "withdraw"
    expire = "expire"
    start_inspection = "start_inspection"
    pass_inspection = "pass_inspection"
    fail_inspection = "fail_inspection"
    rectify = "rectify"
    extend_deadline = "extend_deadline"
    rectification_timeout = "rectification_timeout"
    cancel = "cancel"


class FilingType(StrEnum):
    first_filing = "first_filing"
    new_website = "new_website"
    add_access = "add_access"
    change_filing = "change_filing"
    cancel_access = "cancel_access"
    cancel_filing = "cancel_filing"


class NotificationType(StrEnum):
    application_progress = "application_progress"
    application_review_result = "application_review_result"
    item_review_result = "item_review_result"


@dataclass(frozen=True)
class Rule:
    """One row of the lifecycle table."""

    trigger: Trigger
    sources: tuple[State, ...]
    dest: State
    notification: NotificationType
    required: tuple[str, ...] = ()  # data fields the trigger cannot do without
    optional: tuple[str, ...] = ()  # data fields it understands when given
    timer: bool = False  # fired by the scheduler, not offered to users
    once: bool = False  # at most once per stay in the state
    data: str = ""  # what the transition records, for people


S, N, T = State, NotificationType, Trigger
_PROGRESS, _RESULT = N.application_progress, N.application_review_result
_ITEMS = N.item_review_result
_OPEN = (S.draft, S.submitted, S.under_review, S.rejected)

LIFECYCLE: tuple[Rule, ...] = (
    Rule(T.submit, (S.draft, S.rejected), S.submitted, _PROGRESS),
    Rule(T.start_review, (S.submitted,), S.under_review, _PROGRESS),
    Rule(T.pass_review, (S.under_review,), S.sms_verification, _PROGRESS,
         data="SMS deadline (24 h)"),
    Rule(T.reject, (S.under_review, S.authority_review), S.rejected, _RESULT,
         required=("reason",), data="reason"),
    Rule(T.verify_sms, (S.sms_verification,), S.authority_review, _PROGRESS),
    Rule(T.sms_timeout, (S.sms_verification,), S.rejected, _RESULT, timer=True,
         data="reason: SMS not verified in 24 h"),
    Rule(T.approve, (S.authority_review,), S.approved, _RESULT,
         required=("icp_number",), data="ICP number"),
    Rule(T.withdraw, _OPEN, S.withdrawn, _PROGRESS),
    Rule(T.expire, _OPEN, S.expired, _RESULT, timer=True, data="reason: order older than 45 days"),
    Rule(T.start_inspection, (S.approved,), S.item_review, _PROGRESS),
    Rule(T.pass_inspection, (S.item_review,), S.approved, _ITEMS, data="all items qualified"),
    Rule(T.fail_inspection, (S.item_review,), S.rectification, _ITEMS,
         required=("items",), optional=("deadline_days",),
         data="unqualified items, rectification deadline (10 days)"),
    Rule(T.rectify, (S.rectification,), S.item_review, _PROGRESS),
    Rule(T.extend_deadline, (S.rectification,), S.rectification, _PROGRESS, once=True,
         data="new deadline (+10 days), once per rectification"),
    Rule(T.rectification_timeout, (S.rectification,), S.cancelled, _ITEMS, timer=True,
         data="reason: deadline passed"),
    Rule(T.cancel, (S.approved,), S.cancelled, _PROGRESS),
)
RULES: Mapping[str, Rule] = {r.trigger.value: r for r in LIFECYCLE}


@dataclass
class _Subject:
    """The plain object the machine drives (never an ORM row: docs/design.md#transitions)."""

    state: State
    once_used: bool = False


def _once_used(event: Any) -> bool:
    return bool(event.model.once_used)


@cache
def machine() -> Machine:
    """The one shared machine, built on first use (nothing runs at import time)."""
    return Machine(
        model=None,
        states=State,
        initial=State.draft,
        transitions=[
            {"trigger": r.trigger.value, "source": list(r.sources), "dest": r.dest,
             **({"unless": [_once_used]} if r.once else {})}
            for r in LIFECYCLE
        ],
        auto_transitions=False,
        send_event=True,
    )


def as_state(value: str | State) -> State:
    """The enum member for a stored value; ValueError names an unknown one."""
    found = _STATES.get(value) if isinstance(value, str) else None
    return State(value) if found is None else found


_STATES: Mapping[str, State] = {s.value: s for s in State}  # State(value) is slow


def rule(trigger: str) -> Rule:
    """The table row of ``trigger``; an unknown trigger is an invalid transition."""
    found = RULES.get(str(trigger))
    if found is None:
        raise InvalidTransition(
            f"{limits.excerpt(trigger)} is not a trigger of the filing lifecycle")
    return found


def next_state(state: str | State, trigger: str, *, once_used: bool = False) -> State:
    """Where ``trigger`` leads from ``state``; InvalidTransition when it is not allowed.

    ``once_used`` says the state's once-only trigger (``extend_deadline``) was used.
    """
    key = (state, trigger, bool(once_used))
    found = moves().get(key) if isinstance(state, str) and isinstance(trigger, str) else None
    if isinstance(found, State):
        return found
    current = as_state(state)
    rule(trigger)
    raise InvalidTransition(found or f"{trigger} is not allowed in state {current}")


@cache
def moves() -> Mapping[tuple[str, str, bool], State | str]:
    """The machine's answer (destination or refusal) to every (state, trigger, once_used).

    Asked once: a trigger on the shared machine costs tens of microseconds, and
    transitions are a hot path (bench/bench_transitions.py). Keyed by plain values
    (members of State and Trigger hash and compare as their values).
    """
    return {(s.value, name, used): _ask_machine(s, name, used)
            for s in State for name in RULES for used in (False, True)}


def _ask_machine(state: State, trigger: str, once_used: bool) -> State | str:
    subject = _Subject(state, once_used)
    try:
        moved = machine().events[trigger].trigger(subject)
    except MachineError:
        return f"{trigger} is not allowed in state {state}"
    if not moved:
        return f"{trigger} is allowed only once per {state}"
    return as_state(subject.state)


def allows(state: str | State, trigger: str, *, once_used: bool = False) -> bool:
    try:
        next_state(state, trigger, once_used=once_used)
    except InvalidTransition:
        return False
    return True


def manual_triggers(state: str | State, *, once_used: bool = False) -> list[str]:
    """The triggers a user may fire in ``state`` (the console's buttons), in table order."""
    current = as_state(state)
    return [
        name for name in machine().get_triggers(current)
        if not RULES[name].timer and not (RULES[name].once and once_used)
    ]


def sources(trigger: str) -> tuple[State, ...]:
    return rule(trigger).sources


def reachable(state: str | State) -> frozenset[State]:
    """Every state reachable from ``state`` (itself included) through the table."""
    seen = {as_state(state)}
    frontier = list(seen)
    while frontier:
        current = frontier.pop()
        for r in LIFECYCLE:
            if current in r.sources and r.dest not in seen:
                seen.add(r.dest)
                frontier.append(r.dest)
    return frozenset(seen)


def path_to(state: str | State, *, start: State = State.draft) -> list[Trigger]:
    """The shortest trigger path from ``start`` to ``state`` (table order breaks ties)."""
    goal = as_state(state)
    paths: dict[State, list[Trigger]] = {start: []}
    frontier = [start]
    while frontier and goal not in paths:
        current = frontier.pop(0)
        for r in LIFECYCLE:
            if current in r.sources and r.dest not in paths:
                paths[r.dest] = [*paths[current], r.trigger]
                frontier.append(r.dest)
    if goal not in paths:
        raise ValueError(f"{goal} cannot be reached from {start}")
    return paths[goal]


def check_data(trigger: str, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate the data a trigger carries; returns a clean copy or raises InvalidData.

    Data is a mapping of the fields the trigger takes (its required and optional ones;
    a timer's reason too): anything else is refused now rather than failing later.
    """
    r = rule(trigger)
    if data is not None and not isinstance(data, Mapping):
        raise InvalidData(f"{r.trigger} data must be a mapping of fields, not "
                          f"{type(data).__name__}", field="data")
    if not data and not r.required:
        return {}
    clean = dict(data or {})
    known = r.required + r.optional + (("reason",) if r.timer else ())
    unknown = sorted(str(k) for k in clean if k not in known)
    if unknown:
        takes = ", ".join(known) or "no data"
        raise InvalidData(f"{r.trigger} does not take {', '.join(map(repr, unknown))[:200]} "
                          f"(it takes: {takes})", field=unknown[0][:40])
    for name in r.required:
        if name not in clean or clean[name] in (None, "", []):
            raise InvalidData(f"{r.trigger} needs {name!r}", field=name)
    for name, limit, multiline in (("reason", limits.REASON, True),
                                   ("icp_number", limits.ICP_NUMBER, False)):
        if name in clean:
            clean[name] = limits.bounded_text(clean[name], limit, multiline=multiline)
            if not clean[name]:
                raise InvalidData(f"{name!r} must be non-empty text", field=name)
    if "items" in clean:
        clean["items"] = _items(clean["items"])
    if "deadline_days" in clean:
        days, most = clean["deadline_days"], limits.DEADLINE_DAYS.maximum
        if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= most:
            raise InvalidData(f"'deadline_days' must be a whole number of days from 1 to {most}",
                              field="deadline_days")
    return clean


def _items(items: Any) -> list[str]:
    if not isinstance(items, list) or not items:
        raise InvalidData("'items' must be a non-empty list of item names", field="items")
    if len(items) > limits.ITEMS.maximum:
        raise InvalidData(f"'items' holds {len(items)} items; at most {limits.ITEMS.maximum} "
                          "are allowed", field="items")
    out = [limits.bounded_text(i, limits.ITEM, field="items", what="each item") for i in items]
    if not all(out):
        raise InvalidData("'items' must be a non-empty list of item names", field="items")
    return out
