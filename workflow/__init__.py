"""The kernel and the ICP filing lifecycle: clock, database, lifecycle table, filings, timers."""

from __future__ import annotations

# workflow.diagram is not re-exported: it runs as ``python -m workflow.diagram``, which
# warns when the package has imported it already.
from .accounts import AccountService, get_account
from .clock import Clock, SimulatedClock, SystemClock, as_utc
from .config import Config, ConfigError
from .db import Database
from .deadlines import TimerKind
from .errors import (
    Conflict,
    IcpsimError,
    InvalidData,
    InvalidTransition,
    NotFound,
    StaleFiling,
    UnknownAccount,
    UnknownFiling,
)
from .filings import DuplicateFiling, FilingService
from .lifecycle import (
    LIFECYCLE,
    FilingType,
    NotificationType,
    Rule,
    State,
    Trigger,
    check_data,
    manual_triggers,
    next_state,
)
from .timers import fire_due_timers, next_timer_at

__all__ = [
    "LIFECYCLE",
    "AccountService",
    "Clock",
    "Config",
    "ConfigError",
    "Conflict",
    "Database",
    "DuplicateFiling",
    "FilingService",
    "FilingType",
    "IcpsimError",
    "InvalidData",
    "InvalidTransition",
    "NotFound",
    "NotificationType",
    "Rule",
    "SimulatedClock",
    "StaleFiling",
    "State",
    "SystemClock",
    "TimerKind",
    "Trigger",
    "UnknownAccount",
    "UnknownFiling",
    "as_utc",
    "check_data",
    "fire_due_timers",
    "get_account",
    "manual_triggers",
    "next_state",
    "next_timer_at",
]
