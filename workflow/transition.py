"""One transition inside a transaction: state, history row, outbox event and timers together."""

# The hot path runs prepared Core statements on the raw DBAPI connection (workflow/fastsql.py)
# on plain row mappings: SQLAlchemy's execution machinery and ORM objects cost several times
# what SQLite itself does (bench/bench_transitions.py).

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, bindparam, select

from .config import Config
from .deadlines import reschedule
from .errors import StaleFiling, UnknownFiling
from .fastsql import Prepared, RawTransaction
from .lifecycle import State, Trigger, as_state, check_data, next_state
from .lifecycle import rule as lifecycle_rule
from .models import Filing, OutboxEvent, TransitionLog

Row = dict[str, Any]
WAKE_CHANNEL = "icpsim_work"  # PostgreSQL NOTIFY channel: outbox events or deliveries to do
FILING = cast(Table, Filing.__table__)  # type: ignore[attr-defined]
HISTORY = cast(Table, TransitionLog.__table__)  # type: ignore[attr-defined]
OUTBOX = cast(Table, OutboxEvent.__table__)  # type: ignore[attr-defined]
HISTORY_KEYS = ("filing_pk", "at", "trigger", "source", "dest", "actor", "data")
OUTBOX_KEYS = ("account_id", "filing_pk", "at", "notification_type", "trigger", "facts")
FACT_FIELDS = frozenset({"reason", "icp_number", "items", "deadline", "reminder_days",
                         "expires_at"})
_TIMER_REASONS = {
    Trigger.sms_timeout.value: lambda c: (
        f"SMS verification not completed within {c.sms_window.total_seconds() / 3600:g} h"),
    Trigger.expire.value: lambda c: f"filing order older than {c.order_lifetime.days} days",
    Trigger.rectification_timeout.value: lambda c: "rectification deadline passed",
}


def load_row(tx: RawTransaction, *, pk: int | None = None, account_id: str | None = None,
             filing_id: str | None = None) -> Row:
    """A filing as a plain mapping, by primary key or by account and filing id."""
    params: dict[str, Any]
    if pk is not None:
        query, params = _statements()["by_pk"], {"k_pk": pk}
    else:
        query, params = _statements()["by_id"], {"k_account": account_id, "k_filing": filing_id}
    found = tx.fetch_one(query, params)
    if found is None:
        where = f"#{pk}" if pk is not None else f"{filing_id!r} in account {account_id!r}"
        raise UnknownFiling(f"filing {where} does not exist")
    return found


@cache
def _statements() -> dict[str, Prepared]:
    return {
        "by_pk": Prepared(select(FILING).where(FILING.c.pk == bindparam("k_pk"))),
        "by_id": Prepared(select(FILING).where(FILING.c.account_id == bindparam("k_account"),
                                               FILING.c.filing_id == bindparam("k_filing"))),
        "history": Prepared(HISTORY.insert(), keys=HISTORY_KEYS),
        "outbox": Prepared(OUTBOX.insert(), keys=OUTBOX_KEYS),
    }


@cache
def _update(columns: tuple[str, ...]) -> Prepared:
    """SET the given columns (a handful of combinations); the WHERE is the optimistic
    version check."""
    return Prepared(FILING.update().where(FILING.c.pk == bindparam("k_pk"),
                                          FILING.c.version == bindparam("k_version")),
                    keys=columns)


def apply_trigger(
    tx: RawTransaction,
    row: Row,
    trigger: str,
    data: Mapping[str, Any] | None,
    *,
    actor: str,
    now: datetime,
    config: Config,
    expected_version: int | None = None,
) -> Row:
    """Move the filing ``row`` by ``trigger``; returns the new row. Refusals write nothing."""
    source = as_state(row["state"])
    dest = next_state(source, trigger, once_used=row["deadline_extended"])
    trigger = str(trigger)
    clean = check_data(trigger, data)
    version = row["version"]
    if expected_version is not None and expected_version != version:
        raise StaleFiling(f"filing {row['filing_id']!r} is at version {version}, "
                          f"not {expected_version}")
    changes, recorded = _effects(row, trigger, clean, source=source, dest=dest, now=now,
                                 config=config)
    changes.update(state=str(dest), version=version + 1, updated_at=now)
    update = _update(tuple(changes))
    if tx.execute(update, {**changes, "k_pk": row["pk"], "k_version": version}) != 1:
        raise StaleFiling(f"filing {row['filing_id']!r} changed meanwhile: reload and retry")
    moved = {**row, **changes}
    reschedule(tx, moved, source=source, dest=dest, now=now)
    record(tx, moved, trigger, source=source, dest=dest, actor=actor, now=now,
           data=recorded, notification=_notification(trigger))
    return moved


@cache
def _notification(trigger: str) -> str:
    return lifecycle_rule(trigger).notification.value


def record(
    tx: RawTransaction,
    row: Row,
    trigger: str,
    *,
    source: State,
    dest: State,
    actor: str,
    now: datetime,
    data: dict[str, Any],
    notification: str,
) -> None:
    """The history row and the outbox event of one transition (or reminder)."""
    source_value, dest_value = str(source), str(dest)
    tx.execute(_statements()["history"], {
        "filing_pk": row["pk"], "at": now, "trigger": trigger, "source": source_value,
        "dest": dest_value, "actor": actor, "data": data})
    facts = {"filing_id": row["filing_id"], "filing_type": row["type"], "domain": row["domain"],
             "website": row["website"], "trigger": trigger, "from_state": source_value,
             "to_state": dest_value}
    if data:
        facts.update({k: v for k, v in data.items() if k in FACT_FIELDS})
    write_outbox(tx, row, trigger, kind=notification, facts=facts, now=now)


def write_outbox(
    tx: RawTransaction, row: Row, trigger: str, *, kind: str, facts: dict[str, Any], now: datetime
) -> None:
    """The outbox event notify's relay turns into deliveries.

    On PostgreSQL the transaction also sends NOTIFY on ``WAKE_CHANNEL``, delivered to
    every listening worker when (and only if) it commits.
    """
    if not tx.wrote_outbox:
        tx.wrote_outbox = True
        if tx.dialect.name == "postgresql":
            tx.cursor.execute(f"NOTIFY {WAKE_CHANNEL}")
    tx.execute(_statements()["outbox"], {
        "account_id": row["account_id"], "filing_pk": row["pk"], "at": now,
        "notification_type": kind, "trigger": trigger, "facts": facts})


def _effects(
    row: Row, trigger: str, data: dict[str, Any], *, source: State, dest: State,
    now: datetime, config: Config,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The column changes and the recorded data of a transition (pure)."""
    changes: dict[str, Any] = {}
    if source == State.sms_verification and dest != source:
        changes["sms_deadline"] = None
    if source == State.rectification and dest != source:
        changes.update(rectification_deadline=None, deadline_extended=False)
    if trigger == Trigger.pass_review:
        changes["sms_deadline"] = now + config.sms_window
        data["deadline"] = changes["sms_deadline"].isoformat()
    elif trigger == Trigger.approve:
        changes["icp_number"] = data["icp_number"]
    elif trigger == Trigger.fail_inspection:
        days = data.get("deadline_days")
        period = timedelta(days=days) if days else config.rectification_period
        changes.update(rectification_deadline=now + period, deadline_extended=False)
        data["deadline"] = changes["rectification_deadline"].isoformat()
    elif trigger == Trigger.extend_deadline:
        base = row["rectification_deadline"] or now
        changes.update(rectification_deadline=base + config.extension_period,
                       deadline_extended=True)
        data["deadline"] = changes["rectification_deadline"].isoformat()
    elif trigger in _TIMER_REASONS and "reason" not in data:
        data["reason"] = _TIMER_REASONS[trigger](config)
    return changes, data
